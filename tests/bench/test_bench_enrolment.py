"""Enrolment codes for a whole community in one request, and redemptions, over real HTTP.

uvicorn serves the app on 127.0.0.1 (`tests.e2e.support.live_server`); the committee uploads
a register of 10,000 holders, then asks for every holder's code in one POST (timed), then
owners redeem codes one after another (device-side key generation and signing included).
Target: codes for 10,000 holders in ≤ 5 s (issue 7, finding 16: 84 s for 9,669 before).

Run with ``pytest tests/bench/test_bench_enrolment.py --bench -s``. Prints figures; never
fails on time.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import live_server, settings_for
from tests.identity_web import presentation, redemption, runtime_of
from tests.serving_support import id_number

pytestmark = pytest.mark.bench
HOLDERS = 10_000
REDEMPTIONS = 100
SLUG = "bench-codes"


def _register(holders: int) -> bytes:
    lines = ["房号,专有部分面积,业主姓名,证件号码,手机号"]
    lines += [
        # valid GB 11643 numbers: the register refuses a wrong check digit since issue 7
        f"{1 + i // 1000}-{i % 1000:04d},88.00,业主{i},{id_number(i)},138{i:08d}"
        for i in range(holders)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_bench_codes_for_every_holder(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with (
        live_server(settings, demo=False) as (base, app),
        httpx.Client(base_url=base, timeout=600) as http,
    ):
        operator = {"Authorization": f"Bearer {runtime_of(app).operator_token()}"}
        domain = runtime_of(app).domain
        http.post(
            "/api/communities",
            json={"slug": SLUG, "name": "基准", "street_office": "街道"},
            headers=operator,
        ).raise_for_status()
        code = http.post(f"/api/communities/{SLUG}/member-codes", headers=operator, json={})
        member = KeyPair.generate(KeyType.ED25519)
        http.post(
            "/api/enrolment/redeem", json=redemption(member, code.json()["code"], domain=domain)
        ).raise_for_status()
        challenge = http.post("/api/auth/challenge").json()["challenge"]
        signed = http.post(
            "/api/auth/sign-in",
            json={
                "presentation": presentation(member, challenge, domain=domain),
                "session": "bearer",
            },
        )
        committee = {"Authorization": f"Bearer {signed.json()['token']}"}
        started = time.perf_counter()
        http.post(
            f"/api/communities/{SLUG}/register",
            content=_register(HOLDERS),
            headers={**committee, "Content-Type": "text/csv"},
        ).raise_for_status()
        imported = time.perf_counter() - started

        started = time.perf_counter()
        answer = http.post(f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee)
        issued = time.perf_counter() - started
        assert answer.status_code == 201, answer.text
        codes = [c["code"] for c in answer.json()["codes"]]
        assert len(codes) == HOLDERS

        started = time.perf_counter()
        for c in codes[:REDEMPTIONS]:
            key = KeyPair.generate(KeyType.ED25519)
            r = http.post("/api/enrolment/redeem", json=redemption(key, c, domain=domain))
            assert r.status_code == 201, r.text
        redeemed = time.perf_counter() - started
    backend = db_url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"\n[enrolment bench] {backend}: register of {HOLDERS:,} holders imported in "
        f"{imported:.1f} s; codes for all {HOLDERS:,} in one request: {issued:.2f} s; "
        f"{REDEMPTIONS} redemptions one by one: {REDEMPTIONS / redeemed:.0f}/s"
    )
