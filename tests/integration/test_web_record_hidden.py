"""While a ballot is open its public record shows that votes are there, not what they chose:
each Vote is its index and leaf hash. The tree still checks against the signed checkpoint,
an owner's receipt still checks, and once the BallotResult is in every entry is shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from identity.w3c.dataintegrity import sign_json
from identity.w3c.jcs import canonical
from ledger.tlog.checkpoint import open_checkpoint
from ledger.tlog.merkle import leaf_hash, root_from_hashes, verify_inclusion
from ledger.tlog.note_keys import parse_vkey
from tests import identity_web
from tests.demo_voters import distinct_voters
from tests.e2e.support import running, services_of, settings_for
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_office_key


def _root_of(record: dict[str, Any]) -> tuple[int, bytes]:
    hashes = [
        bytes.fromhex(e["leafHash"]) if isinstance(e, dict) else leaf_hash(e.encode())
        for e in record["entries"]
    ]
    opened = json.loads(record["entries"][0])
    cp = open_checkpoint(
        record["checkpoint"], origin=record["origin"], log_verifier=parse_vkey(opened["logKey"])
    ).checkpoint
    assert cp.size == len(hashes) and cp.root == root_from_hashes(hashes)
    return cp.size, cp.root


def test_choices_hidden_until_the_result(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        origin = client.get("/api/ballots/1").json()["origin"]
        receipts = []
        for key, choice in zip(
            distinct_voters(demo_keys(services_of(app)), 3),
            ("agree", "oppose", "abstain"),
            strict=True,
        ):
            doc = {"type": "Vote", "ballot": origin, "voter": key.did.value}
            vote = sign_json(doc | {"choices": {"1": choice}}, key)
            r = client.post("/api/ballots/1/votes", json=vote)
            assert r.status_code == 201, r.text
            receipts.append((r.json(), vote))

        record = client.get("/api/ballots/1/record").json()
        assert record["votesHidden"] is True
        # BallotAnnounced and BallotOpened: the public notice and census
        assert all(isinstance(e, str) for e in record["entries"][:2])
        hidden = record["entries"][2:]
        assert hidden == [
            {"hidden": True, "index": r["index"], "leafHash": r["leaf_hash"], "type": "Vote"}
            for r, _ in receipts
        ]
        text = json.dumps(record)
        for _, vote in receipts:
            assert vote["proof"]["proofValue"] not in text
        size, root = _root_of(record)  # participation stays checkable against the signature

        # The owner's receipt check (as owner.js / gongzhi.js do): the vote kept on the
        # device, its leaf hash, an inclusion proof in the signed head.
        receipt, vote = receipts[1]
        proof = client.get(f"/api/ballots/1/proof?index={receipt['index']}").json()
        leaf = leaf_hash(canonical(vote))
        assert leaf.hex() == receipt["leaf_hash"]
        path = [bytes.fromhex(h) for h in proof["inclusion"]]
        verify_inclusion(leaf, receipt["index"], size, path, root)

        identity_web.close_ballot(client, app, 1)
        closed = client.get("/api/ballots/1/record").json()
    assert closed["votesHidden"] is False
    assert all(isinstance(e, str) for e in closed["entries"])
    assert [json.loads(e)["choices"]["1"] for e in closed["entries"][2:5]] == [
        "agree",
        "oppose",
        "abstain",
    ]
    _root_of(closed)


def test_the_verifier_reports_an_open_record_with_hidden_votes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        origin = client.get("/api/ballots/1").json()["origin"]
        [key] = distinct_voters(demo_keys(services_of(app)), 1)
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        assert client.post("/api/ballots/1/votes", json=sign_json(vote, key)).status_code == 201
        record = client.get("/api/ballots/1/record").json()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    trust = identity_web.pinned(record, demo_office_key(data).did.value, tmp_path)
    assert cli.main(["verify", "ballot", str(path), "--data", str(data), "--offline", *trust]) == 0
