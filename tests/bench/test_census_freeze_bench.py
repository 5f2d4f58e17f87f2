"""What freezing a ballot's census costs the server (opt-in, ``pytest --bench -s`` this file).

A register of N voting persons (default 10,000; ``GONGZHI_BENCH_CENSUS_OWNERS``), every other
unit co-owned by two (the designated holder votes), one owner in fifty with a guardian, and
a tenth of the areas surveyed or from the contract. One round is what opening a ballot does
to the census: read the register, apply the counting rules, build the public rows with
their root and totals, and insert the ballot's `CensusVoter` and `CensusRepresented` rows,
committed. Printed: wall and CPU time per round (median of ROUNDS), on SQLite and on
PostgreSQL. Never asserted against a time (issue 9's target: ≤ 1 s at 10,000).

Run twice per backend: with the heap as the test process has it, and after `gc.freeze()`
(what a server can do once after start-up): most of a freeze's CPU time with a large heap
is the cyclic collector walking the long-lived objects of the process, not the census.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from identity.community.models import Community, Person
from identity.community.pii import PiiCipher
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from tests.serving_support import id_number
from voting.census_freeze import freeze_census, store_census
from voting.models import Ballot, CensusRepresented, CensusVoter
from web.server.db import METADATA

pytestmark = pytest.mark.bench
OWNERS = [int(n) for n in os.environ.get("GONGZHI_BENCH_CENSUS_OWNERS", "10000").split(",")]
ROUNDS = 5
SOURCES = ("", "", "", "", "", "", "", "", "实测", "合同")


def _register(n: int) -> bytes:
    header = ["房号", "专有部分面积", "业主姓名", "证件号码", "表决人", "面积来源"]
    header += ["监护人姓名", "监护人证件号码"]
    rows = [header]
    for i in range(n):
        unit = f"{1 + i // 400}-{1 + (i // 100) % 4}-{1000 + i % 100}"
        area = f"{60 + i % 80}.{i % 100:02d}"
        guardian = ["监护人", id_number(15_000 + i // 50)] if i % 50 == 7 else ["", ""]
        rows.append([unit, area, f"业主{i}", id_number(i), "是", SOURCES[i % 10], *guardian])
        if i % 2 == 0:  # a co-owner who does not vote
            rows.append([unit, area, f"共有人{i}", id_number(10_000 + i // 2), "否", ""])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _community(engine: Engine, owners: int) -> None:
    for metadata in METADATA:
        metadata.create_all(engine)
    with Session(engine) as session:
        community = create_community(session, slug="bench", name="基准", street_office="基准街道")
        import_register(
            session,
            community=community,
            register=parse_csv(_register(owners)),
            cipher=PiiCipher(bytes(32)),
        )
        did = literal("did:key:zBench") + cast(Person.id, String)
        session.execute(update(Person).values(did=did))
        session.commit()


def _ballot(session: Session, round_: int) -> Ballot:
    now = datetime.now(UTC).replace(microsecond=0)
    ballot = Ballot(
        community_slug="bench",
        matter=4,
        title="基准",
        text="基准",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        status="proposed",
        log_origin=f"bench/{round_}",
        census_root="",
        total_area_centi=0,
        total_headcount=0,
    )
    session.add(ballot)
    session.flush()
    return ballot


@pytest.mark.parametrize("heap", ["as is", "gc.freeze()"])
@pytest.mark.parametrize("owners", OWNERS)
def test_census_freeze(db_engine: Engine, owners: int, heap: str) -> None:
    _community(db_engine, owners)
    wall: list[float] = []
    cpu: list[float] = []
    if heap != "as is":
        gc.collect()
        gc.freeze()
    try:
        _rounds(db_engine, owners, wall, cpu)
    finally:
        gc.unfreeze()
    backend = db_engine.dialect.name
    print(
        f"\ncensus freeze, {owners} voting persons, {backend}, heap {heap} (median of "
        f"{ROUNDS}): wall {statistics.median(wall) * 1000:.1f} ms, CPU "
        f"{statistics.median(cpu) * 1000:.1f} ms; best wall {min(wall) * 1000:.1f} ms, "
        f"load {os.getloadavg()[0]:.1f}"
    )


def _rounds(engine: Engine, owners: int, wall: list[float], cpu: list[float]) -> None:
    for round_ in range(ROUNDS):
        with Session(engine) as session:
            community = session.scalars(select(Community)).one()
            ballot = _ballot(session, round_)
            session.commit()
            t0, c0 = time.perf_counter(), time.process_time()
            frozen = freeze_census(session, community)
            store_census(session, ballot.id, frozen)
            ballot.census_root = frozen.root.hex()
            session.commit()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            kept = session.scalar(
                select(func.count())
                .select_from(CensusVoter)
                .where(CensusVoter.ballot_id == ballot.id)
            )
            represented = session.scalar(
                select(func.count())
                .select_from(CensusRepresented)
                .where(CensusRepresented.ballot_id == ballot.id)
            )
            assert kept == owners and len(frozen.entries) == owners  # the work was done
            assert represented == owners // 2 + len(range(7, owners, 50))
