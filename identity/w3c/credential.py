"""Verifiable Credentials Data Model 2.0: build, sign, and the verifier's individual checks.

The checks run in the order `run_checks` applies them (and `identity.community.vc.verify_credential`
exposes): structure and ``@context`` (VC DM 2.0 §4.3–§4.5, §4.7, §4.8); the Data
Integrity proof, which must be the issuer's (§4.7 issuer; here: the issuer must be the
controller of the proof's verification method); the validity period
(§4.9 ``validFrom`` / ``validUntil``); status (§4.10 with Bitstring Status List v1.0
§3.2 Validate Algorithm); and finally issuer trust, which is a policy the caller supplies
(gongzhi's is in `identity.community.trust`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from identity.errors import IdentityError
from identity.w3c.clockskew import NO_SKEW, require_skew, shifted, skew_note
from identity.w3c.contexts import VC_V2_CONTEXT
from identity.w3c.dataintegrity import Resolver, VerifiedProof, add_proof, verify_proof
from identity.w3c.didkey import resolve_verification_method
from identity.w3c.failures import (
    Expired,
    Malformed,
    NotYetValid,
    Revoked,
    StatusListError,
    StatusUnavailable,
    Suspended,
    UnknownKey,
    UntrustedIssuer,
    VerificationError,
    WrongContext,
)
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import (
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    PURPOSES,
    REVOCATION,
    SUSPENSION,
    StatusEntry,
    StatusList,
    decode_list,
    parse_entry,
)
from identity.w3c.xsdtime import format_utc, parse, require_aware

VERIFIABLE_CREDENTIAL = "VerifiableCredential"
# Returns the trusted status list published at a URL; raises (e.g. StatusUnavailable) if none.
StatusLookup = Callable[[str], StatusList]


@dataclass(frozen=True, slots=True)
class CredentialView:
    """The fields of a structurally valid credential, parsed once."""

    credential: Mapping[str, Any]
    id: str | None
    types: tuple[str, ...]
    issuer: str
    subjects: tuple[Mapping[str, Any], ...]
    valid_from: datetime | None
    valid_until: datetime | None
    status: tuple[StatusEntry, ...]

    @property
    def subject(self) -> Mapping[str, Any]:
        return self.subjects[0]


@dataclass(frozen=True, slots=True)
class StatusCheck:
    """One status entry and what the verifier found (`checked` false: no lookup given)."""

    entry: StatusEntry
    checked: bool
    is_set: bool


@dataclass(frozen=True, slots=True)
class TrustPath:
    """Why the issuer is trusted: a configured root, or a committee registered by one."""

    root: str
    committee: str | None = None
    community_id: str | None = None
    registration_id: str | None = None


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """A credential that passed every check, with what each check established."""

    view: CredentialView
    proof: VerifiedProof
    status: tuple[StatusCheck, ...]
    trust: TrustPath

    @property
    def issuer(self) -> str:
        return self.view.issuer

    @property
    def types(self) -> tuple[str, ...]:
        return self.view.types

    @property
    def subject(self) -> Mapping[str, Any]:
        return self.view.subject


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _optional_time(credential: Mapping[str, Any], name: str) -> datetime | None:
    return parse(credential[name], field=name) if name in credential else None


def parse_credential(credential: object, *, require_proof: bool = True) -> CredentialView:
    """Step 1 — structure and ``@context``; raises `WrongContext` or `Malformed`."""
    if not isinstance(credential, Mapping):
        raise Malformed("凭证不是 JSON 对象", "credential is not a JSON object")
    if "@context" not in credential:
        raise WrongContext("凭证缺少 @context", "credential has no @context")
    contexts = _as_list(credential["@context"])
    if not contexts or contexts[0] != VC_V2_CONTEXT:
        raise WrongContext(
            f"@context 的第一项必须是 {VC_V2_CONTEXT}",
            f"the first @context must be {VC_V2_CONTEXT}",
        )
    types = _as_list(credential.get("type"))
    if not all(isinstance(t, str) and t for t in types) or VERIFIABLE_CREDENTIAL not in types:
        raise Malformed(
            "type 必须包含 VerifiableCredential", "type must include VerifiableCredential"
        )
    issuer_value = credential.get("issuer")
    issuer = issuer_value.get("id") if isinstance(issuer_value, Mapping) else issuer_value
    if not isinstance(issuer, str) or ":" not in issuer:
        raise Malformed("issuer 必须是 URL 或带 id 的对象", "issuer must be a URL or have an id")
    credential_id = credential.get("id")
    if credential_id is not None and not (isinstance(credential_id, str) and ":" in credential_id):
        raise Malformed("id 必须是 URL", "id must be a URL")
    subjects = _as_list(credential.get("credentialSubject"))
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        raise Malformed(
            "credentialSubject 缺失或不是对象", "credentialSubject missing or not an object"
        )
    valid_from = _optional_time(credential, "validFrom")
    valid_until = _optional_time(credential, "validUntil")
    if valid_from and valid_until and valid_until < valid_from:
        raise Malformed("validUntil 早于 validFrom", "validUntil is before validFrom")
    entries = _as_list(credential["credentialStatus"]) if "credentialStatus" in credential else []
    status = tuple(entry for entry in map(parse_entry, entries) if entry is not None)
    if require_proof and "proof" not in credential:
        raise Malformed("凭证没有 proof", "credential has no proof")
    if not require_proof and "proof" in credential:
        raise IdentityError("凭证已签名", "credential is already signed")
    return CredentialView(
        credential=credential,
        id=credential_id,
        types=tuple(types),
        issuer=issuer,
        subjects=tuple(subjects),
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
    )


def verify_issued(
    credential: object, *, resolve: Resolver = resolve_verification_method
) -> tuple[CredentialView, VerifiedProof]:
    """Steps 1–2: structure, then an ``assertionMethod`` proof made by the issuer's key.

    Stricter than Verify Proof alone: a credential's ``@context`` must be exactly the one
    the proof covers, so no context can be appended after signing.
    """
    view = parse_credential(credential)
    proof = verify_proof(view.credential, resolve=resolve, expected_purpose="assertionMethod")
    proof_context = view.credential["proof"].get("@context")
    if proof_context is not None and proof_context != view.credential["@context"]:
        raise WrongContext(
            "凭证的 @context 含有签名未覆盖的项",
            "credential @context has entries the proof does not cover",
        )
    if proof.controller != view.issuer:
        raise UnknownKey(
            "签名密钥不属于签发者",
            f"the signing key belongs to {proof.controller}, not to the issuer {view.issuer}",
        )
    return view, proof


def check_validity(view: CredentialView, now: datetime, *, skew: timedelta = NO_SKEW) -> None:
    """Step 3 — ``validFrom - skew <= now <= validUntil + skew`` (VC DM 2.0 §4.9): `skew` is
    how far the verifier's clock may be off the issuer's (`identity.w3c.clockskew`)."""
    require_aware(now, field="now")
    require_skew(skew)
    zh, en = skew_note(skew)
    # Shift `now`, not the credential's own times: those are the signer's and may sit at
    # the calendar's ends.
    if view.valid_from is not None and shifted(now, skew) < view.valid_from:
        raise NotYetValid(
            f"凭证自 {format_utc(view.valid_from)} 起才生效{zh}",
            f"credential is not valid before {format_utc(view.valid_from)}{en}",
        )
    if view.valid_until is not None and shifted(now, -skew) > view.valid_until:
        raise Expired(
            f"凭证已于 {format_utc(view.valid_until)} 过期{zh}",
            f"credential expired at {format_utc(view.valid_until)}{en}",
        )


# Who may sign the status lists of a credential: its issuer by default; a trust policy may
# name another (gongzhi: the server's status key that the committee's registration names).
ListSigners = Callable[["CredentialView"], Collection[str]]


def check_status(
    view: CredentialView, lookup: StatusLookup | None, *, list_signers: ListSigners | None = None
) -> tuple[StatusCheck, ...]:
    """Step 4 — each BitstringStatusListEntry against its list (None: not checked, recorded).

    The list must be signed by the credential's own issuer — or by whom `list_signers` names
    for it: nobody else may revoke it, nor vouch that it is not revoked.
    """
    results: list[StatusCheck] = []
    allowed: Collection[str] | None = None
    for entry in view.status:
        if lookup is None:
            results.append(StatusCheck(entry=entry, checked=False, is_set=False))
            continue
        try:
            status_list = lookup(entry.list_url)
        except StatusUnavailable:
            raise
        except VerificationError as exc:  # the list itself failed verification: say which
            raise type(exc)(
                f"状态列表 {entry.list_url} 未通过验证：{exc.zh}",
                f"status list {entry.list_url} failed verification: {exc.en}",
            ) from exc
        except IdentityError as exc:
            raise StatusUnavailable(
                f"无法取得状态列表 {entry.list_url}：{exc.zh}",
                f"status list {entry.list_url} unavailable: {exc.en}",
            ) from exc
        if status_list.url != entry.list_url or status_list.purpose != entry.purpose:
            raise Malformed(
                "状态列表与条目不符",
                f"status list {status_list.url} ({status_list.purpose}) "
                f"does not match the entry ({entry.list_url}, {entry.purpose})",
            )
        if allowed is None:
            allowed = {view.issuer} if list_signers is None else set(list_signers(view))
        if status_list.issuer not in allowed:
            expected = ", ".join(sorted(allowed)) or "—"
            raise UntrustedIssuer(
                "状态列表不是签发者发布的",
                f"status list {entry.list_url} is signed by {status_list.issuer}, "
                f"not by {expected}",
            )
        if entry.index >= status_list.entries:
            raise Malformed(
                f"状态索引 {entry.index} 超出列表长度 {status_list.entries}",
                f"status index {entry.index} beyond the list's {status_list.entries} entries",
            )
        is_set = status_list.is_set(entry.index)
        if is_set and entry.purpose == REVOCATION:
            raise Revoked(
                "凭证已被撤销", f"credential revoked ({entry.list_url} index {entry.index})"
            )
        if is_set and entry.purpose == SUSPENSION:
            raise Suspended(
                "凭证已被暂停", f"credential suspended ({entry.list_url} index {entry.index})"
            )
        results.append(StatusCheck(entry=entry, checked=True, is_set=is_set))
    return tuple(results)


def load_status_list(
    credential: object,
    *,
    now: datetime,
    resolve: Resolver = resolve_verification_method,
    allow_unprefixed: bool = False,
    skew: timedelta = NO_SKEW,
) -> StatusList:
    """A `StatusList` from a ``BitstringStatusListCredential`` after verifying its proof and
    validity period, within `skew` (Bitstring Status List §3.2 Validate Algorithm, with §3.4
    expansion)."""
    view, _ = verify_issued(credential, resolve=resolve)
    check_validity(view, now, skew=skew)
    subject = view.subject
    if LIST_CREDENTIAL_TYPE not in view.types or subject.get("type") != LIST_TYPE:
        raise Malformed("不是 BitstringStatusListCredential", "not a BitstringStatusListCredential")
    if view.id is None:
        raise Malformed("状态列表凭证缺少 id", "status list credential has no id")
    purpose = subject.get("statusPurpose")
    if purpose not in PURPOSES:
        raise Malformed("未知的 statusPurpose", f"unknown statusPurpose {str(purpose)[:40]!r}")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise Malformed("encodedList 缺失", "encodedList missing")
    try:
        bits = decode_list(encoded, allow_unprefixed=allow_unprefixed)
    except StatusListError as exc:
        raise Malformed(exc.zh, exc.en) from exc
    return StatusList(url=view.id, issuer=view.issuer, purpose=str(purpose), bits=bits)


@dataclass(frozen=True, slots=True)
class Check:
    """One step `run_checks` completed: its name, a one-line detail, and whether it was
    actually checked (false only for status entries when no status lookup was given)."""

    step: str
    detail: str
    checked: bool = True


CheckObserver = Callable[[Check], None]
TrustPolicy = Callable[[CredentialView], TrustPath]


def run_checks(
    credential: object,
    *,
    now: datetime,
    status_lookup: StatusLookup | None,
    trust: TrustPolicy,
    resolve: Resolver = resolve_verification_method,
    on_check: CheckObserver | None = None,
    skew: timedelta = NO_SKEW,
    list_signers: ListSigners | None = None,
) -> VerifiedCredential:
    """All five steps in order; the first failure raises its `VerificationError` subclass.
    `skew` widens the validity period by that much on each side (`check_validity`);
    `list_signers` names who may sign the credential's status lists (`check_status`)."""
    report: CheckObserver = on_check or (lambda check: None)
    view, proof = verify_issued(credential, resolve=resolve)
    report(Check("structure", f"{', '.join(view.types)} ({VC_V2_CONTEXT})"))
    report(Check("proof", f"{proof.cryptosuite} by {proof.verification_method}"))
    check_validity(view, now, skew=skew)
    start = format_utc(view.valid_from) if view.valid_from else "…"
    end = format_utc(view.valid_until) if view.valid_until else "…"
    report(Check("validity", f"{start} – {end} at {format_utc(now)}"))
    status = check_status(view, status_lookup, list_signers=list_signers)
    for result in status:
        where = f"{result.entry.purpose} {result.entry.list_url} #{result.entry.index}"
        if result.checked:
            report(Check("status", f"{where}: not set"))
        else:
            report(Check("status", f"{where}: not checked (no status list)", checked=False))
    path = trust(view)
    report(Check("trust", describe_trust(view, path)))
    return VerifiedCredential(view=view, proof=proof, status=status, trust=path)


def describe_trust(view: CredentialView, path: TrustPath) -> str:
    if path.committee is None:
        return f"issuer {view.issuer} is a trusted root"
    return f"issuer {path.committee} registered by {path.root} for community {path.community_id}"


def build_credential(
    *,
    issuer: str,
    types: Sequence[str],
    subject: Mapping[str, Any],
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned VC 2.0 credential with ``VerifiableCredential`` first in ``type``."""
    credential: dict[str, Any] = {"@context": [VC_V2_CONTEXT, *contexts]}
    if credential_id is not None:
        credential["id"] = credential_id
    credential["type"] = [VERIFIABLE_CREDENTIAL, *(t for t in types if t != VERIFIABLE_CREDENTIAL)]
    credential["issuer"] = issuer
    credential["validFrom"] = format_utc(valid_from)
    if valid_until is not None:
        credential["validUntil"] = format_utc(valid_until)
    credential["credentialSubject"] = dict(subject)
    if status is not None:
        credential["credentialStatus"] = (
            dict(status) if isinstance(status, Mapping) else [dict(s) for s in status]
        )
    parse_credential(credential, require_proof=False)
    return credential


def sign_credential(
    credential: Mapping[str, Any],
    key: KeyPair,
    *,
    created: datetime | str | None = None,
) -> dict[str, Any]:
    """Sign a built credential with its issuer's key (refuses another issuer's credential)."""
    view = parse_credential(credential, require_proof=False)
    if view.issuer != key.did.value:
        raise IdentityError(
            "签名密钥不是签发者", f"key {key.did.value} is not the issuer {view.issuer}"
        )
    return add_proof(credential, key, proof_purpose="assertionMethod", created=created)


def issue_credential(
    *,
    issuer: KeyPair,
    types: Sequence[str],
    subject: Mapping[str, Any],
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    status: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    contexts: Sequence[str] = (),
    created: datetime | str | None = None,
) -> dict[str, Any]:
    """Build and sign in one step: the issuer is `issuer`'s did:key."""
    credential = build_credential(
        issuer=issuer.did.value,
        types=types,
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        credential_id=credential_id,
        status=status,
        contexts=contexts,
    )
    return sign_credential(credential, issuer, created=created)
