"""What the API and pages show of a ballot, folded from its signed log (`voting.box_state`).

Each box's state is kept in memory and extended as the box grows. Every entry read is
checked against its stored leaf hash, the fold's Merkle root against the newest signed
checkpoint, and that checkpoint's signature against the box key the committee signed into
entry 0. The ballot's table row is then checked against the fold: a row edited in the
database (its result, its status) is reported as an integrity error, never shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ledger.checkpoint import open_checkpoint
from ledger.errors import LedgerError
from ledger.merkle import leaf_hash
from ledger.note_keys import parse_vkey
from ledger.store import LogRef, LogStore
from voting.box_state import BallotIntegrityError, BoxState
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
    status: str  # open | closed
    log_origin: str
    census_root: str
    log_key: str | None  # the box's checkpoint key, as the committee signed it into entry 0
    result: dict[str, Any] | None
    participation: dict[str, Any]


class BallotViews:
    def __init__(self) -> None:
        self._states: dict[int, BoxState] = {}
        self._lock = threading.Lock()

    def of(self, session: Session, ballot: Ballot) -> BoxState:
        store = LogStore(session)
        log = store.get_log(ballot.log_origin)
        head = store.latest_checkpoint(log)
        size = head.checkpoint.size if head is not None else min(store.size(log), 1)
        with self._lock:
            state = self._states.get(ballot.id)
        if state is None or state.size > size:
            state = BoxState.of_opening(_checked(store, log, 0))
        if state.size < size:
            state = _extended(store, log, state, size)
        if head is not None and state.size == head.checkpoint.size:
            _check_head(state, log, head.note)
        _check_row(ballot, state)
        with self._lock:
            known = self._states.get(ballot.id)
            if known is None or known.size <= state.size:
                self._states[ballot.id] = state
        return state

    def shown(self, session: Session, ballot: Ballot) -> ShownBallot:
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
            status="closed" if state.closed is not None else "open",
            log_origin=str(opened["ballot"]),
            census_root=str(opened["census"]["root"]),
            log_key=key if isinstance(key, str) else None,  # None: a box from before logKey
            result=state.result,
            participation=state.participation(),
        )


def _checked(store: LogStore, log: LogRef, index: int) -> bytes:
    entry = store.entry(log, index)
    if leaf_hash(entry.data) != entry.leaf_hash:
        raise _edited(index, "its data does not hash to its leaf")
    return entry.data


def _extended(store: LogStore, log: LogRef, state: BoxState, size: int) -> BoxState:
    # A copy, so a request that fails half-way leaves the shared state as it was.
    grown = BoxState(
        opened=state.opened,
        area_of=state.area_of,
        voter_of=dict(state.voter_of),
        total_area=state.total_area,
        total_heads=state.total_heads,
        voted=dict(state.voted),
        closed=state.closed,
        result=state.result,
        size=state.size,
    )
    grown.tree.peaks = list(state.tree.peaks)
    for entry in store.iter_entries(log, state.size, size):
        if leaf_hash(entry.data) != entry.leaf_hash:
            raise _edited(entry.index, "its data does not hash to its leaf")
        grown.apply(entry.data)
    return grown


def _check_head(state: BoxState, log: LogRef, note: str) -> None:
    try:
        signed = open_checkpoint(
            note, origin=log.origin, log_verifier=parse_vkey(state.opened["logKey"])
        ).checkpoint
    except (LedgerError, KeyError, TypeError) as exc:
        raise _edited(state.size - 1, "the newest checkpoint's signature fails") from exc
    if signed.size != state.size or signed.root != state.tree.root():
        raise _edited(state.size - 1, "the entries do not make the signed tree head")


def _check_row(ballot: Ballot, state: BoxState) -> None:
    status = "closed" if state.closed is not None else "open"
    if ballot.status != status or (ballot.result is not None and ballot.result != state.result):
        raise BallotIntegrityError(
            f"第 {ballot.id} 号表决的数据库记录与签名日志不符，已停止显示并需核查",
            f"ballot {ballot.id}'s table row disagrees with its signed log; "
            "it is not shown until checked",
        )


def _edited(index: int, why: str) -> BallotIntegrityError:
    return BallotIntegrityError(
        f"投票箱第 {index} 条记录与签名日志不符，已停止显示并需核查",
        f"entry {index} of the ballot box does not match its signed log ({why}); "
        "it is not shown until checked",
    )
