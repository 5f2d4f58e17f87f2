"""Tables of the voting package: ballots, their frozen census, and who has cast.

The votes themselves live in the ballot's own append-only log (ledger); `Cast` only indexes
that log so one voter cannot cast twice and the committee can see who has not voted yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from identity.community.dbtime import UtcDateTime


class VotingBase(DeclarativeBase):
    pass


class Ballot(VotingBase):
    __tablename__ = "ballot"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_slug: Mapped[str] = mapped_column(String(64), index=True)
    matter: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    log_origin: Mapped[str] = mapped_column(String(200), unique=True)
    census_root: Mapped[str] = mapped_column(String(64))
    total_area_centi: Mapped[int] = mapped_column(BigInteger)
    total_headcount: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, object] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class CensusVoter(VotingBase):
    """One voting person of a ballot, frozen when it opened (no personal data: DID and units)."""

    __tablename__ = "census_voter"
    # A vote finds its voter by (ballot, DID): one index seek, not a scan of the ballot's
    # primary-key prefix (which SQLite's planner chose over a DID-only index).
    __table_args__ = (Index("ix_census_voter_ballot_did", "ballot_id", "did"),)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    voter: Mapped[str] = mapped_column(String(32), primary_key=True)  # census key, e.g. "V0017"
    person_id: Mapped[int] = mapped_column(Integer, index=True)  # server-side only, never public
    did: Mapped[str | None] = mapped_column(String(200))
    area_centi: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[list[str]] = mapped_column(JSON)
    developer: Mapped[bool] = mapped_column(default=False)
    # Server-side only: the guardian (a person id) whose DID this row carries, for an owner
    # (`person_id`) without full legal capacity; None when the owner votes.
    guardian_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    cast_index: Mapped[int | None] = mapped_column(BigInteger, default=None)  # entry in the box


class CensusRepresented(VotingBase):
    """A person of the register who is represented in a ballot's census by another, frozen
    when it opened: a co-owner of a unit whose designated holder votes (``co-owner``), or an
    owner whose guardian votes (``ward``). Lets the cast path tell such a person why their
    own vote is refused. Server-side only (person ids), never public."""

    __tablename__ = "census_represented"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)  # a unit of `voter`
    voter: Mapped[str] = mapped_column(String(32))  # the census entry
    reason: Mapped[str] = mapped_column(String(16))  # co-owner | ward


class PendingPaper(VotingBase):
    """A paper ballot entered by one committee member, awaiting the second member's
    confirmation (four eyes) before it goes to the box (`voting.paper`). At most one per
    census entry; while it waits, that owner's online vote is refused. No personal data:
    the census key, the choices, the scan's hash and the two members' DIDs."""

    __tablename__ = "pending_paper"
    __table_args__ = (UniqueConstraint("ballot_id", "census_entry"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"))
    census_entry: Mapped[str] = mapped_column(String(32))
    # The PaperBallot without proof, in its RFC 8785 form: what both members sign.
    body: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(200))
    confirmed_by: Mapped[str] = mapped_column(String(200))
    entry_proof: Mapped[str] = mapped_column(Text)  # the entering member's proof, RFC 8785
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
