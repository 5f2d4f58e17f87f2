"""gongzhi's trust chain: street office → owners' committee → owners and committee members.

* The street office (街道办事处, a configured root DID) issues a
  ``CommitteeRegistrationCredential`` (业委会备案) to the committee's DID for a
  ``communityId``.
* The committee issues ``OwnershipCredential`` to an owner's DID — ``communityId`` and
  ``units``, each ``{"unitId", "area"}`` with the registered exclusive area as a decimal
  string of integer 0.01 m² (``"8937"`` = 89.37 m²) — and ``CommitteeMemberCredential`` to
  its members (``role``: chair / viceChair / member).
* Nothing personal is ever in a credential: no names, ID or phone numbers; subjects with any
  other property are refused.

A verifier accepts an ownership or member credential only if its issuer presents a
registration credential that is itself valid now, unrevoked, signed by a configured root,
and names the same community. A root may issue registrations and status lists; an
ownership credential signed directly by a root is not accepted (the committee vouches for
owners, the street office for committees). Verified registrations are cached by content
hash (`ChainCache`); time and status are re-checked on every use.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from identity.w3c.clockskew import NO_SKEW
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import (
    CheckObserver,
    CredentialView,
    StatusLookup,
    TrustPath,
    TrustPolicy,
    VerifiedCredential,
    build_credential,
    check_status,
    check_validity,
    run_checks,
    verify_issued,
)
from identity.w3c.dataintegrity import Resolver, VerifiedProof
from identity.w3c.didkey import Did, resolve_verification_method
from identity.w3c.failures import (
    InvalidDid,
    Malformed,
    UntrustedIssuer,
    VerificationError,
    WrongContext,
)

REGISTRATION = "CommitteeRegistrationCredential"
OWNERSHIP = "OwnershipCredential"
MEMBER = "CommitteeMemberCredential"
GONGZHI_TYPES = (REGISTRATION, OWNERSHIP, MEMBER)
ROLES = ("chair", "viceChair", "member")

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
class RegistrationClaim:
    committee: str
    community_id: str


@dataclass(frozen=True, slots=True)
class OwnershipClaim:
    owner: str
    community_id: str
    units: tuple[UnitHolding, ...]

    @property
    def total_area(self) -> int:
        return sum(unit.area for unit in self.units)


@dataclass(frozen=True, slots=True)
class MembershipClaim:
    member: str
    community_id: str
    role: str


Claim = RegistrationClaim | OwnershipClaim | MembershipClaim


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
    kinds = [t for t in view.types if t in GONGZHI_TYPES]
    if not kinds:
        return None
    if len(kinds) > 1:
        raise Malformed("凭证类型冲突", f"conflicting credential types: {', '.join(kinds)}")
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
    if kind == REGISTRATION:
        _check_keys(subject, {"id", "communityId"})
        return RegistrationClaim(committee=subject_id, community_id=community)
    if kind == MEMBER:
        _check_keys(subject, {"id", "communityId", "role"})
        role = subject.get("role")
        if role not in ROLES:
            raise Malformed(f"role 必须是 {'/'.join(ROLES)}", f"role must be one of {ROLES}")
        return MembershipClaim(member=subject_id, community_id=community, role=str(role))
    _check_keys(subject, {"id", "communityId", "units"})
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
    return OwnershipClaim(owner=subject_id, community_id=community, units=tuple(holdings))


def registration_credential(
    *,
    root: str,
    committee: str,
    community_id: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Unsigned 业委会备案: the street office `root` registers `committee` for a community."""
    subject = {
        "id": _check_did(committee, field="committee"),
        "communityId": _check_community(community_id),
    }
    return build_credential(
        issuer=root,
        types=[REGISTRATION],
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        credential_id=credential_id,
        status=status,
        contexts=[GONGZHI_V1_CONTEXT],
    )


def ownership_credential(
    *,
    committee: str,
    owner: str,
    community_id: str,
    units: Sequence[UnitHolding],
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Unsigned ownership credential: `owner` holds `units` (areas in 0.01 m²)."""
    if not units or len({u.unit_id for u in units}) != len(units):
        raise Malformed("units 必须非空且不重复", "units must be non-empty and distinct")
    subject = {
        "id": _check_did(owner, field="owner"),
        "communityId": _check_community(community_id),
        "units": [{"unitId": u.unit_id, "area": str(u.area)} for u in units],
    }
    return build_credential(
        issuer=_check_did(committee, field="committee"),
        types=[OWNERSHIP],
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        credential_id=credential_id,
        status=status,
        contexts=[GONGZHI_V1_CONTEXT],
    )


def member_credential(
    *,
    committee: str,
    member: str,
    community_id: str,
    role: str = "member",
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Unsigned committee member credential (role: chair, viceChair or member)."""
    if role not in ROLES:
        raise Malformed(f"role 必须是 {'/'.join(ROLES)}", f"role must be one of {ROLES}")
    subject = {
        "id": _check_did(member, field="member"),
        "communityId": _check_community(community_id),
        "role": role,
    }
    return build_credential(
        issuer=_check_did(committee, field="committee"),
        types=[MEMBER],
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
    """Registrations whose structure and proof were verified, by content fingerprint.

    Only the time-independent result is kept; validity and status are checked every time.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[
            bytes, tuple[CredentialView, VerifiedProof, RegistrationClaim]
        ] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def verified(
        self, credential: Mapping[str, Any], *, resolve: Resolver
    ) -> tuple[CredentialView, VerifiedProof, RegistrationClaim]:
        key = fingerprint(credential)
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            return hit
        view, proof = verify_issued(credential, resolve=resolve)
        claim = parse_claim(view)
        if not isinstance(claim, RegistrationClaim):
            raise Malformed("不是业委会备案凭证", "not a committee registration credential")
        self._entries[key] = (view, proof, claim)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return view, proof, claim


def _registrations_for(chain: Iterable[object], committee: str) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for item in chain:
        if not isinstance(item, Mapping):
            continue
        types = item.get("type")
        subject = item.get("credentialSubject")
        if (
            isinstance(types, list)
            and REGISTRATION in types
            and isinstance(subject, Mapping)
            and subject.get("id") == committee
        ):
            found.append(item)
    return found


def check_trust(
    view: CredentialView,
    *,
    trusted_roots: Collection[str],
    chain: Iterable[object] = (),
    now: datetime,
    status_lookup: StatusLookup | None,
    resolve: Resolver = resolve_verification_method,
    cache: ChainCache | None = None,
    skew: timedelta = NO_SKEW,
) -> TrustPath:
    """Step 5 — why the issuer is trusted, or `UntrustedIssuer` (see the module docstring).
    The registration's validity period is checked within `skew`, as the credential's is."""
    claim = parse_claim(view)
    if not isinstance(claim, OwnershipClaim | MembershipClaim):
        if view.issuer in trusted_roots:
            community = claim.community_id if claim is not None else None
            return TrustPath(root=view.issuer, community_id=community)
        raise UntrustedIssuer(
            "签发者不是受信任的根（街道办）", f"issuer {view.issuer} is not a trusted root"
        )
    candidates = _registrations_for(chain, view.issuer)
    if not candidates:
        raise UntrustedIssuer(
            "签发者未出示业委会备案凭证",
            f"issuer {view.issuer} presented no committee registration credential",
        )
    store = cache if cache is not None else ChainCache(maxsize=len(candidates))
    failures: list[VerificationError] = []
    for candidate in candidates:
        try:
            reg_view, _, reg_claim = store.verified(candidate, resolve=resolve)
            if reg_view.issuer not in trusted_roots:
                raise UntrustedIssuer(
                    "备案凭证的签发者不是受信任的根",
                    f"registration issuer {reg_view.issuer} is not a trusted root",
                )
            if reg_claim.community_id != claim.community_id:
                raise UntrustedIssuer(
                    f"备案的小区 {reg_claim.community_id} 与凭证的小区 {claim.community_id} 不符",
                    f"registered for community {reg_claim.community_id}, not {claim.community_id}",
                )
            check_validity(reg_view, now, skew=skew)
            check_status(reg_view, status_lookup)
        except VerificationError as exc:
            failures.append(exc)
            continue
        return TrustPath(
            root=reg_view.issuer,
            committee=view.issuer,
            community_id=claim.community_id,
            registration_id=reg_view.id,
        )
    first = failures[0]
    raise UntrustedIssuer(
        "签发者的业委会备案无效",
        f"the issuer's committee registration is not valid ({first.reason}): {first}",
    ) from first


def gongzhi_trust(
    *,
    trusted_roots: Collection[str],
    chain: Iterable[object] = (),
    now: datetime,
    status_lookup: StatusLookup | None,
    resolve: Resolver = resolve_verification_method,
    cache: ChainCache | None = None,
    skew: timedelta = NO_SKEW,
) -> TrustPolicy:
    """`check_trust` bound to its configuration, as `run_checks` takes it."""
    supporting = list(chain)

    def policy(view: CredentialView) -> TrustPath:
        return check_trust(
            view,
            trusted_roots=trusted_roots,
            chain=supporting,
            now=now,
            status_lookup=status_lookup,
            resolve=resolve,
            cache=cache,
            skew=skew,
        )

    return policy


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
    verified = run_checks(
        credential,
        now=now,
        status_lookup=status_lookup,
        trust=gongzhi_trust(
            trusted_roots=trusted_roots,
            chain=chain,
            now=now,
            status_lookup=status_lookup,
            resolve=resolve,
            cache=cache,
            skew=skew,
        ),
        resolve=resolve,
        on_check=on_check,
        skew=skew,
    )
    claim = parse_claim(verified.view)
    if claim is None:
        raise Malformed(
            "不是共治凭证", f"not a gongzhi credential (types: {', '.join(verified.types)})"
        )
    return VerifiedChain(credential=verified, claim=claim)
