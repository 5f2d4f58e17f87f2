"""A ballot's life on the server: announce, open (freeze the census), cast, close with a
preliminary result, take objections and answer them, confirm the final result.

Every step is an entry in the ballot's own append-only log (the entries and the rules
between them are read by one fold, `voting.box_state`, which the pages and the verifier
share), so the record anyone can export and re-check is exactly what was appended.

The committee's acts — announcing, opening, cancelling, closing, answering an objection,
confirming, re-keying a voter — are committee decisions (`identity.community.committee`):
the server drafts each document here (``draft_*``), the members sign it on their own
devices, and only the signed document, once enough members have signed, is appended
(``apply_*``). Owners' documents (votes, proxy mandates and their withdrawal, objections)
are signed on the owners' devices. Nothing here signs for anyone.

Every function that needs the time takes ``now``: the server's clock is one input among
others, so the timetable's rules are tested by giving times, not by waiting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
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
from voting.box_state import (
    ANNOUNCED,
    CLOSED,
    OPEN,
    BoxState,
    EntryRefused,
    parse_time,
)
from voting.census_freeze import (
    entry_needed,
    freeze_census,
    guardian_replaced,
    key_rows,
    represented_by,
    store_census,
)
from voting.errors import VotingError
from voting.items import parse_items
from voting.models import Ballot, CensusRepresented, CensusVoter, PendingPaper
from voting.schedule import (
    RETENTION,
    Rules,
    Timetable,
    check_announcement,
    objections_until,
)

# A vote verifier checks a signed document and returns the DID that signed it (raises if bad).
VerifySigned = Callable[[Mapping[str, Any]], str]
# The verifier key (C2SP signed-note vkey) that will sign a new log's checkpoints.
LogKeyOf = Callable[[LogRef], str]
# The box's state folded from its log, read after the log's lock is held (the caller
# checks it against the newest signed head).
StateOf = Callable[[Ballot], BoxState]

# Ballot.status: the box's phase, plus the drafts awaiting members' signatures.
DRAFT = "draft"  # announcement awaiting signatures: nothing is in the log
CLOSING = "closing"  # a BallotResult awaiting signatures: votes are refused
FINAL, CANCELLED = "final", "cancelled"
RETIRED = "retired"  # a box of the one-matter format, before announcements (migration 0006)
PROPOSED = DRAFT  # the name earlier code used

OPTIONS = [
    {"value": "agree", "zh": "同意", "en": "agree"},
    {"value": "oppose", "zh": "反对", "en": "oppose"},
    {"value": "abstain", "zh": "弃权", "en": "abstain"},
]
# The census may be frozen this long before the window opens: members sign the opening the
# evening before, and votes are taken only from opensAt.
OPENING_LEAD = timedelta(days=1)


class BallotError(VotingError):
    """A ballot operation that is not allowed (closed, outside its window, double vote…)."""


class BallotNotFound(BallotError):
    """No ballot has the given number."""


class BallotSpecError(BallotError):
    """A ballot asked to open is malformed: title, text, items, or its timetable."""


class BallotConflict(BallotError):
    """Another writer changed the box under this batch: nothing was kept; retry."""


@dataclass(frozen=True)
class Receipt:
    ballot_id: int
    index: int
    leaf_hash: str
    checkpoint: str


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refused(exc: VotingError) -> BallotError:
    return exc if isinstance(exc, BallotError) else BallotError(exc.zh, exc.en, where=exc.where)


def get_ballot(session: Session, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise BallotNotFound(f"没有第 {ballot_id} 号表决", f"no ballot {ballot_id}")
    return ballot


def _locked(session: Session, store: LogStore, ballot: Ballot) -> LogRef:
    """The box's log, locked: writers of other processes queue behind this one, and the row
    is re-read so its status is the one they committed."""
    log = store.get_log(ballot.log_origin)
    store.lock(log)
    session.refresh(ballot)
    return log


def _decided(document: Mapping[str, Any], kind: str, ballot: Ballot) -> bytes:
    """The signed decision as the box keeps it, after the checks every apply makes."""
    if document.get("type") != kind or document.get("ballot") != ballot.log_origin:
        raise BallotError("该决定不属于这次表决", f"this decision is not the {kind} of this ballot")
    if not isinstance(document.get("proof"), list):
        raise BallotError("决定缺少委员签名", "the decision carries no members' signatures")
    return canonical(dict(document))


def _fold_in(state: BoxState, document: Mapping[str, Any], data: bytes) -> None:
    try:
        state.copy().accept(document, data)
    except VotingError as exc:
        raise _refused(exc) from exc


def _append_decision(
    session: Session,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    kind: str,
    state_of: StateOf,
    *,
    status: str | None = None,
) -> int:
    """Append the members' signed ``kind`` once the box's fold takes it; ``status`` is the
    ballot's phase afterwards, if it changes."""
    data = _decided(document, kind, ballot)
    _locked(session, store, ballot)
    _fold_in(state_of(ballot), document, data)
    index = store.append(store.get_log(ballot.log_origin), [data])
    if status is not None:
        ballot.status = status
        session.flush()
    return index


def _decision_head(ballot: Ballot, kind: str, registration: str) -> dict[str, Any]:
    return {
        "type": kind,
        "ballot": ballot.log_origin,
        "community": ballot.community_slug,
        "registration": registration,
    }


# --- announcing ----------------------------------------------------------------------------


def legacy_items(
    matter: int, title: str, text: str, amount_fen: int | None
) -> list[dict[str, Any]]:
    """A one-matter ballot (the API's earlier form) as a one-item agenda."""
    item: dict[str, Any] = {"id": "1", "kind": "motion", "matter": matter, "title": title}
    item |= {"text": text, "attachments": []}
    return [item | ({} if amount_fen is None else {"amountFen": amount_fen})]


def draft_announcement(
    session: Session,
    *,
    store: LogStore,
    community: Community,
    registration: str,
    public_host: str,
    title: str,
    text: str,
    items: object,
    rules: Rules,
    opens_at: datetime,
    closes_at: datetime,
    log_key: LogKeyOf,
    now: datetime,
) -> tuple[Ballot, dict[str, Any]]:
    """Create the (empty) ballot box and draft its BallotAnnounced: the notice, the agenda
    (locked from here: nothing outside it can be voted on), the rules, the timetable.

    ``log_key`` names the verifier key of the box's checkpoint signer; the committee signs it
    into the entry as ``logKey``, so an owner's device checks every checkpoint against a key
    the committee vouched for rather than one the server merely reports.
    """
    title, text = title.strip(), text.strip()
    if not title or len(title) > 200:
        raise BallotSpecError("标题不能为空且不超过200字", "the title must be 1–200 characters")
    if not text or len(text) > 20000:
        raise BallotSpecError(
            "公告正文不能为空且不超过20000字", "the notice text must be 1–20000 characters"
        )
    try:
        parsed = parse_items(items)
    except VotingError as exc:
        raise BallotSpecError(exc.zh, exc.en, where=exc.where or "items") from exc
    # Whole seconds: the signed entry names times to the second, and what is shown is read
    # from it, so the row must not keep a finer time than the log.
    now, opens_at, closes_at = (t.replace(microsecond=0) for t in (now, opens_at, closes_at))
    try:
        check_announcement(rules, Timetable(now, opens_at, closes_at), now)
    except VotingError as exc:
        raise BallotSpecError(exc.zh, exc.en, where=exc.where) from exc
    ballot = Ballot(
        community_slug=community.slug,
        matter=int(parsed[0].matter),
        title=title,
        text=text,
        opens_at=opens_at,
        closes_at=closes_at,
        status=DRAFT,
        log_origin="",
        census_root="",
        total_area_centi=0,
        total_headcount=0,
    )
    session.add(ballot)
    session.flush()
    ballot.log_origin = ballot_origin(public_host, community.slug, ballot.id)
    log = store.create_log(ballot.log_origin, "ballot")
    body = _decision_head(ballot, "BallotAnnounced", registration) | {
        "title": title,
        "text": text,
        "items": [i.to_json() for i in parsed],
        "rules": rules.to_json(),
        "announcedAt": _iso(now),
        "opensAt": _iso(opens_at),
        "closesAt": _iso(closes_at),
        "logKey": _box_key(log_key(log), log.origin),
    }
    BoxState.announce(body)  # the very checks every reader of the box makes
    session.flush()
    return ballot, body


def apply_announcement(
    session: Session, *, store: LogStore, ballot: Ballot, document: Mapping[str, Any], now: datetime
) -> int:
    """Append the members' signed BallotAnnounced as entry 0: the notice is out."""
    data = _decided(document, "BallotAnnounced", ballot)
    log = _locked(session, store, ballot)
    if ballot.status != DRAFT or store.size(log) != 0:
        raise BallotError("表决已公告或已撤回", "the ballot has been announced or withdrawn")
    rules = Rules.parse(document["rules"])
    if now + timedelta(days=rules.notice_days) > parse_time(document["opensAt"], "opensAt"):
        # Signed too late: owners would get less notice than the rules promise.
        raise BallotError(
            f"签署完成时距开始投票已不足 {rules.notice_days} 天，请重新拟定开始时间",
            f"the members signed too late for {rules.notice_days} days' notice before voting "
            "opens; propose again with a later opening",
        )
    store.append(log, [data])
    ballot.status = ANNOUNCED
    session.flush()
    return 0


def draft_cancel(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    registration: str,
    reason: str,
    now: datetime,
) -> dict[str, Any]:
    if ballot.status != ANNOUNCED:
        raise BallotError(
            "只有已公告、尚未开始投票的表决可以取消",
            "only an announced ballot that has not opened can be cancelled",
        )
    reason = reason.strip()
    if not 1 <= len(reason) <= 2000:
        raise BallotSpecError(
            "请写明取消理由（2000字以内）", "give a reason (up to 2000 characters)"
        )
    return _decision_head(ballot, "BallotCancelled", registration) | {
        "cancelledAt": _iso(now),
        "reason": reason,
    }


def apply_cancel(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    return _append_decision(
        session, store, ballot, document, "BallotCancelled", state_of, status=CANCELLED
    )


# --- opening -------------------------------------------------------------------------------


def draft_opening(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    community: Community,
    registration: str,
    now: datetime,
) -> dict[str, Any]:
    """Freeze the census from the register as it stands and draft the BallotOpened the
    members will sign. Later register changes do not touch it."""
    if ballot.status != ANNOUNCED:
        raise BallotError("表决尚未公告或已开启", "the ballot is not announced, or already open")
    if now < ballot.opens_at - OPENING_LEAD:
        raise BallotError(
            "公告期未满：最早可在开始投票前一天冻结名册",
            "the notice period is running: the census is frozen at most a day before voting",
        )
    if now >= ballot.closes_at:
        raise BallotError("表决期已过，不能再开启", "the voting window has passed")
    frozen = freeze_census(session, community)
    entries, root, total = frozen.entries, frozen.root, frozen.total
    # A re-proposed opening replaces the earlier draft's census.
    session.execute(delete(CensusVoter).where(CensusVoter.ballot_id == ballot.id))
    session.execute(delete(CensusRepresented).where(CensusRepresented.ballot_id == ballot.id))
    store_census(session, ballot.id, frozen)
    ballot.census_root = root.hex()
    ballot.total_area_centi, ballot.total_headcount = total.area.hundredths, total.headcount
    session.flush()
    return _decision_head(ballot, "BallotOpened", registration) | {
        "openedAt": _iso(now),
        "census": {"root": root.hex(), "voters": entries, "total": total.to_json()},
    }


def apply_opening(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    """Append the members' signed BallotOpened: the census is frozen, votes are taken."""
    data = _decided(document, "BallotOpened", ballot)
    _locked(session, store, ballot)
    if document.get("census", {}).get("root") != ballot.census_root:
        raise BallotError(
            "名册已重新冻结，此开启决定不再适用",
            "the census was frozen again since: this opening no longer applies",
        )
    _fold_in(state_of(ballot), document, data)
    index = store.append(store.get_log(ballot.log_origin), [data])
    ballot.status = OPEN
    session.flush()
    return index


# --- casting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedVote:
    """A vote whose Data Integrity proof was checked (off the sequencer, in the request):
    the document exactly as the owner's device signed it, and the DID that signed it."""

    document: Mapping[str, Any]
    signer: str


def check_signed_vote(vote: Mapping[str, Any], verify: VerifySigned) -> SignedVote:
    """What can be checked of a vote without the database: its shape and its signature."""
    if vote.get("type") != "Vote" or not isinstance(vote.get("ballot"), str):
        raise BallotError("这不是一张选票", "this is not a vote", code="malformed")
    if not isinstance(vote.get("choices"), Mapping) or not vote["choices"]:
        raise BallotError(
            "选票须对至少一个事项作出选择",
            "a vote must choose on at least one item",
            code="malformed",
        )
    entry = vote.get("censusEntry")
    if entry is not None and not isinstance(entry, str):
        raise BallotError(
            "censusEntry 须为名册编号", "censusEntry must be a census key", code="malformed"
        )
    signer = verify(vote)
    if vote.get("voter") != signer:
        raise BallotError(
            "选票的签名人与投票人不符", "the vote is not signed by its voter", code="wrong_signer"
        )
    return SignedVote(document=vote, signer=signer)


# Per vote of a batch: its receipt, or why it was refused (the others still count).
CastOutcome = Receipt | Exception


def _window_reason(ballot: Ballot, now: datetime) -> BallotError | None:
    if ballot.status == DRAFT:
        return BallotError(
            "表决尚待业委会委员签署公告",
            "the ballot awaits the members' signatures",
            code="not_open",
        )
    if ballot.status == ANNOUNCED:
        return BallotError(
            "表决尚在公告期，尚未开始投票", "the ballot is announced, not open yet", code="not_open"
        )
    if ballot.status == CLOSING:
        return BallotError(
            "业委会已提议结束表决，不能再投票",
            "the committee has proposed to close the ballot",
            code="not_open",
        )
    if ballot.status != OPEN:
        return BallotError("表决已结束，不能再投票", "the ballot is closed", code="not_open")
    if now < ballot.opens_at:
        return BallotError("表决尚未开始", "the ballot has not opened yet", code="outside_window")
    if now >= ballot.closes_at:
        return BallotError("表决已截止", "the voting window has ended", code="outside_window")
    return None


def cast_votes(
    session: Session,
    *,
    store: LogStore,
    checkpoint: Callable[[LogRef], str],
    ballot_id: int,
    votes: Sequence[SignedVote],
    state_of: StateOf,
    now: datetime,
    lost: Callable[[Collection[str]], set[str]] = lambda _dids: set(),
) -> list[CastOutcome]:
    """Append a batch of signed votes to one box: one append, one checkpoint for all.

    Each vote is judged on its own by the box's fold (census, agenda, one counted vote per
    voting person — or the last, if the rules say so — proxies, paper) after the window and
    the keys reported lost (``lost`` names those of the given DIDs); the refused ones get
    their reason while the rest are appended. The box's log row is locked first, so batches
    of other processes for the same box queue behind this one and the fold sees what they
    committed. A vote already in the box, byte for byte, gets its receipt again (a client
    retrying after a lost answer), never a second entry."""
    ballot = get_ballot(session, ballot_id)
    log = _locked(session, store, ballot)
    closed = _window_reason(ballot, now)
    if closed is not None:
        return [closed for _ in votes]
    state = state_of(ballot).copy()
    signers = {v.signer for v in votes}
    lost_dids = lost(signers)
    # Keys that hold several census rows must say which one each vote is for; keys of a
    # guardian the committee has since replaced may no longer vote for that ward.
    rows = key_rows(session, ballot_id=ballot.id, dids=signers)
    several, displaced = rows.several, rows.displaced
    # Owners whose paper ballot awaits a second member's confirmation (`voting.paper`).
    on_paper = set(
        session.scalars(
            select(PendingPaper.census_entry).where(PendingPaper.ballot_id == ballot.id)
        )
    )
    refused: dict[int, Exception] = {}
    kept: dict[int, tuple[int, bytes]] = {}  # position in batch → (index in box, entry)
    accepted: list[tuple[int, bytes]] = []
    counted: dict[str, int] = {}  # voter key → index of its counted vote, this batch
    first = state.size
    for pos, vote in enumerate(votes):
        document = dict(vote.document)
        try:
            if document.get("ballot") != ballot.log_origin:
                raise BallotError(
                    "这张选票不属于本次表决",
                    "this vote is not for this ballot",
                    code="wrong_ballot",
                )
            if vote.signer in lost_dids:
                raise key_lost()
            if "censusEntry" not in document and vote.signer in several:
                raise entry_needed(several[vote.signer])
            entry = document.get("censusEntry", state.voter_of.get(vote.signer))
            if (vote.signer, entry) in displaced:
                raise guardian_replaced()
            if vote.signer not in state.voter_of and not (
                isinstance(entry, str) and state.proxy_for(entry, vote.signer)
            ):
                raise _new_key(session, ballot=ballot, did=vote.signer, state=state, named=entry)
            if entry in on_paper:
                raise BallotError(
                    "该业主的纸质选票正待另一名委员确认，不能在线投票",
                    "a paper ballot of this owner awaits a second member's confirmation, so "
                    "they cannot vote online",
                )
            data = canonical(document)
            again = state.cast_at.get(str(entry))
            if again is not None and _entry_data(store, log, again, accepted, first) == data:
                kept[pos] = (again, data)
                continue
            state.accept(document, data)
        except (VotingError, LedgerError, IdentityError) as exc:
            refused[pos] = _refused(exc) if isinstance(exc, EntryRefused) else exc
            continue
        counted[str(entry)] = state.size - 1
        kept[pos] = (state.size - 1, data)
        accepted.append((pos, data))
    if accepted:
        start = store.append(log, [data for _, data in accepted])
        if start != first:
            raise BallotConflict("投票箱正忙，请重试", "the ballot box is busy; please retry")
        session.execute(
            update(CensusVoter)
            .where(CensusVoter.ballot_id == ballot.id, CensusVoter.voter.in_(counted))
            .values(cast_index=case(counted, value=CensusVoter.voter))
            .execution_options(synchronize_session=False)
        )
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


def _entry_data(
    store: LogStore, log: LogRef, index: int, accepted: Sequence[tuple[int, bytes]], first: int
) -> bytes:
    """Entry ``index``: appended before this batch, or accepted earlier in it."""
    if index >= first:
        return accepted[index - first][1]
    return store.entry(log, index).data


class KeyChangeNeeded(BallotError):
    """A census member votes with a DID the frozen census does not name — one enrolled, or
    re-enrolled after losing a phone, since the ballot opened. The committee must attest the
    change in the box first (a VoterKeyChanged decision); the vote is refused until then."""

    def __init__(self, voter: str, old: str | None, new: str) -> None:
        super().__init__(
            "您的新密钥须经业委会委员确认后才能投票，已提交业委会",
            "your new key must be confirmed by the committee's members before you can vote; "
            "they have been asked",
            code="key_change_needed",
        )
        self.voter, self.old, self.new = voter, old, new


def _new_key(
    session: Session, *, ballot: Ballot, did: str, state: BoxState, named: object = None
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
                # The row this person votes for: as the owner, or as the owner's guardian —
                # the one frozen, or the one the committee has recorded since (a ward's row
                # then moves to the new guardian's key by the same VoterKeyChanged).
                or_(
                    (CensusVoter.person_id == person.id) & CensusVoter.guardian_id.is_(None),
                    CensusVoter.guardian_id == person.id,
                    CensusVoter.guardian_id.is_not(None)
                    & CensusVoter.person_id.in_(
                        select(Person.id).where(Person.guardian_id == person.id)
                    ),
                ),
            )
            # The entry the vote names first, if it is one of theirs (a guardian of several).
            .order_by(case((CensusVoter.voter == str(named), 0), else_=1), CensusVoter.voter)
            .limit(1)
        )
    )
    if voter is None and isinstance(named, str) and named in state.rows:
        # A vote for another owner's entry by a key the census does not name: a proxy whose
        # mandate was withdrawn (or never given) — say that, not "not in the census".
        return BallotError(
            "您不是该业主，也未获其有效委托（委托可能已撤回）",
            "you are not this owner nor their proxy (a mandate may have been withdrawn)",
        )
    if voter is None:
        return BallotError(
            "您不在本次表决的业主名册中",
            "you are not in this ballot's census",
            code="not_in_census",
        )
    if voter.voter in state.votes:
        return BallotError("您已投过票，不能重复投票", "you have already voted", code="twice")
    return KeyChangeNeeded(voter.voter, state.did_of.get(voter.voter), did)


def draft_key_change(
    ballot: Ballot, *, registration: str, voter: str, old: str | None, new: str
) -> dict[str, Any]:
    return _decision_head(ballot, "VoterKeyChanged", registration) | {
        "voter": voter,
        "oldDid": old,
        "newDid": new,
    }


def apply_key_change(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    """Append the members' signed VoterKeyChanged and let the new key vote. The old key, if
    any, can no longer vote in this ballot; a vote it already cast stays (and then the
    change is refused: one vote per person)."""
    data = _decided(document, "VoterKeyChanged", ballot)
    _locked(session, store, ballot)
    if ballot.status != OPEN:
        raise BallotError("表决已结束，不能再更换密钥", "the ballot is closed: no key changes")
    try:
        _fold_in(state_of(ballot), document, data)
    except BallotError as exc:
        raise BallotError(
            "该业主已投票或密钥已更换，此决定不再适用",
            "this owner has voted or their key changed since: the decision no longer applies",
        ) from exc
    session.execute(
        update(CensusVoter)
        .where(CensusVoter.ballot_id == ballot.id, CensusVoter.voter == document["voter"])
        .values(did=document["newDid"])
    )
    return store.append(store.get_log(ballot.log_origin), [data])


# --- owners' other documents: proxy mandates, withdrawals, objections ----------------------

OWNER_DOCUMENTS = {
    "ProxyMandate": "owner",
    "ProxyWithdrawal": "owner",
    "Objection": "voter",
}


def append_owner_document(
    session: Session,
    *,
    store: LogStore,
    checkpoint: Callable[[LogRef], str],
    ballot_id: int,
    document: Mapping[str, Any],
    signer: str,
    state_of: StateOf,
    now: datetime,
) -> Receipt:
    """Append an owner's signed mandate, withdrawal or objection, after the fold's checks
    and the time's: mandates while voting runs, objections within the objection window."""
    kind = str(document.get("type"))
    if kind not in OWNER_DOCUMENTS or document.get(OWNER_DOCUMENTS[kind]) != signer:
        raise BallotError("文件类型有误或不是由本人签名", "not an owner's document signed by them")
    ballot = get_ballot(session, ballot_id)
    log = _locked(session, store, ballot)
    state = state_of(ballot).copy()
    if kind == "Objection":
        until = state.objections_until()
        if until is None or now > until or state.phase != CLOSED:
            raise BallotError("不在异议期内", "outside the objection window")
    else:
        window = _window_reason(ballot, now)
        if window is not None:
            raise window
    data = canonical(dict(document))
    try:
        state.accept(document, data)
    except VotingError as exc:
        raise _refused(exc) from exc
    index = store.append(log, [data])
    return Receipt(ballot.id, index, leaf_hash(data).hex(), checkpoint(log))


# --- closing, objections, final ------------------------------------------------------------


def draft_result(
    session: Session,
    *,
    store: LogStore,
    ballot_id: int,
    registration: str,
    state_of: StateOf,
    now: datetime,
    early: bool = False,
) -> tuple[Ballot, dict[str, Any]]:
    """Close the box to votes and draft the BallotResult the members will sign: when, how
    many votes, the box's size, each item's outcome over exactly those entries, and the
    objection window that now runs."""
    ballot = get_ballot(session, ballot_id)
    _locked(session, store, ballot)  # no vote of a batch in flight can slip in after the count
    if ballot.status != OPEN:
        raise BallotError("表决不在进行中，不能结束", "the ballot is not open, so it cannot close")
    if now < ballot.closes_at and not early:
        raise BallotError(
            "表决期限未到；如确需提前结束请明确选择提前结束",
            "the voting window has not ended; close early only if you mean to",
        )
    waiting = session.scalar(
        select(func.count()).select_from(PendingPaper).where(PendingPaper.ballot_id == ballot.id)
    )
    if waiting:
        # A paper ballot entered in time must be counted or discarded, never silently lost.
        raise BallotError(
            f"还有 {waiting} 张纸质选票待第二名委员确认：请先确认或撤销，再结束表决",
            f"{waiting} paper ballots await a second member's confirmation: confirm or discard "
            "them before closing",
        )
    state = state_of(ballot)
    closed_at = min(now, ballot.closes_at).replace(microsecond=0)
    ballot.status = CLOSING
    session.flush()
    return ballot, _decision_head(ballot, "BallotResult", registration) | {
        "closedAt": _iso(closed_at),
        "votes": len(state.votes),
        "boxSize": state.size,
        "objectionsUntil": _iso(objections_until(state.rules, closed_at)),
        "items": state.tally(),
    }


def apply_result(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    """Append the members' signed BallotResult: the ballot is closed, its preliminary result
    published, and the objection window runs."""
    data = _decided(document, "BallotResult", ballot)
    _locked(session, store, ballot)
    if ballot.status != CLOSING:
        raise BallotError("表决未提议结束", "the ballot's close was not proposed")
    try:
        _fold_in(state_of(ballot), document, data)
    except BallotError as exc:
        raise BallotError(
            "投票箱在提议结束后有变化，须重新提议", "the box changed since the close was proposed"
        ) from exc
    index = store.append(store.get_log(ballot.log_origin), [data])
    ballot.status = CLOSED
    ballot.result = {"items": document["items"]}
    session.flush()
    return index


def draft_answer(
    ballot: Ballot, *, registration: str, objection: int, answer: str, state: BoxState
) -> dict[str, Any]:
    if objection not in state.objections or objection in state.answered:
        raise BallotError("没有待答复的该条异议", "no such unanswered objection")
    answer = answer.strip()
    if not 1 <= len(answer) <= 5000:
        raise BallotSpecError("答复须为1至5000字", "an answer must be 1–5000 characters")
    return _decision_head(ballot, "ObjectionAnswered", registration) | {
        "objection": objection,
        "answer": answer,
    }


def apply_answer(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    return _append_decision(session, store, ballot, document, "ObjectionAnswered", state_of)


def draft_final(
    ballot: Ballot, *, registration: str, state: BoxState, now: datetime
) -> dict[str, Any]:
    if state.phase != CLOSED or state.result_index is None:
        raise BallotError("表决尚无初步结果或已最终确认", "no preliminary result to confirm")
    until = state.objections_until()
    if until is not None and now < until:
        raise BallotError(
            f"异议期至 {_iso(until)} 届满，届满后才能最终确认",
            f"the objection window runs until {_iso(until)}; confirm after it",
        )
    if set(state.objections) != state.answered:
        raise BallotError("仍有异议未答复", "some objections are not answered yet")
    final_at = now.replace(microsecond=0)
    return _decision_head(ballot, "BallotFinal", registration) | {
        "finalAt": _iso(final_at),
        "result": state.result_index,
        "objections": sorted(state.objections),
        "retainUntil": _iso(final_at + RETENTION),
    }


def apply_final(
    session: Session,
    *,
    store: LogStore,
    ballot: Ballot,
    document: Mapping[str, Any],
    state_of: StateOf,
    now: datetime,
) -> int:
    return _append_decision(session, store, ballot, document, "BallotFinal", state_of, status=FINAL)


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


def announced_entry(store: LogStore, log: LogRef) -> dict[str, Any]:
    """Entry 0 of a ballot box, the committee-signed BallotAnnounced, as appended."""
    announced: dict[str, Any] = json.loads(store.entry(log, 0).data)
    return announced
