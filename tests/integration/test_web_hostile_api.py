"""Hostile use of the API, in process on the demo community: rate limits (429 with
Retry-After, bilingual, nothing changed), body limits, the security headers on every kind
of response, and the same-origin check for cookie sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from web.auth.ratelimit import Rate, RateLimiter
from web.demo.community import SLUG, demo_keys


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    data: Path = tmp_path_factory.mktemp("data")
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        yield client, app


@pytest.fixture(autouse=True)
def no_limits_left_over(demo: tuple[TestClient, FastAPI]) -> None:
    """Each test starts with no rate limit: one left by another test (tests run in random
    order) would refuse this one's set-up."""
    limit(demo[1])


def limit(app: FastAPI, **rates: Rate) -> FakeClock:
    """Replace the app's limiter: only `rates` apply, on a fake clock."""
    clock = FakeClock()
    app.state.rate_limiter = RateLimiter(rates, clock=clock)
    return clock


def owners(app: FastAPI) -> list[KeyPair]:
    """Demo owners' keys, one per person (a buyer of several units holds one key)."""
    seen: dict[str, KeyPair] = {}
    for _unit, key in sorted(demo_keys(services_of(app)).items()):
        seen.setdefault(key.did.value, key)
    return list(seen.values())


def assert_limited(response: Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    error = response.json()["error"]
    assert "请求过于频繁" in error["zh"] and "too many requests" in error["en"]


def test_challenges_are_limited_per_address(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    clock = limit(app, challenge_address=Rate(2, 60))
    assert [client.post("/api/auth/challenge").status_code for _ in range(2)] == [200, 200]
    refused = client.post("/api/auth/challenge")
    assert_limited(refused)
    assert refused.headers["retry-after"] == "30"
    clock.now += 30
    assert client.post("/api/auth/challenge").status_code == 200


def _vote(key: KeyPair, origin: str, choice: str, voter: str | None = None) -> dict[str, Any]:
    doc = {
        "type": "Vote",
        "ballot": origin,
        "voter": voter or key.did.value,
        "choices": {"1": choice},
    }
    return sign_json(doc, key)


def test_votes_are_limited_per_verified_voter_and_forgeries_use_up_nothing(
    demo: tuple[TestClient, FastAPI],
) -> None:
    client, app = demo
    clock = limit(app, vote_identity=Rate(1, 60), vote_address=Rate(50, 60))
    origin = client.get("/api/ballots/1").json()["origin"]
    victim, other = owners(app)[:2]
    # A stranger floods votes naming the victim: signed by keys of their own, or not at all.
    for _ in range(3):
        stranger = KeyPair.generate(KeyType.ED25519)
        forged = _vote(stranger, origin, "oppose", voter=victim.did.value)
        unsigned = {"type": "Vote", "ballot": origin, "voter": victim.did.value}
        for bad in (forged, unsigned):  # refused by the ballot, not by the limit
            assert client.post("/api/ballots/1/votes", json=bad).status_code in (400, 403, 409)
    # The victim's own vote still goes in.
    assert (
        client.post("/api/ballots/1/votes", json=_vote(victim, origin, "agree")).status_code == 201
    )
    before = client.get("/api/ballots/1/record").json()["entries"]
    # A second signed vote of the same owner within the minute: 429, and the box is unchanged.
    again = client.post("/api/ballots/1/votes", json=_vote(victim, origin, "oppose"))
    assert_limited(again)
    assert client.get("/api/ballots/1/record").json()["entries"] == before
    # Another owner is counted apart; the address limit is generous.
    assert (
        client.post("/api/ballots/1/votes", json=_vote(other, origin, "agree")).status_code == 201
    )
    clock.now += 60
    late = client.post("/api/ballots/1/votes", json=_vote(victim, origin, "oppose"))
    assert late.status_code in (400, 409)  # past the limit: the ballot says "already voted"
    assert "already" in late.json()["error"]["en"]


def test_votes_from_one_address_are_limited_too(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    limit(app, vote_address=Rate(3, 60))
    garbage = {"type": "Vote", "ballot": "nope"}
    codes = [client.post("/api/ballots/1/votes", json=garbage).status_code for _ in range(4)]
    assert codes[:3] != [429] * 3 and codes[3] == 429


def test_sign_in_is_limited_per_verified_holder(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    key, _ = identity_web.new_member(client, app, SLUG)
    limit(app, sign_in_identity=Rate(1, 60))
    assert identity_web.sign_in(client, key).status_code == 200
    assert_limited(identity_web.sign_in(client, key))
    other = owners(app)[5]  # someone else, from the same address, is not held up
    assert identity_web.sign_in(client, other).status_code == 200


def test_code_redemption_is_limited_per_address(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    limit(app, redeem_address=Rate(2, 60))
    key = KeyPair.generate(KeyType.P256)
    codes = [identity_web.enrol(client, app, "AAAAA-BBBBB-CCCCC", key) for _ in range(3)]
    assert [r.status_code == 429 for r in codes] == [False, False, True]
    assert_limited(codes[2])


def test_objections_are_limited_per_signed_in_owner(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    api = f"/api/communities/{SLUG}/disclosures"
    clock = limit(app, objection_identity=Rate(1, 600))
    owner = owners(app)[6]
    headers = identity_web.bearer(identity_web.sign_in(client, owner))
    target = next(e for e in client.get(f"{api}/entries").json() if e["type"] == "Disclosure")
    origin = target["entry"]["log"]

    def objection(text: str) -> dict[str, Any]:
        doc = {
            "type": "Objection",
            "log": origin,
            "objector": owner.did.value,
            "target": {"index": target["index"], "leafHash": target["leaf_hash"]},
            "text": text,
        }
        return sign_json(doc, owner)

    first = client.post(f"{api}/entries", json=objection("清洁费为何上涨？"), headers=headers)
    assert first.status_code == 201, first.text
    size = client.get(api).json()["size"]
    assert_limited(client.post(f"{api}/entries", json=objection("再问一次"), headers=headers))
    assert client.get(api).json()["size"] == size
    clock.now += 600
    r = client.post(f"{api}/entries", json=objection("再问一次"), headers=headers)
    assert r.status_code == 201, r.text


def test_an_oversized_json_body_is_refused_bilingually(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    big = {"slug": "x", "name": "名" * 100_000, "street_office": "测试"}  # ~300 KB of UTF-8
    r = client.post("/api/communities", json=big, headers=identity_web.operator_headers(app))
    assert r.status_code == 413
    assert "请求内容过大" in r.json()["error"]["zh"] and "256 KiB" in r.json()["error"]["en"]
    assert client.get("/api/communities/x").status_code != 200  # nothing was created


SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    # the camera for our own pages' QR scanning only (the card, /verify), nothing else
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ballots/1",
        f"/c/{SLUG}/disclosures",
        f"/communities/{SLUG}/committee",  # not signed in: the refusal page
        "/api/health",
        "/api/ballots/1",
        "/api/ballots/999999",  # a 404 of the API
        "/no/such/page",  # a 404 page
        "/owner",
        "/verify",
        "/static/owner.js",
    ],
)
def test_every_response_carries_the_security_headers(
    demo: tuple[TestClient, FastAPI], path: str
) -> None:
    client, _ = demo
    r = client.get(path, headers={"accept": "text/html"})
    assert r.status_code < 500, r.text
    for name, value in SECURITY.items():
        assert r.headers.get(name) == value, (path, name, r.headers)
    policy = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_the_owner_pages_keep_their_stricter_policy(demo: tuple[TestClient, FastAPI]) -> None:
    client, _ = demo
    policy = client.get("/owner").headers["content-security-policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": "null", "sec-fetch-site": "same-origin"}, 201),  # Chromium, no-referrer
        ({"origin": "https://testserver", "sec-fetch-site": "same-origin"}, 201),
        ({}, 201),  # an older browser sends neither
        ({"origin": "null", "sec-fetch-site": "cross-site"}, 403),  # a sandboxed frame elsewhere
        ({"origin": "null"}, 403),
        ({"origin": "https://evil.example", "sec-fetch-site": "cross-site"}, 403),
        ({"sec-fetch-site": "cross-site"}, 403),
    ],
)
def test_cookie_sessions_accept_what_same_origin_posts_carry(
    demo: tuple[TestClient, FastAPI], headers: dict[str, str], status: int
) -> None:
    _, app = demo
    limit(app)
    browser = TestClient(app, base_url="https://testserver")  # the session cookie is Secure
    key, _ = identity_web.new_member(browser, app, SLUG)
    assert identity_web.sign_in(browser, key, session="cookie").status_code == 200
    r = browser.post(
        f"/api/communities/{SLUG}/member-codes", json={"role": "member"}, headers=headers
    )
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["error"]["zh"] == "跨站请求被拒绝"
