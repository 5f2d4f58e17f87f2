"""Disclosures through the web: signed-in roles publish, owners object, the publisher replies,
witnesses cosign, anchors show on the public page, and the exported bundle verifies — through
the API and through `gongzhi ledger export` / `gongzhi verify ledger`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community.trustfile import WELL_KNOWN_PATH, parse_trust, write_trust
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.disclosure.bundle_verify import verify_bundle
from ledger.tlog import merkle
from ledger.tlog.checkpoint import cosign
from ledger.tlog.note_keys import CosignatureSigner, parse_vkey
from tests import identity_web
from tests import ledger_disclosure_support as s
from tests.e2e.support import running, services_of, settings_for
from voting.spending import ballot_decision
from web.cli import entry as cli
from web.demo.community import SLUG, demo_keys
from web.pages.accounts_text import ZH

API = f"/api/communities/{SLUG}/disclosures"


def _origin(app: FastAPI) -> str:
    return f"{services_of(app).public_host}/c/{SLUG}/disclosures"


def _disclosure(key: KeyPair, origin: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    doc = {"type": "Disclosure", "log": origin, "kind": kind, "publisher": key.did.value}
    return sign_json(doc | {"body": body}, key)


def _signed(key: KeyPair, doc: dict[str, Any]) -> dict[str, Any]:
    return sign_json(doc, key)


def _manager(client: TestClient, app: FastAPI) -> tuple[KeyPair, dict[str, str]]:
    key = KeyPair.generate(KeyType.ED25519)
    identity_web.grant_role(client, app, SLUG, key.did.value, "propertyManager")
    return key, identity_web.bearer(identity_web.sign_in(client, key))


def _passed_fund_ballot(client: TestClient, app: FastAPI, committee: dict[str, str]) -> Any:
    """A matter-5 ballot approving 50,000.00 yuan, voted through and closed."""
    return identity_web.passed_fund_ballot(client, app, slug=SLUG, headers=committee)[1]


def test_a_final_ballot_still_approves_its_spending(tmp_path: Path) -> None:
    """Once the objection window has run and the committee confirmed the result (status
    final), the ballot approves the spending it approved while closed."""
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        origin = _origin(app)
        member, committee = identity_web.new_member(client, app, SLUG)
        fund = s.account_opened("MaintenanceFund", "全体业主维修资金", opening=10_000_000)
        r = client.post(
            f"{API}/entries",
            json=_disclosure(member, origin, "AccountOpened", fund),
            headers=committee,
        )
        assert r.status_code == 201, r.text
        ref = _passed_fund_ballot(client, app, committee)
        listed = client.get(f"/api/communities/{SLUG}/ballots").json()
        [ballot_id] = [b["id"] for b in listed if b["origin"] == ref["ballot"]]
        shown = client.get(f"/api/ballots/{ballot_id}").json()
        assert shown["status"] == "closed" and shown["objections_until"]
        after = datetime.fromisoformat(shown["objections_until"]) + timedelta(seconds=1)
        with identity_web.clock_at(app, after):
            proposed = client.post(f"/api/ballots/{ballot_id}/final", headers=committee)
            assert proposed.status_code == 202, proposed.text
            identity_web.decide(client, identity_web.data_dir_of(app), SLUG, proposed.json())
        assert client.get(f"/api/ballots/{ballot_id}").json()["status"] == "final"
        spend = s.maintenance_fund(spending=[("更换电梯", 5_000_000, ref)])
        r = client.post(
            f"{API}/entries",
            json=_disclosure(member, origin, "MaintenanceFund", spend),
            headers=committee,
        )
        assert r.status_code == 201, r.text


def test_disclosures_through_the_web(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        origin = _origin(app)
        member, committee = identity_web.new_member(client, app, SLUG)
        manager, pm = _manager(client, app)
        owner = demo_keys(services_of(app))["1-1-101"]
        owner_headers = identity_web.bearer(identity_web.sign_in(client, owner))

        # the demo start already published its own (演示) entries; ours follow them
        base = client.get(API).json()["size"]

        fees = _disclosure(manager, origin, "FeeStandard", s.fee_standard())
        assert client.post(f"{API}/entries", json=fees).status_code == 401
        assert client.post(f"{API}/entries", json=fees, headers=owner_headers).status_code == 403
        r = client.post(f"{API}/entries", json=fees, headers=pm)
        assert r.status_code == 201, r.text
        assert r.json()["index"] == base

        # the accounts are opened first, each by its publisher (entries base+1, base+2)
        for key, headers, body in (
            (manager, pm, s.account_opened()),
            (
                member,
                committee,
                s.account_opened("MaintenanceFund", "全体业主维修资金", opening=10_000_000),
            ),
        ):
            r = client.post(
                f"{API}/entries",
                json=_disclosure(key, origin, "AccountOpened", body),
                headers=headers,
            )
            assert r.status_code == 201, r.text
        jan = s.income_expense()
        statement = _disclosure(manager, origin, "IncomeExpense", jan)
        assert client.post(f"{API}/entries", json=statement, headers=pm).status_code == 201
        broken = s.income_expense(period="2026-02", opening=jan["closingFen"] + 1)
        r = client.post(
            f"{API}/entries",
            json=_disclosure(manager, origin, "IncomeExpense", broken),
            headers=pm,
        )
        assert r.status_code == 400 and "期初余额" in r.json()["error"]["zh"]
        # an owner's key cannot publish, even signed in as the owner
        r = client.post(
            f"{API}/entries",
            json=_disclosure(owner, origin, "Attachment", s.attachment()),
            headers=owner_headers,
        )
        assert r.status_code == 403 and "publisher" in r.json()["error"]["en"]

        # maintenance-fund spending cites the passed ballot; more than approved is refused
        ref = _passed_fund_ballot(client, app, committee)
        spend = s.maintenance_fund(spending=[("更换电梯", 4_500_000, ref)])
        r = client.post(
            f"{API}/entries",
            json=_disclosure(member, origin, "MaintenanceFund", spend),
            headers=committee,
        )
        assert r.status_code == 201, r.text
        over = s.maintenance_fund(
            period="2026-02", opening=spend["closingFen"], spending=[("追加", 500_001, ref)]
        )
        r = client.post(
            f"{API}/entries",
            json=_disclosure(member, origin, "MaintenanceFund", over),
            headers=committee,
        )
        assert r.status_code == 400 and "exceed the approved amount" in r.json()["error"]["en"]

        # 说、议、办、评: objection by the owner, reply by the publisher, review by the owner
        leaf1 = merkle.leaf_hash(
            json.dumps(
                statement, ensure_ascii=False, separators=(",", ":"), sort_keys=True
            ).encode()
        )
        objection = _signed(
            owner,
            {
                "type": "Objection",
                "log": origin,
                "objector": owner.did.value,
                "target": {"index": base + 3, "leafHash": leaf1.hex()},
                "text": "保洁费偏高",
            },
        )
        r = client.post(f"{API}/entries", json=objection, headers=owner_headers)
        assert r.status_code == 201, r.text
        obj_at = r.json()
        reply = _signed(
            manager,
            {
                "type": "ObjectionReply",
                "log": origin,
                "publisher": manager.did.value,
                "objection": {"index": obj_at["index"], "leafHash": obj_at["leaf_hash"]},
                "action": "explained",
                "text": "保洁合同已公示，价格为市场价",
            },
        )
        r = client.post(f"{API}/entries", json=reply, headers=pm)
        assert r.status_code == 201, r.text
        rep_at = r.json()
        review = _signed(
            owner,
            {
                "type": "ObjectionReview",
                "log": origin,
                "objector": owner.did.value,
                "objection": {"index": obj_at["index"], "leafHash": obj_at["leaf_hash"]},
                "reply": {"index": rep_at["index"], "leafHash": rep_at["leaf_hash"]},
                "satisfied": False,
                "text": "希望公开保洁合同全文",
            },
        )
        assert client.post(f"{API}/entries", json=review, headers=owner_headers).status_code == 201

        listed = client.get(f"{API}/entries", params={"start": base}).json()
        assert [e["index"] for e in listed] == [base, base + 1, base + 2, base + 3, base + 4]
        assert [e["kind"] for e in listed[1:3]] == ["AccountOpened"] * 2
        [thread] = listed[3]["thread"]
        assert thread["entry"]["text"] == "保洁费偏高" and thread["signer"] == owner.did.value
        assert [t["type"] for t in thread["thread"]] == ["ObjectionReply", "ObjectionReview"]
        assert (
            client.get(f"{API}/entries/{base + 3}").json()["thread"][0]["index"] == obj_at["index"]
        )

        # witnesses: the committee registers its key; the operator the street office's
        committee_w = CosignatureSigner.generate("committee.xianxia-demo")
        street_w = CosignatureSigner.generate("street.xianxia-demo")
        r = client.post(
            f"{API}/witnesses",
            json={"vkey": committee_w.vkey, "role": "committee"},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        assert (
            client.post(
                f"{API}/witnesses", json={"vkey": street_w.vkey, "role": "street_office"}
            ).status_code
            == 401
        )
        r = client.post(
            f"{API}/witnesses",
            json={"vkey": street_w.vkey, "role": "street_office"},
            headers=identity_web.operator_headers(app),
        )
        assert r.status_code == 201, r.text
        info = client.get(API).json()
        log_verifier = parse_vkey(info["log_key"])
        note = client.get(f"{API}/checkpoint/note").text
        size = info["size"]
        for w in (committee_w, street_w):
            line = cosign(note, origin=origin, log_verifier=log_verifier, cosigner=w)
            r = client.post(f"{API}/checkpoints/{size}/cosignatures", json={"line": line})
            assert r.status_code == 201, r.text
        page = client.get(f"{API}/checkpoints", params={"after": size - 2, "limit": 5}).json()
        assert [c["size"] for c in page] == [size - 1, size]
        assert {c["witness"] for c in page[-1]["cosigners"]} == {committee_w.name, street_w.name}
        shown = client.get(f"{API}/checkpoint").json()
        assert {c["witness"] for c in shown["cosigners"]} == {committee_w.name, street_w.name}
        forged = cosign(
            note,
            origin=origin,
            log_verifier=log_verifier,
            cosigner=CosignatureSigner.generate(street_w.name),
        )
        r = client.post(f"{API}/checkpoints/{size}/cosignatures", json={"line": forged})
        assert r.status_code == 400

        # proofs
        p = client.get(f"{API}/proofs/inclusion", params={"index": 1}).json()
        merkle.verify_inclusion(
            bytes.fromhex(p["leaf_hash"]),
            1,
            p["size"],
            [bytes.fromhex(x) for x in p["proof"]],
            bytes.fromhex(p["root"]),
        )
        c = client.get(f"{API}/proofs/consistency", params={"old": 2}).json()
        merkle.verify_consistency(
            2,
            c["new_size"],
            bytes.fromhex(c["old_root"]),
            bytes.fromhex(c["new_root"]),
            [bytes.fromhex(x) for x in c["proof"]],
        )

        # anchoring by the server's loop (one forced round), then the page says so (under 核验详情)
        assert ZH["verify_chain_no"] in client.get(f"/c/{SLUG}/disclosures").text
        services_of(app).anchor_pending(force=True, wait=True)
        page = client.get(f"/c/{SLUG}/disclosures").text
        assert ZH["verify_chain_no"] not in page and ZH["verify_chain_yes"] in page
        assert "月度收支情况" in page and "¥6,000.00" in page
        assert "保洁费偏高" in page and "希望公开保洁合同全文" in page

        bundle = client.get(f"{API}/bundle")
        assert bundle.status_code == 200
        lines = bundle.text.splitlines()
        trust = parse_trust(client.get(WELL_KNOWN_PATH).json())
        write_trust(tmp_path / "trust.json", trust)
        report = verify_bundle(
            lines,
            read_ballot=ballot_decision,
            workdir=tmp_path / "tree",
            trust=trust,
            anchor=services_of(app).anchor,
        )
        assert report.chain_checked and report.anchored_size == report.entries == size
    # the same from the command line, with the server stopped
    out = tmp_path / "bundle.jsonl"
    env = {"GONGZHI_DATA": str(tmp_path / "data"), "GONGZHI_PUBLIC_URL": "https://gongzhi.test"}
    if not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert cli.main(["ledger", "export", "--community", SLUG, str(out)]) == 0
    data = ["--data", str(tmp_path / "data"), "--trust", str(tmp_path / "trust.json")]
    assert cli.main(["verify", "ledger", str(out), *data, "--jobs", "1"]) == 0
    text = out.read_text().splitlines()
    at = next(i for i, line in enumerate(text) if line.startswith('{"entry"') and "保洁" in line)
    text[at] = text[at].replace("保洁", "保洁 ", 1)
    out.write_text("\n".join(text) + "\n")
    assert cli.main(["verify", "ledger", str(out), *data, "--jobs", "1"]) == 1
    (tmp_path / "junk").write_text("nonsense\n")
    assert cli.main(["verify", "ledger", str(tmp_path / "junk"), *data]) == 2
    assert cli.main(["verify", "ledger", str(tmp_path / "missing"), *data]) == 2
