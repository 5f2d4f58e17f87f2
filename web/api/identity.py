"""The identity API: enrolment, sign-in by DID, status lists, and the committee's owner tools.

All bodies are JSON; errors are ``{"error": {"zh", "en", "message"}}`` (see `web.server.errors`).
Proofs are VC Data Integrity proofs, ``eddsa-jcs-2022`` (Ed25519) or ``ecdsa-jcs-2019``
(P-256, what a browser's WebCrypto keeps non-extractable), over RFC 8785 canonical JSON.

Public
  GET  /api/identity                           trusted roots, status key, ``domain`` to sign for
  GET  /api/communities/{slug}/status-list     signed BitstringStatusListCredential (status key)
  POST /api/communities/{slug}/registrations   store the next one the street office signed
                                               (GET: `web.api.decisions`)
  GET  /api/communities/{slug}/host-keys       what the office puts in a registration's server
  POST /api/communities/{slug}/roles           store a role credential the office signed
  POST /api/enrolment/redeem                   a signed EnrolmentRedemption → queued credential
  POST /api/auth/challenge                     a single-use challenge, valid 120 s
  POST /api/auth/sign-in                       {presentation, session: cookie|bearer}
  POST /api/auth/sign-out
  GET  /api/me, /api/me/credentials            the signed-in DID, its roles and credentials
Committee of {slug} (signed in by a DID the registration in force lists)
  GET  /api/communities/{slug}/owners          units, holders (opaque refs), enrolled or not
  GET  /api/communities/{slug}/credentials     what was issued and revoked
  GET  /api/communities/{slug}/credentials/pending?issuer=DID   queued, for DID to sign
  POST /api/communities/{slug}/credentials     the queued credentials, signed by a member
  POST /api/communities/{slug}/enrolment-codes       one-time codes, shown once
  POST /api/communities/{slug}/enrolment-codes/qr    a code as a QR image (SVG or PNG)
  POST /api/communities/{slug}/member-codes          a member's code (or the operator's)
  PUT  /api/communities/{slug}/units/{unit}/holder   co-owners' new designated holder
  PUT  /api/communities/{slug}/units/{unit}/guardian the owner's new guardian, or none
  POST /api/communities/{slug}/transfers             a unit was sold
  POST /api/communities/{slug}/recoveries            a lost phone (the holder's, or the
                                                     guardian's who votes for them)
  POST /api/communities/{slug}/revocations           revoke one credential
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from identity.community import enrolment, issuance, registrations, revocation, signin
from identity.community.committee import Registration, RegistrationError
from identity.community.enrolment import IssuedCode
from identity.community.models import (
    Community,
    EnrolmentCode,
    IssuedCredential,
    Person,
    Unit,
    UnitOwner,
)
from identity.community.register import Owner
from identity.community.registry import get_community
from identity.community.revocation import OwnershipChange
from identity.errors import IdentityError
from identity.w3c.didkey import Did
from voting.area import Area
from web.api.turnout import natural_key
from web.auth.sessions import (
    SESSION_COOKIE,
    CommitteeDep,
    CommitteeOrOperatorDep,
    RuntimeDep,
    SignedInDep,
    bearer_token,
)
from web.auth.throttle import ChallengeLimit, RedeemLimit, SignInLimit
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors
from web.server.errors import ApiError

router = APIRouter(prefix="/api")


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse(status: int, exc: IdentityError) -> ApiError:
    return ApiError(status, *exc.bilingual())


class IdentityInfo(BaseModel):
    trusted_roots: list[str]
    status_issuer: str
    domain: str
    challenge_ttl_seconds: int


class HostKeys(BaseModel):
    statusIssuer: str  # the registration's own field names
    disclosureLogKey: str


class ChallengePublic(BaseModel):
    challenge: str
    domain: str
    expires: datetime
    proof_purpose: str = "authentication"


class SignInRequest(BaseModel):
    presentation: dict[str, Any]
    session: Literal["cookie", "bearer"] = "cookie"


class SignInPublic(BaseModel):
    did: str
    grants: list[dict[str, Any]]
    expires: datetime
    token: str | None = None


class MePublic(BaseModel):
    did: str
    grants: list[dict[str, Any]]
    expires: datetime
    via: str


class CredentialsPublic(BaseModel):
    did: str
    credentials: list[dict[str, Any]]
    chain: list[dict[str, Any]]
    status_lists: list[str]
    pending: int = 0  # credentials queued for this DID that no member has signed yet
    # slugs of the communities the DID holds or awaits credentials in (a voting card is
    # printed with its community before any member has signed its credential)
    communities: list[str] = []


class AcceptedPublic(BaseModel):
    accepted: list[str]


class CodePublic(BaseModel):
    code: str
    url: str
    kind: str
    units: list[str]
    role: str | None
    expires: datetime


class CodesRequest(BaseModel):
    units: list[str] | None = Field(default=None, max_length=5000)
    valid_days: int = Field(default=30, ge=1, le=90)


class CodesPublic(BaseModel):
    codes: list[CodePublic]


class QrRequest(BaseModel):
    code: str = Field(max_length=64)
    format: Literal["svg", "png"] = "svg"


class MemberCodeRequest(BaseModel):
    role: Literal["chair", "viceChair", "member"] = "member"
    valid_days: int = Field(default=7, ge=1, le=90)


class OwnerRow(BaseModel):
    unit: str
    area: str
    holder: str
    co_owners: int
    enrolled: bool
    credential: str | None


class HolderRequest(BaseModel):
    id_number: str = Field(min_length=1, max_length=40)


class BuyerIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=40)
    phone: str = Field(default="", max_length=40)


class TransferRequest(BaseModel):
    unit: str = Field(min_length=1, max_length=32)
    buyers: list[BuyerIn] = Field(min_length=1, max_length=20)
    holder: int = Field(default=0, ge=0, le=19)  # an index into buyers (20 at most)


class GuardianRequest(BaseModel):
    # None: the owner regained full legal capacity (or the court ended the guardianship).
    guardian: BuyerIn | None


class RecoveryRequest(BaseModel):
    unit: str = Field(min_length=1, max_length=32)
    id_number: str = Field(min_length=1, max_length=40)


class ChangePublic(BaseModel):
    unit: str
    revoked: list[str]
    issued: list[str]
    enrolment: CodePublic | None


class RevokeRequest(BaseModel):
    credential_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="revoked", pattern=r"^[a-z_]{1,32}$")


class CredentialRow(BaseModel):
    id: str
    kind: str
    subject: str
    units: list[str]
    role: str | None
    issued: datetime
    revoked: datetime | None
    reason: str | None


def _code_public(
    runtime: RuntimeDep, code: IssuedCode, pin: Registration | None = None
) -> CodePublic:
    return CodePublic(
        code=code.code,
        url=runtime.enrol_url(code.code, pin),
        kind=code.kind,
        units=list(code.units),
        role=code.role,
        expires=code.expires_at,
    )


def _change_public(
    runtime: RuntimeDep, change: OwnershipChange, pin: Registration | None = None
) -> ChangePublic:
    return ChangePublic(
        unit=change.unit,
        revoked=list(change.revoked),
        issued=list(change.issued),
        enrolment=_code_public(runtime, change.enrolment, pin) if change.enrolment else None,
    )


def _credential_row(row: IssuedCredential) -> CredentialRow:
    return CredentialRow(
        id=row.credential_id,
        kind=row.kind,
        subject=row.subject_did,
        units=list(row.units),
        role=row.role,
        issued=issuance.aware(row.issued_at),
        revoked=issuance.aware(row.revoked_at) if row.revoked_at else None,
        reason=row.revoke_reason,
    )


def _json(document: dict[str, Any], *, max_age: int = 0, status: int = 200) -> Response:
    response = JSONResponse(document, status_code=status)
    if max_age:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# ---- public ---------------------------------------------------------------------------------


@router.get("/identity", response_model=IdentityInfo, responses=errors())
def identity_info(runtime: RuntimeDep) -> IdentityInfo:
    """The trusted roots, the server's status key and the ``domain`` every sign-in or
    enrolment proof must name."""
    issuers = runtime.issuers
    return IdentityInfo(
        trusted_roots=sorted(issuers.trusted_roots),
        status_issuer=issuers.status.did.value,
        domain=runtime.domain,
        challenge_ttl_seconds=int(runtime.challenges.ttl.total_seconds()),
    )


@router.get("/communities/{slug}/status-list", responses=errors(404))
def community_status_list(slug: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    """The community's signed BitstringStatusListCredential, signed by the server's status key
    (the registration's ``server.statusIssuer``); its stable URL is in every ownership
    credential, as ``statusListCredential``."""
    community = get_community(session, slug)
    document = issuance.published_list(
        session, list_key=community.slug, issuers=runtime.issuers, now=_now()
    )
    return _json(document, max_age=60)


@router.post("/communities/{slug}/registrations", status_code=201, responses=errors(404, 409))
def add_registration(
    slug: str, credential: dict[str, Any], session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Store the next registration the street office signed (``gongzhi office register``):
    root-signed, for this community, the next link of its chain. The signature is the
    authority, so no session is needed."""
    community = get_community(session, slug)
    try:
        registrations.add(session, community, credential, runtime.issuers.trusted_roots)
    except RegistrationError as exc:
        raise ApiError(409, exc.zh, exc.en) from exc
    return _json(credential, status=201)


@router.get("/communities/{slug}/host-keys", response_model=HostKeys, responses=errors(404))
def host_keys(slug: str, session: SessionDep, services: ServicesDep) -> HostKeys:
    """What the office writes into a registration's ``server``: the status key's DID and the
    note key of the community's disclosure log."""
    keys = services.host_keys(get_community(session, slug).slug)
    return HostKeys(statusIssuer=keys.status_issuer, disclosureLogKey=keys.disclosure_log_key)


@router.post("/communities/{slug}/roles", status_code=201, responses=errors(404, 409))
def add_role(
    slug: str, credential: dict[str, Any], session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Store a CommunityRoleCredential the street office signed (``gongzhi office
    grant-role``): the community's property manager or an auditor. The root's signature is
    the authority, so no session is needed."""
    row = issuance.store_role(
        session,
        community=get_community(session, slug),
        credential=credential,
        roots=runtime.issuers.trusted_roots,
        now=_now(),
        skew=runtime.settings.clock_skew,
    )
    return _json(issuance.document_of(row), status=201)


@router.post(
    "/enrolment/redeem",
    response_model=CredentialsPublic,
    status_code=201,
    responses=errors(401, 404, 409),
)
def redeem(
    answer: dict[str, Any], session: SessionDep, runtime: RuntimeDep, _: RedeemLimit
) -> CredentialsPublic:
    """Bind a new DID with a one-time code. Body: an ``EnrolmentRedemption`` signed by the
    DID's key — ``{"type": "EnrolmentRedemption", "code": "XXXXX-…", "holder": "did:key:…",
    "proof": {…, "proofPurpose": "authentication", "domain": <GET /api/identity domain>}}``.
    Answers with the DID's credentials and the chain that backs them; a new ownership
    credential is queued (``pending``) until a registered committee member signs it."""
    redeemed = enrolment.redeem(
        session, answer=answer, domain=runtime.domain, issuers=runtime.issuers, now=_now()
    )
    return _credentials_of(session, runtime, redeemed.did)


def _credentials_of(session: SessionDep, runtime: RuntimeDep, did: str) -> CredentialsPublic:
    rows = issuance.active(session, subject_did=did)
    chain: list[dict[str, Any]] = []
    for community_id in sorted({r.community_id for r in rows if r.kind == issuance.OWNERSHIP}):
        community = session.get(Community, community_id)
        if community is not None:
            chain += registrations.documents(session, community)
    lists = sorted({runtime.issuers.list_url(r.status_list) for r in rows if r.status_list})
    queued = issuance.active(session, subject_did=did, pending=True)
    slugs = {
        community.slug
        for community_id in {r.community_id for r in (*rows, *queued)}
        if (community := session.get(Community, community_id)) is not None
    }
    return CredentialsPublic(
        did=did,
        credentials=[issuance.document_of(r) for r in rows],
        chain=chain,
        status_lists=lists,
        pending=len(queued),
        communities=sorted(slugs),
    )


@router.post("/auth/challenge", response_model=ChallengePublic, responses=errors())
def challenge(runtime: RuntimeDep, _: ChallengeLimit) -> ChallengePublic:
    """A single-use challenge, valid for 120 s. Sign it into a presentation (see sign-in)."""
    issued = runtime.challenges.issue(_now())
    return ChallengePublic(challenge=issued.value, domain=runtime.domain, expires=issued.expires_at)


@router.post("/auth/sign-in", response_model=SignInPublic, responses=errors(401))
def sign_in(
    body: SignInRequest,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    _: SignInLimit,
) -> SignInPublic:
    """Open a session. ``presentation``: a VerifiablePresentation ``{"@context":
    ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
    "holder": did, "verifiableCredential": [optional credentials]}`` with a proof by the
    holder's key: ``proofPurpose: authentication``, ``challenge`` and ``domain`` as given by
    the challenge. ``session``: ``cookie`` (browsers: HttpOnly, SameSite=Strict) or
    ``bearer`` (API clients: the token is in the answer, once)."""
    now = _now()
    try:
        signed = signin.authenticate(
            session,
            presentation=body.presentation,
            domain=runtime.domain,
            challenges=runtime.challenges,
            issuers=runtime.issuers,
            now=now,
            cache=runtime.cache,
            skew=runtime.settings.clock_skew,
        )
    except IdentityError as exc:
        raise _refuse(401, exc) from exc
    token, row = signin.open_session(session, signed_in=signed, now=now)
    if body.session == "cookie":
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int((row.expires_at - now).total_seconds()),
            httponly=True,
            samesite="strict",
            secure=runtime.secure_cookies,
            path="/",
        )
    return SignInPublic(
        did=signed.did,
        grants=list(signed.grants),
        expires=row.expires_at,
        token=token if body.session == "bearer" else None,
    )


@router.post("/auth/sign-out", status_code=204, responses=errors(403))
def sign_out(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """End the caller's session (bearer or cookie) and clear the cookie; harmless when not
    signed in."""
    token = bearer_token(authorization) or request.cookies.get(SESSION_COOKIE)
    if token:
        signin.end_session(session, token=token, now=_now())
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=runtime.secure_cookies
    )
    return response


@router.get("/me", response_model=MePublic, responses=errors(401))
def me(principal: SignedInDep) -> MePublic:
    return MePublic(
        did=principal.did,
        grants=list(principal.grants),
        expires=principal.expires_at,
        via=principal.via,
    )


@router.get("/me/credentials", response_model=CredentialsPublic, responses=errors(401))
def my_credentials(
    principal: SignedInDep, session: SessionDep, runtime: RuntimeDep
) -> CredentialsPublic:
    """The signed-in DID's unrevoked credentials and their chain (to restore a device)."""
    return _credentials_of(session, runtime, principal.did)


# ---- committee ------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/owners", response_model=list[OwnerRow], responses=errors(401, 403, 404)
)
def owners(slug: str, session: SessionDep, _: CommitteeDep) -> list[OwnerRow]:
    """Every unit with its holder as an opaque reference — no names, ID or phone numbers:
    the committee recognises owners by unit, and the paper register stays in its office."""
    community = get_community(session, slug)
    co_owners = dict(
        session.execute(
            select(UnitOwner.unit_id, func.count())
            .join(Unit, Unit.id == UnitOwner.unit_id)
            .where(Unit.community_id == community.id)
            .group_by(UnitOwner.unit_id)
        ).all()
    )
    credentials: dict[int, str] = {}
    for row in issuance.active(session, community=community, kinds=[issuance.OWNERSHIP]):
        if row.person_id is not None:
            credentials[row.person_id] = row.credential_id
    rows = session.execute(
        select(Unit, Person)
        .join(Person, Unit.holder_id == Person.id)
        .where(Unit.community_id == community.id)
    ).all()
    # Units in the order people count them (1-1-101 before 1-1-1001), not as text.
    rows = sorted(rows, key=lambda pair: natural_key(pair[0].unit_no))
    return [
        OwnerRow(
            unit=unit.unit_no,
            area=str(Area(unit.area_centi)),
            holder=f"p{person.id}",
            co_owners=int(co_owners.get(unit.id, 1)),
            enrolled=person.did is not None,
            credential=credentials.get(person.id),
        )
        for unit, person in rows
    ]


@router.get(
    "/communities/{slug}/credentials",
    response_model=list[CredentialRow],
    responses=errors(401, 403, 404),
)
def credentials(slug: str, session: SessionDep, _: CommitteeDep) -> list[CredentialRow]:
    community = get_community(session, slug)
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.community_id == community.id)
        .order_by(IssuedCredential.id)
    )
    return [_credential_row(r) for r in rows]


@router.get(
    "/communities/{slug}/credentials/pending",
    response_model=list[dict[str, Any]],
    responses=errors(401, 403, 404),
)
def pending_credentials(
    slug: str,
    session: SessionDep,
    _: CommitteeDep,
    issuer: str = Query(max_length=200),
) -> list[dict[str, Any]]:
    """The queued ownership credentials, each with ``issuer`` set to the member who will sign
    them (their status entries are on the server's status list); sign each with that
    member's key (eddsa-jcs-2022 or ecdsa-jcs-2019, assertionMethod) and post them back."""
    community = get_community(session, slug)
    try:
        did = Did(issuer).value
    except IdentityError as exc:
        raise ApiError(400, "issuer 不是有效的 DID", f"issuer is not a valid DID: {exc}") from exc
    return issuance.pending_for(session, community=community, issuer=did)


@router.post(
    "/communities/{slug}/credentials",
    response_model=AcceptedPublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def signed_credentials(
    slug: str,
    body: Annotated[list[dict[str, Any]], Body(max_length=1000)],
    session: SessionDep,
    runtime: RuntimeDep,
    _: CommitteeDep,
) -> AcceptedPublic:
    """Queued credentials signed by a registered member: each must be exactly as queued but
    for its issuer and proof. Any refusal stores none of them."""
    community = get_community(session, slug)
    try:
        chain = registrations.chain(session, community, runtime.issuers.trusted_roots)
    except RegistrationError as exc:
        raise ApiError(409, exc.zh, exc.en) from exc
    rows = issuance.accept_signed(
        session, community=community, credentials=body, chain=chain, now=_now()
    )
    return AcceptedPublic(accepted=[r.credential_id for r in rows])


@router.post(
    "/communities/{slug}/enrolment-codes",
    response_model=CodesPublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def enrolment_codes(
    slug: str, body: CodesRequest, session: SessionDep, runtime: RuntimeDep, _: CommitteeDep
) -> CodesPublic:
    """One-time codes for the holders of ``units`` (default: every holder not enrolled yet),
    one per person whatever the number of units. The codes are shown in this answer only:
    the server keeps their hashes. Print them (or use the printable sheet page)."""
    community = get_community(session, slug)
    codes = enrolment.owner_codes(
        session,
        community=community,
        now=_now(),
        units=body.units,
        valid_for=timedelta(days=body.valid_days),
    )
    pin = runtime.enrolment_pin(session, community)
    return CodesPublic(codes=[_code_public(runtime, c, pin) for c in codes])


def qr_image(url: str, kind: str) -> tuple[bytes, str]:
    """A QR code (error correction M) of `url`, as SVG or PNG bytes and a media type."""
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if kind == "png":
        qr.save(buffer, kind="png", scale=8, border=4)
        return buffer.getvalue(), "image/png"
    qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=False)
    return buffer.getvalue(), "image/svg+xml"


@router.post("/communities/{slug}/enrolment-codes/qr", responses=errors(401, 403, 404))
def enrolment_qr(
    slug: str, body: QrRequest, session: SessionDep, runtime: RuntimeDep, _: CommitteeDep
) -> Response:
    """An outstanding code of this community as a QR image of its enrolment URL. POST, so
    the code never appears in a URL or an access log."""
    community = get_community(session, slug)
    code = enrolment.normalise_code(body.code)
    row = session.scalar(
        select(EnrolmentCode).where(
            EnrolmentCode.code_hash == enrolment.code_hash(code),
            EnrolmentCode.community_id == community.id,
        )
    )
    if row is None or row.used_at is not None or row.cancelled_at is not None:
        raise ApiError(404, "没有这个有效的登记码", "no such outstanding enrolment code")
    pin = runtime.enrolment_pin(session, community)
    data, media = qr_image(runtime.enrol_url(code, pin), body.format)
    return Response(content=data, media_type=media, headers={"Cache-Control": "no-store"})


@router.post(
    "/communities/{slug}/member-codes",
    response_model=CodePublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def member_code(
    slug: str,
    body: MemberCodeRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    _: CommitteeOrOperatorDep,
) -> CodePublic:
    """A one-time code that makes its redeemer a committee member with ``role``. The
    operator token may ask for one (to bootstrap the first member); afterwards members do."""
    community = get_community(session, slug)
    code = enrolment.member_code(
        session,
        community=community,
        role=body.role,
        now=_now(),
        valid_for=timedelta(days=body.valid_days),
    )
    return _code_public(runtime, code, runtime.enrolment_pin(session, community))


@router.put(
    "/communities/{slug}/units/{unit}/holder",
    response_model=ChangePublic,
    responses=errors(401, 403, 404, 409),
)
def change_holder(
    slug: str,
    unit: str,
    body: HolderRequest,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    _: CommitteeDep,
) -> ChangePublic:
    """The co-owners designated another of them (named by ID number, matched through the
    keyed hash) to vote for the unit. The old holder's credential loses the unit; the new
    holder gets a credential with it, or an enrolment code if they have no DID yet."""
    change = revocation.designate_holder(
        session,
        community=get_community(session, slug),
        unit_no=unit,
        id_number=body.id_number,
        cipher=services.cipher,
        issuers=runtime.issuers,
        now=_now(),
    )
    return _change_public(
        runtime, change, runtime.enrolment_pin(session, get_community(session, slug))
    )


@router.put(
    "/communities/{slug}/units/{unit}/guardian",
    response_model=ChangePublic,
    responses=errors(401, 403, 404, 409),
)
def change_guardian(
    slug: str,
    unit: str,
    body: GuardianRequest,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    _: CommitteeDep,
) -> ChangePublic:
    """The owner of the unit has another guardian (监护人) now — a court appointed one — or
    none (``"guardian": null``: they regained full capacity). The old guardian's credentials
    lose the owner's units and their sessions end; the new guardian (stored encrypted, found
    by ID number if already on the register) or the owner gets a credential, or a code in
    this answer. Open ballots keep their census; the old guardian's key no longer votes there
    for the owner, and the new guardian's key is confirmed by the committee (VoterKeyChanged)."""
    community = get_community(session, slug)
    guardian = body.guardian
    change = revocation.change_guardian(
        session,
        community=community,
        unit_no=unit,
        guardian=None
        if guardian is None
        else Owner(name=guardian.name, id_number=guardian.id_number, phone=guardian.phone),
        cipher=services.cipher,
        issuers=runtime.issuers,
        now=_now(),
    )
    return _change_public(runtime, change, runtime.enrolment_pin(session, community))


@router.post(
    "/communities/{slug}/transfers",
    response_model=ChangePublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def transfer(
    slug: str,
    body: TransferRequest,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    _: CommitteeDep,
) -> ChangePublic:
    """A unit was sold: the seller's credential for it is revoked (a new one covers their
    remaining units); the buyers' personal data is stored encrypted; the designated buyer
    enrols with the code in the answer (or, if already enrolled, gets a new credential)."""
    change = revocation.transfer_unit(
        session,
        community=get_community(session, slug),
        unit_no=body.unit,
        buyers=[Owner(name=b.name, id_number=b.id_number, phone=b.phone) for b in body.buyers],
        holder=body.holder,
        cipher=services.cipher,
        issuers=runtime.issuers,
        now=_now(),
    )
    return _change_public(
        runtime, change, runtime.enrolment_pin(session, get_community(session, slug))
    )


@router.post(
    "/communities/{slug}/recoveries",
    response_model=ChangePublic,
    status_code=201,
    responses=errors(401, 403, 404, 409),
)
def recover(
    slug: str,
    body: RecoveryRequest,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    _: CommitteeDep,
) -> ChangePublic:
    """A lost phone: after the committee re-checks the owner in person, the ID number must
    match the unit's holder, or the guardian (监护人) who votes for the holder; the old
    DID's credentials are revoked (it can no longer sign in or vote) and a new enrolment code
    binds a new key. Ballots already cast are untouched."""
    change = revocation.recover_owner(
        session,
        community=get_community(session, slug),
        unit_no=body.unit,
        id_number=body.id_number,
        cipher=services.cipher,
        issuers=runtime.issuers,
        now=_now(),
    )
    return _change_public(
        runtime, change, runtime.enrolment_pin(session, get_community(session, slug))
    )


@router.post(
    "/communities/{slug}/revocations",
    response_model=CredentialRow,
    responses=errors(401, 403, 404, 409),
)
def revoke(slug: str, body: RevokeRequest, session: SessionDep, _: CommitteeDep) -> CredentialRow:
    """Revoke one credential issued in this community (e.g. a member who left)."""
    row = revocation.revoke_credential(
        session,
        community=get_community(session, slug),
        credential_id=body.credential_id,
        reason=body.reason,
        now=_now(),
    )
    return _credential_row(row)
