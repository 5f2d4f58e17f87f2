"""A ballot's life: open (freeze the census), cast signed votes, close and decide.

Every step is an entry in the ballot's own append-only log, so the record that anyone can
export and re-check is exactly what was appended:

    0      BallotOpened      the spec, the census and its Merkle root, and the box's log key
                             (``logKey``, the C2SP vkey that signs its checkpoints)
    1..n   Vote              each owner's signed vote, as the owner's device signed it
           VoterKeyChanged   an owner's new key, between votes
    n+1    BallotResult      the close: when, how many votes, the box's size, and the rule
                             engine's outcome

BallotOpened, VoterKeyChanged and BallotResult are committee decisions
(`identity.community.committee`): the server drafts each document here (``draft_*``), the
members sign it on their own devices, and only the signed document, once enough members
have signed, is appended (``apply_*``). Nothing here signs for the committee.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from identity.community.issuance import key_lost
from identity.community.models import Community, Person
from identity.community.origins import ballot_origin
from identity.errors import IdentityError
from identity.w3c.jcs import canonical
from ledger.tlog.errors import LedgerError
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.note_keys import Ed25519Verifier, parse_vkey
from ledger.tlog.store import LogRef, LogStore
from voting.census_freeze import freeze_census, represented_by, store_census
from voting.census_rows import census_of
from voting.errors import VotingError
from voting.matters import Matter
from voting.models import Ballot, CensusVoter
from voting.rules import Choice, Outcome, evaluate

# A vote verifier checks a signed document and returns the DID that signed it (raises if bad).
VerifySigned = Callable[[Mapping[str, Any]], str]
# The verifier key (C2SP signed-note vkey) that will sign a new log's checkpoints.
LogKeyOf = Callable[[LogRef], str]

PROPOSED, CLOSING = "proposed", "closing"  # awaiting members' signatures to open / to close

OPTIONS = [
    {"value": "agree", "zh": "同意", "en": "agree"},
    {"value": "oppose", "zh": "反对", "en": "oppose"},
    {"value": "abstain", "zh": "弃权", "en": "abstain"},
]


class BallotError(VotingError):
    """A ballot operation that is not allowed (closed, outside its window, double vote…)."""


class BallotNotFound(BallotError):
    """No ballot has the given number."""


class BallotSpecError(BallotError):
    """A ballot asked to open is malformed: title, text, amount, or its voting window."""


# A ballot's voting window (finding: one open until 9999-12-31 and one that had ended before
# it was created were both accepted).
# Longest window: 60 days. A decision of the owners should not hang open for a season; the
# census is frozen at opening and goes stale as units are sold.
MAX_WINDOW = timedelta(days=60)
# Shortest time left to vote once opened: 1 hour. Enough to refuse a typo (closing 09:00 for
# 19:00) and a snap vote nobody could join, short enough for an urgent repair decision; the
# notice owners must be given beforehand is announced outside this system.
MIN_WINDOW = timedelta(hours=1)
# How far in the past the opening may be: a committee member's clock runs a little off.
OPENS_SKEW = timedelta(minutes=5)
# How far ahead a ballot may be scheduled to open.
MAX_LEAD = timedelta(days=90)


@dataclass(frozen=True)
class Receipt:
    ballot_id: int
    index: int
    leaf_hash: str
    checkpoint: str


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def draft_opening(
    session: Session,
    *,
    store: LogStore,
    community: Community,
    registration: str,
    public_host: str,
    matter: int,
    title: str,
    text: str,
    opens_at: datetime,
    closes_at: datetime,
    log_key: LogKeyOf,
    amount_fen: int | None = None,
    now: datetime | None = None,
) -> tuple[Ballot, dict[str, Any]]:
    """Freeze the census, create the (empty) ballot box, and draft its BallotOpened.

    The ballot waits as ``proposed`` until enough members have signed the draft
    (`apply_opening`). ``registration`` is the hash of the committee's registration in
    force, which the document names so its signatures are counted against it.

    ``log_key`` names the verifier key of the box's checkpoint signer; the committee signs it
    into the entry as ``logKey``, so an owner's device can check every checkpoint against a
    key the committee vouched for rather than one the server merely reports.

    ``amount_fen`` is what a ballot on using the maintenance fund (matter 5) would approve
    spending, in integer fen; it goes into the signed entry as ``amountFen``, which disclosure
    logs cite (`ledger.disclosure.approval`). Other matters take no amount.

    The window must be sane at ``now`` (see MAX_WINDOW and its neighbours); both times must
    carry a time zone.
    """
    # Whole seconds: the signed entry names the window to the second, and what is shown is
    # read from it, so the row must not keep a finer time than the log.
    opens_at, closes_at = opens_at.replace(microsecond=0), closes_at.replace(microsecond=0)
    check_window(opens_at, closes_at, now or _now())
    m = Matter.parse(matter)
    if amount_fen is not None and (
        m != Matter.USE_MAINTENANCE_FUND
        or isinstance(amount_fen, bool)
        or not isinstance(amount_fen, int)
        or not 0 < amount_fen <= 10**15
    ):
        raise BallotSpecError(
            "只有“使用维修资金”的表决可写明金额，且须为正整数（单位：分）",
            "only a ballot on using the maintenance fund takes an amount: a positive integer "
            "number of fen",
        )
    title, text = title.strip(), text.strip()
    if not title or len(title) > 200:
        raise BallotSpecError("标题不能为空且不超过200字", "the title must be 1–200 characters")
    if not text:
        raise BallotSpecError("表决事项说明不能为空", "the text of the matter must not be empty")
    frozen = freeze_census(session, community)
    entries, root, total = frozen.entries, frozen.root, frozen.total
    ballot = Ballot(
        community_slug=community.slug,
        matter=int(m),
        title=title,
        text=text,
        opens_at=opens_at,
        closes_at=closes_at,
        status=PROPOSED,
        log_origin="",
        census_root=root.hex(),
        total_area_centi=total.area.hundredths,
        total_headcount=total.headcount,
    )
    session.add(ballot)
    session.flush()
    ballot.log_origin = ballot_origin(public_host, community.slug, ballot.id)
    store_census(session, ballot.id, frozen)
    log = store.create_log(ballot.log_origin, "ballot")
    box_key = _box_key(log_key(log), log.origin)
    body = {
        "type": "BallotOpened",
        "ballot": ballot.log_origin,
        "community": community.slug,
        "registration": registration,
        "matter": int(m),
        "matterName": m.zh,
        "title": title,
        "text": text,
        "options": OPTIONS,
        "opensAt": _iso(opens_at),
        "closesAt": _iso(closes_at),
        "census": {"root": root.hex(), "voters": entries, "total": total.to_json()},
        "logKey": box_key,
    } | ({} if amount_fen is None else {"amountFen": amount_fen})
    session.flush()
    return ballot, body


def _decided(document: Mapping[str, Any], kind: str, ballot: Ballot) -> bytes:
    """The signed decision as the box keeps it, after the checks every apply makes."""
    if document.get("type") != kind or document.get("ballot") != ballot.log_origin:
        raise BallotError("该决定不属于这次表决", f"this decision is not the {kind} of this ballot")
    if not isinstance(document.get("proof"), list):
        raise BallotError("决定缺少委员签名", "the decision carries no members' signatures")
    return canonical(dict(document))


def apply_opening(
    session: Session, *, store: LogStore, ballot: Ballot, document: Mapping[str, Any]
) -> int:
    """Append the members' signed BallotOpened as entry 0: the ballot is open."""
    if ballot.status != PROPOSED:
        raise BallotError("表决已开启或已撤回", "the ballot is already open or withdrawn")
    log = store.get_log(ballot.log_origin)
    store.lock(log)
    if store.size(log) != 0:
        raise BallotError("投票箱已有开启条目", "the ballot box has been opened already")
    store.append(log, [_decided(document, "BallotOpened", ballot)])
    ballot.status = "open"
    session.flush()
    return 0


def check_window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    """Refuse a voting window that is over, too long, too short, or opens too far off."""
    if opens_at.utcoffset() is None or closes_at.utcoffset() is None or now.utcoffset() is None:
        raise BallotSpecError(
            "开始和截止时间须带时区", "the opening and closing times need a time zone"
        )
    if closes_at <= opens_at:
        raise BallotSpecError("截止时间须晚于开始时间", "the ballot must close after it opens")
    if closes_at <= now:
        raise BallotSpecError(
            "截止时间已过，不能开启已结束的表决",
            "the closing time has passed: a ballot that has ended cannot be opened",
        )
    if opens_at < now - OPENS_SKEW:
        raise BallotSpecError(
            "开始时间不能早于现在（最多可早5分钟）",
            "the opening time cannot be in the past (5 minutes of clock skew at most)",
        )
    if opens_at > now + MAX_LEAD:
        raise BallotSpecError(
            "开始时间最多可安排在90天后", "a ballot can be scheduled to open at most 90 days ahead"
        )
    if closes_at - opens_at > MAX_WINDOW:
        raise BallotSpecError("表决期限最长60天", "the voting window can be 60 days at most")
    if closes_at - max(opens_at, now) < MIN_WINDOW:
        raise BallotSpecError(
            "表决期限太短：开启后须至少留出1小时投票",
            "the voting window is too short: owners need at least 1 hour to vote",
        )


def _box_key(vkey: str, origin: str) -> str:
    """A well-formed Ed25519 note key named by the box's origin (C2SP signed-note §Verifier
    keys; the checkpoint's first line is the origin, tlog-checkpoint §Note text)."""
    try:
        verifier = parse_vkey(vkey)
    except LedgerError as exc:
        raise BallotError(
            "投票箱日志公钥无效", f"the ballot box's log key is invalid: {exc}"
        ) from exc
    if not isinstance(verifier, Ed25519Verifier) or verifier.name != origin:
        raise BallotError(
            "投票箱日志公钥须为以投票箱来源命名的 Ed25519 密钥",
            f"the ballot box's log key must be an Ed25519 note key named {origin!r}",
        )
    return vkey


def opened_entry(store: LogStore, log: LogRef) -> dict[str, Any]:
    """Entry 0 of a ballot box, the committee-signed BallotOpened, as appended."""
    opened: dict[str, Any] = json.loads(store.entry(log, 0).data)
    return opened


def get_ballot(session: Session, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise BallotNotFound(f"没有第 {ballot_id} 号表决", f"no ballot {ballot_id}")
    return ballot


@dataclass(frozen=True)
class SignedVote:
    """A vote whose Data Integrity proof was checked (off the sequencer, in the request):
    the document exactly as the owner's device signed it, and the DID that signed it."""

    document: Mapping[str, Any]
    signer: str


def check_signed_vote(vote: Mapping[str, Any], verify: VerifySigned) -> SignedVote:
    """What can be checked of a vote without the database: its shape and its signature."""
    if vote.get("type") != "Vote" or not isinstance(vote.get("ballot"), str):
        raise BallotError("这不是一张选票", "this is not a vote")
    Choice.parse(vote.get("choice"))
    signer = verify(vote)
    if vote.get("voter") != signer:
        raise BallotError("选票的签名人与投票人不符", "the vote is not signed by its voter")
    return SignedVote(document=vote, signer=signer)


# Per vote of a batch: its receipt, or why it was refused (the others still count).
CastOutcome = Receipt | Exception


def cast_votes(
    session: Session,
    *,
    store: LogStore,
    checkpoint: Callable[[LogRef], str],
    ballot_id: int,
    votes: Sequence[SignedVote],
    lost: Callable[[Collection[str]], set[str]] = lambda _dids: set(),
    now: datetime | None = None,
) -> list[CastOutcome]:
    """Append a batch of signed votes to one box: one append, one checkpoint for all.

    Each vote is judged on its own — window, census, one vote per voting person (also
    within the batch), keys reported lost (``lost`` names those of the given DIDs) — and the
    refused ones get their reason while the rest are appended. The box's log row is locked
    first, so batches of other processes for the same box queue behind this one and every
    read below sees what they committed. A vote already in the box, byte for byte, gets its
    receipt again (a client retrying after a lost answer), never a second entry."""
    now = now or _now()
    ballot = get_ballot(session, ballot_id)
    log = store.get_log(ballot.log_origin)
    store.lock(log)
    session.refresh(ballot)  # after the lock: the status another process may have changed
    closed = _closed_reason(ballot, now)
    if closed is not None:
        return [closed for _ in votes]
    voters = {
        v.did: v
        for v in session.scalars(
            select(CensusVoter).where(
                CensusVoter.ballot_id == ballot.id,
                CensusVoter.did.in_({v.signer for v in votes}),
            )
        )
    }
    lost_dids = lost({v.signer for v in votes})
    refused: dict[int, Exception] = {}
    kept: dict[int, tuple[int, bytes]] = {}  # position in batch → (index in box, entry)
    accepted: list[tuple[int, str, bytes]] = []  # (position in batch, voter key, entry)
    claimed: set[str] = set()
    for pos, vote in enumerate(votes):
        try:
            if vote.document.get("ballot") != ballot.log_origin:
                raise BallotError("这张选票不属于本次表决", "this vote is not for this ballot")
            if vote.signer in lost_dids:
                raise key_lost()
            data = canonical(dict(vote.document))
            voter = voters.get(vote.signer)
            if voter is None:
                raise _new_key(session, ballot=ballot, did=vote.signer, claimed=claimed)
            if voter.cast_index is not None and store.entry(log, voter.cast_index).data == data:
                kept[pos] = (voter.cast_index, data)
                continue
            if voter.cast_index is not None or voter.voter in claimed:
                raise BallotError("您已投过票，不能重复投票", "you have already voted")
        except (VotingError, LedgerError, IdentityError) as exc:
            refused[pos] = exc
            continue
        claimed.add(voter.voter)
        accepted.append((pos, voter.voter, data))
    if accepted:
        first = store.append(log, [data for _, _, data in accepted])
        index_of = {key: first + i for i, (_, key, _) in enumerate(accepted)}
        # Conditional, so "one person, one vote" holds even if the lock above were bypassed.
        claimed_rows = session.execute(
            update(CensusVoter)
            .where(
                CensusVoter.ballot_id == ballot.id,
                CensusVoter.voter.in_(index_of),
                CensusVoter.cast_index.is_(None),
            )
            .values(cast_index=case(index_of, value=CensusVoter.voter))
            .execution_options(synchronize_session=False)
        )
        if claimed_rows.rowcount != len(index_of):  # type: ignore[attr-defined]
            raise BallotConflict("投票箱正忙，请重试", "the ballot box is busy; please retry")
        kept |= {pos: (first + i, data) for i, (pos, _, data) in enumerate(accepted)}
    note = checkpoint(log) if kept else ""
    return [
        refused[pos]
        if pos in refused
        else Receipt(
            ballot_id=ballot.id,
            index=kept[pos][0],
            leaf_hash=leaf_hash(kept[pos][1]).hex(),
            checkpoint=note,
        )
        for pos in range(len(votes))
    ]


class BallotConflict(BallotError):
    """Another writer changed the box under this batch: nothing was kept; retry."""


def _closed_reason(ballot: Ballot, now: datetime) -> BallotError | None:
    if ballot.status == PROPOSED:
        return BallotError(
            "表决尚待业委会委员签署开启", "the ballot awaits the committee members' signatures"
        )
    if ballot.status == CLOSING:
        return BallotError(
            "业委会已提议结束表决，不能再投票", "the committee has proposed to close the ballot"
        )
    if ballot.status != "open":
        return BallotError("表决已结束，不能再投票", "the ballot is closed")
    if now < ballot.opens_at:
        return BallotError("表决尚未开始", "the ballot has not opened yet")
    if now >= ballot.closes_at:
        return BallotError("表决已截止", "the voting window has ended")
    return None


class KeyChangeNeeded(BallotError):
    """A census member votes with a DID the frozen census does not name — one enrolled, or
    re-enrolled after losing a phone, since the ballot opened. The committee must attest the
    change in the box first (a VoterKeyChanged decision); the vote is refused until then."""

    def __init__(self, voter: str, old: str | None, new: str) -> None:
        super().__init__(
            "您的新密钥须经业委会委员确认后才能投票，已提交业委会",
            "your new key must be confirmed by the committee's members before you can vote; "
            "they have been asked",
        )
        self.voter, self.old, self.new = voter, old, new


def _new_key(
    session: Session, *, ballot: Ballot, did: str, claimed: Collection[str]
) -> VotingError:
    refused = represented_by(session, ballot_id=ballot.id, did=did)
    if refused is not None:  # a second co-owner, or an owner whose guardian votes
        return refused
    person = session.scalar(select(Person).where(Person.did == did))
    voter = (
        None
        if person is None
        else session.scalar(
            select(CensusVoter)
            .where(
                CensusVoter.ballot_id == ballot.id,
                # The row this person votes for: as the owner, or as the owner's guardian.
                or_(
                    (CensusVoter.person_id == person.id) & CensusVoter.guardian_id.is_(None),
                    CensusVoter.guardian_id == person.id,
                ),
            )
            .order_by(CensusVoter.voter)
            .limit(1)
        )
    )
    if voter is None:
        return BallotError("您不在本次表决的业主名册中", "you are not in this ballot's census")
    if voter.cast_index is not None or voter.voter in claimed:
        return BallotError("您已投过票，不能重复投票", "you have already voted")
    return KeyChangeNeeded(voter.voter, voter.did, did)


def draft_key_change(
    ballot: Ballot, *, registration: str, voter: str, old: str | None, new: str
) -> dict[str, Any]:
    return {
        "type": "VoterKeyChanged",
        "ballot": ballot.log_origin,
        "community": ballot.community_slug,
        "registration": registration,
        "voter": voter,
        "oldDid": old,
        "newDid": new,
    }


def apply_key_change(
    session: Session, *, store: LogStore, ballot: Ballot, document: Mapping[str, Any]
) -> int:
    """Append the members' signed VoterKeyChanged and let the new key vote. The old key, if
    any, can no longer vote in this ballot; a vote it already cast stays (and then the
    change is refused: one vote per person)."""
    data = _decided(document, "VoterKeyChanged", ballot)
    log = store.get_log(ballot.log_origin)
    store.lock(log)
    session.refresh(ballot)
    if ballot.status != "open":
        raise BallotError("表决已结束，不能再更换密钥", "the ballot is closed: no key changes")
    old, new = document.get("oldDid"), document.get("newDid")
    # Conditional, so a vote by the old key, or another change, in between refuses this one.
    changed = session.execute(
        update(CensusVoter)
        .where(
            CensusVoter.ballot_id == ballot.id,
            CensusVoter.voter == document.get("voter"),
            CensusVoter.cast_index.is_(None),
            CensusVoter.did.is_(None) if old is None else CensusVoter.did == old,
        )
        .values(did=new)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise BallotError(
            "该业主已投票或密钥已更换，此决定不再适用",
            "this owner has voted or their key changed since: the decision no longer applies",
        )
    return store.append(log, [data])


def decide(matter: int, entries: list[dict[str, Any]], votes: Mapping[str, str]) -> Outcome:
    """Decide from census rows and {voter key: choice}: the very call the verifier repeats."""
    return evaluate(
        Matter.parse(matter), census_of(entries), {k: Choice.parse(v) for k, v in votes.items()}
    )


def _votes_by_voter(session: Session, store: LogStore, ballot: Ballot) -> dict[str, str]:
    log = store.get_log(ballot.log_origin)
    cast = session.execute(
        select(CensusVoter.voter, CensusVoter.cast_index).where(
            CensusVoter.ballot_id == ballot.id, CensusVoter.cast_index.is_not(None)
        )
    ).all()
    out: dict[str, str] = {}
    for voter, index in cast:
        if index is None:  # excluded by the query already; this only narrows the type
            continue
        vote = json.loads(store.entry(log, index).data)
        out[voter] = vote["choice"]
    return out


def draft_result(
    session: Session,
    *,
    store: LogStore,
    ballot_id: int,
    registration: str,
    now: datetime | None = None,
    early: bool = False,
) -> tuple[Ballot, dict[str, Any]]:
    """Close the box to votes and draft the BallotResult the members will sign: when, how
    many votes, the box's size, and the rule engine's outcome over exactly those entries."""
    now = now or _now()
    ballot = get_ballot(session, ballot_id)
    log = store.get_log(ballot.log_origin)
    store.lock(log)  # no vote of a batch in flight can slip in after the count
    session.refresh(ballot)
    if ballot.status != "open":
        raise BallotError("表决不在进行中，不能结束", "the ballot is not open, so it cannot close")
    if now < ballot.closes_at and not early:
        raise BallotError(
            "表决期限未到；如确需提前结束请明确选择提前结束",
            "the voting window has not ended; close early only if you mean to",
        )
    opened = json.loads(store.entry(log, 0).data)
    votes = _votes_by_voter(session, store, ballot)
    outcome = decide(ballot.matter, opened["census"]["voters"], votes)
    ballot.status = CLOSING
    session.flush()
    return ballot, {
        "type": "BallotResult",
        "ballot": ballot.log_origin,
        "community": ballot.community_slug,
        "registration": registration,
        "closedAt": _iso(min(now, ballot.closes_at)),
        "votes": len(votes),
        "boxSize": store.size(log),
        "outcome": outcome.to_json(),
    }


def apply_result(
    session: Session, *, store: LogStore, ballot: Ballot, document: Mapping[str, Any]
) -> int:
    """Append the members' signed BallotResult: the ballot is closed and decided."""
    data = _decided(document, "BallotResult", ballot)
    log = store.get_log(ballot.log_origin)
    store.lock(log)
    session.refresh(ballot)
    if ballot.status != CLOSING or document.get("boxSize") != store.size(log):
        raise BallotError(
            "投票箱在提议结束后有变化，须重新提议", "the box changed since the close was proposed"
        )
    index = store.append(log, [data])
    ballot.status = "closed"
    ballot.result = dict(document["outcome"])
    session.flush()
    return index
