"""Scale-out on PostgreSQL: two server processes on one database and one chain serve the same
ballot. Concurrent casts to both — some owners sending their vote to both at once — give one
unforked box with one vote per owner, and the anchoring loops of both processes never anchor
the same head twice (one round at a time across processes, by an advisory lock)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from contracts.deploy import ensure_anchor
from contracts.rpc import RpcChain
from ledger.tlog.merkle import root_hash
from tests.chains import ANVIL_KEYS
from tests.serving_support import (
    closed_record,
    environment,
    pinned_trust,
    post_all,
    prepare_crowd,
    server,
)
from web.record import check_record

pytestmark = pytest.mark.anvil
OWNERS = 300


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite: one process
def test_two_processes_one_box(db_url: str, anvil_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=anvil_url, rate_limits=False)
    env |= {"GONGZHI_ANCHOR_EVERY": "25", "GONGZHI_ANCHOR_SECONDS": "0.5"}
    crowd = prepare_crowd(env, OWNERS)
    votes = crowd.votes()
    both = votes[:60]  # sent to each process at the same moment
    to_a, to_b = both + votes[60:180], both + votes[180:]
    path = f"/api/ballots/{crowd.ballot_id}/votes"
    with (
        server(env, tmp_path / "a.log") as a,
        server(env, tmp_path / "b.log") as b,
        ThreadPoolExecutor(2) as pool,
    ):
        at_a = pool.submit(post_all, a.url + path, to_a, concurrency=40)
        at_b = pool.submit(post_all, b.url + path, to_b, concurrency=40)
        answers = at_a.result(timeout=300) + at_b.result(timeout=300)
        assert {x.status for x in answers} <= {201, 503}, {x.status for x in answers}
        # The same vote at both processes: the second gets the first one's receipt.
        index: dict[str, int] = {}
        for vote, x in zip(to_a + to_b, answers, strict=True):
            if x.status == 201:
                assert index.setdefault(vote["voter"], x.body["index"]) == x.body["index"]
        left = [v for v, x in zip(to_a + to_b, answers, strict=True) if x.status == 503]
        for _ in range(10):
            if not left:
                break
            again = post_all(b.url + path, left, concurrency=20)
            left = [v for v, x in zip(left, again, strict=True) if x.status != 201]
        assert not left
        # Let the loops anchor the final head: a forced round runs every 0.5 s.
        post_all(a.url + path, votes[:1], concurrency=1)
    record = closed_record(env, crowd.ballot_id)
    check_record(record, trust=pinned_trust(env), anchor=None)
    voters = [json.loads(e)["voter"] for e in record["entries"] if '"type":"Vote"' in e]
    assert sorted(voters) == sorted(k.did.value for k in crowd.keys)  # each exactly once

    chain = RpcChain(anvil_url, ANVIL_KEYS[0])
    try:
        anchor = ensure_anchor(chain, tmp_path / "data" / "contracts.json")
        heads = anchor.anchored(bytes.fromhex(record["logId"]))
    finally:
        chain.close()
    for name in ("a.log", "b.log"):  # no anchoring round failed or clashed with the other
        text = (tmp_path / name).read_text()
        assert "postponed" not in text and "round failed" not in text, text[-2000:]
    sizes = [h.tree_size for h in heads]
    assert sizes, "neither process anchored the box"
    assert sizes == sorted(set(sizes)), sizes  # no head anchored twice, none out of order
    leaves = [e.encode() for e in record["entries"]]
    for head in heads:
        assert head.root == root_hash(leaves[: head.tree_size])  # the chain saw one history
