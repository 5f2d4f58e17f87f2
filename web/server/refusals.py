"""Refused votes, kept for the committee: what was tried, by whom if known, how often.

Every vote the server refuses — outside the window, a second one, a key not in the census,
a key reported lost, signed by another key than the voter's, a malformed document — is
counted here (issue 9, "the attempt visible to the committee"). Never the request body: the
reason code, the message the sender got (in Chinese and in English, so the committee's page
shows its own language), the DID whose signature verified (none if
it did not), the census entry that DID holds, and first/last seen.

Bounded against floods: attempts are counted per (ballot, reason, signer, census entry) —
one row with a counter, not one row per attempt. Rows whose signer is in the census are
bounded by the census (persons × reasons). Anyone can make fresh keys, so rows of signers
outside the census are capped at `MAX_STRANGER_ROWS` per ballot; past that a stranger's
attempt is folded into the reason's anonymous row (signer and entry empty), so nothing is
dropped from the counts and the table stops growing. Unsigned garbage always goes to the
anonymous rows. (Concurrent processes may each pass the cap by at most one batch.)

The recording runs on its own sequencer (`web.server.services.Services.refused`): one transaction
per batch of refusals, after the votes' own batch committed, so it never slows or endangers
a vote, and a full queue drops refusals rather than waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from identity.community.dbtime import UtcDateTime
from identity.errors import IdentityError
from voting.errors import VoteError
from voting.models import Ballot, CensusVoter

MAX_STRANGER_ROWS = 1000
MAX_MESSAGE = 300

# Reason codes, each with the English words of the refusals it stands for (matched in the
# message; an error may instead carry a `code` attribute naming one of these).
REASONS: dict[str, tuple[str, ...]] = {
    "outside_window": ("has not opened yet", "voting window has ended"),
    "not_open": ("awaits the committee members", "proposed to close", "ballot is closed"),
    "twice": ("already voted",),
    "paper": ("on paper", "paper ballot"),  # voted on paper, or a paper ballot awaits
    "not_in_census": ("not in this ballot's census",),
    "key_lost": ("reported lost",),
    "key_change_needed": ("confirmed by the committee",),
    "guardian_changed": ("no longer this owner's guardian", "guardianship has ended"),
    "entry_needed": ("must name the one it is cast for",),
    "wrong_signer": ("not signed by its voter",),
    "wrong_ballot": ("not for this ballot",),
    "bad_signature": (),  # any other identity error: the proof did not verify
    "malformed": ("not a vote", "unknown choice"),
    "busy": ("busy",),
    "other": (),
}


def reason_of(exc: Exception) -> str:
    """The reason code of a refusal: the error's own `code` if it names one, else read from
    its English message, else from its kind ("other" when nothing fits)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in REASONS:
        return code
    en = english(exc).lower()
    for reason, words in REASONS.items():
        if any(w in en for w in words):
            return reason
    if isinstance(exc, IdentityError):  # what verifying a Data Integrity proof raises
        return "bad_signature"
    if isinstance(exc, VoteError):
        return "malformed"
    return "other"


def english(exc: Exception) -> str:
    en = getattr(exc, "en", None)
    return (en if isinstance(en, str) else type(exc).__name__)[:MAX_MESSAGE]


def chinese(exc: Exception) -> str:
    """The Chinese message the sender got; "" when the error has none (the page then names
    the reason code in its own words)."""
    zh = getattr(exc, "zh", None)
    return zh[:MAX_MESSAGE] if isinstance(zh, str) else ""


class RefusalsBase(DeclarativeBase):
    pass


class VoteRefusal(RefusalsBase):
    """Refused attempts on one ballot with one reason by one signer (see the module doc)."""

    __tablename__ = "vote_refusal"
    __table_args__ = (UniqueConstraint("ballot_id", "reason", "signer", "census_entry"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey(Ballot.__table__.c.id))
    reason: Mapped[str] = mapped_column(String(32))
    signer: Mapped[str] = mapped_column(String(200))  # "" : unsigned, or folded
    census_entry: Mapped[str] = mapped_column(String(32))  # "" : signer not in the census
    message_en: Mapped[str] = mapped_column(String(MAX_MESSAGE))
    # "" in rows counted before revision 0012, which kept the English words only
    message_zh: Mapped[str] = mapped_column(String(MAX_MESSAGE), server_default="")
    count: Mapped[int] = mapped_column(BigInteger)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class Refusal:
    """One refused attempt, as the server decided it."""

    ballot_id: int
    reason: str
    message_en: str
    signer: str | None  # the DID whose signature verified
    at: datetime
    message_zh: str = ""

    @classmethod
    def of(cls, ballot_id: int, exc: Exception, signer: str | None, at: datetime) -> Refusal:
        return cls(ballot_id, reason_of(exc), english(exc), signer, at, chinese(exc))


_Key = tuple[int, str, str, str]  # ballot, reason, signer, census entry


@dataclass
class _Count:
    message_en: str
    message_zh: str
    count: int
    first: datetime
    last: datetime


def record(session: Session, refusals: Iterable[Refusal]) -> None:
    """Count `refusals` into the table: one upsert per distinct row of the batch."""
    counts: dict[_Key, _Count] = {}
    by_ballot: dict[int, list[Refusal]] = {}
    for r in refusals:
        by_ballot.setdefault(r.ballot_id, []).append(r)
    for ballot_id, items in by_ballot.items():
        for key, r in _keys(session, ballot_id, items):
            c = counts.get(key)
            if c is None:
                counts[key] = _Count(r.message_en, r.message_zh, 1, r.at, r.at)
            else:
                c.count += 1
                latest = r.at >= c.last
                c.first, c.last = min(c.first, r.at), max(c.last, r.at)
                c.message_en = r.message_en if latest else c.message_en
                c.message_zh = r.message_zh if latest else c.message_zh
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for (ballot_id, reason, signer, entry), c in sorted(counts.items()):
        stmt = insert(VoteRefusal).values(
            ballot_id=ballot_id,
            reason=reason,
            signer=signer,
            census_entry=entry,
            message_en=c.message_en,
            message_zh=c.message_zh,
            count=c.count,
            first_seen=c.first,
            last_seen=c.last,
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["ballot_id", "reason", "signer", "census_entry"],
                set_={
                    "count": VoteRefusal.count + stmt.excluded.count,
                    "message_en": stmt.excluded.message_en,
                    "message_zh": stmt.excluded.message_zh,
                    "last_seen": func.max(VoteRefusal.last_seen, stmt.excluded.last_seen)
                    if insert is sqlite.insert
                    else func.greatest(VoteRefusal.last_seen, stmt.excluded.last_seen),
                },
            )
        )


def _keys(session: Session, ballot_id: int, items: Sequence[Refusal]) -> list[tuple[_Key, Refusal]]:
    """Each refusal's row: its signer's census entry, or — for a stranger past the cap — the
    reason's anonymous row."""
    signers = {r.signer for r in items if r.signer}
    entry_of: dict[str, str] = {}
    if signers:
        found = session.execute(
            select(CensusVoter.did, CensusVoter.voter).where(
                CensusVoter.ballot_id == ballot_id, CensusVoter.did.in_(signers)
            )
        )
        entry_of = {str(did): voter for did, voter in found}
    strangers = {(r.reason, r.signer) for r in items if r.signer and r.signer not in entry_of}
    known: set[tuple[str, str]] = set()
    room = 0
    if strangers:
        stranger_rows = (
            VoteRefusal.ballot_id == ballot_id,
            VoteRefusal.census_entry == "",
            VoteRefusal.signer != "",
        )
        known = {
            (reason, signer)
            for reason, signer in session.execute(
                select(VoteRefusal.reason, VoteRefusal.signer).where(
                    *stranger_rows, VoteRefusal.signer.in_({s for _, s in strangers})
                )
            )
        }
        held = session.scalar(select(func.count()).select_from(VoteRefusal).where(*stranger_rows))
        room = MAX_STRANGER_ROWS - int(held or 0)
    out: list[tuple[_Key, Refusal]] = []
    for r in items:
        signer, entry = r.signer or "", ""
        if signer in entry_of:
            entry = entry_of[signer]
        elif signer and (r.reason, signer) not in known:
            if room > 0:
                room -= 1
                known.add((r.reason, signer))
            else:
                signer = ""  # past the cap: counted, but not per signer
        out.append(((ballot_id, r.reason, signer, entry), r))
    return out


def listing(session: Session, ballot_id: int) -> list[VoteRefusal]:
    """Every row of a ballot, the most recently seen first."""
    return list(
        session.scalars(
            select(VoteRefusal)
            .where(VoteRefusal.ballot_id == ballot_id)
            .order_by(VoteRefusal.last_seen.desc(), VoteRefusal.id.desc())
        )
    )
