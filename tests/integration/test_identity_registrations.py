"""identity.community.registrations: the server stores what the street office signed, as the
next link of the community's chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from identity.community import registrations
from identity.community.committee import RegistrationError, registration_hash
from identity.community.models import IdentityBase, RegistrationRow
from identity.community.registrations import NoCommittee
from identity.community.registry import create_community
from tests.unit.test_identity_committee import KEYS, OTHER_ROOT, ROOT, T0, registration

ROOTS = frozenset({ROOT.did.value})


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    IdentityBase.metadata.create_all(db_engine)
    with sessionmaker(db_engine)() as s:
        yield s


def test_the_chain_grows_one_signed_link_at_a_time(session: Session) -> None:
    community = create_community(session, slug="demo", name="演示", street_office="演示街道")
    with pytest.raises(NoCommittee):
        registrations.in_force(session, community, ROOTS, T0)
    first = registration(KEYS[:5])
    assert registrations.add(session, community, first, ROOTS).sequence == 1
    assert registrations.add(session, community, first, ROOTS).sequence == 1  # idempotent
    with pytest.raises(RegistrationError, match="trusted root"):
        registrations.add(session, community, registration(KEYS[:5], root=OTHER_ROOT), ROOTS)
    with pytest.raises(RegistrationError, match="for other"):
        registrations.add(session, community, registration(KEYS[:5], community="other"), ROOTS)
    skipped = registration(KEYS[:3], sequence=3, previous="a" * 64)
    with pytest.raises(RegistrationError, match="number 2"):
        registrations.add(session, community, skipped, ROOTS)
    unlinked = registration(KEYS[:3], sequence=2, previous="a" * 64)
    with pytest.raises(RegistrationError, match="last one stored"):
        registrations.add(session, community, unlinked, ROOTS)
    later = T0 + timedelta(days=30)
    second = registration(KEYS[2:5], sequence=2, previous=registration_hash(first), start=later)
    registrations.add(session, community, second, ROOTS)
    assert registrations.in_force(session, community, ROOTS, T0).sequence == 1
    assert registrations.in_force(session, community, ROOTS, later).sequence == 2
    with pytest.raises(NoCommittee, match="in force"):
        registrations.in_force(session, community, ROOTS, T0 - timedelta(days=1))


def test_a_registration_edited_in_the_database_is_refused_on_use(session: Session) -> None:
    community = create_community(session, slug="demo", name="演示", street_office="演示街道")
    doc = registration(KEYS[:3])
    registrations.add(session, community, doc, ROOTS)
    doc["credentialSubject"]["members"][1]["id"] = KEYS[6].did.value
    session.execute(update(RegistrationRow).values(document=json.dumps(doc)))
    with pytest.raises(RegistrationError, match="signature"):
        registrations.in_force(session, community, ROOTS, T0)
