"""Sign-in by DID: a single-use, short-lived challenge answered with a signed presentation.

1. The server issues a challenge ``v1.<nonce>.<expiry>.<mac>``: an HMAC-SHA-256 under a
   server key binds the random nonce to its expiry (120 s), so issuing one writes nothing
   and an unauthenticated caller cannot fill a table.
2. The device answers with a Verifiable Presentation (VC DM 2.0 §4.13) whose ``holder`` is
   its DID, secured by a Data Integrity proof (eddsa-jcs-2022 or ecdsa-jcs-2019) with
   ``proofPurpose: authentication``, the ``challenge`` and the server's ``domain``
   (VC Data Integrity §2.1, §4.5). It may carry its credentials in ``verifiableCredential``;
   with none, the server uses those it stores for that DID — and verifies them just the same.
3. The server checks the MAC and the expiry, the proof (signer = holder, purpose, challenge,
   domain), records the nonce as used (a primary key: a second answer fails, concurrent ones
   too), and verifies every credential: proof, validity, status, and the issuer's chain up to
   a trusted root (`identity.community.vc.verify_credential`, against the community's stored
   registrations and any the holder presents); each must name the holder as subject.
   Expiry and validity periods are checked within the clock skew (`identity.w3c.clockskew`), and
   a used nonce is kept until the skew has passed too.
4. It opens a session: a random 256-bit token of which only the SHA-256 is stored.

Roles: ``owner`` (an OwnershipCredential, with its units), ``propertyManager`` and
``auditor`` (the street office's CommunityRoleCredential), and ``committee`` (with the
member's position: chair / viceChair / member) for a DID that the community's registration
in force now lists — within the clock skew, as for credentials — no credential makes a
committee member, the street office's registration does. Without a session one is the
public.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.community import issuance, registrations
from identity.community.committee import Member, Registration, RegistrationChain, RegistrationError
from identity.community.issuance import Issuers, aware
from identity.community.models import AuthSession, Community, UsedChallenge
from identity.community.trust import ChainCache, OwnershipClaim, parse_claim
from identity.community.vc import VerifiedCredential, verify_credential
from identity.errors import IdentityError, explain
from identity.w3c.clockskew import NO_SKEW, require_skew, shifted, skew_note
from identity.w3c.contexts import VC_V2_CONTEXT
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.failures import VerificationError
from identity.w3c.multibase import decode_base64url, encode_base64url

CHALLENGE_TTL = timedelta(seconds=120)
SESSION_TTL = timedelta(hours=12)
MAX_CREDENTIALS = 16
OWNER, COMMITTEE, PROPERTY_MANAGER, AUDITOR = "owner", "committee", "propertyManager", "auditor"
ROLES = (OWNER, COMMITTEE, PROPERTY_MANAGER, AUDITOR)
_VERSION = "v1"
_USED = ("挑战已被使用，请重新获取", "the challenge was used already; get a new one")


class SignInError(IdentityError):
    """A challenge or its answer was refused; the message says why (bilingual)."""


@dataclass(frozen=True)
class Challenge:
    value: str
    expires_at: datetime


class Challenges:
    """Stateless challenges: ``v1.<nonce>.<expiry unix seconds>.<HMAC-SHA-256, 16 bytes>``."""

    def __init__(self, key: bytes, *, ttl: timedelta = CHALLENGE_TTL) -> None:
        if len(key) < 32:
            raise SignInError("挑战密钥至少 32 字节", "the challenge key needs 32 bytes or more")
        self._key = hmac.digest(key, b"gongzhi sign-in challenge v1", "sha256")
        self.ttl = ttl

    def _mac(self, nonce: str, expiry: int) -> str:
        tag = hmac.digest(self._key, f"{_VERSION}.{nonce}.{expiry}".encode(), "sha256")
        return encode_base64url(tag[:16])[1:]  # drop the multibase prefix "u"

    def issue(self, now: datetime) -> Challenge:
        nonce = secrets.token_urlsafe(18)
        expiry = int(now.timestamp() + self.ttl.total_seconds())
        value = f"{_VERSION}.{nonce}.{expiry}.{self._mac(nonce, expiry)}"
        return Challenge(value=value, expires_at=datetime.fromtimestamp(expiry, UTC))

    def check(
        self, value: object, now: datetime, *, skew: timedelta = NO_SKEW
    ) -> tuple[str, datetime]:
        """(nonce, last moment it is accepted) of a challenge this server issued, accepted
        until `skew` past its expiry (`identity.w3c.clockskew`). Keep a used nonce until that
        moment, or an answer could be replayed in the grace period."""
        require_skew(skew)
        parts = value.split(".") if isinstance(value, str) and len(value) < 200 else []
        if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
            raise SignInError("挑战格式无效", "the challenge is malformed")
        nonce, expiry_text, mac = parts[1], parts[2], parts[3]
        expiry = int(expiry_text)
        try:
            decode_base64url("u" + mac)
        except IdentityError as exc:
            raise SignInError("挑战格式无效", "the challenge is malformed") from exc
        if not hmac.compare_digest(mac.encode(), self._mac(nonce, expiry).encode()):
            raise SignInError("挑战不是本服务签发的", "the challenge was not issued here")
        accepted_until = shifted(datetime.fromtimestamp(expiry, UTC), skew)
        if now >= accepted_until:
            zh, en = skew_note(skew)
            raise SignInError(
                f"挑战已过期，请重新获取{zh}", f"the challenge has expired; get a new one{en}"
            )
        return nonce, accepted_until


def use_challenge(session: Session, *, nonce: str, expires_at: datetime, now: datetime) -> None:
    """Mark the nonce used; a second use of the same challenge raises `SignInError`."""
    session.execute(delete(UsedChallenge).where(UsedChallenge.expires_at < now))
    if session.get(UsedChallenge, nonce) is not None:
        raise SignInError(*_USED)
    session.add(UsedChallenge(nonce=nonce, expires_at=expires_at))
    try:
        session.flush()
    except IntegrityError as exc:  # the same answer raced in twice: one of them wins
        raise SignInError(*_USED) from exc


@dataclass(frozen=True)
class Presentation:
    holder: str
    challenge: str
    credentials: tuple[Mapping[str, Any], ...]
    chain: tuple[Mapping[str, Any], ...]


def _types(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


def read_presentation(document: object, *, domain: str) -> Presentation:
    """The holder and credentials of a presentation whose authentication proof verifies
    for `domain` (the challenge itself is checked by the caller)."""
    if not isinstance(document, Mapping):
        raise SignInError("登录请求须为 JSON 对象", "the presentation must be a JSON object")
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2_CONTEXT:
        raise SignInError(
            f"@context 的第一项须为 {VC_V2_CONTEXT}", f"the first @context must be {VC_V2_CONTEXT}"
        )
    if "VerifiablePresentation" not in _types(document):
        raise SignInError(
            "type 须包含 VerifiablePresentation", "type must include VerifiablePresentation"
        )
    holder = issuance.check_did(document.get("holder"))
    proof = document.get("proof")
    challenge = proof.get("challenge") if isinstance(proof, Mapping) else None
    if not isinstance(challenge, str):
        raise SignInError("proof 中缺少 challenge", "the proof has no challenge")
    try:
        verify_signed_json(
            document,
            expected_signer=holder,
            expected_purpose="authentication",
            challenge=challenge,
            domain=domain,
        )
    except VerificationError as exc:
        raise SignInError(
            *explain(
                f"登录签名无效（{exc.reason}）",
                f"the sign-in proof is not valid ({exc.reason})",
                exc,
            )
        ) from exc
    raw = document.get("verifiableCredential", [])
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > MAX_CREDENTIALS or not all(isinstance(i, Mapping) for i in items):
        raise SignInError(
            f"verifiableCredential 须为至多 {MAX_CREDENTIALS} 个凭证对象",
            f"verifiableCredential must hold at most {MAX_CREDENTIALS} credential objects",
        )
    chain = tuple(i for i in items if "CommitteeRegistrationCredential" in _types(i))
    credentials = tuple(i for i in items if i not in chain)
    return Presentation(holder=holder, challenge=challenge, credentials=credentials, chain=chain)


def grant_of(verified: VerifiedCredential, *, holder: str) -> dict[str, Any]:
    """The role one verified credential gives its subject, who must be the holder."""
    if verified.subject.get("id") != holder:
        raise SignInError(
            "凭证的主体不是登录者", "the credential's subject is not the one signing in"
        )
    claim = parse_claim(verified.view)
    if isinstance(claim, OwnershipClaim):
        return {
            "community": claim.community_id,
            "role": OWNER,
            "units": [{"unit": u.unit_id, "area": str(u.area)} for u in claim.units],
        }
    if issuance.ROLE_CREDENTIAL in verified.types and verified.trust.committee is None:
        community, role = issuance.parse_role(verified.subject)
        return {"community": community, "role": role}
    raise SignInError(
        "该凭证不授予任何角色", f"this credential grants no role ({', '.join(verified.types)})"
    )


@dataclass(frozen=True)
class SignedIn:
    did: str
    grants: tuple[dict[str, Any], ...]


def authenticate(
    session: Session,
    *,
    presentation: object,
    domain: str,
    challenges: Challenges,
    issuers: Issuers,
    now: datetime,
    cache: ChainCache | None = None,
    skew: timedelta = NO_SKEW,
) -> SignedIn:
    """Steps 2–3 of the module docstring; raises `SignInError` naming the first failure.
    A DID whose only credential is still queued (no member has signed it yet) signs in with
    no role, so its device can fetch the credential once it is issued.
    `skew` is how far clocks may disagree (`identity.w3c.clockskew`): the challenge's expiry and
    the credentials' validity periods are checked within it."""
    answer = read_presentation(presentation, domain=domain)
    nonce, expires_at = challenges.check(answer.challenge, now, skew=skew)
    presented: Sequence[Mapping[str, Any]] = answer.credentials
    if not presented:
        stored = issuance.active(session, subject_did=answer.holder)
        presented = [issuance.document_of(r) for r in stored]
    lookup = issuance.status_lookup(session, issuers)
    cache = cache if cache is not None else ChainCache()
    stored_chains: dict[str, list[dict[str, Any]]] = {}
    grants: list[dict[str, Any]] = committee_grants(
        session, answer.holder, roots=issuers.trusted_roots, cache=cache, now=now, skew=skew
    )
    for credential in presented:
        community = _community_of(credential)
        if community not in stored_chains:
            stored_chains[community] = _stored_registrations(session, community)
        try:
            verified = verify_credential(
                credential,
                now=now,
                trusted_roots=issuers.trusted_roots,
                status_lookup=lookup,
                chain=[*answer.chain, *stored_chains[community]],
                cache=cache,
                skew=skew,
            )
        except VerificationError as exc:
            raise SignInError(
                *explain(
                    f"凭证无效（{exc.reason}）", f"a credential is not valid ({exc.reason})", exc
                )
            ) from exc
        if issuance.revoked_here(session, verified.view.id):
            raise SignInError("凭证已被撤销", "a credential was revoked")
        grant = grant_of(verified, holder=answer.holder)
        if grant not in grants:
            grants.append(grant)
    if not grants and not issuance.active(session, subject_did=answer.holder, pending=True):
        _out_of_term(session, answer.holder, roots=issuers.trusted_roots, cache=cache, skew=skew)
        raise SignInError(
            "此 DID 没有有效凭证，也不是业委会委员，请先用登记码登记",
            "this DID holds no credential and is no committee member; "
            "enrol with an enrolment code first",
        )
    use_challenge(session, nonce=nonce, expires_at=expires_at, now=now)
    return SignedIn(did=answer.holder, grants=tuple(grants))


def _community_of(credential: Mapping[str, Any]) -> str:
    subject = credential.get("credentialSubject")
    community = subject.get("communityId") if isinstance(subject, Mapping) else None
    return community if isinstance(community, str) else ""


def _stored_registrations(session: Session, slug: str) -> list[dict[str, Any]]:
    community = session.scalar(select(Community).where(Community.slug == slug)) if slug else None
    return registrations.documents(session, community) if community is not None else []


def _chains(
    session: Session, did: str, roots: frozenset[str], cache: ChainCache
) -> Iterator[tuple[Community, RegistrationChain]]:
    """The verified registration chains of the communities whose registrations name `did`."""
    for community in registrations.communities_listing(session, did):
        try:
            yield (
                community,
                cache.chain(registrations.documents(session, community), roots, community.slug),
            )
        except RegistrationError:  # a stored chain that no longer verifies names nobody
            continue


def member_within(
    chain: RegistrationChain, did: str, now: datetime, skew: timedelta = NO_SKEW
) -> Member | None:
    """`did` as a member of the registration in force now — or, since clocks may disagree by
    `skew` (`identity.w3c.clockskew`), of the one in force `skew` later (a term that began
    by the office's clock) or earlier (one that just ended)."""
    require_skew(skew)
    for at in (now, shifted(now, skew), shifted(now, -skew)):
        current: Registration | None = chain.in_force(at)
        for member in current.members if current is not None else ():
            if member.did == did:
                return member
    return None


def committee_grants(
    session: Session,
    did: str,
    *,
    roots: frozenset[str],
    cache: ChainCache,
    now: datetime,
    skew: timedelta = NO_SKEW,
) -> list[dict[str, Any]]:
    """``committee`` in every community whose registration in force now (within `skew`)
    lists `did`."""
    grants: list[dict[str, Any]] = []
    for community, chain in _chains(session, did, roots, cache):
        member = member_within(chain, did, now, skew)
        if member is not None:
            grants.append({"community": community.slug, "role": COMMITTEE, "position": member.role})
    return grants


def _out_of_term(
    session: Session, did: str, *, roots: frozenset[str], cache: ChainCache, skew: timedelta
) -> None:
    """Raise, saying so, when `did` is a member only of registrations not in force now: a
    term not begun, or over — by this server's clock, which may be off (a member told
    "enrol first" would not know to compare the clocks)."""
    for community, chain in _chains(session, did, roots, cache):
        terms = [r for r in chain.registrations if did in r.member_dids]
        if not terms:
            continue
        start, end = min(r.valid_from for r in terms), max(r.valid_until for r in terms)
        note_zh, note_en = skew_note(skew)
        span = f"{start.isoformat()} – {end.isoformat()}"
        raise SignInError(
            f"列有您的业委会备案（{community.slug}）此时不在任期内：任期 {span}，请核对本机与"
            f"服务器的时间{note_zh}",
            f"the committee registration of {community.slug} that lists you is not in force "
            f"now: its term is {span}; check this device's and the server's clocks{note_en}",
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session,
    *,
    signed_in: SignedIn,
    now: datetime,
    ttl: timedelta = SESSION_TTL,
) -> tuple[str, AuthSession]:
    """A new session for the signed-in DID; the token is returned once and stored hashed.
    Sessions that expired a day ago or more are purged on the way."""
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now - timedelta(days=1)))
    token = secrets.token_urlsafe(32)
    row = AuthSession(
        token_hash=token_hash(token),
        did=signed_in.did,
        grants=list(signed_in.grants),
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, *, token: str, now: datetime) -> AuthSession | None:
    """The live session a token opens, or None (unknown, expired or ended)."""
    if not token or len(token) > 100:
        return None
    row = session.get(AuthSession, token_hash(token))
    if row is None or row.revoked_at is not None or now >= aware(row.expires_at):
        return None
    return row


def end_session(session: Session, *, token: str, now: datetime) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def end_sessions_of(session: Session, *, did: str, now: datetime) -> int:
    """End every session of a DID (its credentials were revoked); returns how many."""
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.did == did, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def sessions_of(session: Session, *, did: str) -> list[AuthSession]:
    return list(session.scalars(select(AuthSession).where(AuthSession.did == did)))
