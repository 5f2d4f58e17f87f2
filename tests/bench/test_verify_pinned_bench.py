"""What pinned trust costs a verifier (opt-in, ``pytest --bench -s`` this file).

Verifies the same ballot — the same signed votes — as the verifier before pinned trust read it
(one committee signature per decision, the committee and box key taken from the record) and
as `voting.verify` reads it now (root-signed registrations checked as a chain, each decision
a proof set under the registration in force when signed), and the same disclosure bundle with
the bundle verifier before and now. The verifiers of before are read from git at BASELINE.
Figures are printed (target: pinned ≤ 10 % more), never asserted against a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from identity.w3c.dataintegrity import sign_json, verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from ledger.tlog.merkle import leaf_hash, root_from_hashes
from ledger.tlog.note_keys import parse_vkey
from tests import ledger_disclosure_support as s
from tests.record_support import ORIGIN, Ballot, World
from voting.ballots import decide
from voting.verify import verify_record

pytestmark = pytest.mark.bench
BASELINE = "bf63797bee1469306fc0ae0f485d98f7ba377837"  # main before pinned trust
VOTES = int(os.environ.get("GONGZHI_BENCH_VOTES", "2000"))
BUNDLE = int(os.environ.get("GONGZHI_BENCH_PINNED_BUNDLE", "20000"))
ROUNDS = int(os.environ.get("GONGZHI_BENCH_ROUNDS", "9"))
ROOT = Path(__file__).resolve().parents[2]


def _baseline(path: str, name: str) -> types.ModuleType:
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:{path}"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the baseline verifier is not in this checkout's history: {exc}")
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up there
    exec(compile(source, f"{BASELINE[:7]}:{path}", "exec"), module.__dict__)
    return module


def _best(*fns: Callable[[], object]) -> list[float]:
    """Best of ROUNDS for each, the runs interleaved: on a shared machine the load changes
    under a benchmark, and each verifier should meet the same load."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(ROUNDS):
        for fn, out in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [min(t) for t in times]


def _old_record(ballot: Ballot, votes: list[dict[str, Any]]) -> dict[str, Any]:
    """The same ballot as the server wrote it before: one committee key signs each decision."""
    committee = KeyPair.generate(KeyType.ED25519)
    opened = {k: v for k, v in ballot.opened().items() if k not in ("proof", "registration")}
    census = ballot.world.census()
    by_voter = {row["voter"]: v["choice"] for row, v in zip(census, votes, strict=True)}
    docs = [
        sign_json(opened, committee),
        *votes,
        sign_json({"type": "BallotClosed", "ballot": ORIGIN, "votes": len(votes)}, committee),
        sign_json(
            {
                "type": "BallotResult",
                "ballot": ORIGIN,
                "outcome": decide(5, ballot.world.census(), by_voter).to_json(),
            },
            committee,
        ),
    ]
    raw = [canonical(d).decode() for d in docs]
    root = root_from_hashes([leaf_hash(r.encode()) for r in raw])
    return {
        "format": "gongzhi-ballot-record/1",
        "origin": ORIGIN,
        "logId": "",
        "logKey": ballot.world.box.vkey,
        "entries": raw,
        "checkpoint": sign_checkpoint(Checkpoint(ORIGIN, len(raw), root), ballot.world.box),
    }


def test_ballot_record_pinned_vs_before() -> None:
    owners = [KeyPair.generate(KeyType.ED25519) for _ in range(VOTES)]
    world = World(owners=owners)
    ballot = Ballot(world, choices=["agree", "oppose", "abstain"] * (VOTES // 3 + 1))
    votes = ballot.votes()
    by_voter = {row["voter"]: v["choice"] for row, v in zip(world.census(), votes, strict=True)}
    pinned = ballot.record([ballot.opened(), *votes, ballot.result(len(votes) + 1, by_voter)])
    old = _old_record(ballot, votes)
    before = _baseline("voting/verify.py", "verify_before")

    def run_before() -> None:
        key = parse_vkey(old["logKey"])

        def checkpoint(note: str) -> tuple[str, int, bytes]:
            cp = open_checkpoint(note, origin=ORIGIN, log_verifier=key).checkpoint
            return cp.origin, cp.size, cp.root

        before.verify_record(
            old,
            verify_signed=lambda d: verify_signed_json(d).controller,
            verify_checkpoint=checkpoint,
            anchored_root=None,
        )

    def run_pinned() -> None:
        verify_record(pinned, trust=world.trust, anchored_root=None, offline=True)

    t_before, t_pinned = _best(run_before, run_pinned)
    print(
        f"\nballot record, {VOTES} votes (best of {ROUNDS}): before {t_before * 1000:.1f} ms, "
        f"pinned trust {t_pinned * 1000:.1f} ms, {100 * (t_pinned / t_before - 1):+.1f} % "
        f"(load {os.getloadavg()[0]:.2f})"
    )


def test_bundle_pinned_vs_before(tmp_path: Path) -> None:
    lines = list(s.bundle_lines(s.synthetic_entries(0, BUNDLE, {}), BUNDLE, every=1000))
    before = _baseline("ledger/disclosure/bundle_verify.py", "bundle_verify_before")
    from ledger.disclosure.bundle_verify import verify_bundle

    runs = iter(range(10**6))

    def run_before() -> None:
        before.verify_bundle(lines, workdir=tmp_path / f"b{next(runs)}", anchor=None)

    def run_pinned() -> None:
        verify_bundle(lines, workdir=tmp_path / f"p{next(runs)}", trust=s.trust(), anchor=None)

    t_before, t_pinned = _best(run_before, run_pinned)
    print(
        f"\ndisclosure bundle, {BUNDLE} entries (best of {ROUNDS}): before "
        f"{t_before * 1000:.0f} ms, pinned trust {t_pinned * 1000:.0f} ms, "
        f"{100 * (t_pinned / t_before - 1):+.1f} % (load {os.getloadavg()[0]:.2f})"
    )
