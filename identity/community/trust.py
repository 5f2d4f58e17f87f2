"""gongzhi's trust chain: street office → the registered committee's members → owners.

* The street office (街道办事处, a trusted root DID) signs each community's registration
  (``CommitteeRegistrationCredential``, 业委会备案; `identity.community.committee`): the
  members' DIDs, the term, and ``server.statusIssuer`` — the key whose status lists it
  accepts for the community's credentials.
* A registered member issues ``OwnershipCredential`` to an owner's DID under the member's own
  key — ``communityId`` and ``units``, each ``{"unitId", "area"}`` with the registered
  exclusive area as a decimal string of integer 0.01 m² (``"8937"`` = 89.37 m²).
* Nothing personal is ever in a credential: no names, ID or phone numbers; subjects with any
  other property are refused.

A verifier accepts an ownership credential only when its issuer is a member of the
community's registration in force at the credential's ``validFrom`` (the chain of
registrations, each signed by a trusted root, comes from the server's store or from what the
holder presents), and when its status list is signed by that registration's
``server.statusIssuer``: the server can revoke, never grant. Any other credential (a role
credential, a status list, a registration) must be signed by a trusted root. Verified
registrations are cached by content hash (`ChainCache`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from identity.community.committee import (
    REGISTRATION,
    Registration,
    RegistrationChain,
    RegistrationError,
    verify_registration,
)
from identity.errors import explain
from identity.w3c.clockskew import NO_SKEW
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import (
    CheckObserver,
    CredentialView,
    StatusLookup,
    TrustPath,
    VerifiedCredential,
    build_credential,
    run_checks,
)
from identity.w3c.dataintegrity import Resolver
from identity.w3c.didkey import Did, resolve_verification_method
from identity.w3c.failures import (
    InvalidDid,
    Malformed,
    UntrustedIssuer,
    WrongContext,
)

OWNERSHIP = "OwnershipCredential"
ROLE_CREDENTIAL = "CommunityRoleCredential"
# The one credential type that makes a claim here (registrations and role credentials are
# read by `committee` and `issuance`).
GONGZHI_TYPES = (OWNERSHIP,)
# Every credential type gongzhi defines or once defined (CommitteeMemberCredential, issued by
# a server key before registrations named the members): a credential is at most one of
# them, so an ownership credential cannot also pass for a registration or a role.
_KNOWN_TYPES = (OWNERSHIP, REGISTRATION, ROLE_CREDENTIAL, "CommitteeMemberCredential")

_COMMUNITY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_UNIT_RE = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+){0,4}")
_UNIT_MAX = 32
_AREA_RE = re.compile(r"[1-9][0-9]{0,11}")


@dataclass(frozen=True, slots=True)
class UnitHolding:
    """A unit (专有部分) and its registered area in 0.01 m²."""

    unit_id: str
    area: int

    def __post_init__(self) -> None:
        _check_unit_id(self.unit_id)
        if self.area <= 0 or self.area >= 10**12:
            raise Malformed(
                "面积必须为正（单位 0.01 平方米）",
                f"area must be positive, in 0.01 m² (unit {self.unit_id})",
            )


@dataclass(frozen=True, slots=True)
class OwnershipClaim:
    owner: str
    community_id: str
    units: tuple[UnitHolding, ...]
    # Held as the guardian (监护人) of the units' owner, who votes through the subject.
    guardian: bool = False

    @property
    def total_area(self) -> int:
        return sum(unit.area for unit in self.units)


Claim = OwnershipClaim


def _check_unit_id(unit_id: object) -> str:
    if not isinstance(unit_id, str) or len(unit_id) > _UNIT_MAX or not _UNIT_RE.fullmatch(unit_id):
        raise Malformed(
            "房号格式无效（如 3-2-1101）",
            f"invalid unit id (e.g. 3-2-1101): {str(unit_id)[:40]!r}",
        )
    return unit_id


def _check_community(community_id: object) -> str:
    if not isinstance(community_id, str) or not _COMMUNITY_RE.fullmatch(community_id):
        raise Malformed("小区标识无效", f"invalid communityId: {str(community_id)[:70]!r}")
    return community_id


def _check_did(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{field} 缺失", f"{field} missing")
    try:
        return Did(value).value
    except InvalidDid as exc:
        raise Malformed(
            f"{field} 不是有效的 did:key：{exc.zh}", f"{field} is not a valid did:key: {exc.en}"
        ) from exc


def _check_keys(subject: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(subject) - allowed)
    if extra:
        raise Malformed(
            "凭证主体含有不允许的字段（不得含个人信息）",
            f"credential subject has fields that are "
            f"not allowed (no personal data): {', '.join(extra)[:120]}",
        )


def _gongzhi_kind(view: CredentialView) -> str | None:
    kinds = [t for t in view.types if t in _KNOWN_TYPES]
    if len(kinds) > 1:
        raise Malformed("凭证类型冲突", f"conflicting credential types: {', '.join(kinds)}")
    if not kinds or kinds[0] not in GONGZHI_TYPES:
        return None
    contexts = view.credential["@context"]
    if GONGZHI_V1_CONTEXT not in (contexts if isinstance(contexts, list) else [contexts]):
        raise WrongContext(
            f"{kinds[0]} 需要 @context {GONGZHI_V1_CONTEXT}",
            f"{kinds[0]} needs the {GONGZHI_V1_CONTEXT} context",
        )
    if len(view.subjects) != 1:
        raise Malformed(f"{kinds[0]} 只能有一个主体", f"{kinds[0]} must have exactly one subject")
    return kinds[0]


def parse_claim(view: CredentialView) -> Claim | None:
    """The gongzhi claim a credential makes, or None for other credential types."""
    kind = _gongzhi_kind(view)
    if kind is None:
        return None
    subject = view.subject
    subject_id = _check_did(subject.get("id"), field="credentialSubject.id")
    community = _check_community(subject.get("communityId"))
    _check_keys(subject, {"id", "communityId", "units", "guardian"})
    if subject.get("guardian", True) is not True:  # absent, or exactly true
        raise Malformed("guardian 只能为 true（或不出现）", "guardian must be true when present")
    units = subject.get("units")
    if not isinstance(units, list) or not units:
        raise Malformed("units 必须是非空列表", "units must be a non-empty list")
    holdings: list[UnitHolding] = []
    for unit in units:
        if not isinstance(unit, Mapping) or set(unit) != {"unitId", "area"}:
            raise Malformed(
                "每套房屋须且仅须有 unitId 和 area", "each unit needs exactly unitId and area"
            )
        area = unit["area"]
        if not isinstance(area, str) or not _AREA_RE.fullmatch(area):
            raise Malformed(
                'area 必须是以 0.01 平方米为单位的正整数字符串（如 "8937"）',
                'area must be a positive integer string in 0.01 m² (e.g. "8937")',
            )
        holdings.append(UnitHolding(unit_id=_check_unit_id(unit["unitId"]), area=int(area)))
    if len({h.unit_id for h in holdings}) != len(holdings):
        raise Malformed("房号重复", "duplicate unit id")
    return OwnershipClaim(
        owner=subject_id,
        community_id=community,
        units=tuple(holdings),
        guardian="guardian" in subject,
    )


def ownership_credential(
    *,
    issuer: str,
    owner: str,
    community_id: str,
    units: Sequence[UnitHolding],
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | None = None,
    guardian: bool = False,
) -> dict[str, Any]:
    """Unsigned ownership credential: `owner` holds `units` (areas in 0.01 m²); `issuer` is
    the registered member who signs it. With `guardian` the subject votes for these units
    as the guardian (监护人) of their owner, and says so (``"guardian": true``), as the
    census row it backs does."""
    if not units or len({u.unit_id for u in units}) != len(units):
        raise Malformed("units 必须非空且不重复", "units must be non-empty and distinct")
    subject: dict[str, Any] = {
        "id": _check_did(owner, field="owner"),
        "communityId": _check_community(community_id),
        "units": [{"unitId": u.unit_id, "area": str(u.area)} for u in units],
    }
    if guardian:
        subject["guardian"] = True
    return build_credential(
        issuer=_check_did(issuer, field="issuer"),
        types=[OWNERSHIP],
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        credential_id=credential_id,
        status=status,
        contexts=[GONGZHI_V1_CONTEXT],
    )


def fingerprint(credential: Mapping[str, Any]) -> bytes:
    """SHA-256 of a key-sorted JSON dump: equal for equal JSON values, cheap to compute."""
    try:
        dumped = json.dumps(
            credential, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise Malformed("凭证不是 JSON", f"credential is not JSON: {exc}") from exc
    return hashlib.sha256(dumped.encode("utf-8", "surrogatepass")).digest()


class ChainCache:
    """Registrations whose structure and signature were verified, by content fingerprint.

    Only the time-independent result is kept, verified against the registration's own
    issuer; whether that issuer is a trusted root is asked on every use, as is the term."""

    def __init__(self, maxsize: int = 1024) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[bytes, Registration] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def registration(self, credential: Mapping[str, Any], roots: Collection[str]) -> Registration:
        """`verify_registration` against `roots`, its signature checked once per content."""
        key = fingerprint(credential)
        hit = self._entries.get(key)
        if hit is None:
            issuer = credential.get("issuer")
            hit = verify_registration(
                credential, frozenset({issuer}) if isinstance(issuer, str) else frozenset()
            )
            self._entries[key] = hit
            if len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        if hit.root not in roots:
            raise RegistrationError(
                "备案不是由受信任的街道办事处签发",
                f"the registration's issuer {hit.root} is not a trusted root",
            )
        return hit

    def chain(
        self, credentials: Iterable[object], roots: Collection[str], community: str
    ) -> RegistrationChain:
        """The community's registrations among `credentials`, checked as one chain."""
        regs = [
            self.registration(c, roots)
            for c in credentials
            if isinstance(c, Mapping) and _registration_for(c, community)
        ]
        return RegistrationChain.of_verified(regs, community)


def _registration_for(item: Mapping[str, Any], community: str) -> bool:
    types = item.get("type")
    subject = item.get("credentialSubject")
    return (
        isinstance(types, list)
        and REGISTRATION in types
        and isinstance(subject, Mapping)
        and subject.get("communityId") == community
    )


def _untrusted(exc: RegistrationError) -> UntrustedIssuer:
    return UntrustedIssuer(
        *explain("签发者的业委会备案无效", "the issuer's committee registration is not valid", exc)
    )


@dataclass
class GongzhiTrust:
    """Step 5 of `run_checks` for gongzhi, and who may sign a credential's status lists.

    An ownership credential's registration (the one in force at its ``validFrom``) is found
    once per credential and serves both questions."""

    trusted_roots: Collection[str]
    chain: Sequence[object] = ()
    cache: ChainCache = field(default_factory=ChainCache)
    _found: dict[bytes, Registration] = field(default_factory=dict)

    def registration_of(self, view: CredentialView, claim: OwnershipClaim) -> Registration:
        """The registration in force at the credential's ``validFrom``, naming its issuer."""
        key = fingerprint(view.credential)
        if key in self._found:
            return self._found[key]
        if view.valid_from is None:
            raise UntrustedIssuer(
                "所有权凭证须写明 validFrom", "an ownership credential must state its validFrom"
            )
        try:
            chain = self.cache.chain(self.chain, self.trusted_roots, claim.community_id)
        except RegistrationError as exc:
            raise _untrusted(exc) from exc
        reg = chain.in_force(view.valid_from)
        if reg is None:
            raise UntrustedIssuer(
                f"凭证签发时（{view.valid_from.isoformat()}）小区 {claim.community_id} 没有生效的"
                "业委会备案",
                f"no committee registration of {claim.community_id} was in force "
                f"when the credential was issued ({view.valid_from.isoformat()})",
            )
        if view.issuer not in reg.member_dids:
            raise UntrustedIssuer(
                "签发者不是当时的业委会委员",
                f"issuer {view.issuer} was not a registered "
                f"committee member of {claim.community_id} when the credential was issued",
            )
        self._found[key] = reg
        return reg

    def list_signers(self, view: CredentialView) -> Collection[str]:
        claim = parse_claim(view)
        if isinstance(claim, OwnershipClaim):
            return {self.registration_of(view, claim).server.status_issuer}
        return {view.issuer}

    def __call__(self, view: CredentialView) -> TrustPath:
        claim = parse_claim(view)
        if isinstance(claim, OwnershipClaim):
            reg = self.registration_of(view, claim)
            return TrustPath(
                root=reg.root,
                committee=view.issuer,
                community_id=claim.community_id,
                registration_id=reg.hash,
            )
        if view.issuer in self.trusted_roots:
            return TrustPath(root=view.issuer)
        raise UntrustedIssuer(
            "签发者不是受信任的根（街道办）", f"issuer {view.issuer} is not a trusted root"
        )


def gongzhi_trust(
    *,
    trusted_roots: Collection[str],
    chain: Iterable[object] = (),
    cache: ChainCache | None = None,
) -> GongzhiTrust:
    """The trust policy bound to its configuration, as `run_checks` takes it."""
    return GongzhiTrust(
        trusted_roots=trusted_roots,
        chain=list(chain),
        cache=cache if cache is not None else ChainCache(),
    )


@dataclass(frozen=True, slots=True)
class VerifiedChain:
    """A verified gongzhi credential and the typed claim it makes."""

    credential: VerifiedCredential
    claim: Claim


def verify_chain(
    credential: object,
    *,
    trusted_roots: Collection[str],
    chain: Iterable[object] = (),
    now: datetime,
    status_lookup: StatusLookup | None,
    resolve: Resolver = resolve_verification_method,
    cache: ChainCache | None = None,
    on_check: CheckObserver | None = None,
    skew: timedelta = NO_SKEW,
) -> VerifiedChain:
    """Verify a gongzhi credential end to end (structure, proof, validity, status, chain);
    validity periods are checked within `skew` (`identity.w3c.clockskew`)."""
    policy = gongzhi_trust(trusted_roots=trusted_roots, chain=chain, cache=cache)
    verified = run_checks(
        credential,
        now=now,
        status_lookup=status_lookup,
        trust=policy,
        resolve=resolve,
        on_check=on_check,
        skew=skew,
        list_signers=policy.list_signers,
    )
    claim = parse_claim(verified.view)
    if claim is None:
        raise Malformed(
            "不是共治凭证", f"not a gongzhi credential (types: {', '.join(verified.types)})"
        )
    return VerifiedChain(credential=verified, claim=claim)
