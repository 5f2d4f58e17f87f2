"""Holder changes, lost phones, committee members and staff roles, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from identity.community import enrolment, issuance, registrations, revocation, signin
from identity.community.committee import (
    Member,
    ServerKeys,
    build_registration,
    registration_hash,
    sign_registration,
)
from identity.community.enrolment import EnrolmentError
from identity.community.issuance import IssuanceError, Issuers
from identity.community.models import IssuedCredential
from identity.community.revocation import OwnershipChangeError
from identity.community.signin import Challenges, SignInError
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.failures import Revoked
from identity.w3c.keys import KeyPair
from tests.integration.test_identity_service_flow import (
    CIPHER,
    MEMBER,
    OFFICE,
    SLUG,
    STATUS,
    T0,
    _codes,
    _community,
    _redeem,
    _redemption,
    _setup,
    _sign_in,
    _verify,
    issuers,
    sessions,
)

__all__ = ["issuers", "sessions"]  # fixtures shared with the flow tests
CO_HOLDER_ID = "110101198502020022"  # 乙二, designated holder of the co-owned 1-1-201
CO_OWNER_ID = "110101198603030035"  # 丙三, the other co-owner


def test_co_owners_move_the_vote_to_another_of_them(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    old = KeyPair.generate(KeyType.P256)
    first = _redeem(sessions, issuers, old, _codes(sessions)[("1-1-201",)]).credentials[0]
    with sessions.begin() as s:
        for who, message in (
            ("110101198001010010", "not a co-owner"),  # owns other units, not this one
            ("999999999999999999", "not a co-owner"),
            (CO_HOLDER_ID, "already votes"),
        ):
            with pytest.raises(OwnershipChangeError, match=message) as caught:
                revocation.designate_holder(
                    s,
                    community=_community(s),
                    unit_no="1-1-201",
                    id_number=who,
                    cipher=CIPHER,
                    issuers=issuers,
                    now=T0,
                )
            assert who not in str(caught.value)  # never repeats personal data
    with sessions.begin() as s:
        change = revocation.designate_holder(
            s,
            community=_community(s),
            unit_no="1-1-201",
            id_number=CO_OWNER_ID,
            cipher=CIPHER,
            issuers=issuers,
            now=T0 + timedelta(hours=1),
        )
    assert change.revoked == (first.credential_id,) and change.issued == ()
    assert change.enrolment is not None and change.enrolment.units == ("1-1-201",)
    new = KeyPair.generate(KeyType.ED25519)
    issued = _redeem(sessions, issuers, new, change.enrolment.code).credentials[0]
    assert issued.units == ["1-1-201"] and issued.subject_did == new.did.value
    with pytest.raises(SignInError, match="holds no credential"):
        _sign_in(sessions, issuers, Challenges(b"c" * 32), old)  # nothing active is left…
    with pytest.raises(SignInError, match="revoked"):  # …and the old one, presented, fails
        _sign_in(
            sessions,
            issuers,
            Challenges(b"c" * 32),
            old,
            credentials=[issuance.document_of(first)],
        )


def test_lost_phone_revokes_the_key_and_binds_a_new_one(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    lost = KeyPair.generate(KeyType.P256)
    old = _redeem(sessions, issuers, lost, _codes(sessions)[("1-1-101", "1-1-102")]).credentials[0]
    challenges = Challenges(b"c" * 32)
    with sessions.begin() as s:
        token, _ = signin.open_session(
            s, signed_in=_sign_in(sessions, issuers, challenges, lost), now=T0
        )
    with sessions.begin() as s, pytest.raises(OwnershipChangeError, match="does not match"):
        revocation.recover_owner(
            s,
            community=_community(s),
            unit_no="1-1-101",
            id_number=CO_HOLDER_ID,  # a real owner, but not this unit's holder
            cipher=CIPHER,
            issuers=issuers,
            now=T0,
        )
    with sessions.begin() as s:
        change = revocation.recover_owner(
            s,
            community=_community(s),
            unit_no="1-1-102",
            id_number="1101 0119 8001 0100 10",  # typed with spaces: the lookup normalises
            cipher=CIPHER,
            issuers=issuers,
            now=T0 + timedelta(days=1),
        )
        assert change.revoked == (old.credential_id,)
        assert signin.find_session(s, token=token, now=T0 + timedelta(days=1)) is None
        with pytest.raises(IssuanceError, match="reported lost"):
            issuance.check_key_usable(s, lost.did.value)
        with pytest.raises(Revoked):
            _verify(s, issuers, issuance.document_of(old), T0 + timedelta(days=1))
    assert change.enrolment is not None
    assert change.enrolment.units == ("1-1-101", "1-1-102")
    fresh = KeyPair.generate(KeyType.P256)
    new = _redeem(sessions, issuers, fresh, change.enrolment.code).credentials[0]
    assert new.units == ["1-1-101", "1-1-102"]
    with sessions.begin() as s:
        issuance.check_key_usable(s, fresh.did.value)  # the new key votes
    with pytest.raises(SignInError):
        _sign_in(sessions, issuers, challenges, lost, now=T0 + timedelta(days=1))


def _register(
    sessions: sessionmaker[Session], issuers: Issuers, members: list[Member], at: datetime
) -> None:
    """The office registers the next committee (换届) from `at` on."""
    with sessions.begin() as s:
        community = _community(s)
        stored = registrations.documents(s, community)
        unsigned = build_registration(
            root=OFFICE.did.value,
            community=SLUG,
            sequence=len(stored) + 1,
            previous=registration_hash(stored[-1]),
            members=members,
            server=ServerKeys(STATUS.did.value, f"gongzhi.test/c/{SLUG}/disclosures+00000000+AQID"),
            valid_from=at,
            valid_until=at + timedelta(days=5 * 365),
        )
        signed = sign_registration(unsigned, OFFICE, created=at)
        registrations.add(s, community, signed, issuers.trusted_roots)


def test_members_and_staff_roles_grant_what_they_say(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    with sessions.begin() as s:
        code = enrolment.member_code(s, community=_community(s), role="viceChair", now=T0)
        with pytest.raises(EnrolmentError, match="member role"):
            enrolment.member_code(s, community=_community(s), role="boss", now=T0)
    member = KeyPair.generate(KeyType.P256)
    # The member is also an owner: the same key holds the owner's credential; the member
    # code itself grants nothing (no credential) until the office registers the DID.
    assert _redeem(sessions, issuers, member, code.code).credentials == ()
    _redeem(sessions, issuers, member, _codes(sessions)[("1-1-202",)])
    challenges = Challenges(b"c" * 32)
    assert all(g["role"] == "owner" for g in _sign_in(sessions, issuers, challenges, member).grants)

    _register(
        sessions,
        issuers,
        [Member(MEMBER.did.value, "chair"), Member(member.did.value, "viceChair")],
        T0,
    )
    grants = _sign_in(sessions, issuers, challenges, member, now=T0 + timedelta(minutes=1)).grants
    assert {"community": SLUG, "role": "committee", "position": "viceChair"} in grants
    assert any(g["role"] == "owner" for g in grants)

    # Staff roles: the office signs on its own machine; the server stores what it signed.
    auditor = KeyPair.generate(KeyType.ED25519)
    unsigned = issuance.role_credential(
        root=OFFICE.did.value,
        holder=auditor.did.value,
        community_id=SLUG,
        role="auditor",
        valid_from=T0,
        credential_id="urn:uuid:6f1c2d9e-0b7a-4c55-9e3f-7a1b2c3d4e5f",
    )
    with sessions.begin() as s:
        role = issuance.store_role(
            s,
            community=_community(s),
            credential=sign_credential(unsigned, OFFICE, created=T0),
            roots=issuers.trusted_roots,
            now=T0,
        )
        assert role.issuer_did == OFFICE.did.value and role.status_list is None
        with pytest.raises(IssuanceError, match="not a trusted root"):
            issuance.store_role(
                s,
                community=_community(s),
                credential=sign_credential(unsigned | {"issuer": MEMBER.did.value}, MEMBER),
                roots=issuers.trusted_roots,
                now=T0,
            )
    with pytest.raises(IssuanceError, match="role must be"):
        issuance.role_credential(
            root=OFFICE.did.value,
            holder=auditor.did.value,
            community_id=SLUG,
            role="x",
            valid_from=T0,
        )
    assert _sign_in(sessions, issuers, challenges, auditor).grants == (
        {"community": SLUG, "role": "auditor"},
    )

    # A member leaves by the next registration: from its validFrom on, no committee role.
    _register(sessions, issuers, [Member(MEMBER.did.value, "chair")], T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=2)
    assert all(
        g["role"] == "owner"
        for g in _sign_in(sessions, issuers, challenges, member, now=later).grants
    )

    with sessions.begin() as s:
        mine = issuance.active(s, subject_did=member.did.value, kinds=[issuance.OWNERSHIP])
        revocation.revoke_credential(
            s,
            community=_community(s),
            credential_id=mine[0].credential_id,
            reason="sold",
            now=later,
        )
        with pytest.raises(IssuanceError, match="already revoked"):
            issuance.revoke_by_id(
                s,
                community=_community(s),
                credential_id=mine[0].credential_id,
                reason="sold",
                now=later,
            )
        with pytest.raises(IssuanceError, match="no such credential"):
            issuance.revoke_by_id(
                s, community=_community(s), credential_id="urn:uuid:x", reason="x", now=later
            )
    with pytest.raises(SignInError):
        _sign_in(sessions, issuers, challenges, member, now=later)


def test_racing_redemptions_of_one_code_bind_one_key(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    code = _codes(sessions)[("1-1-202",)]
    keys = [KeyPair.generate(KeyType.ED25519) for _ in range(6)]
    answers = [_redemption(k, code) for k in keys]
    outcomes: list[Any] = []
    barrier = threading.Barrier(len(keys))

    def attempt(answer: dict[str, Any]) -> None:
        barrier.wait()
        try:
            with sessions.begin() as s:
                enrolment.redeem(
                    s, answer=answer, domain="https://gongzhi.test", issuers=issuers, now=T0
                )
            outcomes.append("ok")
        except Exception as exc:  # SQLite may also answer "database is locked"
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    with sessions.begin() as s:
        owners = s.scalars(
            select(IssuedCredential).where(IssuedCredential.kind == issuance.OWNERSHIP)
        ).all()
        assert len(owners) == 1
