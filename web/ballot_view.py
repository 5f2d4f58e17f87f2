"""What the API and pages show of a ballot, folded from its signed log (`voting.box_state`).

Each box's state is kept in memory and extended as the box grows. Every entry read is
checked against its stored leaf hash, the fold's Merkle root against the newest signed
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
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.note_keys import parse_vkey
from ledger.tlog.store import LogRef, LogStore
from voting.ballots import CLOSING, PROPOSED
from voting.box_state import BallotIntegrityError, BoxState, broken_entry, participation
from voting.models import Ballot


@dataclass(frozen=True)
class ShownBallot:
    """A ballot as pages and the API show it: every field read from the signed log."""

    id: int
    community_slug: str
    matter: int
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    status: str  # proposed | open | closing | closed
    log_origin: str
    census_root: str
    log_key: str | None  # the box's checkpoint key, as the committee signed it into entry 0
    result: dict[str, Any] | None
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
            state = BoxState.of_opening(next(_entries(store, log, 0, 1)))
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
        if ballot.status == PROPOSED:
            return _proposed(ballot)
        state = self.of(session, ballot)
        opened = state.opened
        key = opened.get("logKey")
        return ShownBallot(
            id=ballot.id,
            community_slug=str(opened["community"]),
            matter=int(opened["matter"]),
            title=str(opened["title"]),
            text=str(opened["text"]),
            opens_at=datetime.fromisoformat(opened["opensAt"]),
            closes_at=datetime.fromisoformat(opened["closesAt"]),
            status=_status(ballot, state),
            log_origin=str(opened["ballot"]),
            census_root=str(opened["census"]["root"]),
            log_key=key if isinstance(key, str) else None,  # None: a box from before logKey
            result=state.result,
            participation=state.participation(),
        )


def _entries(store: LogStore, log: LogRef, start: int, end: int) -> Iterator[bytes]:
    """Entries [start, end), each checked against its stored leaf hash."""
    for entry in store.iter_entries(log, start, end):
        if leaf_hash(entry.data) != entry.leaf_hash:
            raise broken_entry(entry.index, "its data does not hash to its leaf")
        yield entry.data


def _check_head(state: BoxState, log: LogRef, note: str) -> None:
    try:
        signed = open_checkpoint(
            note, origin=log.origin, log_verifier=parse_vkey(state.opened["logKey"])
        ).checkpoint
    except (LedgerError, KeyError, TypeError) as exc:
        raise broken_entry(state.size - 1, "the newest checkpoint's signature fails") from exc
    if signed.size != state.size or signed.root != state.tree.root():
        raise broken_entry(state.size - 1, "the entries do not make the signed tree head")


def _status(ballot: Ballot, state: BoxState) -> str:
    """From the log; "closing" (a close awaiting members' signatures) only adds to "open"."""
    if state.closed is not None:
        return "closed"
    return CLOSING if ballot.status == CLOSING else "open"


def _proposed(ballot: Ballot) -> ShownBallot:
    """A ballot whose opening awaits members' signatures: nothing is in its box yet, so
    only the draft is shown, marked as proposed (no one can vote on it)."""
    return ShownBallot(
        id=ballot.id,
        community_slug=ballot.community_slug,
        matter=ballot.matter,
        title=ballot.title,
        text=ballot.text,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        status=PROPOSED,
        log_origin=ballot.log_origin,
        census_root=ballot.census_root,
        log_key=None,
        result=None,
        participation=participation(0, 0, ballot.total_area_centi, ballot.total_headcount),
    )


def _check_row(ballot: Ballot, state: BoxState) -> None:
    allowed = {"closed"} if state.closed is not None else {"open", CLOSING}
    if ballot.status not in allowed or (
        ballot.result is not None and ballot.result != state.result
    ):
        raise BallotIntegrityError(
            f"第 {ballot.id} 号表决的数据库记录与签名日志不符，已停止显示并需核查",
            f"ballot {ballot.id}'s table row disagrees with its signed log; "
            "it is not shown until checked",
        )
