"""Enrolment codes and credentials for a guardian (监护人), on SQLite and PostgreSQL: the
guardian's code covers the ward's units, the ward gets none, and a person who votes for
nothing is refused in both languages; redeeming queues one credential per row voted for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from identity.community import enrolment, issuance, revocation
from identity.community.enrolment import EnrolmentError
from identity.community.issuance import Issuers
from identity.community.models import Community, IdentityBase, IssuedCredential, Person
from identity.community.pii import PiiCipher
from identity.community.register import Owner, parse_csv
from identity.community.registry import create_community, find_person, import_register
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.serving_support import id_number

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
STATUS = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(65, 97)))
ISSUERS = Issuers(status=STATUS, base_url="https://gongzhi.test")
CIPHER = PiiCipher(bytes(range(32)))
OWNER, WARD, GUARDIAN, CO_OWNER = (id_number(n) for n in (21, 22, 23, 24))
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,表决人,开发商持有,监护人姓名,监护人证件号码\n"
    f"1-1-101,90.00,王芳,{GUARDIAN},是,否,,\n"  # the guardian owns a unit herself
    f"1-1-102,80.00,小明,{WARD},是,否,王芳,{GUARDIAN}\n"
    f"1-1-201,75.00,甲某,{OWNER},是,否,,\n"
    f"1-1-201,75.00,乙某,{CO_OWNER},否,否,,\n"  # co-owner: votes for nothing
)


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    IdentityBase.metadata.create_all(db_engine)
    with Session(db_engine) as s:
        community = create_community(s, slug="guardian-2", name="监护", street_office="街道")
        import_register(
            s, community=community, register=parse_csv(REGISTER.encode()), cipher=CIPHER
        )
        s.flush()
        yield s


def _person(session: Session, number: str) -> Person:
    person = find_person(session, community=_community(session), id_number=number, cipher=CIPHER)
    assert person is not None
    return person


def _community(session: Session) -> Community:
    community = session.query(Community).one()
    return community


def test_the_guardians_code_covers_their_own_and_the_wards_units(session: Session) -> None:
    code = enrolment.owner_code(
        session, community=_community(session), person=_person(session, GUARDIAN), now=T0
    )
    assert code.units == ("1-1-101", "1-1-102")
    codes = enrolment.owner_codes(session, community=_community(session), now=T0)
    assert sorted(c.units for c in codes) == [("1-1-101", "1-1-102"), ("1-1-201",)]


@pytest.mark.parametrize(
    ("number", "en"),
    [
        (WARD, "this owner's guardian votes for them"),
        (CO_OWNER, "neither the designated holder of a unit nor a holder's guardian"),
    ],
)
def test_no_code_for_a_ward_or_a_person_who_votes_for_nothing(
    session: Session, number: str, en: str
) -> None:
    with pytest.raises(EnrolmentError) as refused:
        enrolment.owner_code(
            session, community=_community(session), person=_person(session, number), now=T0
        )
    assert en in refused.value.en and refused.value.zh


def test_redeeming_queues_a_credential_per_row_the_guardian_votes_for(session: Session) -> None:
    guardian = _person(session, GUARDIAN)
    guardian.did = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33))).did.value
    session.flush()
    rows = issuance.queue_voting(
        session, community=_community(session), person=guardian, issuers=ISSUERS, now=T0
    )
    subjects = [issuance.document_of(r)["credentialSubject"] for r in rows]
    assert [(s["units"], s.get("guardian")) for s in subjects] == [
        ([{"unitId": "1-1-101", "area": "9000"}], None),
        ([{"unitId": "1-1-102", "area": "8000"}], True),
    ]
    assert all(r.subject_did == guardian.did and r.pending for r in rows)


def test_a_credential_as_guardian_needs_the_ward_of_that_guardian(session: Session) -> None:
    owner = _person(session, OWNER)
    owner.did = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(2, 34))).did.value
    with pytest.raises(issuance.IssuanceError) as refused:
        issuance.queue_ownership(
            session,
            community=_community(session),
            person=owner,
            issuers=ISSUERS,
            now=T0,
            ward=_person(session, WARD),
        )
    assert "not the owner's guardian" in refused.value.en and refused.value.zh


def test_a_unit_sold_to_a_ward_moves_into_the_guardians_credentials(session: Session) -> None:
    community, guardian = _community(session), _person(session, GUARDIAN)
    guardian.did = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33))).did.value
    issuance.queue_voting(session, community=community, person=guardian, issuers=ISSUERS, now=T0)
    change = revocation.transfer_unit(
        session,
        community=community,
        unit_no="1-1-201",
        buyers=[Owner(name="小明", id_number=WARD, phone="")],
        holder=0,
        cipher=CIPHER,
        issuers=ISSUERS,
        now=T0,
    )
    assert change.enrolment is None  # no code for the ward: the guardian has enrolled
    queued = issuance.active(session, community=community, person=guardian, pending=True)
    held = [(r.units, issuance.document_of(r)["credentialSubject"].get("guardian")) for r in queued]
    assert sorted(held, key=str) == [
        (["1-1-101"], None),
        (["1-1-102", "1-1-201"], True),
    ]
    assert set(change.issued) == {r.credential_id for r in queued}


def _enrolled(session: Session, number: str, seed: int) -> Person:
    person = _person(session, number)
    person.did = KeyPair.from_private_bytes(
        KeyType.ED25519, bytes(range(seed, seed + 32))
    ).did.value
    session.flush()
    issuance.queue_voting(
        session, community=_community(session), person=person, issuers=ISSUERS, now=T0
    )
    return person


def test_a_new_guardian_takes_the_wards_units_from_the_old_ones_credentials(
    session: Session,
) -> None:
    community = _community(session)
    old, owner = _enrolled(session, GUARDIAN, 1), _enrolled(session, OWNER, 3)
    change = revocation.change_guardian(
        session,
        community=community,
        unit_no="1-1-102",
        guardian=Owner(name="甲某", id_number=OWNER, phone=""),  # an enrolled owner
        cipher=CIPHER,
        issuers=ISSUERS,
        now=T0,
    )
    assert change.enrolment is None  # enrolled already: a credential, no code
    assert _person(session, WARD).guardian_id == owner.id
    held = {
        (r.subject_did, tuple(r.units), r.revoke_reason)
        for r in session.scalars(select(IssuedCredential)).all()
    }
    assert (old.did, ("1-1-102",), revocation.GUARDIAN_CHANGED) in held
    queued = issuance.active(session, community=community, pending=True)
    assert sorted((r.subject_did == owner.did, tuple(r.units)) for r in queued) == [
        (False, ("1-1-101",)),  # the old guardian's own unit, queued again
        (True, ("1-1-102",)),  # held as guardian for 小明
        (True, ("1-1-201",)),  # the new guardian's own unit
    ]
    assert issuance.voted_units(session, old) == [u for u in issuance.held_units(session, old)]


@pytest.mark.parametrize(
    ("unit", "number", "en"),
    [
        ("1-1-102", WARD, "own guardian"),
        ("1-1-102", GUARDIAN, "already the guardian"),
        ("1-1-201", WARD, "has a guardian themself"),  # a ward cannot be a guardian
        ("1-1-101", OWNER, "is someone's guardian"),  # 王芳 is 小明's guardian
        ("1-1-201", None, "no guardian on the register"),
    ],
)
def test_a_guardian_change_that_cannot_be_is_refused_in_both_languages(
    session: Session, unit: str, number: str | None, en: str
) -> None:
    before = _person(session, WARD).guardian_id
    with pytest.raises(revocation.OwnershipChangeError) as refused:
        revocation.change_guardian(
            session,
            community=_community(session),
            unit_no=unit,
            guardian=None if number is None else Owner(name="某某", id_number=number, phone=""),
            cipher=CIPHER,
            issuers=ISSUERS,
            now=T0,
        )
    assert en in refused.value.en and refused.value.zh
    assert number is None or number not in str(refused.value)
    assert _person(session, WARD).guardian_id == before
