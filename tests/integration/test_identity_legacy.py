"""A data folder from the server-key model, on SQLite and PostgreSQL: at start its server-signed
credentials are retired and its owners' ownership credentials queued again for the members.

The old rows are made as the former server made them: an ownership credential signed by the
server's own committee key, a ``CommitteeMemberCredential`` row, a role credential signed by
the server's own root key. Without the retirement the owner could not sign in (the issuer is
no registered member); with it, the owner signs in on the credential a member signs anew.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from identity.community import issuance, legacy, trust
from identity.community.issuance import Issuers
from identity.community.models import IssuedCredential
from identity.community.signin import Challenges, SignInError
from identity.w3c import statuslist
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.integration.test_identity_service_flow import (
    MEMBER,
    SLUG,
    T0,
    _codes,
    _community,
    _redeem,
    _setup,
    _sign_in,
    issuers,
    sessions,
)

__all__ = ["issuers", "sessions"]  # fixtures shared with the flow tests
OLD_COMMITTEE = KeyPair.from_private_bytes(KeyType.P256, bytes(range(100, 132)))
OLD_ROOT = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(132, 164)))


def _as_the_old_server_issued(s: Session, row: IssuedCredential, issuers: Issuers) -> None:
    """Re-sign a stored ownership credential with the former server committee key."""
    document = issuance.document_of(row)
    assert row.status_index is not None
    unsigned = trust.ownership_credential(
        issuer=OLD_COMMITTEE.did.value,
        owner=row.subject_did,
        community_id=SLUG,
        units=[
            trust.UnitHolding(u["unitId"], int(u["area"]))
            for u in document["credentialSubject"]["units"]
        ],
        valid_from=T0,
        credential_id=row.credential_id,
        status=statuslist.status_entry(list_url=issuers.list_url(SLUG), index=row.status_index),
    )
    row.document = json.dumps(sign_credential(unsigned, OLD_COMMITTEE, created=T0))
    row.issuer_did = OLD_COMMITTEE.did.value


def test_server_key_credentials_are_retired_and_owners_reissued(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    codes = _codes(sessions)
    old_owner, new_owner = KeyPair.generate(KeyType.P256), KeyPair.generate(KeyType.P256)
    stale = _redeem(sessions, issuers, old_owner, codes[("1-1-101", "1-1-102")]).credentials[0]
    kept = _redeem(sessions, issuers, new_owner, codes[("1-1-201",)]).credentials[0]
    with sessions.begin() as s:
        community = _community(s)
        row = s.get(IssuedCredential, stale.id)
        assert row is not None
        _as_the_old_server_issued(s, row, issuers)
        for kind, issuer, subject in (
            ("member", OLD_COMMITTEE, MEMBER.did.value),
            ("role", OLD_ROOT, KeyPair.generate(KeyType.ED25519).did.value),
        ):
            s.add(
                IssuedCredential(
                    credential_id=f"urn:uuid:legacy-{kind}",
                    community_id=community.id,
                    kind=kind,
                    issuer_did=issuer.did.value,
                    subject_did=subject,
                    role="auditor" if kind == "role" else "chair",
                    document="{}",
                    issued_at=T0,
                )
            )
    challenges = Challenges(b"c" * 32)
    with pytest.raises(SignInError, match="untrusted_issuer"):
        _sign_in(sessions, issuers, challenges, old_owner)

    now = T0 + timedelta(days=1)
    with sessions.begin() as s:
        done = legacy.retire_all(s, issuers=issuers, now=now)
    assert done == [legacy.Retired(SLUG, revoked=3, queued=1)]
    with sessions.begin() as s:
        reasons = {
            r.credential_id: r.revoke_reason
            for r in s.scalars(
                select(IssuedCredential).where(IssuedCredential.revoked_at.is_not(None))
            )
        }
        assert reasons == {
            stale.credential_id: "retired",
            "urn:uuid:legacy-member": "retired",
            "urn:uuid:legacy-role": "retired",
        }
        (again,) = issuance.active(s, subject_did=old_owner.did.value)
        # Queued again and (here, as on a demo server) signed at once by a registered member.
        assert again.issuer_did == MEMBER.did.value and again.units == ["1-1-101", "1-1-102"]
        assert issuance.active(s, subject_did=new_owner.did.value)[0].id == kept.id  # untouched
    signed = _sign_in(sessions, issuers, challenges, old_owner, now=now)
    assert signed.grants[0]["role"] == "owner"
    with sessions.begin() as s:  # a second start changes nothing
        assert legacy.retire_all(s, issuers=issuers, now=now) == []


def test_a_community_whose_registrations_do_not_verify_is_left_alone(
    sessions: sessionmaker[Session], issuers: Issuers
) -> None:
    _setup(sessions, issuers)
    owner = KeyPair.generate(KeyType.P256)
    _redeem(sessions, issuers, owner, _codes(sessions)[("1-1-202",)])
    elsewhere = Issuers(status=issuers.status, base_url=issuers.base_url, roots=frozenset())
    with sessions.begin() as s:
        assert legacy.retire(s, community=_community(s), issuers=elsewhere, now=T0) is None
        assert all(r.revoked_at is None for r in s.scalars(select(IssuedCredential)))
