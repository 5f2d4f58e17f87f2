"""Freezing a ballot's census from the community's register (the database side).

Rows are public (DID, units, areas and their sources; nothing personal) — see
`voting.census_rows`. The counting rules (`voting.census`) decide who is a voting person: a
buyer of several units is one, the developer's units are one, and a co-owned unit votes
through the co-owner the register designates. An owner without full legal capacity votes
through their guardian: the row carries the guardian's DID and says ``"guardian": true``.

Once frozen, a census lives in `CensusVoter` rows (and the log's BallotOpened) only: later
changes to the register do not reach a ballot that has opened.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.orm import Session, aliased

from identity.community.models import Community, Person, Unit, UnitOwner
from voting.area import Area
from voting.census import Census, Tally
from voting.census import Unit as CensusUnit
from voting.census_rows import census_root
from voting.errors import VotingError
from voting.models import CensusRepresented, CensusVoter, VotingBase

CO_OWNER, WARD = "co-owner", "ward"


class CensusError(VotingError):
    """The register cannot give a census (none imported yet)."""


@dataclass(frozen=True)
class FrozenCensus:
    """A census as frozen from the register: the public rows with their root and total, and
    what the server keeps beside them (person ids, who is represented by whom)."""

    entries: list[dict[str, Any]]
    root: bytes
    total: Tally
    person_ids: list[int]  # aligned with `entries`: the owner each row is for
    guardian_ids: list[int | None]  # aligned with `entries`: the guardian who votes, if any
    areas: list[int]  # aligned with `entries`: each row's area in 0.01 m²
    represented: list[tuple[int, str, str, str]]  # (person id, unit, voter key, CO_OWNER | WARD)


def freeze_census(session: Session, community: Community) -> FrozenCensus:
    """The census of `community`'s register as it stands now.

    Voter keys are stable within one ballot ("V0001"…, in unit order) and reveal no identity.
    Two queries of plain columns (no ORM objects): this runs on every opening, for compounds
    of ten thousand owners.
    """
    guardian = aliased(Person)
    rows = session.execute(
        select(
            Unit.unit_no,
            Unit.area_centi,
            Unit.area_source,
            Unit.developer,
            Unit.holder_id,
            Person.did,
            Person.guardian_id,
            guardian.did,
        )
        .join(Person, Unit.holder_id == Person.id)
        .outerjoin(guardian, Person.guardian_id == guardian.id)
        .where(Unit.community_id == community.id)
    ).all()
    if not rows:
        raise CensusError("小区尚未导入房屋登记册", "the community has no register yet")
    units: list[CensusUnit] = []
    area_of: dict[str, dict[str, str]] = {}  # unit → its public {"unit", "area", "source"}
    person_of: dict[str, tuple[int, str | None, int | None, str | None]] = {}
    for no, centi, source, dev, holder, did, guardian_id, guardian_did in rows:
        area = Area(centi)
        units.append(CensusUnit(id=no, area=area, holder=f"p{holder}", developer=dev))
        area_of[no] = {"unit": no, "area": str(area), "source": source}
        person_of[f"p{holder}"] = (holder, did, guardian_id, guardian_did)
    census = Census.of(units)
    ordered = sorted(census.voters.values(), key=lambda v: v.unit_ids[0])
    entries: list[dict[str, Any]] = []
    person_ids: list[int] = []
    guardian_ids: list[int | None] = []
    voter_of_unit: dict[str, str] = {}
    represented: dict[tuple[int, str], tuple[str, str]] = {}  # (person, unit) → (key, why)
    for i, v in enumerate(ordered, start=1):
        key = f"V{i:04d}"
        person_id, did, guardian_id, guardian_did = person_of[v.holder]
        entries.append(
            {
                "voter": key,
                "did": did if guardian_id is None else guardian_did,
                "units": list(v.unit_ids),
                "area": str(v.area),
                "areas": [area_of[u] for u in v.unit_ids],
                "developer": v.developer,
                "guardian": guardian_id is not None,
            }
        )
        person_ids.append(person_id)
        guardian_ids.append(guardian_id)
        for u in v.unit_ids:
            voter_of_unit[u] = key
            if guardian_id is not None:
                represented[(person_id, u)] = (key, WARD)
    for person_id, unit_no in session.execute(
        select(UnitOwner.person_id, Unit.unit_no)
        .join(Unit, UnitOwner.unit_id == Unit.id)
        .where(Unit.community_id == community.id, UnitOwner.person_id != Unit.holder_id)
    ):
        represented.setdefault((person_id, unit_no), (voter_of_unit[unit_no], CO_OWNER))
    return FrozenCensus(
        entries=entries,
        root=census_root(entries),
        total=census.total,
        person_ids=person_ids,
        guardian_ids=guardian_ids,
        areas=[v.area.hundredths for v in ordered],
        represented=[(p, u, key, why) for (p, u), (key, why) in sorted(represented.items())],
    )


def store_census(session: Session, ballot_id: int, frozen: FrozenCensus) -> None:
    """Keep a frozen census for ballot `ballot_id`: one bulk insert per table (an ORM object
    per row cost half a second at ten thousand owners)."""
    # Core inserts on the tables: the ORM's bulk path spends more per row than the database.
    session.execute(
        insert(_table(CensusVoter)),
        [
            {
                "ballot_id": ballot_id,
                "voter": e["voter"],
                "person_id": person_id,
                "guardian_id": guardian_id,
                "did": e["did"],
                "area_centi": area,
                "units": e["units"],
                "developer": e["developer"],
                "cast_index": None,
            }
            for e, person_id, guardian_id, area in zip(
                frozen.entries, frozen.person_ids, frozen.guardian_ids, frozen.areas, strict=True
            )
        ],
    )
    if frozen.represented:
        session.execute(
            insert(_table(CensusRepresented)),
            [
                {"ballot_id": ballot_id, "person_id": p, "unit": u, "voter": key, "reason": why}
                for p, u, key, why in frozen.represented
            ],
        )


def _table(model: type[VotingBase]) -> Table:
    return VotingBase.metadata.tables[model.__tablename__]


def census_entries(
    session: Session, community: Community
) -> tuple[list[dict[str, Any]], list[int]]:
    """The public census rows and, aligned with them, the owners' person ids (server-side
    only): `freeze_census` without what the server keeps beside the rows."""
    frozen = freeze_census(session, community)
    return frozen.entries, frozen.person_ids


def represented_by(
    session: Session, *, ballot_id: int, did: str, entry: str | None = None
) -> VotingError | None:
    """Why the holder of `did` may not vote in this ballot although the register lists
    them, or None: they are a co-owner of a unit whose designated holder votes for it (民法典
    and the SPC interpretation count a co-owned unit once, through the holder the co-owners
    chose), or an owner whose guardian votes for them.

    Without `entry`, a DID that votes for some census entry itself (as an owner, or as a
    guardian) gets None: only a person represented everywhere is refused here. With `entry`
    (a vote naming that census entry), only that entry is asked about. The refusal names
    no one: only the unit, which is public in the census.
    """
    person = session.execute(
        select(Person.id, Person.guardian_id).where(Person.did == did)
    ).one_or_none()
    if person is None:
        return None
    person_id, guardian_now = person
    if entry is None and session.scalar(
        select(CensusVoter.voter)
        .where(
            CensusVoter.ballot_id == ballot_id,
            or_(
                (CensusVoter.person_id == person_id) & CensusVoter.guardian_id.is_(None),
                CensusVoter.guardian_id == person_id,
            ),
        )
        .limit(1)
    ):
        return None
    query = select(CensusRepresented.unit, CensusRepresented.reason).where(
        CensusRepresented.ballot_id == ballot_id, CensusRepresented.person_id == person_id
    )
    if entry is not None:
        query = query.where(CensusRepresented.voter == entry)
    found = session.execute(query).all()
    if not found:
        return None
    if any(reason == WARD for _, reason in found) and guardian_now is None:
        # The guardianship ended after the census froze: the frozen row says a guardian
        # votes (and the verifier holds the row to a guardian's credential), so the owner
        # votes themself from the next ballot on; the old guardian's key is refused here.
        return RepresentedError(
            "本次表决的名册冻结时由您的监护人代为表决；监护已终止，原监护人不能再投票，"
            "您本人从下一次表决起投票",
            "this ballot's census was frozen while your guardian voted for you; the "
            "guardianship has ended, so the former guardian can no longer vote and you vote "
            "yourself from the next ballot",
        )
    if any(reason == WARD for _, reason in found):
        return RepresentedError(
            "您的表决权由登记的监护人代为行使，不能另行投票",
            "your vote is cast by your registered guardian; you cannot vote yourself",
        )
    units = sorted(unit for unit, _ in found)
    return RepresentedError(
        f"房屋 {'、'.join(units)} 由共有人推选的表决人代表表决，其他共有人不能另行投票",
        f"unit(s) {', '.join(units)} vote through the co-owner the co-owners designated; "
        "another co-owner cannot vote for them",
    )


@dataclass(frozen=True)
class KeyRows:
    """What the cast path asks of a batch's keys beyond the fold (`key_rows`)."""

    several: dict[str, list[str]]  # DID → its census entries, for a DID holding several
    displaced: set[tuple[str, str]]  # (DID, entry): a ward's row whose guardian it no longer is


def key_rows(session: Session, *, ballot_id: int, dids: Collection[str]) -> KeyRows:
    """The census rows of `dids` in one query (one per batch of votes):

    * which DIDs hold several entries — a guardian of several wards, or of a ward and of
      their own units — and so must name the one each vote is for;
    * which (DID, entry) pairs are a ward's row whose guardian that DID no longer is: the
      committee recorded another guardian, or none, after the ballot opened
      (`identity.community.revocation.change_guardian`). The census stays as frozen; only
      whose key may use a ward's row follows the register, as a lost key does: the person
      holding the row's DID must be the ward's guardian now. A row re-keyed to the new
      guardian (VoterKeyChanged) is theirs again."""
    if not dids:
        return KeyRows({}, set())
    ward, holder = aliased(Person), aliased(Person)
    found: dict[str, list[str]] = {}
    displaced: set[tuple[str, str]] = set()
    for did, voter, frozen_guardian, guardian_now, holder_id in session.execute(
        select(
            CensusVoter.did, CensusVoter.voter, CensusVoter.guardian_id, ward.guardian_id, holder.id
        )
        .outerjoin(ward, ward.id == CensusVoter.person_id)
        .outerjoin(holder, holder.did == CensusVoter.did)
        .where(CensusVoter.ballot_id == ballot_id, CensusVoter.did.in_(set(dids)))
        .order_by(CensusVoter.voter)
    ):
        if did is None:
            continue
        found.setdefault(did, []).append(voter)
        if frozen_guardian is not None and holder_id is not None and guardian_now != holder_id:
            displaced.add((did, voter))
    several = {did: voters for did, voters in found.items() if len(voters) > 1}
    return KeyRows(several, displaced)


def displaced_guardians(
    session: Session, *, ballot_id: int, dids: Collection[str]
) -> set[tuple[str, str]]:
    """(DID, entry) pairs of `dids` for wards whose guardian the DID no longer is."""
    return key_rows(session, ballot_id=ballot_id, dids=dids).displaced


def guardian_replaced() -> VotingError:
    return RepresentedError(
        "您已不是该业主的监护人，不能再为其投票",
        "you are no longer this owner's guardian, so you cannot vote for them",
        code="guardian_changed",
    )


def entry_needed(entries: Sequence[str]) -> VotingError:
    """The refusal of a vote naming no census entry by a key that holds several."""
    return RepresentedError(
        f"您在本次表决的名册中有多个条目（{'、'.join(entries)}），每张选票须用 censusEntry "
        "写明为哪一个条目投票",
        f"you hold several entries in this ballot's census ({', '.join(entries)}): each vote "
        "must name the one it is cast for in censusEntry",
        code="entry_needed",
    )


class RepresentedError(VotingError):
    """A person of the register whom another represents in the census tried to vote."""
