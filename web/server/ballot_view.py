"""What the API and pages show of a ballot, folded from its signed log (`voting.box_state`).

Each box's state is kept in memory and extended as the box grows. Every entry read is
hashed into the fold's Merkle root, which is checked against the newest signed
checkpoint, and that checkpoint's signature against the box key the committee signed into
entry 0. The ballot's table row is then checked against the fold: a row edited in the
database (its result, its status) is reported as an integrity error, never shown.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ledger.tlog.checkpoint import open_checkpoint
from ledger.tlog.errors import LedgerError
from ledger.tlog.note_keys import parse_vkey
from ledger.tlog.store import LogRef, LogStore
from voting.ballots import CLOSING, DRAFT, RETIRED, BallotNotFound
from voting.box_state import (
    OPEN,
    BallotIntegrityError,
    BoxState,
    broken_entry,
    participation,
)
from voting.models import Ballot


@dataclass(frozen=True)
class ShownBallot:
    """A ballot as pages and the API show it: every field read from the signed log."""

    id: int
    community_slug: str
    matter: int  # the first item's (what a one-matter client shows)
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    status: str  # draft | announced | open | closing | closed | final | cancelled
    log_origin: str
    census_root: str | None  # once opened
    log_key: str | None  # the box's checkpoint key, as the committee signed it into entry 0
    items: list[dict[str, Any]]
    rules: dict[str, Any]
    announced_at: datetime | None
    closed_at: datetime | None
    objections_until: datetime | None
    result: dict[str, Any] | None  # {"items": [...]} once closed
    participation: dict[str, Any]


class BallotViews:
    def __init__(self) -> None:
        self._states: dict[int, BoxState] = {}
        self._heads: dict[int, str] = {}  # ballot → the checkpoint note its state was checked with
        self._lock = threading.Lock()

    def of(self, session: Session, ballot: Ballot) -> BoxState:
        store = LogStore(session)
        log = store.get_log(ballot.log_origin)
        head = store.latest_checkpoint(log)
        size = head.checkpoint.size if head is not None else min(store.size(log), 1)
        with self._lock:
            state = self._states.get(ballot.id)
            checked_with = self._heads.get(ballot.id)
        if state is None or state.size > size:
            state = BoxState.of_announcement(next(_entries(store, log, 0, 1)))
        if state.size < size:
            state = state.copy()  # a request failing half-way leaves the shared state as it was
            for data in _entries(store, log, state.size, size):
                state.apply(data)
        if head is not None and head.note != checked_with:
            _check_head(state, log, head.note)  # once per signed head, not once per request
        _check_row(ballot, state)
        with self._lock:
            known = self._states.get(ballot.id)
            if known is None or known.size <= state.size:
                self._states[ballot.id] = state
                if head is not None:
                    self._heads[ballot.id] = head.note
        return state

    def shown(self, session: Session, ballot: Ballot) -> ShownBallot:
        if ballot.status == DRAFT:
            return _draft(ballot)
        if ballot.status == RETIRED:
            raise BallotNotFound(
                f"第 {ballot.id} 号表决为旧版格式，已归档", f"ballot {ballot.id} is archived"
            )
        state = self.of(session, ballot)
        announced = state.announced
        result = state.result
        return ShownBallot(
            id=ballot.id,
            community_slug=str(announced["community"]),
            matter=int(state.items[0].matter),
            title=str(announced["title"]),
            text=str(announced["text"]),
            opens_at=state.timetable.opens_at,
            closes_at=state.timetable.closes_at,
            status=_status(ballot, state),
            log_origin=str(announced["ballot"]),
            census_root=None if state.opened is None else str(state.opened["census"]["root"]),
            log_key=str(announced["logKey"]),
            items=[i.to_json() for i in state.items],
            rules=state.rules.to_json(),
            announced_at=state.timetable.announced_at,
            closed_at=None if result is None else datetime.fromisoformat(result["closedAt"]),
            objections_until=state.objections_until(),
            result=None if result is None else {"items": result["items"]},
            participation=state.participation(),
        )


def _entries(store: LogStore, log: LogRef, start: int, end: int) -> Iterator[bytes]:
    """Entries [start, end). (The store keeps no leaf hash to disagree with the data: the
    hashes are the data's, and the signed tree head checks them all.)"""
    for entry in store.iter_entries(log, start, end):
        yield entry.data


def _check_head(state: BoxState, log: LogRef, note: str) -> None:
    try:
        signed = open_checkpoint(
            note, origin=log.origin, log_verifier=parse_vkey(state.announced["logKey"])
        ).checkpoint
    except (LedgerError, KeyError, TypeError) as exc:
        raise broken_entry(state.size - 1, "the newest checkpoint's signature fails") from exc
    if signed.size != state.size or signed.root != state.tree.root():
        raise broken_entry(state.size - 1, "the entries do not make the signed tree head")


def _status(ballot: Ballot, state: BoxState) -> str:
    """From the log; "closing" (a close awaiting members' signatures) only adds to "open"."""
    if state.phase == OPEN and ballot.status == CLOSING:
        return CLOSING
    return state.phase


def _draft(ballot: Ballot) -> ShownBallot:
    """A ballot whose announcement awaits members' signatures: nothing is in its box yet,
    so only the draft's row is shown, marked as a draft (no one can vote on it)."""
    return ShownBallot(
        id=ballot.id,
        community_slug=ballot.community_slug,
        matter=ballot.matter,
        title=ballot.title,
        text=ballot.text,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        status=DRAFT,
        log_origin=ballot.log_origin,
        census_root=None,
        log_key=None,
        items=[],
        rules={},
        announced_at=None,
        closed_at=None,
        objections_until=None,
        result=None,
        participation=participation(0, 0, 0, 0),
    )


def _check_row(ballot: Ballot, state: BoxState) -> None:
    allowed = {OPEN, CLOSING} if state.phase == OPEN else {state.phase}
    shown = None if state.result is None else {"items": state.result["items"]}
    if ballot.status not in allowed or (ballot.result is not None and ballot.result != shown):
        raise BallotIntegrityError(
            f"第 {ballot.id} 号表决的数据库记录与签名日志不符，已停止显示并需核查",
            f"ballot {ballot.id}'s table row disagrees with its signed log; "
            "it is not shown until checked",
        )
