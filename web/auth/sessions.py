"""Who is asking: sessions opened by DID sign-in, role checks, and the operator's token.

Keys. The server holds no key that speaks for the street office or the committee. It trusts
the street offices' root DIDs named in ``GONGZHI_TRUSTED_ROOTS`` (comma-separated; a demo
server also trusts its demo office, `web.demo.community`), stores the registrations (业委会备案) and
role credentials they sign on their own machines, and grants the ``committee`` role to the
DIDs the registration in force lists. Its only identity key is the status-list key
(``status.key`` in the data folder, 0600): the DID a registration names as
``server.statusIssuer``, which signs the communities' revocation lists — the server can
revoke a credential, never grant one. Ownership credentials are signed on a registered
member's device.

Sessions. Browsers get a cookie — HttpOnly (page scripts cannot read it), SameSite=Strict
(no other site can make the browser send it), Secure when the public URL is https; unsafe
requests carrying it must come from our own origin. API clients ask for a bearer token
instead (``Authorization: Bearer …``). Either way only the token's SHA-256 is stored.

Operator. Whoever runs the server holds the data folder and every key in it. The operator
token (``operator.token`` in the data folder, 256 random bits, compared in constant time)
stands for that access over HTTP, for what only the operator does: creating a community and
handing out a member's enrolment code (which only records the member's device DID for the
street office to register). The command
line ``gongzhi admin …`` does the same directly on the data folder.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import issuance, legacy, registrations
from identity.community.committee import Registration, RegistrationError
from identity.community.issuance import Issuers
from identity.community.models import Community, IssuedCredential, Person
from identity.community.signin import COMMITTEE, Challenges, find_session
from identity.community.trust import ChainCache
from identity.errors import IdentityError
from identity.w3c.didkey import Did, KeyType
from identity.w3c.keys import KeyPair
from voting.ballots import get_ballot
from web.server.bounds import IdPath
from web.server.db import Database
from web.server.deps import SAFE_METHODS, ServicesDep
from web.server.errors import ApiError
from web.server.settings import Settings

log = logging.getLogger("gongzhi.auth")
SESSION_COOKIE = "gongzhi_session"


def status_key(settings: Settings) -> KeyPair:
    """The server's status-list key (``status.key`` in the data folder, made at first use)."""
    return KeyPair.from_private_bytes(KeyType.ED25519, settings.secret_file("status.key"))


def trusted_roots(settings: Settings) -> frozenset[str]:
    """The root DIDs of ``GONGZHI_TRUSTED_ROOTS`` (comma-separated did:keys)."""
    roots: set[str] = set()
    for item in settings.trusted_roots.split(","):
        if item.strip():
            try:
                roots.add(Did(item.strip()).value)
            except IdentityError as exc:
                raise SystemExit(f"GONGZHI_TRUSTED_ROOTS: {exc}") from exc
    return frozenset(roots)


@dataclass
class IdentityRuntime:
    """Identity wiring built once at start: issuers, challenge key, verified-chain cache."""

    settings: Settings
    issuers: Issuers
    challenges: Challenges
    cache: ChainCache = field(default_factory=ChainCache)
    # The roots registrations are checked against when an enrolment QR pins one (create_app
    # sets them: the trusted roots, and a demo's demo office).
    pin_roots: frozenset[str] = frozenset()

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        extra_roots: frozenset[str] = frozenset(),
        auto_sign: issuance.AutoSigner | None = None,
    ) -> IdentityRuntime:
        issuers = Issuers(
            status=status_key(settings),
            base_url=settings.public_url.rstrip("/"),
            roots=trusted_roots(settings) | extra_roots,
            auto_sign=auto_sign,
        )
        if not issuers.trusted_roots:
            log.warning(
                "no trusted street office root (GONGZHI_TRUSTED_ROOTS): no registration can "
                "be stored, so no community has a committee"
            )
        log.info(
            "status key %s, trusted roots %s",
            issuers.status.did.value,
            ", ".join(sorted(issuers.trusted_roots)),
        )
        return cls(
            settings=settings,
            issuers=issuers,
            challenges=Challenges(settings.secret_file("signin.key")),
            pin_roots=frozenset(issuers.trusted_roots),
        )

    @property
    def domain(self) -> str:
        """What sign-in and enrolment proofs must name as ``domain``: our public origin."""
        return self.issuers.base_url

    @property
    def secure_cookies(self) -> bool:
        return self.settings.public_url.startswith("https://")

    def operator_token(self) -> str:
        return self.settings.secret_file("operator.token").hex()

    def enrolment_pin(self, session: Session, community: Community) -> Registration | None:
        """What an enrolment QR code pins: the registration in force now, checked against the
        roots (None while the community has no committee registered: nothing to pin yet)."""
        try:
            return registrations.in_force(session, community, self.pin_roots, datetime.now(UTC))
        except RegistrationError:
            return None

    def enrol_url(self, code: str, pin: Registration | None = None) -> str:
        """The address an enrolment QR code carries. Everything rides in the fragment, which
        browsers never send to a server or a log: the code, and — the owner's trust anchor,
        printed on paper by the committee — the street office's root DID and the hash of the
        registration in force, which the device stores and checks receipts against."""
        pinned = {"root": pin.root, "reg": pin.hash} if pin else {}
        fragment = urlencode({"code": code} | pinned, safe=":")
        return f"{self.issuers.base_url}/owner/enrol#{fragment}"

    def prepare(self, db: Database) -> None:
        """At start: credentials a data folder kept from the server-key model are retired and
        their owners' re-queued (`identity.community.legacy`); every owner who has a DID but
        no credential (the demo's server-held keys) gets one queued (on a demo server, signed
        at once by a demo member)."""
        now = datetime.now(UTC)
        with db.session() as session:
            for retired in legacy.retire_all(session, issuers=self.issuers, now=now):
                log.warning(
                    "community %s: %d credentials signed by former server keys revoked, "
                    "%d ownership credentials queued for the registered members to sign",
                    retired.community,
                    retired.revoked,
                    retired.queued,
                )
            for community in session.scalars(select(Community)):
                self._backfill(session, community, now)

    def _backfill(self, session: Session, community: Community, now: datetime) -> None:
        # Only owners never issued anything: a credential the committee revoked stays revoked.
        issued = select(IssuedCredential.person_id).where(
            IssuedCredential.community_id == community.id,
            IssuedCredential.person_id.is_not(None),
        )
        people = session.scalars(
            select(Person).where(
                Person.community_id == community.id,
                Person.did.is_not(None),
                Person.id.not_in(issued),
            )
        )
        for person in people:  # one credential per row they vote for, as owner or guardian
            issuance.queue_voting(
                session, community=community, person=person, issuers=self.issuers, now=now
            )


def get_runtime(request: Request) -> IdentityRuntime:
    runtime: IdentityRuntime = request.app.state.identity
    return runtime


RuntimeDep = Annotated[IdentityRuntime, Depends(get_runtime)]


@dataclass(frozen=True)
class Principal:
    """A signed-in DID and the roles its verified credentials granted, per community."""

    did: str
    grants: tuple[dict[str, Any], ...]
    via: str  # "cookie" | "bearer"
    expires_at: datetime

    def roles_in(self, community: str) -> set[str]:
        return {g["role"] for g in self.grants if g.get("community") == community}


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def _same_origin(request: Request, runtime: IdentityRuntime) -> bool:
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    if origin is None:  # not sent by older browsers on same-origin requests
        return (site or "same-origin") in ("same-origin", "none")
    if origin == "null":
        # Sent for our own pages' posts when a referrer policy hides the origin (no-referrer)
        # — and by sandboxed or opaque documents anywhere. Sec-Fetch-Site, which no page can
        # set, tells them apart: only the browser's own "same-origin" is ours.
        return site == "same-origin"
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin in (runtime.domain, own)


def current_principal(
    request: Request,
    services: ServicesDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal | None:
    """The signed-in caller, or None (the public). Unknown or expired tokens are the public.

    Looked up in a read-only session of its own, so a writing route's unit of work (and, on
    SQLite, its place in the writers' queue) starts only when the route itself needs it."""
    token = bearer_token(authorization)
    via = "bearer"
    if token is None:
        token, via = request.cookies.get(SESSION_COOKIE), "cookie"
    if not token:
        return None
    with services.db.session(write=False) as session:
        row = find_session(session, token=token, now=datetime.now(UTC))
    if row is None:
        return None
    if (
        via == "cookie"
        and request.method not in SAFE_METHODS
        and not _same_origin(request, runtime)
    ):
        raise ApiError(403, "跨站请求被拒绝", "cross-site request refused")
    return Principal(
        did=row.did, grants=tuple(row.grants), via=via, expires_at=issuance.aware(row.expires_at)
    )


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


def signed_in(principal: PrincipalDep) -> Principal:
    if principal is None:
        raise ApiError(401, "请先登录", "sign in first")
    return principal


SignedInDep = Annotated[Principal, Depends(signed_in)]


def require_role(principal: Principal | None, community: str, *roles: str) -> Principal:
    """The principal if it holds one of `roles` in `community`: 401 if not signed in, 403
    if signed in without the role."""
    if principal is None:
        raise ApiError(401, "需要业委会身份，请先登录", "committee credentials required; sign in")
    if not principal.roles_in(community) & set(roles):
        names = "、".join(roles)
        raise ApiError(
            403,
            f"您在小区“{community}”没有所需角色（{names}）",
            f"you do not hold the role needed in community {community} ({', '.join(roles)})",
        )
    return principal


def community_role(*roles: str) -> Callable[..., Principal]:
    """A dependency: the caller holds one of `roles` in the community named by ``{slug}``."""

    def dependency(slug: str, principal: PrincipalDep) -> Principal:
        return require_role(principal, slug, *roles)

    return dependency


CommitteeDep = Annotated[Principal, Depends(community_role(COMMITTEE))]


def committee_of_ballot(
    ballot_id: IdPath, principal: PrincipalDep, services: ServicesDep
) -> Principal:
    """The caller is a committee member of the ballot's community."""
    with services.db.session(write=False) as session:
        slug = get_ballot(session, ballot_id).community_slug
    return require_role(principal, slug, COMMITTEE)


BallotCommitteeDep = Annotated[Principal, Depends(committee_of_ballot)]


def _is_operator(runtime: IdentityRuntime, authorization: str | None) -> bool:
    given = bearer_token(authorization) or ""
    return bool(given) and hmac.compare_digest(given.encode(), runtime.operator_token().encode())


def operator(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    if not _is_operator(runtime, authorization):
        raise ApiError(401, "需要运维者令牌", "the operator token is required")


OperatorDep = Annotated[None, Depends(operator)]


def committee_or_operator(
    slug: str,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The committee of ``{slug}``, or the operator bootstrapping its first member."""
    if _is_operator(runtime, authorization):
        return "operator"
    return require_role(principal, slug, COMMITTEE).did


CommitteeOrOperatorDep = Annotated[str, Depends(committee_or_operator)]


def vote_verifier(session: Session, verify: Callable[[Any], str]) -> Callable[[Any], str]:
    """`verify` (the vote's own proof), then refuse a key reported lost: its credentials were
    revoked with reason ``key_lost``, and whoever holds the phone must not vote with it."""

    def check(document: Any) -> str:
        did = verify(document)
        issuance.check_key_usable(session, did)
        return did

    return check
