"""One DID's place in a ballot's census, for the owner's page: which entry is mine, have I
voted, is a proxy (委托) in force for me, and whom do I represent as a proxy.

Only what the public record shows while voting runs is said here (the census with its DIDs
and units is in the signed BallotOpened; a mandate without instructions is a public entry):
never whether anyone has voted, nor a mandate's instructed choices (the record hides both
until the close), nor a name, ID number or phone. This only spares a phone from downloading
the whole record to find one row.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from voting import ballots
from voting.box_state import BoxState
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors

router = APIRouter(prefix="/api")

DidPath = Annotated[str, Path(min_length=8, max_length=200, pattern=r"^did:[a-z0-9]+:[\w.:%-]+$")]


class MandatePublic(BaseModel):
    index: int  # the mandate's leaf index (what a ProxyWithdrawal names)
    census_entry: str
    owner: str
    proxy: str
    units: list[str]
    instructed: bool  # the owner set the choices (which are not said here)


class EntryPublic(BaseModel):
    census_entry: str
    units: list[str]
    guardian: bool  # voted for as the guardian (监护人) of the unit's owner


class CensusPlace(BaseModel):
    ballot_id: int
    did: str
    census_entry: str | None  # None: this DID is not in the census (or it is not frozen yet)
    units: list[str]
    # Every entry this DID votes for, in census order: one, or several for a guardian of
    # several wards (or of a ward and of their own units), each voted for by its own vote
    # naming it in ``censusEntry``.
    entries: list[EntryPublic] = []
    mandate: MandatePublic | None  # the proxy this owner appointed, in force
    represents: list[MandatePublic]  # the owners this DID votes for, as their proxy


def _mandate(state: BoxState, index: int) -> MandatePublic:
    m = state.mandates[index]
    return MandatePublic(
        index=m.index,
        census_entry=m.voter,
        owner=m.owner,
        proxy=m.proxy,
        units=[str(u) for u in state.rows[m.voter].get("units", [])],
        instructed=m.choices is not None,
    )


@router.get(
    "/ballots/{ballot_id}/census/{did}", response_model=CensusPlace, responses=errors(404, 409)
)
def census_place(
    ballot_id: IdPath, did: DidPath, session: SessionDep, services: ServicesDep
) -> CensusPlace:
    ballot = ballots.get_ballot(session, ballot_id)
    if services.views.shown(session, ballot).status == ballots.DRAFT:
        return CensusPlace(  # nothing in the box yet (an archived ballot is a 404 above)
            ballot_id=ballot_id,
            did=did,
            census_entry=None,
            units=[],
            mandate=None,
            represents=[],
        )
    state = services.views.of(session, ballot)
    entry = state.voter_of.get(did)
    held = sorted(key for key, holder in state.did_of.items() if holder == did)
    mandate = None if entry is None else state.mandate_of.get(entry)
    return CensusPlace(
        ballot_id=ballot_id,
        did=did,
        census_entry=entry,
        units=[] if entry is None else [str(u) for u in state.rows[entry].get("units", [])],
        mandate=None if mandate is None else _mandate(state, mandate),
        entries=[
            EntryPublic(
                census_entry=key,
                units=[str(u) for u in state.rows[key].get("units", [])],
                guardian=state.rows[key].get("guardian") is True,
            )
            for key in held
        ],
        represents=sorted(
            (_mandate(state, i) for i, m in state.mandates.items() if m.proxy == did),
            key=lambda m: m.index,
        ),
    )
