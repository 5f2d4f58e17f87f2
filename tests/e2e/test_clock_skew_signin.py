"""Sign-in over HTTP tolerates clocks that disagree by up to GONGZHI_CLOCK_SKEW (default 5 min).

The server's clock is injected (`web.api_identity._now`), so each case sits exactly one second
inside or outside the tolerance, whatever the machine's load: a challenge answered after its
expiry, and credentials presented by a server whose clock is behind the one that issued them
(another process, a phone's idea of the time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community import issuance, registrations
from identity.community.registry import get_community
from identity.w3c.clockskew import DEFAULT_CLOCK_SKEW
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from identity.w3c.xsdtime import parse
from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import (
    committee_member,
    enrol,
    issue_pending,
    presentation,
    runtime_of,
    set_up_community,
)
from web import api_identity

SLUG = "skew-test"
SECOND = timedelta(seconds=1)


REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,88.00,钟甲,110101198001010010,13800000001,是,否
"""


@pytest.fixture(scope="module")
def owner(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, FastAPI, KeyPair]]:
    """An owner whose ownership credential a registered member signed (the server holds no
    key that could): the credential whose validity the server's clock is checked against."""
    settings = settings_for(tmp_path_factory.mktemp("data"), db_url=None, anvil_url=None)
    assert settings.clock_skew == DEFAULT_CLOCK_SKEW
    with running(settings, demo=False) as (client, app):
        committee = set_up_community(
            client, app, slug=SLUG, name="时钟测试小区", street_office="测试街道", register=REGISTER
        )
        r = client.post(
            f"/api/communities/{SLUG}/enrolment-codes",
            json={"units": ["1-1-101"]},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        key = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, r.json()["codes"][0]["code"], key).status_code == 201
        chair, headers = committee_member(app, SLUG)
        assert len(issue_pending(client, SLUG, chair, headers)) == 1
        yield client, app, key


def _sign_in_at(
    client: TestClient, app: FastAPI, key: KeyPair, *, issued_at: datetime, answered_at: datetime
) -> tuple[int, dict[str, str]]:
    """A challenge issued at one server time and answered at another; (status, error)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api_identity, "_now", lambda: issued_at)
        challenge = client.post("/api/auth/challenge").json()["challenge"]
        mp.setattr(api_identity, "_now", lambda: answered_at)
        answer = presentation(key, challenge, domain=runtime_of(app).domain)
        r = client.post("/api/auth/sign-in", json={"presentation": answer, "session": "bearer"})
    return r.status_code, (r.json().get("error") or {}) if r.status_code != 200 else {}


def _issued_from(app: FastAPI, key: KeyPair) -> datetime:
    """The latest validFrom among the owner's credential and the committee's registrations."""
    services = services_of(app)
    with services.db.session() as session:
        documents = [
            issuance.document_of(r) for r in issuance.active(session, subject_did=key.did.value)
        ]
        documents += registrations.documents(session, get_community(session, SLUG))
    return max(parse(d["validFrom"], field="validFrom") for d in documents)


def test_a_challenge_is_accepted_up_to_the_skew_past_its_expiry(
    owner: tuple[TestClient, FastAPI, KeyPair],
) -> None:
    client, app, key = owner
    issued_at = _issued_from(app, key) + timedelta(hours=1)
    expiry = issued_at + runtime_of(app).challenges.ttl
    status, _ = _sign_in_at(
        client, app, key, issued_at=issued_at, answered_at=expiry + DEFAULT_CLOCK_SKEW - SECOND
    )
    assert status == 200
    status, error = _sign_in_at(
        client, app, key, issued_at=issued_at, answered_at=expiry + DEFAULT_CLOCK_SKEW + SECOND
    )
    assert status == 401
    assert "expired" in error["en"] and "300 s" in error["en"] and "已过期" in error["zh"]


def test_credentials_are_accepted_by_a_clock_up_to_the_skew_behind(
    owner: tuple[TestClient, FastAPI, KeyPair],
) -> None:
    client, app, key = owner
    behind = _issued_from(app, key) - DEFAULT_CLOCK_SKEW
    status, _ = _sign_in_at(
        client, app, key, issued_at=behind + SECOND, answered_at=behind + SECOND
    )
    assert status == 200
    status, error = _sign_in_at(
        client, app, key, issued_at=behind - SECOND, answered_at=behind - SECOND
    )
    assert status == 401
    assert "not valid before" in error["en"] and "生效" in error["zh"]


def test_a_replay_in_the_grace_period_is_refused(
    owner: tuple[TestClient, FastAPI, KeyPair],
) -> None:
    """The used nonce is kept until the end of the grace period, not just until expiry: a later
    sign-in (which purges expired nonces) must not make the first answer usable again."""
    client, app, key = owner
    issued_at = _issued_from(app, key) + timedelta(hours=2)
    expiry = issued_at + runtime_of(app).challenges.ttl
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api_identity, "_now", lambda: issued_at)
        challenge = client.post("/api/auth/challenge").json()["challenge"]
        answer = presentation(key, challenge, domain=runtime_of(app).domain)
        body = {"presentation": answer, "session": "bearer"}
        assert client.post("/api/auth/sign-in", json=body).status_code == 200
        late = expiry + DEFAULT_CLOCK_SKEW - SECOND
        mp.setattr(api_identity, "_now", lambda: late)
        other = client.post("/api/auth/challenge").json()["challenge"]
        fresh = presentation(key, other, domain=runtime_of(app).domain)
        assert (
            client.post(
                "/api/auth/sign-in", json={"presentation": fresh, "session": "bearer"}
            ).status_code
            == 200
        )
        replay = client.post("/api/auth/sign-in", json=body)
    assert replay.status_code == 401
    assert "used already" in replay.json()["error"]["en"]
