"""Verifiable Credentials 2.0 for gongzhi: issue, and verify with the full trust chain.

`verify_credential` checks, in this order, and raises the first failure as a specific
`VerificationError` subclass (see `identity.w3c.failures`):

1. structure and ``@context`` (first ``https://www.w3.org/ns/credentials/v2``) —
   `Malformed`, `WrongContext`;
2. the Data Integrity proof (eddsa-jcs-2022 / ecdsa-jcs-2019), made by the issuer's key —
   `BadSignature`, `UnknownKey`, `UnsupportedCryptosuite`;
3. ``validFrom`` / ``validUntil`` against `now`, within the clock `skew` —
   `NotYetValid`, `Expired`;
4. status through `status_lookup` (Bitstring Status List; no I/O here) — `Revoked`,
   `Suspended`, `StatusUnavailable`; with ``status_lookup=None`` entries are reported as not
   checked, never silently passed;
5. issuer trust (`identity.community.trust`): a root, or — for an ownership credential — a
   member of the community's registration in force at its ``validFrom``, whose status list
   the registration's ``server.statusIssuer`` signs — `UntrustedIssuer`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from identity.community.trust import ChainCache, gongzhi_trust
from identity.w3c.clockskew import NO_SKEW
from identity.w3c.credential import (
    Check,
    CheckObserver,
    StatusCheck,
    StatusLookup,
    TrustPath,
    VerifiedCredential,
    build_credential,
    issue_credential,
    load_status_list,
    run_checks,
    sign_credential,
)
from identity.w3c.dataintegrity import Resolver
from identity.w3c.didkey import resolve_verification_method

__all__ = [
    "Check",
    "StatusCheck",
    "StatusLookup",
    "TrustPath",
    "VerifiedCredential",
    "build_credential",
    "issue_credential",
    "load_status_list",
    "sign_credential",
    "verify_credential",
]


def verify_credential(
    credential: object,
    *,
    now: datetime,
    trusted_roots: Collection[str],
    status_lookup: StatusLookup | None,
    resolve: Resolver = resolve_verification_method,
    chain: Iterable[object] = (),
    cache: ChainCache | None = None,
    on_check: CheckObserver | None = None,
    skew: timedelta = NO_SKEW,
) -> VerifiedCredential:
    """Verify `credential` at `now`; `chain` holds supporting credentials (the community's
    registrations, as the street office signed them). `cache` lets repeated verifications
    reuse verified registrations; `on_check(step, detail)` is told about each check as it
    passes; `skew` is how far `now` may be off the issuers' clocks (`identity.w3c.clockskew`)."""
    policy = gongzhi_trust(trusted_roots=trusted_roots, chain=chain, cache=cache)
    return run_checks(
        credential,
        now=now,
        status_lookup=status_lookup,
        trust=policy,
        resolve=resolve,
        on_check=on_check,
        skew=skew,
        list_signers=policy.list_signers,
    )
