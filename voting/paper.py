"""Paper ballots, four eyes: one committee member enters an owner's paper ballot, a second
confirms it, and only then it goes to the box (issue 9 §6).

Both members sign the very document the box keeps. The entering member names the member
who will confirm (the two sit together at the desk), so the document is complete when it
is entered::

    {"type": "PaperBallot", "ballot", "community", "registration" (the one in force),
     "censusEntry", "choices", "scanSha256", "enteredBy", "confirmedBy"}

The entering member's proof over it is checked and the entry kept pending (`PendingPaper`);
the member named in ``confirmedBy`` adds their proof over the same bytes, and the document
with both proofs is appended through the box's fold — refused there if the owner voted
online meanwhile, or the ballot is no longer open. An independent verifier checks the two
proofs again (`voting.verify`). While a paper ballot waits, the owner's online vote is
refused (`voting.ballots.cast_votes`); once the owner voted online, a paper ballot is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from identity.community.committee import Registration, check_share, collect, with_proofs
from identity.w3c.jcs import canonical
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.store import LogRef, LogStore
from voting.ballots import (
    BallotError,
    BallotNotFound,
    Receipt,
    StateOf,
    _locked,
    _refused,
    _window_reason,
    get_ballot,
)
from voting.box_state import BoxState
from voting.errors import VotingError
from voting.models import Ballot, CensusVoter, PendingPaper

FIELDS = frozenset(
    {
        "type",
        "ballot",
        "community",
        "registration",
        "censusEntry",
        "choices",
        "scanSha256",
        "enteredBy",
        "confirmedBy",
    }
)
HEX = frozenset("0123456789abcdef")


class PaperNotFound(BallotNotFound):
    """No paper ballot with that number awaits confirmation in this ballot."""


def _shape(document: object, ballot: Ballot, registration: Registration) -> dict[str, Any]:
    """The PaperBallot as it must be to be signed: exactly its fields, for this ballot,
    under the registration in force (no room for anything else — a name, a note — in a
    document the log keeps for good)."""
    if not isinstance(document, Mapping) or document.get("type") != "PaperBallot":
        raise BallotError("这不是一张纸质选票", "this is not a paper ballot")
    body = dict(document)
    if set(body) != FIELDS:
        raise BallotError(
            "纸质选票须恰好包含规定字段", f"a paper ballot has exactly the fields {sorted(FIELDS)}"
        )
    if body["ballot"] != ballot.log_origin or body["community"] != ballot.community_slug:
        raise BallotError("这张纸质选票不属于本次表决", "this paper ballot is not for this ballot")
    if body["registration"] != registration.hash:
        raise BallotError(
            "纸质选票须引用现行业委会备案，请重新签署",
            "the paper ballot must name the committee's registration in force; sign it again",
        )
    scan = body["scanSha256"]
    if not isinstance(scan, str) or len(scan) != 64 or set(scan) - HEX:
        raise BallotError(
            "扫描件哈希须为64位小写十六进制", "scanSha256 must be 64 lowercase hex digits"
        )
    for who in ("enteredBy", "confirmedBy"):
        if not isinstance(body[who], str) or body[who] not in registration.member_dids:
            raise BallotError(
                f"{who} 须为现任业委会委员", f"{who} must be a registered committee member"
            )
    if body["enteredBy"] == body["confirmedBy"]:
        raise BallotError(
            "纸质选票须由另一名委员确认（四眼原则）",
            "a paper ballot must be confirmed by another member than the one who entered it",
        )
    return body


def _fits(state: BoxState, document: Mapping[str, Any]) -> None:
    """The box's own rules (open, census entry, agenda, not voted online or on paper),
    tried on a copy: nothing changes."""
    try:
        state.copy().accept(document, canonical(dict(document)))
    except VotingError as exc:
        raise _refused(exc) from exc


def enter_paper(
    session: Session,
    *,
    store: LogStore,
    ballot_id: int,
    document: object,
    proof: object,
    registration: Registration,
    state_of: StateOf,
    now: datetime,
) -> PendingPaper:
    """Keep a paper ballot entered by the member who signed it, pending confirmation."""
    ballot = get_ballot(session, ballot_id)
    body = _shape(document, ballot, registration)
    share = check_share(body, proof, registration)  # a registered member signed exactly this
    if share.signer != body["enteredBy"]:
        raise BallotError(
            "录入纸质选票的签名人须为 enteredBy 所列委员",
            "the paper ballot must be signed by the member it names as enteredBy",
        )
    _locked(session, store, ballot)  # the cast path reads pending entries under this lock
    window = _window_reason(ballot, now)
    if window is not None:
        raise window
    _fits(state_of(ballot), with_proofs(body, [share.proof]))
    waiting = session.scalar(
        select(PendingPaper.id).where(
            PendingPaper.ballot_id == ballot.id, PendingPaper.census_entry == body["censusEntry"]
        )
    )
    if waiting is not None:
        raise BallotError(
            f"该业主已有一张待确认的纸质选票（第 {waiting} 号）",
            f"a paper ballot for this owner awaits confirmation already (no. {waiting})",
        )
    row = PendingPaper(
        ballot_id=ballot.id,
        census_entry=body["censusEntry"],
        body=canonical(body).decode(),
        entered_by=share.signer,
        confirmed_by=body["confirmedBy"],
        entry_proof=canonical(dict(share.proof)).decode(),
        entered_at=now.replace(microsecond=0),
    )
    session.add(row)
    session.flush()
    return row


def pending_papers(session: Session, ballot_id: int) -> list[PendingPaper]:
    ballot = get_ballot(session, ballot_id)
    return list(
        session.scalars(
            select(PendingPaper)
            .where(PendingPaper.ballot_id == ballot.id)
            .order_by(PendingPaper.id)
        )
    )


def paper_document(row: PendingPaper) -> dict[str, Any]:
    """The document both members sign (without proof)."""
    body: dict[str, Any] = json.loads(row.body)
    return body


def _pending(session: Session, ballot: Ballot, pending_id: int) -> PendingPaper:
    row = session.get(PendingPaper, pending_id)
    if row is None or row.ballot_id != ballot.id:
        raise PaperNotFound(
            f"没有待确认的第 {pending_id} 号纸质选票",
            f"no paper ballot {pending_id} awaits confirmation in this ballot",
        )
    return row


def confirm_paper(
    session: Session,
    *,
    store: LogStore,
    checkpoint: Callable[[LogRef], str],
    ballot_id: int,
    pending_id: int,
    proof: object,
    registration: Registration,
    state_of: StateOf,
    now: datetime,
) -> Receipt:
    """The second member's proof over the pending paper ballot: both proofs checked under
    the registration in force, and the document with both appended through the fold."""
    ballot = get_ballot(session, ballot_id)
    log = _locked(session, store, ballot)
    row = _pending(session, ballot, pending_id)
    body = paper_document(row)
    if body["registration"] != registration.hash:
        raise BallotError(
            "业委会备案已变更，请删除这张待确认的纸质选票并重新录入",
            "the committee's registration changed since it was entered: discard it and enter "
            "it again",
        )
    share = check_share(body, proof, registration)
    if share.signer == row.entered_by:
        raise BallotError(
            "录入纸质选票的委员不能自己确认（四眼原则）",
            "the member who entered a paper ballot cannot confirm it (four eyes)",
        )
    if share.signer != row.confirmed_by:
        raise BallotError(
            "只有录入时指定的确认委员可以确认这张纸质选票",
            "only the member named to confirm this paper ballot can confirm it",
        )
    window = _window_reason(ballot, now)
    if window is not None:
        raise window
    proofs = [json.loads(row.entry_proof), dict(share.proof)]
    collect(body, proofs, registration)  # both still registered members, and distinct
    document = with_proofs(body, proofs)
    data = canonical(document)
    state = state_of(ballot).copy()
    try:
        state.accept(document, data)
    except VotingError as exc:
        raise _refused(exc) from exc
    index = store.append(log, [data])
    session.execute(
        update(CensusVoter)
        .where(CensusVoter.ballot_id == ballot.id, CensusVoter.voter == row.census_entry)
        .values(cast_index=index)
    )
    session.delete(row)
    session.flush()
    return Receipt(ballot.id, index, leaf_hash(data).hex(), checkpoint(log))


def discard_paper(session: Session, *, ballot_id: int, pending_id: int, by: str) -> None:
    """One of the two members named takes a pending paper ballot back (a slip in entering
    it): nothing of it was in the box."""
    ballot = get_ballot(session, ballot_id)
    row = _pending(session, ballot, pending_id)
    if by not in (row.entered_by, row.confirmed_by):
        raise BallotError(
            "只有录入或指定确认的委员可以删除这张纸质选票",
            "only the member who entered this paper ballot, or the one named to confirm it, "
            "can discard it",
        )
    session.delete(row)
    session.flush()
