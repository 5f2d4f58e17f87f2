"""The API of paper ballots, four eyes (`voting.paper`): one member enters an owner's paper
ballot, the member named to confirm it adds their signature, and only then it counts.

Entering and confirming need no session, as signing a committee decision does not: each
member's proof over the PaperBallot document is their own, checked against the registration
in force, and it is what the box keeps. The pending list is for the committee's members.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from identity.community.committee import Registration
from identity.community.registry import get_community
from ledger.tlog.store import LogStore
from voting import paper
from voting.ballots import get_ballot
from voting.models import PendingPaper
from web.api.ballots import ReceiptPublic, committed_receipt
from web.auth.sessions import BallotCommitteeDep
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors
from web.server.services import Services

router = APIRouter(prefix="/api")


class PaperEntry(BaseModel):
    document: dict[str, Any]  # the PaperBallot without proof, as the member signed it
    proof: dict[str, Any]  # the entering member's Data Integrity proof over it


class PaperConfirmation(BaseModel):
    proof: dict[str, Any]  # the confirming member's proof over the same document


class PendingPaperPublic(BaseModel):
    id: int
    census_entry: str
    entered_by: str
    confirmed_by: str
    entered_at: datetime
    document: dict[str, Any]  # what the confirming member signs


def _public(row: PendingPaper) -> PendingPaperPublic:
    return PendingPaperPublic(
        id=row.id,
        census_entry=row.census_entry,
        entered_by=row.entered_by,
        confirmed_by=row.confirmed_by,
        entered_at=row.entered_at,
        document=paper.paper_document(row),
    )


def _registration(services: Services, session: Session, ballot_id: int) -> Registration:
    return services.registration(
        session, get_community(session, get_ballot(session, ballot_id).community_slug)
    )


@router.post(
    "/ballots/{ballot_id}/paper",
    response_model=PendingPaperPublic,
    status_code=201,
    responses=errors(400, 404, 409),
)
def enter(
    ballot_id: IdPath, body: PaperEntry, session: SessionDep, services: ServicesDep
) -> PendingPaperPublic:
    """A member enters an owner's paper ballot (choices and the scan's SHA-256), naming the
    member who will confirm it; it counts once they have."""
    row = paper.enter_paper(
        session,
        store=LogStore(session),
        ballot_id=ballot_id,
        document=body.document,
        proof=body.proof,
        registration=_registration(services, session, ballot_id),
        state_of=services.state_of(session),
        now=services.clock(),
    )
    shown = _public(row)
    session.commit()
    return shown


@router.get(
    "/ballots/{ballot_id}/paper",
    response_model=list[PendingPaperPublic],
    responses=errors(401, 403, 404),
)
def pending(
    ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep
) -> list[PendingPaperPublic]:
    """The paper ballots awaiting a second member's confirmation (committee members only)."""
    return [_public(row) for row in paper.pending_papers(session, ballot_id)]


@router.post(
    "/ballots/{ballot_id}/paper/{pending_id}/confirm",
    response_model=ReceiptPublic,
    status_code=201,
    responses=errors(400, 404, 409),
)
def confirm(
    ballot_id: IdPath,
    pending_id: IdPath,
    body: PaperConfirmation,
    session: SessionDep,
    services: ServicesDep,
) -> ReceiptPublic:
    """The member named to confirm signs the same document: it goes to the box."""
    store = LogStore(session)
    checkpoint, grown = services.head_signer(store)
    receipt = paper.confirm_paper(
        session,
        store=store,
        checkpoint=checkpoint,
        ballot_id=ballot_id,
        pending_id=pending_id,
        proof=body.proof,
        registration=_registration(services, session, ballot_id),
        state_of=services.state_of(session),
        now=services.clock(),
    )
    return committed_receipt(session, services, receipt, grown)


@router.delete(
    "/ballots/{ballot_id}/paper/{pending_id}",
    status_code=204,
    responses=errors(401, 403, 404, 409),
)
def discard(
    ballot_id: IdPath, pending_id: IdPath, session: SessionDep, who: BallotCommitteeDep
) -> Response:
    """The member who entered a pending paper ballot, or the one named to confirm it, takes
    it back (a slip in entering it); it never reached the box."""
    paper.discard_paper(session, ballot_id=ballot_id, pending_id=pending_id, by=who.did)
    session.commit()
    return Response(status_code=204)
