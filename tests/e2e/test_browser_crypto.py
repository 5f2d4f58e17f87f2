"""The browser's crypto core (web/pages/static/gongzhi.js) in a real Chromium, checked against the
Python implementations the server trusts and against published vectors.

* RFC 8785: the JS canonical form equals the cyberphone/json-canonicalization outputs.
* did:key: P-256 keys of the W3C did:key vectors compress and decompress exactly.
* ecdsa-jcs-2019: a proof made in the browser verifies in `identity.w3c.dataintegrity`, and any
  one changed character fails; the W3C vector and Python-made proofs verify in the browser.
* The owner key is non-extractable and survives a reload (IndexedDB).
* RFC 9162: inclusion and consistency proofs from `ledger.tlog.merkle` verify in JS; altered
ones fail.
* C2SP: a checkpoint signed by `ledger.tlog.note_keys.Ed25519Signer` opens in JS; altered ones fail.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from identity.community.committee import (
    Member,
    ServerKeys,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
    with_proofs,
)
from identity.errors import IdentityError
from identity.w3c.dataintegrity import sign_json, verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from ledger.tlog.merkle import consistency_proof, inclusion_proof, leaf_hash, root_hash
from ledger.tlog.note_keys import Ed25519Signer
from tests.e2e.browser_support import live_server, run_module, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VECTORS = Path(__file__).parents[1] / "vectors" / "identity"
VOTE = {
    "type": "Vote",
    "ballot": "gongzhi.test/xianxia-demo/ballots/1",
    "voter": "",
    "choices": {"1": "agree", "2": "oppose"},
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=False) as (url, _):
        yield url


@pytest.fixture
def page(browser: Browser, base: str) -> Iterator[Page]:
    """A fresh, isolated context (its own IndexedDB) on one of our pages: a secure context."""
    context = browser.new_context()
    p = context.new_page()
    p.goto(f"{base}/owner")
    wait_ready(p)
    yield p
    context.close()


def test_jcs_matches_rfc8785_vectors(page: Page) -> None:
    folder = VECTORS / "jcs-rfc8785"
    names = sorted(p.stem for p in (folder / "input").glob("*.json"))
    assert len(names) >= 6
    inputs = {n: (folder / "input" / f"{n}.json").read_text(encoding="utf-8") for n in names}
    got = run_module(
        page,
        "const out = {};"
        "for (const [n, text] of Object.entries(arg))"
        "  out[n] = g.toHex(g.canonicalBytes(JSON.parse(text)));"
        "return out;",
        inputs,
    )
    for n in names:
        expected = (folder / "output" / f"{n}.json").read_bytes()
        assert bytes.fromhex(got[n]) == expected, n
        outhex = (folder / "outhex" / f"{n}.txt").read_text().split()
        assert got[n] == "".join(outhex).lower(), n


def test_jcs_refuses_what_is_not_i_json(page: Page) -> None:
    refused = run_module(
        page,
        "const bad = [NaN, Infinity, '\\uD800', {k: undefined}, [() => 1], new Date(0)];"
        "const out = [];"
        "for (const v of bad) { try { g.canonicalize(v); out.push(null); }"
        " catch (e) { out.push(e instanceof g.GongzhiError ? e.en : String(e)); } }"
        "return out;",
    )
    assert all(isinstance(r, str) for r in refused), refused


def test_did_key_p256_vectors(page: Page) -> None:
    vectors = json.loads((VECTORS / "did-key" / "nist-curves.json").read_text())
    cases = []
    for did, body in vectors.items():
        jwk = body["verificationMethod"].get("publicKeyJwk", {})
        if jwk.get("crv") != "P-256":
            continue
        raw = b"\x04" + _b64url(jwk["x"]) + _b64url(jwk["y"])
        cases.append({"did": did, "raw": raw.hex()})
    assert len(cases) == 2
    got = run_module(
        page,
        "return arg.map(c => { const id = c.did.slice(8);"
        " const r = g.resolveDidKey(`${c.did}#${id}`);"
        " return [g.didKeyFromP256(g.fromHex(c.raw)).did, g.toHex(r.publicKey), r.kind]; });",
        cases,
    )
    for case, (did, raw, kind) in zip(cases, got, strict=True):
        assert (did, raw, kind) == (case["did"], case["raw"], "P-256")


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign_in_browser(page: Page, doc: dict[str, Any], options: dict[str, Any]) -> Any:
    return run_module(
        page,
        "const key = await g.ensureOwnerKey();"
        "const doc = arg.doc.voter === '' ? {...arg.doc, voter: key.did} : arg.doc;"
        "return await g.signDocument(doc, arg.options);",
        {"doc": doc, "options": options},
    )


def _one_char_changes(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every variant of `doc` with one character of one string value changed."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for key, value in items:
        here = (*path, key)
        if isinstance(value, dict | list):
            yield from _one_char_changes(value, here)
        elif isinstance(value, str) and value:
            yield "/".join(map(str, here)), here


def _changed(doc: dict[str, Any], where: tuple[Any, ...]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    parent: Any = out
    for key in where[:-1]:
        parent = parent[key]
    value: str = parent[where[-1]]
    at = len(value) // 2
    parent[where[-1]] = value[:at] + ("B" if value[at] != "B" else "C") + value[at + 1 :]
    return out


def test_browser_vote_proof_verifies_in_python_and_any_change_fails(page: Page) -> None:
    signed = _sign_in_browser(page, VOTE, {})
    assert signed["proof"]["cryptosuite"] == "ecdsa-jcs-2019"
    assert signed["proof"]["verificationMethod"].startswith("did:key:zDn")
    result = verify_signed_json(
        signed, expected_signer=signed["voter"], expected_purpose="assertionMethod"
    )
    assert result.controller == signed["voter"]
    variants = list(_one_char_changes(signed))
    assert len(variants) >= 10  # type, ballot, voter, each choice and every proof field
    for name, where in variants:
        with pytest.raises(IdentityError):
            verify_signed_json(_changed(signed, where))
            pytest.fail(f"a change in {name} was not detected")


def test_browser_authentication_proof_binds_challenge_and_domain(page: Page) -> None:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:placeholder",
    }
    signed = _sign_in_browser(
        page,
        presentation,
        {"proofPurpose": "authentication", "challenge": "v1.abc.123", "domain": "http://x.test"},
    )
    did = signed["proof"]["verificationMethod"].split("#")[0]
    assert signed["proof"]["@context"] == presentation["@context"]
    verify_signed_json(
        signed,
        expected_signer=did,
        expected_purpose="authentication",
        challenge="v1.abc.123",
        domain="http://x.test",
    )
    with pytest.raises(IdentityError):
        verify_signed_json(signed, challenge="v1.abc.124")
    with pytest.raises(IdentityError):
        verify_signed_json(signed, domain="http://y.test")
    with pytest.raises(IdentityError):
        verify_signed_json(signed, expected_purpose="assertionMethod")


def test_owner_key_is_non_extractable_and_survives_reload(page: Page) -> None:
    made = run_module(
        page,
        "const k = await g.createOwnerKey();"
        "const refused = [];"
        "for (const f of ['pkcs8', 'jwk']) {"
        "  try { await crypto.subtle.exportKey(f, k.privateKey); refused.push(false); }"
        "  catch (e) { refused.push(e.name); } }"
        "let again = null; try { await g.createOwnerKey(); } catch (e) { again = e.en; }"
        "return {did: k.did, extractable: k.privateKey.extractable, refused, again,"
        " usages: k.privateKey.usages};",
    )
    assert made["extractable"] is False
    assert made["refused"] == ["InvalidAccessError", "InvalidAccessError"]
    assert made["usages"] == ["sign"]
    assert "already" in made["again"]
    page.reload()
    wait_ready(page)
    kept = run_module(
        page,
        "const k = await g.loadOwnerKey();"
        "let exported = 'no'; try { await crypto.subtle.exportKey('pkcs8', k.privateKey); }"
        " catch (e) { exported = e.name; }"
        "return {did: k.did, extractable: k.privateKey.extractable, exported,"
        " doc: await g.signDocument({type: 'Ping'})};",
    )
    assert kept["did"] == made["did"]
    assert kept["extractable"] is False
    assert kept["exported"] == "InvalidAccessError"
    verify_signed_json(kept["doc"], expected_signer=made["did"])


def test_browser_verifies_w3c_vector_and_python_proofs(page: Page) -> None:
    w3c = json.loads(
        (VECTORS / "vc-di-ecdsa" / "ecdsa-jcs-2019-p256" / "signedJCSECDSAP256.json").read_text()
    )
    p256 = sign_json(dict(VOTE, voter="did:example:p"), KeyPair.generate(KeyType.P256))
    ed = sign_json(dict(VOTE, voter="did:example:e"), KeyPair.generate(KeyType.ED25519))
    docs = [w3c, p256, ed]
    tampered = [
        _changed(d, ("credentialSubject", "alumniOf") if d is w3c else ("choices", "2"))
        for d in docs
    ]
    got = run_module(
        page,
        "const out = [];"
        "for (const d of arg) { try { out.push((await g.verifyDocument(d)).controller); }"
        " catch (e) { out.push(e instanceof g.GongzhiError ? 'refused' : String(e)); } }"
        "return out;",
        docs + tampered,
    )
    controllers = [d["proof"]["verificationMethod"].split("#")[0] for d in docs]
    assert got == controllers + ["refused"] * 3


def test_merkle_proofs_from_python_verify_in_browser(page: Page) -> None:
    cases: list[dict[str, Any]] = []
    for size in (1, 2, 3, 4, 5, 7, 8, 9, 16, 17):
        leaves = [f"entry {i}".encode() for i in range(size)]
        root = root_hash(leaves).hex()
        for index in range(size):
            cases.append(
                {
                    "kind": "inclusion",
                    "leaf": leaf_hash(leaves[index]).hex(),
                    "index": index,
                    "size": size,
                    "proof": [h.hex() for h in inclusion_proof(index, leaves)],
                    "root": root,
                }
            )
        for old in range(1, size + 1):
            cases.append(
                {
                    "kind": "consistency",
                    "old": old,
                    "size": size,
                    "proof": [h.hex() for h in consistency_proof(old, leaves)],
                    "oldRoot": root_hash(leaves[:old]).hex(),
                    "root": root,
                }
            )
    bad = []
    for case in cases:
        if case["proof"]:
            broken = copy.deepcopy(case)
            first = broken["proof"][0]
            broken["proof"][0] = ("0" if first[0] != "0" else "1") + first[1:]
            bad.append(broken)
        if case["kind"] == "inclusion":
            bad.append(dict(case, index=case["index"] + 1))
        else:
            bad.append(
                dict(case, oldRoot=case["root"] if case["old"] != case["size"] else "00" * 32)
            )
    outcome = run_module(
        page,
        "const h = g.fromHex; const out = [];"
        "for (const c of arg) { try {"
        "  const path = c.proof.map(h);"
        "  if (c.kind === 'inclusion')"
        "    await g.verifyInclusion(h(c.leaf), c.index, c.size, path, h(c.root));"
        "  else await g.verifyConsistency(c.old, c.size, path, h(c.oldRoot), h(c.root));"
        "  out.push('ok');"
        "} catch (e) { out.push(e instanceof g.GongzhiError ? 'refused' : String(e)); } }"
        "return out;",
        cases + bad,
    )
    assert outcome[: len(cases)] == ["ok"] * len(cases)
    assert outcome[len(cases) :] == ["refused"] * len(bad)


def test_checkpoint_signed_in_python_opens_in_browser(page: Page) -> None:
    origin = "gongzhi.test/xianxia-demo/ballots/1"
    # A key whose base64 holds '+', the vkey's own separator, must still parse.
    signer = next(
        s
        for s in (Ed25519Signer(origin, bytes([i]) * 32) for i in range(256))
        if "+" in s.vkey[-44:]
    )
    other = Ed25519Signer.generate(origin)
    root = root_hash([b"a", b"b", b"c"])
    note = sign_checkpoint(Checkpoint(origin, 3, root), signer)
    body, signature = note.split("\n\n")
    cases = [
        (note, signer.vkey),
        (note.replace("\n3\n", "\n4\n", 1), signer.vkey),  # size changed
        (
            body + "\n\n" + signature.replace(signature[-6], "A" if signature[-6] != "A" else "B"),
            signer.vkey,
        ),
        (note, other.vkey),  # another key of the same name
        (
            sign_checkpoint(
                Checkpoint("evil.test/log", 3, root), Ed25519Signer.generate("evil.test/log")
            ),
            signer.vkey,
        ),
    ]
    got = run_module(
        page,
        "const out = [];"
        "for (const [note, vkey] of arg) { try { const c = await g.openCheckpoint(note, vkey);"
        "  out.push([c.origin, c.size, g.toHex(c.root)]); }"
        " catch (e) { out.push(e instanceof g.GongzhiError ? 'refused' : String(e)); } }"
        "return out;",
        cases,
    )
    assert got[0] == [origin, 3, root.hex()]
    assert got[1:] == ["refused"] * 4


def test_receipt_check_catches_a_lying_box(page: Page) -> None:
    """`checkReceipt` against a v2 box built here (entry 0 BallotAnnounced naming the box's
    key, entry 1 BallotOpened with the census, then votes): an honest box passes; a box whose
    checkpoints are signed by a key other than the one the committee signed into
    BallotAnnounced (reported honestly or not), an entry 0 not signed by enough members of the
    registration the device trusts, altered after signing or not an announcement at all (a v1
    box opening with BallotOpened), a rewritten history (the notice or the census), a receipt
    of another vote or another box, or a receipt whose head does not cover the vote is
    refused."""
    origin = "gongzhi.test/lianhua/ballots/7"
    vote = run_module(
        page,
        "const k = await g.ensureOwnerKey();"
        "return await g.signDocument("
        "{type: 'Vote', ballot: arg, voter: k.did, choices: {'1': 'agree', '2': 'oppose'}});",
        origin,
    )
    office = KeyPair.from_private_bytes(KeyType.ED25519, b"\x06" * 32)
    members = [KeyPair.from_private_bytes(KeyType.ED25519, bytes([7 + i]) * 32) for i in (0, 1)]
    members.append(KeyPair.generate(KeyType.P256))
    impostors = [KeyPair.from_private_bytes(KeyType.ED25519, bytes([20 + i]) * 32) for i in (0, 1)]
    signer = Ed25519Signer(origin, b"\x01" * 32)
    usurper = Ed25519Signer(origin, b"\x02" * 32)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    registration = sign_registration(
        build_registration(
            root=office.did.value,
            community="lianhua",
            sequence=1,
            members=[
                Member(k.did.value, "chair" if i == 0 else "member") for i, k in enumerate(members)
            ],
            server=ServerKeys(office.did.value, Ed25519Signer("gongzhi.test/d", b"\x03" * 32).vkey),
            valid_from=start,
            valid_until=start + timedelta(days=3650),
        ),
        office,
        created=start,
    )
    at = start + timedelta(days=1)
    stamp = "%Y-%m-%dT%H:%M:%SZ"

    def decision(doc: dict[str, Any], by: list[KeyPair] = members[:2]) -> bytes:
        return canonical(with_proofs(doc, [decision_share(doc, k, created=at) for k in by]))

    def motion(item: str, matter: int, name: str) -> dict[str, Any]:
        return {
            "id": item,
            "kind": "motion",
            "matter": matter,
            "matterName": name,
            "title": f"事项{item}",
            "text": "是否同意？",
            "attachments": [],
        }

    def announced(
        key: str = signer.vkey, by: list[KeyPair] = members[:2], title: str = "t"
    ) -> bytes:
        doc = {
            "type": "BallotAnnounced",
            "ballot": origin,
            "community": "lianhua",
            "registration": registration_hash(registration),
            "title": title,
            "text": "公告",
            "items": [
                motion("1", 4, "选聘和解聘物业服务企业"),
                motion("2", 2, "制定和修改管理规约"),
            ],
            "rules": {
                "noticeDays": 15,
                "objectionDays": 7,
                "minWindowDays": 5,
                "maxWindowDays": 60,
                "resultNoticeDays": 3,
                "revote": "final",
                "proxyCap": 1,
                "electionRanking": "area",
                "silentMajority": False,
            },
            "announcedAt": at.strftime(stamp),
            "opensAt": (at + timedelta(days=15)).strftime(stamp),
            "closesAt": (at + timedelta(days=25)).strftime(stamp),
            "logKey": key,
        }
        return decision(doc, by)

    def opened(voters: int = 2) -> bytes:
        rows = [
            {"voter": f"V{i:04d}", "did": None, "units": [f"1-1-{i}01"], "area": "80.00"}
            | {"developer": False}
            for i in range(1, voters + 1)
        ]
        total = {"area": f"{80 * voters}.00", "headcount": voters}
        census = {"root": "00" * 32, "voters": rows, "total": total}
        doc = {
            "type": "BallotOpened",
            "ballot": origin,
            "community": "lianhua",
            "registration": registration_hash(registration),
            "openedAt": (at + timedelta(days=15)).strftime(stamp),
            "census": census,
        }
        return decision(doc)

    leaves = [announced(), opened(), canonical(vote), b'{"type":"Vote","n":2}']

    def head(entries: list[bytes], by: Ed25519Signer = signer, name: str = origin) -> str:
        return sign_checkpoint(Checkpoint(name, len(entries), root_hash(entries)), by)

    def answer(
        entries: list[bytes], by: Ed25519Signer = signer, reported: str | None = None
    ) -> dict[str, Any]:
        return {
            "origin": origin,
            "log_key": reported or by.vkey,
            "checkpoint": head(entries, by),
            "inclusion": [h.hex() for h in inclusion_proof(2, entries)],
            "consistency": [h.hex() for h in consistency_proof(3, entries)],
            "opened": entries[0].decode(),
            "opened_inclusion": [h.hex() for h in inclusion_proof(0, entries)],
        }

    receipt = {"index": 2, "leaf_hash": leaf_hash(leaves[2]).hex(), "checkpoint": head(leaves[:3])}
    rewritten = [announced(title="rewritten"), *leaves[1:]]
    recounted = [leaves[0], opened(voters=3), *leaves[2:]]
    other_box = Ed25519Signer("evil.test/box", b"\x01" * 32)
    by_impostor = [announced(usurper.vkey, impostors), *leaves[1:]]
    altered = [announced().replace(signer.vkey.encode(), usurper.vkey.encode()), *leaves[1:]]
    v1 = json.loads(leaves[1]) | {"logKey": signer.vkey}  # entry 0 of a v1 box
    del v1["proof"]
    v1_box = [decision(v1), *leaves[1:]]
    cases = [
        (receipt, vote, answer(leaves)),  # honest: passes
        (receipt, vote, answer(leaves, usurper)),  # checkpoints by a key the committee never named
        (receipt, vote, answer(leaves, usurper, signer.vkey)),  # ...and the key misreported
        (receipt, vote, answer(by_impostor, usurper)),  # entry 0 signed by someone else
        (receipt, vote, answer(altered, usurper)),  # entry 0's logKey changed after signing
        (receipt, vote, answer(rewritten)),  # the notice before the vote rewritten
        (receipt, dict(vote, choices={"1": "agree"}), answer(leaves)),  # not the vote signed here
        (
            dict(receipt, checkpoint=head(leaves[:3], other_box, "evil.test/box")),
            vote,
            answer(leaves),
        ),
        (dict(receipt, index=3), vote, answer(leaves)),  # the receipt's head lacks the vote
        (receipt, vote, answer(recounted)),  # the census before the vote rewritten
        (receipt, vote, answer(v1_box)),  # entry 0 opens the box without a notice
    ]
    got = run_module(
        page,
        "const out = [];"
        "const committeeFor = (c) => g.pinnedChain(arg.regs, arg.pin, c);"
        "for (const [receipt, vote, answer] of arg.cases) {"
        "  try { const r = await g.checkReceipt(receipt, vote, async () => answer, committeeFor);"
        "    out.push([r.receiptSize, r.latestSize, r.logKey]); }"
        "  catch (e) { out.push(e instanceof g.GongzhiError ? e.en : String(e)); } }"
        "return out;",
        {
            "cases": cases,
            "regs": [registration],
            "pin": {"root": office.did.value, "reg": registration_hash(registration)},
        },
    )
    assert got[0] == [3, 4, signer.vkey]
    assert "not the one the committee signed" in got[1]
    assert got[2] == "checkpoint is not signed by the log key"
    assert "not a valid decision of the community's committee" in got[3]
    assert "is not a registered committee member" in got[3]
    assert "not a valid decision" in got[4] and "signature does not verify" in got[4]
    assert "consistency proof does not match" in got[5] or "rewritten" in got[5]
    assert "is not the vote the receipt records" in got[6]
    assert got[7] == "checkpoint is not signed by the log key"
    assert got[8] == "the receipt's checkpoint does not cover the vote"
    assert "consistency proof does not match" in got[9] or "rewritten" in got[9]
    assert got[10] == "entry 0 is not the BallotAnnounced of this ballot"
