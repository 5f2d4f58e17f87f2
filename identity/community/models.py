"""Tables of the identity package: communities, owners (personal data encrypted), units,
and what enrolment and sign-in keep: issued credentials, enrolment codes, sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from identity.community.dbtime import UtcDateTime


class IdentityBase(DeclarativeBase):
    pass


class Community(IdentityBase):
    """A residential community (小区); `slug` names it in log origins and URLs."""

    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    street_office: Mapped[str] = mapped_column(String(200))
    # The parts of the rules of procedure (议事规则) that shape a ballot, as the committee
    # set them (`voting.schedule.Rules`); None: the defaults. Each announcement carries a
    # signed copy, so a verifier never reads this row.
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class Person(IdentityBase):
    """An owner, or an owner's guardian. Name, ID and phone are AES-GCM ciphertexts;
    `id_lookup` is a keyed hash."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("community_id", "id_lookup"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_lookup: Mapped[str] = mapped_column(String(64))
    developer: Mapped[bool] = mapped_column(Boolean, default=False)
    did: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    # The guardian (监护人) of an owner without full legal capacity, who votes in their place:
    # another person of the register (whose own name and ID are encrypted in their row).
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None)


class Unit(IdentityBase):
    """An exclusive unit (专有部分) with its area in 0.01 m² and where that area comes from
    (`identity.community.area_source`: registry, surveyed or contract)."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("community_id", "unit_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    unit_no: Mapped[str] = mapped_column(String(32))
    area_centi: Mapped[int] = mapped_column(BigInteger)
    area_source: Mapped[str] = mapped_column(
        String(16), default="registry", server_default="registry"
    )
    developer: Mapped[bool] = mapped_column(Boolean, default=False)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])


class UnitOwner(IdentityBase):
    """Co-ownership: every owner of a unit; the unit's `holder` is the one who votes."""

    __tablename__ = "unit_owner"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)


class IssuedCredential(IdentityBase):
    """A credential the server issued, kept whole so it can be re-sent, listed and revoked.

    `status_list` names the Bitstring Status List that holds its revocation bit (the
    community slug); the bit is set exactly when
    `revoked_at` is, so the published list is derived from these rows and never drifts.
    """

    __tablename__ = "issued_credential"
    __table_args__ = (
        UniqueConstraint("status_list", "status_index"),
        # The cast path asks, per batch, which voters' credentials in one community are all
        # still queued (`issuance.uncredentialed`): both columns, so it reads only those rows.
        Index("ix_issued_credential_community_subject", "community_id", "subject_did"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(100), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ownership | role
    issuer_did: Mapped[str] = mapped_column(String(200))
    subject_did: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None)
    role: Mapped[str | None] = mapped_column(String(32), default=None)
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None for a role credential: the street office signs it offline, with no status entry.
    status_list: Mapped[str | None] = mapped_column(String(80), default=None)
    status_index: Mapped[int | None] = mapped_column(BigInteger, default=None)
    document: Mapped[str] = mapped_column(Text)
    # Queued: `document` is the unsigned template (no issuer, no proof) until a registered
    # committee member's device signs it; the status index is held for it meanwhile.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    revoke_reason: Mapped[str | None] = mapped_column(String(32), default=None)


class EnrolmentCode(IdentityBase):
    """A one-time enrolment code, stored only as its SHA-256; nothing personal in it."""

    __tablename__ = "enrolment_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # owner | member
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None, index=True)
    role: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    used_by_did: Mapped[str | None] = mapped_column(String(200), default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class UsedChallenge(IdentityBase):
    """A sign-in challenge already answered; kept until it expires, so it cannot be replayed."""

    __tablename__ = "used_challenge"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class AuthSession(IdentityBase):
    """A signed-in session: only the token's SHA-256 is stored, with the DID and its grants."""

    __tablename__ = "auth_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    did: Mapped[str] = mapped_column(String(200), index=True)
    grants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class RegistrationRow(IdentityBase):
    """A committee registration (业委会备案) the street office signed, exactly as received.

    Rows are only ever added: a change of members is the next `sequence` (see
    `identity.community.committee`), and the pair (community, sequence) is unique, so two
    registrations cannot both claim the same place in the chain."""

    __tablename__ = "committee_registration"
    __table_args__ = (UniqueConstraint("community_id", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    sequence: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class DecisionRow(IdentityBase):
    """A committee decision awaiting, or having had, enough members' signatures.

    `body` is the unsigned document (RFC 8785 JSON) the members sign; `subject` names what it
    acts on (a ballot's origin); once applied, `entry_index` says where the log keeps it."""

    __tablename__ = "committee_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64), unique=True)
    registration_hash: Mapped[str] = mapped_column(String(64))
    proposed_by: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    entry_index: Mapped[int | None] = mapped_column(BigInteger, default=None)


class DecisionShareRow(IdentityBase):
    """One member's proof over a decision's body; one per member (a primary key, so two
    concurrent signatures by the same member cannot both be kept)."""

    __tablename__ = "committee_decision_share"
    decision_id: Mapped[int] = mapped_column(ForeignKey("committee_decision.id"), primary_key=True)
    signer: Mapped[str] = mapped_column(String(200), primary_key=True)
    proof: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
