"""What only the committee sees while a ballot is open: who has not voted yet.

Only census keys, DIDs and unit numbers (the public census) — the committee reaches the
owners themselves through its own owner pages, never through this list.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from voting.area import Area
from voting.ballots import get_ballot
from voting.models import CensusVoter
from web.auth import BallotCommitteeDep
from web.bounds import IdPath
from web.deps import SessionDep
from web.error_responses import errors

router = APIRouter(prefix="/api")


class PendingVoter(BaseModel):
    voter: str
    units: list[str]
    area: str
    enrolled: bool


class Pending(BaseModel):
    ballot_id: int
    pending: list[PendingVoter]


@router.get("/ballots/{ballot_id}/pending", response_model=Pending, responses=errors(401, 403, 404))
def pending(ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep) -> Pending:
    ballot = get_ballot(session, ballot_id)
    rows = session.scalars(
        select(CensusVoter)
        .where(CensusVoter.ballot_id == ballot.id, CensusVoter.cast_index.is_(None))
        .order_by(CensusVoter.voter)
    )
    return Pending(
        ballot_id=ballot.id,
        pending=[
            PendingVoter(
                voter=v.voter,
                units=list(v.units),
                area=str(Area(hundredths=v.area_centi)),
                enrolled=v.did is not None,
            )
            for v in rows
        ],
    )
