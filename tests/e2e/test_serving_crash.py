"""A receipt means committed, through crashes: votes are cast in bursts while the server is
SIGKILLed at random moments, many times; after each restart every vote whose receipt was
returned is in the box, nothing is half-written and the whole record verifies. On SQLite and
on PostgreSQL."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from identity.w3c.jcs import canonical
from ledger.tlog.merkle import leaf_hash
from tests.serving_support import (
    Answer,
    ServerProcess,
    closed_record,
    environment,
    pinned_trust,
    post_all,
    prepare_crowd,
)
from web.record import check_record

ROUNDS = 4
BURST = 40


def test_receipts_survive_sigkill(db_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=None)
    crowd = prepare_crowd(env, ROUNDS * BURST)
    votes = crowd.votes()
    rng = random.Random(278)
    server = ServerProcess(env, tmp_path / "server.log")
    receipts: dict[int, dict[str, object]] = {}  # owner → the receipt the server returned
    for round_ in range(ROUNDS):
        server.start()
        url = f"{server.url}/api/ballots/{crowd.ballot_id}/votes"
        mine = list(range(round_ * BURST, (round_ + 1) * BURST))
        # Those refused without a receipt in an earlier round may try again now.
        mine += [i for i in range(round_ * BURST) if i not in receipts][:20]
        with ThreadPoolExecutor(1) as pool:
            burst = pool.submit(post_all, url, [votes[i] for i in mine], concurrency=20)
            killer = threading.Timer(rng.uniform(0.05, 1.0), server.kill)
            killer.start()
            answers: list[Answer] = burst.result(timeout=120)
        killer.cancel()  # a burst may end first: its timer must not kill the next server
        killer.join()
        server.kill()
        assert all(a.status in (0, 201, 409, 503) for a in answers), {a.status for a in answers}
        receipts |= {i: a.body for i, a in zip(mine, answers, strict=True) if a.status == 201}

    server.start()
    try:
        ballot = httpx.get(f"{server.url}/api/ballots/{crowd.ballot_id}", timeout=60).json()
    finally:
        server.stop()
    record = closed_record(env, crowd.ballot_id)
    check_record(record, trust=pinned_trust(env), anchor=None)
    entries = record["entries"]
    lost = [
        i
        for i, r in receipts.items()
        if not (
            isinstance(r["index"], int)
            and r["index"] < len(entries)
            and leaf_hash(entries[r["index"]].encode()).hex() == r["leaf_hash"]
            and entries[r["index"]].encode() == canonical(votes[i])
        )
    ]
    found = [json.loads(e) for e in entries if '"type":"Vote"' in e]
    voters = [v["voter"] for v in found]
    print(f"\nreceipts {len(receipts)}, votes found {len(found)}, lost {len(lost)}")
    assert not lost
    assert len(voters) == len(set(voters))  # one vote per owner, crash or not
    assert len(found) >= len(receipts)  # a vote may commit after its answer was cut off
    assert ballot["participation"]["voted"]["headcount"] == len(found)
