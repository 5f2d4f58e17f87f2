"""GET /api/ballots/{id}/proof: the proofs behind a vote receipt, checked with ledger.tlog.merkle
and the C2SP checkpoint verifier exactly as an owner's browser checks them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from identity.w3c.jcs import canonical
from ledger.tlog.checkpoint import open_checkpoint
from ledger.tlog.merkle import leaf_hash, verify_consistency, verify_inclusion
from ledger.tlog.note_keys import parse_vkey
from tests.demo_voters import distinct_voters
from tests.e2e.support import running, settings_for
from web.demo.community import demo_keys
from web.server.services import Services

#: The demo ballot's box once voted: BallotAnnounced, BallotOpened and the three votes.
BOX_SIZE = 5


@pytest.fixture(scope="module")
def voted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[Any]]]:
    """The demo ballot with three votes cast by three distinct owners; yields the client and
    the three receipts."""
    data: Path = tmp_path_factory.mktemp("data")
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        services: Services = app.state.services
        origin = client.get("/api/ballots/1").json()["origin"]
        receipts = []
        for key in distinct_voters(demo_keys(services), 3):
            vote = sign_json(
                {
                    "type": "Vote",
                    "ballot": origin,
                    "voter": key.did.value,
                    "choices": {"1": "agree"},
                },
                key,
            )
            r = client.post("/api/ballots/1/votes", json=vote)
            assert r.status_code == 201, r.text
            receipts.append({**r.json(), "vote": vote})
        yield client, receipts


def test_the_three_votes_come_from_three_persons(voted: tuple[TestClient, list[Any]]) -> None:
    _, receipts = voted
    assert len({receipt["vote"]["voter"] for receipt in receipts}) == 3


def _opened(answer: dict[str, Any], note: str) -> tuple[int, bytes]:
    cp = open_checkpoint(note, origin=answer["origin"], log_verifier=parse_vkey(answer["log_key"]))
    return cp.checkpoint.size, cp.checkpoint.root


def test_inclusion_in_the_newest_head_and_consistency_since_each_receipt(
    voted: tuple[TestClient, list[Any]],
) -> None:
    client, receipts = voted
    for receipt in receipts:
        then_size, then_root = _opened_note(client, receipt)
        r = client.get(f"/api/ballots/1/proof?index={receipt['index']}&since={then_size}")
        assert r.status_code == 200, r.text
        answer = r.json()
        size, root = _opened(answer, answer["checkpoint"])
        assert size == answer["tree_size"] == BOX_SIZE
        leaf = leaf_hash(canonical(receipt["vote"]))
        assert leaf.hex() == receipt["leaf_hash"]
        path = [bytes.fromhex(h) for h in answer["inclusion"]]
        verify_inclusion(leaf, receipt["index"], size, path, root)
        proof = [bytes.fromhex(h) for h in answer["consistency"]]
        verify_consistency(then_size, size, then_root, root, proof)


def _opened_note(client: TestClient, receipt: dict[str, Any]) -> tuple[int, bytes]:
    answer = client.get(f"/api/ballots/1/proof?index={receipt['index']}").json()
    return _opened(answer, receipt["checkpoint"])


def test_inclusion_at_the_receipts_own_size(voted: tuple[TestClient, list[Any]]) -> None:
    client, receipts = voted
    first = receipts[0]
    size, root = _opened_note(client, first)
    answer = client.get(f"/api/ballots/1/proof?index={first['index']}&size={size}").json()
    assert answer["tree_size"] == size and answer["checkpoint"] == first["checkpoint"]
    assert answer["since"] is None and answer["consistency"] == []
    path = [bytes.fromhex(h) for h in answer["inclusion"]]
    verify_inclusion(bytes.fromhex(first["leaf_hash"]), first["index"], size, path, root)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        (f"index={BOX_SIZE}", 400, f"not in a tree of size {BOX_SIZE}"),
        ("index=1&size=99", 404, "no signed checkpoint of size 99"),
        (f"index=1&since={BOX_SIZE + 1}", 400, "larger than the tree size"),
        ("index=-1", 422, "index"),
        ("index=1&since=0", 422, "since"),
        ("", 422, "index"),
    ],
)
def test_bad_questions_get_clear_answers(
    voted: tuple[TestClient, list[Any]], query: str, status: int, words: str
) -> None:
    client, _ = voted
    r = client.get(f"/api/ballots/1/proof?{query}")
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert words in error["en"] and error["zh"]


def test_unknown_ballot(voted: tuple[TestClient, list[Any]]) -> None:
    client, _ = voted
    r = client.get("/api/ballots/99/proof?index=0")
    assert r.status_code == 404
