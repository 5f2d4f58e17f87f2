"""What the committee's not-yet-voted list costs (opt-in, ``pytest --bench -s`` this file).

A 10,000-person census on SQLite and PostgreSQL, half of it voted: the JSON list by building,
the CSV and the Excel export, each timed as the route runs it (the median of a few rounds,
in milliseconds of server time). Printed, never asserted against a time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from tests.serving_support import crowd_register
from voting import ballots
from voting.models import CensusVoter
from web.api import committee as api_committee
from web.demo.community import demo_office_key, open_demo_ballot, register_demo_committee
from web.server.services import Services
from web.server.settings import Settings

pytestmark = pytest.mark.bench
OWNERS = int(os.environ.get("GONGZHI_BENCH_TURNOUT_OWNERS", "10000"))
ROUNDS = 3


def _ballot(folder: Path, db_url: str) -> tuple[Services, int]:
    env = {"GONGZHI_DATA": str(folder)}
    if not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    services = Services.start(Settings.from_env(env))
    services.roots = frozenset({demo_office_key(folder).did.value})
    with services.db.session() as session:
        community = create_community(session, slug="bench", name="基准", street_office="基准街道")
        import_register(
            session,
            community=community,
            register=parse_csv(crowd_register(OWNERS)),
            cipher=services.cipher,
        )
        register_demo_committee(services, session, community)
        ballot = open_demo_ballot(
            services,
            session,
            community,
            title="基准表决",
            text="续聘？",
            items=ballots.legacy_items(4, "续聘", "续聘？", None),
        )
        # Every other person has voted (the index only needs to be set for the list).
        session.execute(
            update(CensusVoter)
            .where(CensusVoter.ballot_id == ballot.id, CensusVoter.voter.like("%0"))
            .values(cast_index=1)
        )
        return services, ballot.id


def test_pending_list_and_exports(tmp_path: Path, db_url: str) -> None:
    services, ballot_id = _ballot(tmp_path / "data", db_url)
    routes: dict[str, Callable[..., Any]] = {
        "JSON by building": api_committee.pending,
        "CSV": api_committee.pending_as_csv,
        "Excel (.xlsx)": api_committee.pending_as_xlsx,
    }
    times: dict[str, list[float]] = {label: [] for label in routes}
    sizes: dict[str, int] = {}
    try:
        for _ in range(ROUNDS):
            for label, route in routes.items():
                with services.db.session(write=False) as session:
                    t0 = time.perf_counter()
                    answer = route(ballot_id, session, None)
                    times[label].append(time.perf_counter() - t0)
                sizes[label] = len(getattr(answer, "body", b"")) or len(answer.pending)
    finally:
        services.close()
    backend = "SQLite" if db_url.startswith("sqlite") else "PostgreSQL"
    print(f"\nnot-yet-voted list, census of {OWNERS}, {backend} (median of {ROUNDS}, ms)")
    for label, samples in times.items():
        print(f"  {label:<20} {statistics.median(samples) * 1000:8.1f}   ({sizes[label]})")
