"""Sign-in round trip through the real HTTP server, on loopback.

uvicorn serves the app on 127.0.0.1 in a thread (`tests.e2e.support.live_server`); an httpx
client with keep-alive does what a device does: POST /api/auth/challenge, sign the
presentation (Ed25519 or P-256, on the client side, included in the time), POST
/api/auth/sign-in for a bearer session. The server verifies the proof, the ownership
credential, its committee's registration up to the root and both status lists, records the
used challenge and opens a session. Target: a median of 20 ms or less.

Run with ``pytest tests/bench/test_bench_signin.py --bench -s``. Prints figures; never fails
on time.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from identity.community.committee import Member
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import live_server, settings_for
from tests.identity_web import (
    issue_pending,
    presentation,
    redemption,
    register_members,
    runtime_of,
)

pytestmark = pytest.mark.bench
ROUNDS = 300
SLUG = "bench-1"
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,手机号\n"
    "1-1-101,88.00,某甲,110101198001010010,13800000001\n"
)


@pytest.mark.parametrize("kind", [KeyType.ED25519, KeyType.P256])
def test_bench_signin_round_trip(tmp_path: Path, db_url: str, kind: KeyType) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    # One key signs in hundreds of times a minute here: lift the rate limits for the measure.
    settings = replace(settings, rates=dict.fromkeys(settings.rates))
    with live_server(settings, demo=False) as (base, app), httpx.Client(base_url=base) as http:
        operator = {"Authorization": f"Bearer {runtime_of(app).operator_token()}"}
        domain = runtime_of(app).domain
        made = http.post(
            "/api/communities",
            json={"slug": SLUG, "name": "基准", "street_office": "街道"},
            headers=operator,
        )
        assert made.status_code == 201, made.text
        code = http.post(f"/api/communities/{SLUG}/member-codes", headers=operator, json={})
        member = KeyPair.generate(KeyType.P256)
        assert (
            http.post(
                "/api/enrolment/redeem", json=redemption(member, code.json()["code"], domain=domain)
            ).status_code
            == 201
        )
        # The (demo) street office registers the member: only then is it the committee.
        register_members(TestClient(app), app, SLUG, [Member(member.did.value, "chair")])
        challenge = http.post("/api/auth/challenge").json()["challenge"]
        signed = http.post(
            "/api/auth/sign-in",
            json={
                "presentation": presentation(member, challenge, domain=domain),
                "session": "bearer",
            },
        )
        committee = {"Authorization": f"Bearer {signed.json()['token']}"}
        http.post(
            f"/api/communities/{SLUG}/register",
            content=REGISTER.encode(),
            headers={**committee, "Content-Type": "text/csv"},
        ).raise_for_status()
        owner_code = http.post(
            f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee
        ).json()["codes"][0]["code"]
        key = KeyPair.generate(kind)
        http.post(
            "/api/enrolment/redeem", json=redemption(key, owner_code, domain=domain)
        ).raise_for_status()
        # The member signs the owner's queued credential, which each sign-in then verifies.
        assert len(issue_pending(TestClient(app), SLUG, member, committee)) == 1

        totals: list[float] = []
        challenges: list[float] = []
        sign_ins: list[float] = []
        for _ in range(ROUNDS + 20):
            start = time.perf_counter()
            issued = http.post("/api/auth/challenge").json()
            got = time.perf_counter()
            answer = presentation(key, issued["challenge"], domain=issued["domain"])
            sent = time.perf_counter()
            r = http.post("/api/auth/sign-in", json={"presentation": answer, "session": "bearer"})
            end = time.perf_counter()
            assert r.status_code == 200, r.text
            totals.append(end - start)
            challenges.append(got - start)
            sign_ins.append(end - sent)
    totals, challenges, sign_ins = totals[20:], challenges[20:], sign_ins[20:]  # warm-up

    def ms(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    print(
        f"\nsign-in round trip, uvicorn on 127.0.0.1, {backend}, {kind.value} key, "
        f"{ROUNDS} rounds: median {statistics.median(totals) * 1000:.2f} ms, "
        f"p90 {ms(totals, 90):.2f} ms, p99 {ms(totals, 99):.2f} ms "
        f"(challenge median {statistics.median(challenges) * 1000:.2f} ms, "
        f"sign-in request median {statistics.median(sign_ins) * 1000:.2f} ms; target ≤ 20 ms)"
    )
