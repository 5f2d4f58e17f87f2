"""Credential verifications per second on one core: proof + status + trust chain.

Run with ``pytest tests/bench/test_bench_identity.py --bench -s``. Prints figures; never
fails on time. Target from the design: at least 2,000 verifications per second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from identity.community.trust import ChainCache
from identity.community.vc import verify_credential
from identity.w3c.credential import verify_issued
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from tests.identity_support import NOW, make_world

pytestmark = pytest.mark.bench


def _rate(run: Callable[[], object], seconds: float = 2.0) -> float:
    run()  # warm caches (resolved DIDs, loaded public keys)
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            run()
        count += 100
    return count / elapsed


@pytest.mark.parametrize("committee_kind", [KeyType.ED25519, KeyType.P256])
def test_bench_credential_verification(committee_kind: KeyType) -> None:
    world = make_world(committee_kind)
    lookup = world.lookup()
    roots = world.roots
    chain = [world.registration]
    cache = ChainCache()

    def full(use_cache: bool) -> Callable[[], object]:
        def run() -> object:
            return verify_credential(
                world.ownership,
                now=NOW,
                trusted_roots=roots,
                status_lookup=lookup,
                chain=chain,
                cache=cache if use_cache else None,
            )

        return run

    cached = _rate(full(True))
    uncached = _rate(full(False))
    proof_only = _rate(lambda: verify_issued(world.ownership))
    jcs_only = _rate(lambda: canonical(world.ownership))
    suite = "eddsa-jcs-2022" if committee_kind is KeyType.ED25519 else "ecdsa-jcs-2019"
    print(
        f"\n[identity bench] ownership credential signed with {suite}, registration eddsa-jcs-2022:"
        f"\n  full verification (proof+status+chain, registration cache): {cached:,.0f}/s"
        f"\n  full verification, no cache (registration re-verified):    {uncached:,.0f}/s"
        f"\n  structure + proof only:                                     {proof_only:,.0f}/s"
        f"\n  RFC 8785 canonicalization of the credential alone:          {jcs_only:,.0f}/s"
    )
    assert cached > 0
