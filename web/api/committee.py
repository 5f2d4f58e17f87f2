"""What only the committee sees while a ballot is open: who has not voted yet, by building,
also as CSV and Excel to knock on doors; and the votes the box refused.

Only census keys, unit numbers, areas and whether a person has enrolled — what the
committee's owner pages show (`web.api.identity.owners`), no names, ID or phone numbers:
the committee reaches the owners themselves through its own register, never through this.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.models import Unit
from identity.community.registry import get_community
from voting.area import Area
from voting.ballots import get_ballot
from voting.models import Ballot, CensusVoter
from web.api.turnout import (
    CensusRow,
    Turnout,
    building_of,
    multi_building_units,
    natural_key,
    turnout,
)
from web.api.turnout_export import pending_csv, pending_xlsx
from web.auth.sessions import BallotCommitteeDep
from web.server import refusals
from web.server.bounds import IdPath
from web.server.deps import SessionDep
from web.server.error_responses import errors, text_errors

router = APIRouter(prefix="/api")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PendingVoter(BaseModel):
    voter: str
    units: list[str]
    buildings: list[str]
    area: str
    enrolled: bool


class BuildingPublic(BaseModel):
    building: str
    voters: int  # voting persons with a unit in this building (census)
    area: str  # their census area here
    pending: int  # of them, those who have not voted
    pending_area: str


class Pending(BaseModel):
    ballot_id: int
    voters: int
    area: str
    pending_voters: int
    pending_area: str
    buildings: list[BuildingPublic]
    pending: list[PendingVoter]


def _rows(session: Session, ballot: Ballot) -> list[CensusRow]:
    return [
        CensusRow(
            voter=voter,
            units=tuple(units),
            area_centi=area,
            enrolled=did is not None,
            voted=cast is not None,
        )
        for voter, units, area, did, cast in session.execute(
            select(
                CensusVoter.voter,
                CensusVoter.units,
                CensusVoter.area_centi,
                CensusVoter.did,
                CensusVoter.cast_index,
            ).where(CensusVoter.ballot_id == ballot.id)
        )
    ]


def _turnout(session: Session, ballot: Ballot, rows: list[CensusRow]) -> Turnout:
    needed = multi_building_units(rows)
    unit_area: dict[str, int] = {}
    if needed:  # only persons spanning buildings need the register's per-unit areas
        community = get_community(session, ballot.community_slug)
        unit_area = dict(
            session.execute(
                select(Unit.unit_no, Unit.area_centi).where(
                    Unit.community_id == community.id, Unit.unit_no.in_(needed)
                )
            ).all()
        )
    return turnout(rows, unit_area)


def _area(centi: int) -> str:
    return str(Area(hundredths=centi))


@router.get("/ballots/{ballot_id}/pending", response_model=Pending, responses=errors(401, 403, 404))
def pending(ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep) -> Pending:
    """Every voting person who has not voted (natural unit order), and per building how many
    of its voting persons, and how much of its area, are still missing."""
    ballot = get_ballot(session, ballot_id)
    rows = _rows(session, ballot)
    result = _turnout(session, ballot, rows)
    waiting = result.pending_rows
    return Pending(
        ballot_id=ballot.id,
        voters=len(rows),
        area=_area(sum(r.area_centi for r in rows)),
        pending_voters=len(waiting),
        pending_area=_area(sum(r.area_centi for r in waiting)),
        buildings=[
            BuildingPublic(
                building=b.building,
                voters=b.voters,
                area=_area(b.area_centi),
                pending=b.pending,
                pending_area=_area(b.pending_area_centi),
            )
            for b in result.buildings
        ],
        pending=[
            PendingVoter(
                voter=r.voter,
                units=sorted(r.units, key=natural_key) if len(r.units) > 1 else list(r.units),
                buildings=sorted({building_of(u) for u in r.units}, key=natural_key),
                area=_area(r.area_centi),
                enrolled=r.enrolled,
            )
            for r in waiting
        ],
    )


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",  # a list for the committee, not for shared caches
        },
    )


@router.get(
    "/ballots/{ballot_id}/pending.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **text_errors(401, 403, 404)},
)
def pending_as_csv(ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep) -> Response:
    """One row per unit of a person who has not voted: building, unit, census key, area,
    enrolled — UTF-8 with a byte-order mark, so Excel shows the Chinese header."""
    ballot = get_ballot(session, ballot_id)
    result = _turnout(session, ballot, _rows(session, ballot))
    return _download(
        pending_csv(result.pending_units),
        "text/csv; charset=utf-8",
        f"ballot-{ballot.id}-pending.csv",
    )


@router.get(
    "/ballots/{ballot_id}/pending.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **text_errors(401, 403, 404)},
)
def pending_as_xlsx(ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep) -> Response:
    """The same rows as ``pending.csv``, as an Excel workbook."""
    ballot = get_ballot(session, ballot_id)
    result = _turnout(session, ballot, _rows(session, ballot))
    return _download(pending_xlsx(result.pending_units), XLSX, f"ballot-{ballot.id}-pending.xlsx")


class RefusalPublic(BaseModel):
    reason: str  # a code: refusals.REASONS
    message: str  # the English message the sender was given (the last one, if several)
    message_zh: str  # the same in Chinese; "" for a row counted before it was kept
    census_entry: str | None  # the census key, when the signer is in the census
    signer: str | None  # the DID whose signature verified; None when it did not (or folded)
    count: int
    first_seen: datetime
    last_seen: datetime
    # The census entry has a vote in the box now (a later one, or the one a repeat met):
    # nothing is outstanding for the committee, whatever the refusal said.
    counted: bool


class Refusals(BaseModel):
    ballot_id: int
    total: int  # refused attempts, all rows together
    refusals: list[RefusalPublic]


@router.get(
    "/ballots/{ballot_id}/refusals", response_model=Refusals, responses=errors(401, 403, 404)
)
def refused(ballot_id: IdPath, session: SessionDep, _: BallotCommitteeDep) -> Refusals:
    """Every refused vote of this ballot, counted per (reason, signer): newest first."""
    ballot = get_ballot(session, ballot_id)
    rows = refusals.listing(session, ballot.id)
    counted = set(
        session.scalars(
            select(CensusVoter.voter).where(
                CensusVoter.ballot_id == ballot.id, CensusVoter.cast_index.is_not(None)
            )
        )
    )
    return Refusals(
        ballot_id=ballot.id,
        total=sum(r.count for r in rows),
        refusals=[
            RefusalPublic(
                reason=r.reason,
                message=r.message_en,
                message_zh=r.message_zh,
                census_entry=r.census_entry or None,
                signer=r.signer or None,
                count=r.count,
                first_seen=r.first_seen,
                last_seen=r.last_seen,
                counted=bool(r.census_entry) and r.census_entry in counted,
            )
            for r in rows
        ],
    )
