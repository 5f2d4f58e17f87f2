"""Public disclosures of a community: the JSON API, the bundle, witnesses, and the public page.

Publishing, objecting, replying and reviewing are one call: ``POST …/disclosures/entries``
with the entry signed on the caller's device. The caller must be signed in as the DID that
signed it, and hold the role the entry needs in the community — ``committee`` or
``propertyManager`` for disclosures and replies, ``owner`` for objections and reviews (roles
come from verified credentials, `web.auth.sessions`). Everything else is public: entries with their
质疑 threads, checkpoints with their cosigners, proofs, and the whole bundle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from contracts.errors import ChainError
from identity.community import issuance, registrations
from identity.community.origins import disclosure_origin
from identity.community.registrations import NoCommittee
from identity.community.registry import get_community
from identity.community.signin import COMMITTEE, OWNER, PROPERTY_MANAGER
from ledger.disclosure.approval import ApprovedSpending, ApprovedSpendingLookup, BallotRef
from ledger.disclosure.bundle_export import ChainAnchors, export_bundle
from ledger.disclosure.entries import OBJECTION, REVIEW
from ledger.disclosure.errors import (
    ApprovalError,
    AuthorityError,
    DisclosureError,
    IntegrityError,
)
from ledger.disclosure.kinds import Kind
from ledger.disclosure.service import (
    DbState,
    DisclosureLogs,
    EntryView,
    Policy,
    approved_from_store,
)
from ledger.tlog.errors import LogNotFoundError
from ledger.tlog.records import LogRef, StoredCheckpoint
from ledger.tlog.store import LogStore
from voting.box_state import CLOSED, FINAL
from voting.matters import Matter
from voting.models import Ballot
from voting.spending import ballot_decision
from web.api.statement_lines import (
    LAYOUTS,
    Cell,
    Section,
    parse_upload,
    template_csv,
    template_xlsx,
)
from web.auth.sessions import CommitteeOrOperatorDep, Principal, SignedInDep, vote_verifier
from web.auth.throttle import ObjectionLimit
from web.server.bounds import MAX_INT, IndexPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors, text_errors
from web.server.errors import ApiError
from web.server.services import Services

router = APIRouter()
PREFIX = "/api/communities/{slug}/disclosures"
MAX_PAGE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a row edited behind the log's back is answered with: the server's own data disagrees
#: with its signed log. Not the client's fault and not retryable, but never a 500 either.
INTEGRITY_STATUS = 409


def integrity_error(exc: IntegrityError) -> ApiError:
    return ApiError(INTEGRITY_STATUS, exc.zh, exc.en)


# --- schemas --------------------------------------------------------------------------------


class CosignerPublic(BaseModel):
    witness: str
    vkey: str
    timestamp: int


class CheckpointPublic(BaseModel):
    size: int
    root: str  # hex; the note carries it in base64 as C2SP tlog-checkpoint says
    note: str
    cosigners: list[CosignerPublic]


class WitnessPublic(BaseModel):
    vkey: str
    name: str
    role: str


class PublisherPublic(BaseModel):
    did: str
    role: str


class LogPublic(BaseModel):
    origin: str
    log_id: str
    log_key: str | None
    size: int
    anchored_size: int | None  # None when the chain cannot be reached
    checkpoint: CheckpointPublic | None
    publishers: list[PublisherPublic]
    witnesses: list[WitnessPublic]


class EntryPublic(BaseModel):
    index: int
    leaf_hash: str
    type: str
    signer: str
    kind: str | None
    period: str | None
    anchored: bool
    entry: dict[str, Any]
    thread: list[EntryPublic] = Field(default_factory=list)


class AppendedPublic(BaseModel):
    index: int
    leaf_hash: str
    checkpoint: str


class InclusionPublic(BaseModel):
    index: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str]


class ConsistencyPublic(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class DraftCheck(BaseModel):
    """A disclosure not yet signed: what a publisher's form would sign."""

    kind: str = Field(max_length=40)
    body: dict[str, Any]


class CheckError(BaseModel):
    where: str | None  # the field, as `body.closingFen` or `body.income[2].amountFen`
    zh: str
    en: str


class CheckResult(BaseModel):
    ok: bool
    errors: list[CheckError]


class RowErrorPublic(BaseModel):
    row: int
    zh: str
    en: str
    cell: Cell | None = None  # None: about the whole file


class ReadRowPublic(BaseModel):
    """A line row as the file wrote it: the desk lays these out as its draft form."""

    row: int
    section: Section | None
    category: str
    amount: str
    note: str
    ballot: str  # the fund's spending: the approving ballot's number as written, else ""


class StatementLines(BaseModel):
    """The lines read, by section, only when no row has an error; an income and expense
    statement has income and expense, common-area income has income, costs and
    disbursements, the maintenance fund spending (each citing its ballot result)."""

    income: list[dict[str, Any]]
    expense: list[dict[str, Any]]
    costs: list[dict[str, Any]]
    disbursements: list[dict[str, Any]]
    spending: list[dict[str, Any]]
    errors: list[RowErrorPublic]
    rows: list[ReadRowPublic]  # every line row read, in the file's order


class BallotRefPublic(BaseModel):
    """A ballot's result entry, as a fund's spending line cites it (``approval``)."""

    model_config = ConfigDict(populate_by_name=True)

    ballot: str  # the ballot log's origin
    index: int
    leaf_hash: str = Field(alias="leafHash")


class ApprovedSpendingPublic(BaseModel):
    """A passed ballot of the community on using the maintenance fund (民法典 第278条 第5项):
    what it approved and how much of it the disclosure log has spent so far."""

    ballot_id: int  # the number the desk and a file's 表决编号 column name it by
    title: str
    ref: BallotRefPublic
    approved_fen: int
    spent_fen: int
    left_fen: int


class WitnessCreate(BaseModel):
    vkey: str = Field(max_length=512)
    role: Literal["committee", "street_office"]


class CosignatureCreate(BaseModel):
    line: str = Field(max_length=512)
    vkey: str | None = Field(default=None, max_length=512)


# --- wiring ---------------------------------------------------------------------------------


def _log(session: Session, services: Services, slug: str, *, create: bool = False) -> LogRef:
    get_community(session, slug)
    logs = DisclosureLogs(session)
    origin = disclosure_origin(services.public_host, slug)
    return logs.ensure(origin) if create else logs.get(origin)


def _row_passed_fund_item(ballot: Ballot) -> bool:
    """Whether the ballot's row holds a passed item on using the maintenance fund: the row's
    result is the BallotResult's per-item outcomes (`voting.ballots.apply_result`)."""
    items = (ballot.result or {}).get("items")
    return isinstance(items, list) and any(
        isinstance(item, dict)
        and isinstance(outcome := item.get("outcome"), dict)
        and outcome.get("matter") == Matter.USE_MAINTENANCE_FUND
        and outcome.get("passed") is True
        for item in items
    )


def approved_spending(session: Session, services: Services, slug: str) -> ApprovedSpendingLookup:
    """What a cited ballot approved: the ballot must be this community's, closed, passed, on
    matter 5; the amount and the outcome are read from the ballot's own signed log."""

    def lookup(ref: BallotRef) -> ApprovedSpending | None:
        ballot = session.scalar(select(Ballot).where(Ballot.log_origin == ref.ballot))
        if ballot is None or ballot.community_slug != slug:
            return None
        if ballot.status not in (CLOSED, FINAL):
            raise ApprovalError("所引表决尚未结束", f"the cited ballot {ref.ballot} is not closed")
        approved = approved_from_store(
            LogStore(session),
            ref,
            decision=services.decision_check(session, slug),
            read_ballot=ballot_decision,
        )
        if approved is not None and not _row_passed_fund_item(ballot):
            raise ApprovalError("表决记录与日志不符", "the ballot's row disagrees with its log")
        return approved

    return lookup


def _policy(session: Session, services: Services, slug: str, principal: Principal) -> Policy:
    roles = principal.roles_in(slug)

    def publisher_role(did: str) -> str | None:
        if did != principal.did:
            return None
        if COMMITTEE in roles:
            return "committee"
        return "property_manager" if PROPERTY_MANAGER in roles else None

    return Policy(
        approved=approved_spending(session, services, slug),
        is_resident=lambda did: did == principal.did and OWNER in roles,
        publisher_role=publisher_role,
        verify=vote_verifier(session, services.verify_signed),  # refuses keys reported lost
    )


def anchored_size(services: Services, store: LogStore, log: LogRef) -> int | None:
    try:
        return services.anchorer.anchored_size(log)
    except ChainError:
        return None


def _checkpoint(stored: StoredCheckpoint) -> CheckpointPublic:
    return CheckpointPublic(
        size=stored.checkpoint.size,
        root=stored.checkpoint.root.hex(),
        note=stored.note,
        cosigners=[
            CosignerPublic(witness=c.witness, vkey=c.vkey, timestamp=c.timestamp)
            for c in stored.cosignatures
        ],
    )


def _entry(view: EntryView, anchored: int | None) -> EntryPublic:
    return EntryPublic(
        index=view.index,
        leaf_hash=view.leaf_hash.hex(),
        type=view.type,
        signer=view.signer,
        kind=view.kind,
        period=view.period,
        anchored=anchored is not None and view.index < anchored,
        entry=view.doc,
        thread=[_entry(t, anchored) for t in view.thread],
    )


# --- the API --------------------------------------------------------------------------------


@router.get(PREFIX, response_model=LogPublic, responses=errors(404))
def log_info(slug: str, session: SessionDep, services: ServicesDep) -> LogPublic:
    log = _log(session, services, slug)
    logs = DisclosureLogs(session)
    latest = logs.store.latest_checkpoint(log)
    return LogPublic(
        origin=log.origin,
        log_id=log.log_id.hex(),
        log_key=logs.store.log_key(log),
        size=logs.store.size(log),
        anchored_size=anchored_size(services, logs.store, log),
        checkpoint=_checkpoint(latest) if latest else None,
        publishers=[PublisherPublic(did=d, role=r) for d, r in logs.publishers(log)],
        witnesses=[WitnessPublic(**w.__dict__) for w in logs.witnesses(log)],
    )


@router.get(PREFIX + "/entries", response_model=list[EntryPublic], responses=errors(404))
def entries(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    start: int = Query(0, ge=0, le=MAX_INT),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    type: Literal["Disclosure", "Objection", "ObjectionReply", "ObjectionReview"] = "Disclosure",
    kind: Kind | None = None,
) -> list[EntryPublic]:
    """Entries from ``start`` on; disclosures come with their objections, replies, reviews."""
    log = _log(session, services, slug)
    logs = DisclosureLogs(session)
    anchored = anchored_size(services, logs.store, log)
    try:
        views = logs.listing(
            log, start=start, limit=limit, types=(type,), kind=kind.value if kind else None
        )
    except IntegrityError as exc:
        raise integrity_error(exc) from exc
    return [_entry(v, anchored) for v in views]


@router.get(PREFIX + "/entries/{index}", response_model=EntryPublic, responses=errors(404))
def entry(slug: str, index: IndexPath, session: SessionDep, services: ServicesDep) -> EntryPublic:
    log = _log(session, services, slug)
    logs = DisclosureLogs(session)
    try:
        view = logs.view(log, index)
    except IntegrityError as exc:
        raise integrity_error(exc) from exc
    return _entry(view, anchored_size(services, logs.store, log))


@router.post(
    PREFIX + "/entries",
    response_model=AppendedPublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def append(
    slug: str,
    doc: dict[str, Any],
    services: ServicesDep,
    principal: SignedInDep,
    _: ObjectionLimit,
) -> AppendedPublic:
    """Append a signed entry (disclosure, objection, reply or review); refused whole if any
    check fails."""
    named = doc.get("objector") if doc.get("type") in (OBJECTION, REVIEW) else doc.get("publisher")
    if named != principal.did:
        raise ApiError(
            403,
            "条目须由当前登录的 DID 签名",
            "the entry must name and be signed by the DID you signed in with",
        )
    try:
        with services.db.session() as session:
            log = _log(session, services, slug, create=True)
            appended = DisclosureLogs(session).append(
                log,
                doc,
                policy=_policy(session, services, slug, principal),
                signer=services.log_signer(log),
            )
    except AuthorityError as exc:
        raise ApiError(403, exc.zh, exc.en) from exc
    except IntegrityError as exc:  # an earlier entry it is checked against was edited
        raise integrity_error(exc) from exc
    services.appended({log.origin: appended.index + 1})  # committed: may make a batch due
    return AppendedPublic(
        index=appended.index, leaf_hash=appended.leaf_hash.hex(), checkpoint=appended.checkpoint
    )


def _publisher(principal: Principal, slug: str) -> None:
    if not principal.roles_in(slug) & {COMMITTEE, PROPERTY_MANAGER}:
        raise ApiError(
            403,
            "只有物业服务人或业主委员会可以发布",
            "only the property manager or the owners' committee may publish",
        )


@router.post(PREFIX + "/check", response_model=CheckResult, responses=errors(401, 403, 404, 409))
def check_draft(
    slug: str, draft: DraftCheck, services: ServicesDep, principal: SignedInDep
) -> CheckResult:
    """Run every check a disclosure by the signed-in publisher would meet as the next entry
    — schema, role, lines adding up, the opening where the last period closed — without a
    signature and without appending anything. The checks stop at the first refusal, which
    is returned with the field it is about (``ok`` false), as `POST …/entries` would refuse."""
    _publisher(principal, slug)
    # A write session only because the first check of a community may create its (empty)
    # log, as the first append would; no entry is ever appended here.
    with services.db.session() as session:
        log = _log(session, services, slug, create=True)
        try:
            DisclosureLogs(session).check_draft(
                log,
                draft.kind,
                draft.body,
                publisher=principal.did,
                policy=_policy(session, services, slug, principal),
            )
        except AuthorityError as exc:
            raise ApiError(403, exc.zh, exc.en) from exc
        except IntegrityError as exc:
            raise integrity_error(exc) from exc
        except DisclosureError as exc:
            return CheckResult(ok=False, errors=[CheckError(where=exc.where, zh=exc.zh, en=exc.en)])
    return CheckResult(ok=True, errors=[])


#: The statement kinds whose lines a file may hold (`web.api.statement_lines.LAYOUTS`).
StatementKind = Literal["IncomeExpense", "MaintenanceFund", "CommonAreaIncome"]


def passed_fund_ballots(
    session: Session, services: Services, slug: str
) -> list[ApprovedSpendingPublic]:
    """The community's closed ballots that passed an item on using the maintenance fund and
    stated an amount, oldest first, each with its result entry (as a spending line cites
    it), what it approved and what the disclosure log has spent of it — read through the
    same lookup the checks use, so a listed ballot is one a spending line may cite."""
    get_community(session, slug)
    lookup = approved_spending(session, services, slug)
    try:
        log: LogRef | None = DisclosureLogs(session).get(
            disclosure_origin(services.public_host, slug)
        )
    except LogNotFoundError:
        log = None  # nothing published yet: nothing spent
    state = DbState(session, log.pk) if log is not None else None
    store = LogStore(session)
    out = []
    rows = select(Ballot).where(Ballot.community_slug == slug, Ballot.status.in_((CLOSED, FINAL)))
    for ballot in session.scalars(rows.order_by(Ballot.id)):
        if not _row_passed_fund_item(ballot):
            continue
        at = services.state_of(session)(ballot).result_index
        if at is None:
            continue
        result = store.entry(store.get_log(ballot.log_origin), at)
        ref = BallotRef(ballot.log_origin, at, result.leaf_hash)
        try:
            approved = lookup(ref)
        except ApprovalError:
            continue  # approves no spending (e.g. it stated no amount)
        if approved is None:
            continue
        spent = state.spent(ref) if state is not None else 0
        out.append(
            ApprovedSpendingPublic(
                ballot_id=ballot.id,
                title=approved.title or ballot.title,
                ref=BallotRefPublic(
                    ballot=ref.ballot, index=ref.index, leafHash=ref.leaf_hash.hex()
                ),
                approved_fen=approved.amount,
                spent_fen=spent,
                left_fen=max(0, approved.amount - spent),
            )
        )
    return out


def _listed_fund_ballots(services: Services, slug: str) -> list[ApprovedSpendingPublic]:
    with services.db.session(write=False) as session:
        try:
            return passed_fund_ballots(session, services, slug)
        except IntegrityError as exc:
            raise integrity_error(exc) from exc


@router.get(
    PREFIX + "/approved-spending",
    response_model=list[ApprovedSpendingPublic],
    responses=errors(404, 409),
)
def approved_spending_list(slug: str, services: ServicesDep) -> list[ApprovedSpendingPublic]:
    """The passed ballots on using the maintenance fund (民法典 第278条 第5项) a spending line
    of this community may cite: each with its result entry ``ref`` ({ballot, index,
    leafHash}, what ``approval`` of a spending line states), its title, the amount approved,
    spent by the statements published so far, and left. Public, like the ballots and the
    statements it is read from; 404 for an unknown community, 409 when a stored row
    disagrees with its signed log."""
    return _listed_fund_ballots(services, slug)


@router.post(
    PREFIX + "/statement-lines",
    response_model=StatementLines,
    responses=errors(401, 403, 404, 413),
)
async def statement_lines(
    slug: str,
    request: Request,
    principal: SignedInDep,
    services: ServicesDep,
    kind: StatementKind = "IncomeExpense",
) -> StatementLines:
    """A statement's lines read from the request body: CSV (text/csv) or Excel (.xlsx), in
    the sections of ``kind`` (收入/支出; 收入/成本/支用; 使用 with the approving ballot's
    number, as ``…/approved-spending`` lists it). Every bad row comes back with its number
    and no lines; nothing is stored — the lines fill the publisher's form, which is checked
    and signed as typed. ``rows`` gives every row as written, so a form can show each error
    beside its row."""
    _publisher(principal, slug)
    data = await request.body()
    layout = LAYOUTS[kind]
    ballots: dict[str, dict[str, object]] = {}
    if layout.ballot:  # the numbers a fund's row may give, read off the event loop
        listed = await run_in_threadpool(_listed_fund_ballots, services, slug)
        ballots = {str(b.ballot_id): b.ref.model_dump(by_alias=True) for b in listed}
    parsed = parse_upload(data, request.headers.get("content-type", ""), layout, ballots)
    return StatementLines(
        income=parsed.income,
        expense=parsed.expense,
        costs=parsed.costs,
        disbursements=parsed.disbursements,
        spending=parsed.spending,
        errors=[
            RowErrorPublic(row=r, zh=zh, en=en, cell=parsed.cells.get(r))
            for r, zh, en in parsed.errors
        ],
        rows=[ReadRowPublic(**vars(r)) for r in parsed.rows],
    )


TEMPLATES = {"csv": ("text/csv; charset=utf-8", template_csv), "xlsx": (XLSX, template_xlsx)}
TEMPLATE_NAMES = {
    "IncomeExpense": "statement",
    "MaintenanceFund": "maintenance-fund",
    "CommonAreaIncome": "common-area-income",
}


@router.get(
    PREFIX + "/statement-template.{fmt}",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}},
        **text_errors(404),
    },
)
def statement_template(
    slug: str,
    fmt: Literal["csv", "xlsx"],
    session: SessionDep,
    kind: StatementKind = "IncomeExpense",
) -> Response:
    """The file a manager fills in for ``POST …/statement-lines?kind=…``: a header (类型,
    项目, 金额（元）, then 表决编号 for the fund, 备注) and one example line of each of the
    kind's sections, as CSV (UTF-8 with a byte-order mark, for Excel) or .xlsx (the amount
    and ballot columns formatted as text, read as typed)."""
    get_community(session, slug)
    media_type, make = TEMPLATES[fmt]
    name = f"{TEMPLATE_NAMES[kind]}-template.{fmt}"
    return Response(
        make(LAYOUTS[kind]),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(PREFIX + "/checkpoint", response_model=CheckpointPublic, responses=errors(404))
def latest_checkpoint(slug: str, session: SessionDep, services: ServicesDep) -> CheckpointPublic:
    log = _log(session, services, slug)
    latest = LogStore(session).latest_checkpoint(log)
    if latest is None:
        raise ApiError(404, "尚无检查点", "no checkpoint yet")
    return _checkpoint(latest)


@router.get(
    PREFIX + "/checkpoint/note", response_class=PlainTextResponse, responses=text_errors(404)
)
def latest_note(slug: str, session: SessionDep, services: ServicesDep) -> str:
    """The latest checkpoint as a C2SP signed note, for witnesses' tools."""
    return latest_checkpoint(slug, session, services).note


@router.get(PREFIX + "/checkpoints", response_model=list[CheckpointPublic], responses=errors(404))
def checkpoints(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    after: int = Query(-1, ge=-1, le=MAX_INT),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> list[CheckpointPublic]:
    log = _log(session, services, slug)
    return [
        _checkpoint(c)
        for c in DisclosureLogs(session).checkpoint_page(log, after=after, limit=limit)
    ]


@router.post(
    PREFIX + "/checkpoints/{size}/cosignatures",
    response_model=CheckpointPublic,
    status_code=201,
    responses=errors(403, 404, 409),
)
def add_cosignature(
    slug: str, size: IndexPath, body: CosignatureCreate, services: ServicesDep
) -> CheckpointPublic:
    """A witness's cosignature/v1 line; the signature by a registered witness key is what
    authorises it."""
    with services.db.session() as session:
        log = _log(session, services, slug)
        return _checkpoint(DisclosureLogs(session).cosign(log, size, body.line, body.vkey))


@router.get(PREFIX + "/witnesses", response_model=list[WitnessPublic], responses=errors(404))
def witnesses(slug: str, session: SessionDep, services: ServicesDep) -> list[WitnessPublic]:
    log = _log(session, services, slug)
    return [WitnessPublic(**w.__dict__) for w in DisclosureLogs(session).witnesses(log)]


@router.post(
    PREFIX + "/witnesses",
    response_model=WitnessPublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def add_witness(
    slug: str, body: WitnessCreate, services: ServicesDep, _: CommitteeOrOperatorDep
) -> WitnessPublic:
    """Register a witness key: the committee's own, or (by the operator, who stands for the
    street office) the street office's."""
    with services.db.session() as session:
        log = _log(session, services, slug, create=True)
        return WitnessPublic(
            **DisclosureLogs(session).add_witness(log, body.vkey, body.role).__dict__
        )


@router.get(PREFIX + "/proofs/inclusion", response_model=InclusionPublic, responses=errors(404))
def inclusion(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    index: int = Query(ge=0, le=MAX_INT),
    size: int | None = Query(None, ge=1, le=MAX_INT),
) -> InclusionPublic:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1), the current size by default."""
    log = _log(session, services, slug)
    store = LogStore(session)
    size = store.size(log) if size is None else size
    return InclusionPublic(
        index=index,
        size=size,
        leaf_hash=store.entry(log, index).leaf_hash.hex(),
        root=store.root(log, size).hex(),
        proof=[p.hex() for p in store.inclusion_proof(log, index, size)],
    )


@router.get(PREFIX + "/proofs/consistency", response_model=ConsistencyPublic, responses=errors(404))
def consistency(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    old: int = Query(ge=1, le=MAX_INT),
    new: int | None = Query(None, ge=1, le=MAX_INT),
) -> ConsistencyPublic:
    """PROOF(old, D[new]) (RFC 9162 §2.1.4.1), to the current size by default."""
    log = _log(session, services, slug)
    store = LogStore(session)
    new = store.size(log) if new is None else new
    return ConsistencyPublic(
        old_size=old,
        new_size=new,
        old_root=store.root(log, old).hex(),
        new_root=store.root(log, new).hex(),
        proof=[p.hex() for p in store.consistency_proof(log, old, new)],
    )


def chain_anchors(services: Services, log: LogRef) -> ChainAnchors | None:
    """The chain's anchors of ``log``; anchors None when the chain cannot be read now."""
    try:
        chain_id = services.chain.chain_id
    except ChainError:
        return None
    try:
        anchors = services.anchor.anchored(log.log_id)
    except ChainError:
        return ChainAnchors(chain_id, services.anchor.address, None)
    return ChainAnchors(chain_id, services.anchor.address, anchors)


def _members(session: Session, services: Services, slug: str) -> list[str]:
    try:
        registration = services.registration(session, get_community(session, slug))
    except NoCommittee:
        return []
    return [m.did for m in registration.members]


def bundle_lines(services: Services, slug: str) -> Iterator[str]:
    """The community's bundle, read in its own database session (it outlives the request's)."""
    with services.db.session() as session:
        log = _log(session, services, slug)
        community = get_community(session, slug)
        yield from export_bundle(
            session,
            log.origin,
            chain=chain_anchors(services, log),
            committee=_members(session, services, slug),
            registrations=registrations.documents(session, community),
            roles=issuance.role_documents(session, community),
        )


@router.get(
    PREFIX + "/bundle",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "JSON lines: the header, then every entry and checkpoint",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
        **errors(404),
    },
)
def bundle(slug: str, session: SessionDep, services: ServicesDep) -> StreamingResponse:
    """The whole log for `gongzhi verify ledger`, as JSON lines (streamed)."""
    _log(session, services, slug)  # a clear 404/400 before the stream starts
    return StreamingResponse(
        (line.encode() for line in bundle_lines(services, slug)),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{slug}-disclosures.jsonl"'},
    )
