"""Freezing a ballot's census from the community's register (the database side).

Rows are public (DID, units, area; nothing personal) — see `voting.census_rows`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.models import Community, Person, Unit
from voting.area import Area
from voting.census import Census
from voting.census import Unit as CensusUnit
from voting.errors import VotingError


class CensusError(VotingError):
    """The register cannot give a census (none imported yet)."""


def census_entries(
    session: Session, community: Community
) -> tuple[list[dict[str, Any]], list[int]]:
    """The public census — one row per voting person, with DID, units and area, nothing
    personal — and, aligned with it, the person ids (kept server-side only).

    Voter keys are stable within one ballot ("V0001"…, in unit order) and reveal no identity.
    """
    rows = session.execute(
        select(Unit, Person)
        .join(Person, Unit.holder_id == Person.id)
        .where(Unit.community_id == community.id)
        .order_by(Unit.unit_no)
    ).all()
    if not rows:
        raise CensusError("小区尚未导入房屋登记册", "the community has no register yet")
    units = [
        CensusUnit(
            id=u.unit_no,
            area=Area(hundredths=u.area_centi),
            holder=f"p{p.id}",
            developer=u.developer,
        )
        for u, p in rows
    ]
    census = Census.of(units)
    dids = {f"p{p.id}": p.did for _, p in rows}
    ordered = sorted(census.voters.values(), key=lambda v: v.unit_ids[0])
    public = [
        {
            "voter": f"V{i:04d}",
            "did": dids[v.holder],
            "units": list(v.unit_ids),
            "area": str(v.area),
            "developer": v.developer,
        }
        for i, v in enumerate(ordered, start=1)
    ]
    return public, [int(v.holder[1:]) for v in ordered]
