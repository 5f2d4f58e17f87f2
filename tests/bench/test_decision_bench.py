"""What a committee decision costs the server (opt-in, ``pytest --bench -s`` this file).

A community of N owners on SQLite: the committee proposes a ballot (the census frozen and
the BallotOpened drafted), two of three members sign it (each share checked against the
registration in force and kept), the second share applies it (appended, checkpoint signed).
Printed per step, in milliseconds of server time (the median of a few rounds); the census
freeze is what opening always cost, the rest is what decisions add. Never asserted against
a time.
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from identity.community import decisions
from identity.community.committee import decision_share
from identity.community.models import Person
from identity.community.register import parse_csv
from identity.community.registry import create_community, get_community, import_register
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.serving_support import crowd_register
from voting import ballots
from web.demo.community import (
    demo_member_keys,
    demo_office_key,
    register_demo_committee,
    sign_as_demo_members,
)
from web.server import ballot_acts
from web.server.services import Services
from web.server.settings import Settings

pytestmark = pytest.mark.bench
OWNERS = [int(n) for n in os.environ.get("GONGZHI_BENCH_DECISION_OWNERS", "1000,10000").split(",")]
ROUNDS = 3


def _services(folder: Path, owners: int) -> Services:
    settings = Settings.from_env({"GONGZHI_DATA": str(folder)})
    services = Services.start(settings)
    services.roots = frozenset({demo_office_key(folder).did.value})
    with services.db.session() as session:
        community = create_community(session, slug="bench", name="基准", street_office="基准街道")
        import_register(
            session,
            community=community,
            register=parse_csv(crowd_register(owners)),
            cipher=services.cipher,
        )
        for person in session.scalars(select(Person).where(Person.community_id == community.id)):
            person.did = KeyPair.generate(KeyType.ED25519).did.value
        register_demo_committee(services, session, community)
    return services


@pytest.mark.parametrize("owners", OWNERS)
def test_decision_costs(tmp_path: Path, owners: int) -> None:
    services = _services(tmp_path / "data", owners)
    members = demo_member_keys(tmp_path / "data")
    times: dict[str, list[float]] = {
        "propose (census freeze + draft)": [],
        "share 1 (check + keep)": [],
        "share 2 (check + keep + append + checkpoint)": [],
    }
    try:
        for _ in range(ROUNDS):
            now = datetime.now(UTC).replace(microsecond=0)
            past = now - timedelta(days=16)
            with services.db.session() as session:
                community = get_community(session, "bench")
                services.clock = itertools.repeat(past).__next__  # the notice, when its period ran
                ballot, announcement = ballot_acts.announce(
                    services,
                    session,
                    community=community,
                    title="基准表决",
                    text="续聘？",
                    items=ballots.legacy_items(4, "续聘", "续聘？", None),
                    opens_at=past + timedelta(days=15),
                    closes_at=now + timedelta(days=7),
                    proposed_by=members[0].did.value,
                )
                sign_as_demo_members(services, session, community, announcement)
                services.clock = itertools.repeat(now).__next__
                t0 = time.perf_counter()
                row = ballot_acts.propose_opening(
                    services, session, ballot.id, proposed_by=members[0].did.value
                )
                times["propose (census freeze + draft)"].append(time.perf_counter() - t0)
                body, decision_id = decisions.body_of(row), row.id
            shares = [decision_share(body, k, created=now) for k in members[:2]]  # on devices
            for label, proof in zip(list(times)[1:], shares, strict=True):
                with services.db.session() as session:
                    community = get_community(session, "bench")
                    t0 = time.perf_counter()
                    services.sign_decision(session, community, decision_id, proof)
                    times[label].append(time.perf_counter() - t0)
            assert services.ballot_origin(ballot.id)
    finally:
        services.close()
    print(f"\ncommittee decision, {owners} owners, SQLite (median of {ROUNDS}, ms of server time)")
    for label, samples in times.items():
        print(f"  {label:<48} {statistics.median(samples) * 1000:8.1f}")
