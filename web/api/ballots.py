"""The JSON API of communities and ballots."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictInt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.community.models import Unit
from identity.community.register import parse_csv, parse_xlsx
from identity.community.registry import create_community, get_community, import_register
from identity.errors import IdentityError
from voting import ballots
from voting.area import Area
from voting.errors import VotingError
from voting.models import Ballot
from web.api.decisions import DecisionPublic, decision_public
from web.auth.sessions import BallotCommitteeDep, CommitteeDep, OperatorDep
from web.auth.throttle import VoteAddressLimit, limit_vote_identity
from web.record import export_record
from web.server import ballot_acts
from web.server.bounds import BoundedInt, IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.election import export_election
from web.server.error_responses import errors
from web.server.errors import ApiError
from web.server.services import Services

router = APIRouter(prefix="/api")
# A batch commits within milliseconds; this only bounds a wait should the database hang.
VOTE_WAIT_SECONDS = 30.0
MAX_UPLOAD = 10 * 1024 * 1024


class CommunityCreate(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{2,64}$")
    name: str = Field(min_length=1, max_length=200)
    street_office: str = Field(min_length=1, max_length=200)


class CommunityPublic(BaseModel):
    slug: str
    name: str
    street_office: str
    units: int
    total_area: str


class BallotCreate(BaseModel):
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    # The agenda: items as ballot_v2 lays them out (`voting.items`). A one-matter ballot may
    # give `matter` (and `amount_fen` for matter 5) instead, and becomes a one-item agenda.
    items: list[dict[str, Any]] | None = Field(default=None, max_length=20)
    matter: BoundedInt | None = None
    amount_fen: StrictInt | None = Field(
        default=None, ge=1, le=10**15
    )  # matter 5 only: the spending approved, in fen

    def agenda(self) -> list[dict[str, Any]]:
        if self.items is not None:
            return self.items
        if self.matter is None:
            raise ApiError(400, "请列出表决事项（items）", "list the ballot's items")
        return ballots.legacy_items(self.matter, self.title, self.text, self.amount_fen)


class BallotPublic(BaseModel):
    id: int
    community: str
    matter: BoundedInt
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    status: str
    origin: str
    census_root: str | None
    log_key: str | None  # the box's checkpoint key, as the committee signed it into entry 0
    items: list[dict[str, Any]]
    rules: dict[str, Any]
    announced_at: datetime | None
    closed_at: datetime | None
    objections_until: datetime | None
    participation: dict[str, Any]
    result: dict[str, Any] | None


class ProposedBallot(BaseModel):
    ballot: BallotPublic
    decision: DecisionPublic


class ReceiptPublic(BaseModel):
    ballot_id: int
    index: int
    leaf_hash: str
    checkpoint: str


def committed_receipt(
    session: Session, services: Services, receipt: ballots.Receipt, grown: dict[str, int]
) -> ReceiptPublic:
    """Commit, then tell the anchoring loop what grew: the receipt answered means it is kept."""
    session.commit()
    services.appended(grown)
    return ReceiptPublic(**receipt.__dict__)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ApiError(
            400,
            "时间须带时区，如 2026-12-01T09:00:00+08:00",
            "times need a timezone, e.g. 2026-12-01T09:00:00+08:00",
        )
    return t.astimezone(UTC)


def _community_public(session: SessionDep, slug: str) -> CommunityPublic:
    c = get_community(session, slug)
    count, area = session.execute(
        select(func.count(), func.coalesce(func.sum(Unit.area_centi), 0)).where(
            Unit.community_id == c.id
        )
    ).one()
    return CommunityPublic(
        slug=c.slug,
        name=c.name,
        street_office=c.street_office,
        units=int(count),
        total_area=str(Area(int(area))),
    )


def ballot_public(session: Session, services: Services, ballot: Ballot) -> BallotPublic:
    """The ballot as its signed log says (`web.server.ballot_view`), not as its table row does."""
    shown = services.views.shown(session, ballot)
    return BallotPublic(
        id=shown.id,
        community=shown.community_slug,
        matter=shown.matter,
        title=shown.title,
        text=shown.text,
        opens_at=shown.opens_at,
        closes_at=shown.closes_at,
        status=shown.status,
        origin=shown.log_origin,
        census_root=shown.census_root,
        log_key=shown.log_key,
        items=shown.items,
        rules=shown.rules,
        announced_at=shown.announced_at,
        closed_at=shown.closed_at,
        objections_until=shown.objections_until,
        participation=shown.participation,
        result=shown.result,
    )


@router.get("/health", responses=errors())
def health(services: ServicesDep) -> dict[str, Any]:
    return {"ok": True, "chain_id": services.chain.chain_id, "contract": services.anchor.address}


@router.post(
    "/communities", response_model=CommunityPublic, status_code=201, responses=errors(401, 409)
)
def create(body: CommunityCreate, session: SessionDep, _: OperatorDep) -> CommunityPublic:
    """The operator sets up a community. Its committee exists once the street office's
    registration (业委会备案) is posted to ``/api/communities/{slug}/registrations``."""
    create_community(session, slug=body.slug, name=body.name, street_office=body.street_office)
    return _community_public(session, body.slug)


@router.get("/communities/{slug}", response_model=CommunityPublic, responses=errors(404))
def community(slug: str, session: SessionDep) -> CommunityPublic:
    return _community_public(session, slug)


@router.post("/communities/{slug}/register", responses=errors(401, 403, 404, 409))
async def upload_register(
    slug: str, request: Request, services: ServicesDep, _: CommitteeDep
) -> dict[str, int]:
    """The register as the request body: CSV (text/csv) or Excel (.xlsx content type)."""
    data = await request.body()
    if not data:
        raise ApiError(400, "请上传登记册文件", "upload the register file as the request body")
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "文件过大（上限10MB）", "file too large (10 MB at most)")
    kind = request.headers.get("content-type", "")
    register = parse_xlsx(data) if "spreadsheet" in kind or data[:2] == b"PK" else parse_csv(data)
    with services.db.session() as session:
        community = get_community(session, slug)
        return import_register(
            session, community=community, register=register, cipher=services.cipher
        )


@router.post(
    "/communities/{slug}/ballots",
    response_model=ProposedBallot,
    status_code=202,
    responses=errors(401, 403, 404, 409),
)
def open_ballot(
    slug: str, body: BallotCreate, session: SessionDep, services: ServicesDep, who: CommitteeDep
) -> ProposedBallot:
    """Propose a ballot: its announcement (agenda, timetable, the community's rules) is
    drafted; it is announced once more than half of all registered committee members have
    signed it on their devices (`POST /api/communities/{slug}/decisions/{id}/signatures`).
    Voting opens no sooner than the notice period after that (`POST …/ballots/{id}/open`)."""
    ballot, decision = ballot_acts.announce(
        services,
        session,
        community=get_community(session, slug),
        title=body.title,
        text=body.text,
        items=body.agenda(),
        opens_at=_utc(body.opens_at),
        closes_at=_utc(body.closes_at),
        proposed_by=who.did,
    )
    return ProposedBallot(
        ballot=ballot_public(session, services, ballot),
        decision=decision_public(session, services, decision),
    )


@router.get(
    "/communities/{slug}/ballots", response_model=list[BallotPublic], responses=errors(404, 409)
)
def list_ballots(slug: str, session: SessionDep, services: ServicesDep) -> list[BallotPublic]:
    get_community(session, slug)
    rows = session.scalars(
        select(Ballot)
        .where(Ballot.community_slug == slug, Ballot.status != ballots.RETIRED)
        .order_by(Ballot.id.desc())
    )
    return [ballot_public(session, services, b) for b in rows]


@router.get("/ballots/{ballot_id}", response_model=BallotPublic, responses=errors(404, 409))
def get_ballot(ballot_id: IdPath, session: SessionDep, services: ServicesDep) -> BallotPublic:
    return ballot_public(session, services, ballots.get_ballot(session, ballot_id))


@router.post(
    "/ballots/{ballot_id}/votes",
    response_model=ReceiptPublic,
    status_code=201,
    responses=errors(403, 404, 409),
)
async def cast(
    ballot_id: IdPath,
    vote: dict[str, Any],
    request: Request,
    services: ServicesDep,
    _: VoteAddressLimit,
) -> ReceiptPublic:
    """A vote signed on the owner's device (Data Integrity proof by the owner's did:key).

    No session is needed: the signed vote is its own proof, and it is what the log keeps and
    any verifier re-checks offline. A key reported lost is refused. The answer is sent once
    the batch holding the vote has committed: a receipt means the vote is kept."""
    signed = check_vote(services, ballot_id, vote)
    limit_vote_identity(request, did=signed.signer, ballot=str(vote["ballot"]))
    future = services.votes.submit((ballot_id, signed))
    try:
        receipt = await asyncio.wait_for(asyncio.wrap_future(future), timeout=VOTE_WAIT_SECONDS)
    except ballots.KeyChangeNeeded:
        if services.attest_key_change is None:
            raise
        # DEMO ONLY: the demo members attested the new key as that batch ended; the same
        # signed vote, sent once more, now counts (a second refusal is the owner's answer).
        again = services.votes.submit((ballot_id, signed))
        receipt = await asyncio.wait_for(asyncio.wrap_future(again), timeout=VOTE_WAIT_SECONDS)
    return ReceiptPublic(**receipt.__dict__)


def check_vote(services: Services, ballot_id: int, vote: dict[str, Any]) -> ballots.SignedVote:
    """What is checked before a vote queues for its box: the ballot exists, the vote names
    it, and its signature holds. The rest is judged in its batch. A refusal is counted for
    the committee (`web.server.refusals`), with the signer if the signature holds."""
    origin = services.ballot_origin(ballot_id)  # no such ballot: nothing to count it against
    try:
        if vote.get("ballot") != origin:
            raise ballots.BallotError(
                "这张选票不属于本次表决", "this vote is not for this ballot", code="wrong_ballot"
            )
        return ballots.check_signed_vote(vote, services.verify_signed)
    except (VotingError, IdentityError) as exc:
        services.refused(ballot_id, exc, signer=_signer(services, vote))
        raise


def _signer(services: Services, vote: dict[str, Any]) -> str | None:
    """The DID whose signature on `vote` holds, or None (only asked of a refused vote)."""
    try:
        return services.verify_signed(vote)
    except (IdentityError, VotingError, ValueError, TypeError, KeyError, AttributeError):
        return None


def cast_signed_vote(services: Services, ballot_id: int, vote: dict[str, Any]) -> ballots.Receipt:
    """The one way a signed vote enters a box, for callers on a worker thread (the demo page)."""
    future = services.votes.submit((ballot_id, check_vote(services, ballot_id, vote)))
    return future.result(timeout=VOTE_WAIT_SECONDS)


class CloseRequest(BaseModel):
    early: bool = False


@router.post(
    "/ballots/{ballot_id}/close",
    response_model=DecisionPublic,
    status_code=202,
    responses=errors(401, 403, 404, 409),
)
def close(
    ballot_id: IdPath,
    body: CloseRequest,
    session: SessionDep,
    services: ServicesDep,
    who: BallotCommitteeDep,
) -> DecisionPublic:
    """Propose closing: the box stops taking votes and the BallotResult (count and outcome)
    is drafted; it is appended, and the final head anchored, once enough members signed."""
    decision = ballot_acts.propose_close(
        services, session, ballot_id, proposed_by=who.did, early=body.early
    )
    return decision_public(session, services, decision)


@router.get("/ballots/{ballot_id}/record", responses=errors(404))
def record(ballot_id: IdPath, session: SessionDep, services: ServicesDep) -> dict[str, Any]:
    """The ballot's full record, for `gongzhi verify ballot` or any independent verifier."""
    return export_record(session, services, ballot_id)


@router.get("/ballots/{ballot_id}/election", responses=errors(404, 409))
def election(ballot_id: IdPath, session: SessionDep, services: ServicesDep) -> dict[str, Any]:
    """A closed ballot's election record, for `gongzhi verify election` (409 while open)."""
    return export_election(session, services, ballot_id)
