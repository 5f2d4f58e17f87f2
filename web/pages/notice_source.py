"""Where the result notice's entries come from: the one seam to the ballot box.

`notice_entries` is a FastAPI dependency giving a ballot's BallotAnnounced, its BallotResult
and, once there, its BallotFinal (box format v2, parsed JSON, each read from the box's
verified log). The notice routes (`web.pages.public`) take their entries only through it, so the
box can be wired here alone, and tests put a fake in with ``app.dependency_overrides``.
A ballot without a result answers 409: a notice is never made up from the ballot's table
row.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from voting import ballots
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.errors import ApiError

#: (BallotAnnounced, BallotResult, BallotFinal or None)
NoticeEntries = tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]


def notice_entries(ballot_id: IdPath, session: SessionDep, services: ServicesDep) -> NoticeEntries:
    """The entries of ballot `ballot_id`'s box a notice is made from, as the fold of its
    checked log holds them; 404 for no such ballot, 409 while it has no result."""
    state = services.views.of(session, ballots.get_ballot(session, ballot_id))
    if state.result is None:
        raise ApiError(409, "该表决尚未公布表决结果", "this ballot has no published result yet")
    return state.announced, state.result, state.final


NoticeEntriesDep = Annotated[NoticeEntries, Depends(notice_entries)]
