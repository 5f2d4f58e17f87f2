"""``gongzhi office``: registrations a chain verifies, role credentials, the trust file; every
bad input exits 2 with a bilingual message and writes nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
import segno

from identity.community import committee
from identity.community.issuance import parse_role
from identity.community.trustfile import fingerprint, parse_trust
from identity.w3c.credential import parse_credential
from identity.w3c.dataintegrity import verify_proof
from identity.w3c.didkey import KeyType
from identity.w3c.keyfile import load_key_file, write_key_file
from identity.w3c.keys import KeyPair
from identity.w3c.xsdtime import parse
from ledger.tlog.note_keys import CosignatureSigner, Ed25519Signer
from web.cli import entry as cli
from web.cli import keys as cli_keys

PASS = "office passphrase"
LOG_KEY = Ed25519Signer.generate("gongzhi.test/c/demo/disclosures").vkey
STATUS = KeyPair.generate(KeyType.ED25519).did.value
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def parse_time(text: str) -> datetime:
    return parse(text, field="t")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, KeyPair]:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    pair = KeyPair.generate(KeyType.ED25519)
    path = tmp_path / "root.json"
    write_key_file(path, pair, PASS, cost=10)
    return path, pair


def members(n: int) -> list[str]:
    dids = [KeyPair.generate(KeyType.ED25519).did.value for _ in range(n)]
    return [f"{dids[0]}:chair", *(f"{d}:member" for d in dids[1:])]


def register(key: Path, out: Path, *extra: str, member: list[str] | None = None) -> int:
    argv = ["office", "register", "--key", str(key), "--community", "demo"]
    argv += [f"--member={m}" for m in (member if member is not None else members(3))]
    argv += ["--from", "2026-01-01", "--until", "2029-01-01", "--out", str(out)]
    if not any(a.startswith("--server") for a in extra):
        argv += ["--status-issuer", STATUS, "--log-key", LOG_KEY]
    return cli.main([*argv, *extra])


def test_registration_chain(root: tuple[Path, KeyPair], tmp_path: Path) -> None:
    key, pair = root
    first, second = tmp_path / "reg1.json", tmp_path / "reg2.json"
    assert register(key, first) == 0
    assert register(key, second, "--previous", str(first), "--rule", "2/3") == 0
    docs = [json.loads(p.read_text()) for p in (first, second)]
    chain = committee.RegistrationChain.of(docs, frozenset({pair.did.value}), "demo")
    one, two = chain.registrations
    assert (one.sequence, two.sequence, two.previous) == (1, 2, one.hash)
    assert one.rule == Fraction(1, 2) and two.rule == Fraction(2, 3)
    assert one.server == committee.ServerKeys(STATUS, LOG_KEY)
    assert "credentialStatus" not in docs[0]
    assert docs[0]["validFrom"] == "2025-12-31T16:00:00Z"  # midnight Beijing time


def test_registration_names_the_disclosure_witnesses(
    root: tuple[Path, KeyPair], tmp_path: Path
) -> None:
    street = CosignatureSigner("street.example", bytes(range(32))).vkey
    ours = CosignatureSigner("committee.example", bytes(range(1, 33))).vkey
    out = tmp_path / "reg.json"
    assert (
        register(root[0], out, f"--witness=street_office={street}", f"--witness=committee={ours}")
        == 0
    )
    reg = committee.verify_registration(json.loads(out.read_text()), frozenset({root[1].did.value}))
    assert reg.witnesses == (
        committee.WitnessKey(street, "street_office"),
        committee.WitnessKey(ours, "committee"),
    )


@pytest.mark.parametrize(
    ("extra", "member", "needle"),
    [
        (("--witness", "mayor=x+1+AQ"), None, "committee=VKEY or street_office=VKEY"),
        (("--witness", "committee=nonsense"), None, "--witness key is invalid"),
        (("--witness", f"committee={LOG_KEY}"), None, "must be cosignature/v1"),
        ((), ["did:key:z6Mkbad:chair"], "not a valid did:key"),
        ((), [f"{KeyPair.generate(KeyType.ED25519).did.value}:boss"], "DID:ROLE"),
        ((), [], "at least one --member"),
        (("--rule", "1/1"), None, "between 0 and 1"),
        (("--rule", "half"), None, "fraction"),
        (("--until", "2025-06-01"), None, "later than --from"),
        (("--until", "2040-01-01"), None, "five years"),
        (("--from", "yesterday"), None, "ISO 8601"),
        (("--post",), None, "--post needs --server"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    root: tuple[Path, KeyPair],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    member: list[str] | None,
    needle: str,
) -> None:
    out = tmp_path / "reg.json"
    assert register(root[0], out, *extra, member=member) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert needle in err
    assert any("\u4e00" <= c <= "\u9fff" for c in err)  # the Chinese half is there too


def test_two_chairs_refused(root: tuple[Path, KeyPair], tmp_path: Path) -> None:
    two = [f"{KeyPair.generate(KeyType.ED25519).did.value}:chair" for _ in range(2)]
    assert register(root[0], tmp_path / "r.json", member=two) == 2
    assert not (tmp_path / "r.json").exists()


def test_previous_of_another_root_or_community_refused(
    root: tuple[Path, KeyPair], tmp_path: Path
) -> None:
    other = KeyPair.generate(KeyType.ED25519)
    unsigned = committee.build_registration(
        root=other.did.value,
        community="demo",
        sequence=1,
        members=[committee.Member(other.did.value, "chair")],
        server=committee.ServerKeys(STATUS, LOG_KEY),
        valid_from=parse_time("2026-01-01T00:00:00Z"),
        valid_until=parse_time("2027-01-01T00:00:00Z"),
    )
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(committee.sign_registration(unsigned, other, created=NOW)))
    out = tmp_path / "reg.json"
    assert register(root[0], out, "--previous", str(foreign)) == 2
    assert not out.exists()


def test_existing_out_is_kept(root: tuple[Path, KeyPair], tmp_path: Path) -> None:
    out = tmp_path / "reg.json"
    out.write_text("keep")
    assert register(root[0], out) == 2
    assert out.read_text() == "keep"


def test_wrong_passphrase(
    root: tuple[Path, KeyPair], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", "wrong passphrase")
    out = tmp_path / "reg.json"
    assert register(root[0], out) == 2
    assert not out.exists()


def test_server_keys_fetched_and_registration_posted(
    root: tuple[Path, KeyPair], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posted: list[object] = []

    def server(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/communities/demo/status-list":
            return httpx.Response(200, json={"issuer": STATUS})
        if path == "/api/communities/demo/disclosures":
            return httpx.Response(200, json={"log_key": LOG_KEY})
        if request.method == "POST" and path == "/api/communities/demo/registrations":
            posted.append(json.loads(request.content))
            return httpx.Response(201, json={})
        return httpx.Response(404, json={"error": {"zh": "无", "en": "none"}})

    monkeypatch.setattr(cli_keys, "TEST_TRANSPORT", [httpx.MockTransport(server)])
    out = tmp_path / "reg.json"
    assert register(root[0], out, "--server", "http://gongzhi.test", "--post") == 0
    assert posted == [json.loads(out.read_text())]
    assert posted[0]["credentialSubject"]["server"] == {  # type: ignore[index]
        "statusIssuer": STATUS,
        "disclosureLogKey": LOG_KEY,
    }


def test_grant_role(root: tuple[Path, KeyPair], tmp_path: Path) -> None:
    key, pair = root
    holder = KeyPair.generate(KeyType.ED25519).did.value
    out = tmp_path / "role.json"
    argv = ["office", "grant-role", "--key", str(key), "--community", "demo", "--did", holder]
    argv += ["--role", "auditor", "--from", "2026-01-01", "--until", "2027-01-01"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    view = parse_credential(document)
    assert view.issuer == pair.did.value and "CommunityRoleCredential" in view.types
    assert verify_proof(document).controller == pair.did.value
    assert parse_role(view.subject) == ("demo", "auditor")
    assert cli.main([*argv, "--out", str(tmp_path / "r2"), "--did", "nope"]) == 2
    assert not (tmp_path / "r2").exists()


def test_trust_file(root: tuple[Path, KeyPair], tmp_path: Path) -> None:
    key, pair = root
    out = tmp_path / "trust.json"
    contract = "0x" + "ab" * 20
    argv = ["office", "trust", "--key", str(key), "--chain-id", "31337", "--contract", contract]
    assert cli.main([*argv, "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document == {
        "type": "GongzhiTrust",
        "version": 1,
        "chainId": 31337,
        "contract": document["contract"],
        "roots": [pair.did.value],
    }
    assert document["contract"].lower() == contract  # written EIP-55 checksummed
    assert parse_trust(document).roots == {pair.did.value}
    assert cli.main([*argv[:-1], "0x12", "--out", str(tmp_path / "t2")]) == 2
    assert cli.main([*argv[:5], "-1", *argv[6:], "--out", str(tmp_path / "t3")]) == 2
    assert not (tmp_path / "t2").exists() and not (tmp_path / "t3").exists()


def test_init_prints_the_root_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    assert cli.main(["office", "init", "--key", str(tmp_path / "root.json")]) == 0
    did = capsys.readouterr().out.strip().splitlines()[-1]
    assert load_key_file(tmp_path / "root.json", PASS).did.value == did


def test_trust_file_qr_holds_the_very_bytes(
    root: tuple[Path, KeyPair], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, _ = root
    out, qr = tmp_path / "trust.json", tmp_path / "trust.svg"
    argv = ["office", "trust", "--key", str(key), "--chain-id", "7", "--contract", "0x" + "cd" * 20]
    assert cli.main([*argv, "--out", str(out), "--qr", str(qr)]) == 0
    svg = io.BytesIO()
    segno.make(out.read_text(), error="m").save(svg, kind="svg", scale=4)
    assert qr.read_bytes() == svg.getvalue() and b"<svg" in qr.read_bytes()
    # The fingerprint printed beside it, which a member's page shows for the server's file.
    assert f"fingerprint: {fingerprint(out.read_bytes())}" in capsys.readouterr().out
    assert len(fingerprint(out.read_bytes()).replace(" ", "")) == 32
    assert cli.main([*argv, "--out", str(tmp_path / "t2.json"), "--qr", str(qr)]) == 2
    assert not (tmp_path / "t2.json").exists()  # refused whole: nothing written
