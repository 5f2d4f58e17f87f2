"""A rush is held: 1,000 owners vote within seconds over real HTTP on one server process.

Every owner gets a receipt or a clear, retryable answer (429/503 with Retry-After, in Chinese
and English) — never a 500, never a dropped connection, never a 30-second stall — and after
the retries exactly one vote per owner counts and the ballot's record verifies. On SQLite and
on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx

from tests.serving_support import (
    Answer,
    closed_record,
    environment,
    pinned_trust,
    post_all,
    prepare_crowd,
    server,
)
from web.record import check_record

OWNERS = 1000
RUSH = 200  # connections at once


def _retryable(answer: Answer) -> bool:
    error = answer.body.get("error", {})
    return (
        answer.status in (429, 503)
        and answer.retry_after is not None
        and bool(error.get("zh"))
        and bool(error.get("en"))
    )


def test_a_rush_of_owners_each_gets_a_receipt_or_a_clear_retry(db_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=None)
    crowd = prepare_crowd(env, OWNERS)
    votes = crowd.votes()
    with server(env, tmp_path / "server.log") as srv:
        url = f"{srv.url}/api/ballots/{crowd.ballot_id}/votes"
        answers = post_all(url, votes, concurrency=RUSH)
        statuses = Counter(a.status for a in answers)
        slowest = max(a.seconds for a in answers)
        print(f"\nrush of {OWNERS} at {RUSH} at once: {dict(statuses)}, slowest {slowest:.2f} s")
        refused = [a for a in answers if a.status != 201 and not _retryable(a)]
        assert not refused, refused[:3]
        receipts = {i: a.body for i, a in enumerate(answers) if a.status == 201}
        for _round in range(20):
            left = [i for i in range(OWNERS) if i not in receipts]
            if not left:
                break
            again = post_all(url, [votes[i] for i in left], concurrency=50)
            assert all(a.status == 201 or _retryable(a) for a in again)
            receipts |= {i: a.body for i, a in zip(left, again, strict=True) if a.status == 201}
        assert len(receipts) == OWNERS

        # The same votes once more: each owner gets the receipt of the one vote that counts.
        replay = post_all(url, votes[:50], concurrency=50)
        assert [a.body["index"] for a in replay] == [receipts[i]["index"] for i in range(50)]

    record = closed_record(env, crowd.ballot_id)
    cast = [e for e in record["entries"] if '"type":"Vote"' in e]
    assert len(cast) == OWNERS  # exactly one vote per owner
    assert sorted(r["index"] for r in receipts.values()) == sorted(
        i for i, e in enumerate(record["entries"]) if '"type":"Vote"' in e
    )
    check_record(record, trust=pinned_trust(env), anchor=None)


def test_one_owner_racing_many_signed_votes_counts_once(db_url: str, tmp_path: Path) -> None:
    """50 submissions at once by one owner, three differently signed choices among them:
    one is kept, the identical copies of it get its receipt, the others a clear 409. (Rate
    limits off: they would refuse most of these before the race this is about.)"""
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=None, rate_limits=False)
    crowd = prepare_crowd(env, 3)
    variants = [crowd.votes(choice_seed=s)[0] for s in range(40)]
    distinct = {v["choices"]["1"]: v for v in variants}
    assert len(distinct) == 3
    bodies = [variants[i % len(variants)] for i in range(50)]
    with server(env, tmp_path / "server.log") as srv:
        url = f"{srv.url}/api/ballots/{crowd.ballot_id}/votes"
        answers = post_all(url, bodies, concurrency=50)
        record = httpx.get(f"{srv.url}/api/ballots/{crowd.ballot_id}/record", timeout=60).json()
    assert {a.status for a in answers} <= {201, 409}
    kept = {a.body["index"] for a in answers if a.status == 201}
    assert len(kept) == 1
    chosen = {b["choices"]["1"] for b, a in zip(bodies, answers, strict=True) if a.status == 201}
    assert len(chosen) == 1
    assert all(
        "已投过票" in a.body["error"]["zh"] and a.body["error"]["en"]
        for a in answers
        if a.status == 409
    )
    # The ballot is open: its record shows each vote as a hidden entry (web.record).
    assert sum(isinstance(e, dict) and e["type"] == "Vote" for e in record["entries"]) == 1
