"""The JSON API of communities and ballots."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictInt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.issuance import ensure_registration
from identity.models import Unit
from identity.register import parse_csv, parse_xlsx
from identity.registry import create_community, get_community, import_register
from ledger.store import LogStore
from voting import ballots
from voting.area import Area
from voting.models import Ballot
from web.auth import BallotCommitteeDep, CommitteeDep, OperatorDep, RuntimeDep, vote_verifier
from web.deps import ServicesDep, SessionDep
from web.errors import ApiError
from web.record import export_record
from web.services import Services
from web.throttle import VoteLimit

router = APIRouter(prefix="/api")
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
    matter: int
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    amount_fen: StrictInt | None = None  # matter 5 only: the spending approved, in fen


class BallotPublic(BaseModel):
    id: int
    community: str
    matter: int
    title: str
    text: str
    opens_at: datetime
    closes_at: datetime
    status: str
    origin: str
    census_root: str
    log_key: str | None  # the box's checkpoint key, as the committee signed it into entry 0
    participation: dict[str, Any]
    result: dict[str, Any] | None


class ReceiptPublic(BaseModel):
    ballot_id: int
    index: int
    leaf_hash: str
    checkpoint: str


def _now() -> datetime:
    return datetime.now(UTC)


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


def _signed_log_key(session: SessionDep, ballot: Ballot) -> str | None:
    store = LogStore(session)
    key = ballots.opened_entry(store, store.get_log(ballot.log_origin)).get("logKey")
    return key if isinstance(key, str) else None  # None: a box opened before logKey existed


def ballot_public(session: SessionDep, ballot: Ballot) -> BallotPublic:
    return BallotPublic(
        id=ballot.id,
        community=ballot.community_slug,
        matter=ballot.matter,
        title=ballot.title,
        text=ballot.text,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        status=ballot.status,
        origin=ballot.log_origin,
        census_root=ballot.census_root,
        log_key=_signed_log_key(session, ballot),
        participation=ballots.participation(session, ballot),
        result=ballot.result,
    )


@router.get("/health")
def health(services: ServicesDep) -> dict[str, Any]:
    return {"ok": True, "chain_id": services.chain.chain_id, "contract": services.anchor.address}


@router.post("/communities", response_model=CommunityPublic, status_code=201)
def create(
    body: CommunityCreate, session: SessionDep, runtime: RuntimeDep, _: OperatorDep
) -> CommunityPublic:
    """The operator (for the street office) sets up a community and registers its committee
    (业委会备案: a registration credential from the root to the committee's DID)."""
    community = create_community(
        session, slug=body.slug, name=body.name, street_office=body.street_office
    )
    ensure_registration(session, community=community, issuers=runtime.issuers, now=_now())
    return _community_public(session, body.slug)


@router.get("/communities/{slug}", response_model=CommunityPublic)
def community(slug: str, session: SessionDep) -> CommunityPublic:
    return _community_public(session, slug)


@router.post("/communities/{slug}/register")
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


@router.post("/communities/{slug}/ballots", response_model=BallotPublic, status_code=201)
def open_ballot(
    slug: str, body: BallotCreate, session: SessionDep, services: ServicesDep, _: CommitteeDep
) -> BallotPublic:
    store = LogStore(session)
    ballot = ballots.open_ballot(
        session,
        store=store,
        sign=services.sign_as_committee,
        community=get_community(session, slug),
        public_host=services.public_host,
        matter=body.matter,
        title=body.title,
        text=body.text,
        opens_at=_utc(body.opens_at),
        closes_at=_utc(body.closes_at),
        log_key=lambda log: services.log_signer(log).vkey,
        amount_fen=body.amount_fen,
    )
    return ballot_public(session, ballot)


@router.get("/communities/{slug}/ballots", response_model=list[BallotPublic])
def list_ballots(slug: str, session: SessionDep) -> list[BallotPublic]:
    get_community(session, slug)
    rows = session.scalars(
        select(Ballot).where(Ballot.community_slug == slug).order_by(Ballot.id.desc())
    )
    return [ballot_public(session, b) for b in rows]


@router.get("/ballots/{ballot_id}", response_model=BallotPublic)
def get_ballot(ballot_id: int, session: SessionDep) -> BallotPublic:
    return ballot_public(session, ballots.get_ballot(session, ballot_id))


@router.post("/ballots/{ballot_id}/votes", response_model=ReceiptPublic, status_code=201)
def cast(
    ballot_id: int,
    vote: dict[str, Any],
    session: SessionDep,
    services: ServicesDep,
    _: VoteLimit,
) -> ReceiptPublic:
    """A vote signed on the owner's device (Data Integrity proof by the owner's did:key).

    No session is needed: the signed vote is its own proof, and it is what the log keeps and
    any verifier re-checks offline. A key reported lost is refused."""
    return ReceiptPublic(**cast_signed_vote(session, services, ballot_id, vote).__dict__)


def cast_signed_vote(
    session: Session, services: Services, ballot_id: int, vote: dict[str, Any]
) -> ballots.Receipt:
    """The one way a signed vote enters a box (the API and the demo page both use it)."""
    store = LogStore(session)
    receipt = ballots.cast_vote(
        session,
        store=store,
        verify=vote_verifier(session, services.verify_signed),  # also refuses lost keys
        checkpoint=lambda log: store.sign_checkpoint(log, services.log_signer(log)),
        sign=services.sign_as_committee,
        ballot_id=ballot_id,
        vote=vote,
    )
    services.appended_on_commit(session)  # N new entries may make a batch due
    return receipt


class CloseRequest(BaseModel):
    early: bool = False


@router.post("/ballots/{ballot_id}/close")
def close(
    ballot_id: int, body: CloseRequest, services: ServicesDep, _: BallotCommitteeDep
) -> dict[str, Any]:
    """Close, decide, append the result, and anchor the final head at once."""
    with services.db.session() as session:
        store = LogStore(session)
        outcome = ballots.close_ballot(
            session,
            store=store,
            sign=services.sign_as_committee,
            ballot_id=ballot_id,
            early=body.early,
        )
        origin = ballots.get_ballot(session, ballot_id).log_origin
    with services.db.session() as session:
        store = LogStore(session)
        log = store.get_log(origin)
        store.sign_checkpoint(log, services.log_signer(log))
        anchored = services.anchorer.anchor_quietly(store, log)
    return {
        "outcome": outcome.to_json(),
        "anchored_tx": "0x" + anchored.tx_hash.hex() if anchored else None,
    }


@router.get("/ballots/{ballot_id}/record")
def record(ballot_id: int, session: SessionDep, services: ServicesDep) -> dict[str, Any]:
    """The ballot's full record, for `gongzhi verify ballot` or any independent verifier."""
    return export_record(session, services, ballot_id)
