"""Sign-in over HTTP tolerates clocks that disagree by up to GONGZHI_CLOCK_SKEW (default 5 min).

The server's clock is injected (`web.api.identity._now`), so each case sits exactly one second
inside or outside the tolerance, whatever the machine's load: a challenge answered after its
expiry, and credentials presented by a server whose clock is behind the one that issued them
(another process, a phone's idea of the time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

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
    grant_role,
    issue_pending,
    new_member,
    presentation,
    runtime_of,
    set_up_community,
)
from web.api import identity as api_identity

SLUG = "skew-test"
STAFF = "skew-staff"
FOUR, SIX = timedelta(minutes=4), timedelta(minutes=6)
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


def _answer_at(
    client: TestClient, app: FastAPI, key: KeyPair, *, issued_at: datetime, answered_at: datetime
) -> Any:
    """A challenge issued at one server time and answered at another: the sign-in's answer."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api_identity, "_now", lambda: issued_at)
        challenge = client.post("/api/auth/challenge").json()["challenge"]
        mp.setattr(api_identity, "_now", lambda: answered_at)
        answer = presentation(key, challenge, domain=runtime_of(app).domain)
        return client.post("/api/auth/sign-in", json={"presentation": answer, "session": "bearer"})


def _sign_in_at(
    client: TestClient, app: FastAPI, key: KeyPair, *, issued_at: datetime, answered_at: datetime
) -> tuple[int, dict[str, str]]:
    """(status, error) of `_answer_at`."""
    r = _answer_at(client, app, key, issued_at=issued_at, answered_at=answered_at)
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


# --- committee members and the property manager: the same tolerance -------------------------


@pytest.fixture(scope="module")
def staff(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, FastAPI, KeyPair, KeyPair]]:
    """A committee member the office registered, and a property manager it granted the role
    (both term starts signed by the office's clock, which the server's may trail)."""
    settings = settings_for(tmp_path_factory.mktemp("staff"), db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        set_up_community(
            client,
            app,
            slug=STAFF,
            name="时钟测试小区二",
            street_office="测试街道",
            register=REGISTER,
        )
        member, _ = new_member(client, app, STAFF, role="member")
        manager = KeyPair.generate(KeyType.ED25519)
        grant_role(client, app, STAFF, manager.did.value, "propertyManager")
        yield client, app, member, manager


def _term_start(app: FastAPI, did: str) -> datetime:
    """When the first registration listing `did` took effect, by the office's clock."""
    with services_of(app).db.session() as session:
        documents = registrations.documents(session, get_community(session, STAFF))
    return min(
        parse(d["validFrom"], field="validFrom")
        for d in documents
        if did in {m["id"] for m in d["credentialSubject"]["members"]}
    )


def _roles(answer: Any) -> set[str]:
    return {g["role"] for g in answer.json()["grants"] if g["community"] == STAFF}


def test_a_member_whose_clock_is_4_min_off_signs_in_and_6_min_is_refused(
    staff: tuple[TestClient, FastAPI, KeyPair, KeyPair],
) -> None:
    client, app, member, _ = staff
    start = _term_start(app, member.did.value)
    # The server's clock 4 minutes behind the office's: the term has begun, within the skew.
    behind = start - FOUR
    ok = _answer_at(client, app, member, issued_at=behind, answered_at=behind)
    assert ok.status_code == 200, ok.text
    assert _roles(ok) == {"committee"}
    late = start + timedelta(hours=1)  # a challenge answered 4 minutes after its expiry
    expiry = late + runtime_of(app).challenges.ttl
    ok = _answer_at(client, app, member, issued_at=late, answered_at=expiry + FOUR)
    assert ok.status_code == 200, ok.text
    assert _roles(ok) == {"committee"}

    far = start - SIX
    status, error = _sign_in_at(client, app, member, issued_at=far, answered_at=far)
    assert status == 401
    assert "not in force now" in error["en"] and "300 s" in error["en"]
    assert "不在任期内" in error["zh"] and "时间" in error["zh"]
    status, error = _sign_in_at(client, app, member, issued_at=late, answered_at=expiry + SIX)
    assert status == 401 and "expired" in error["en"] and "已过期" in error["zh"]


def test_the_property_manager_has_the_same_tolerance(
    staff: tuple[TestClient, FastAPI, KeyPair, KeyPair],
) -> None:
    client, app, _, manager = staff
    with services_of(app).db.session() as session:
        [row] = issuance.active(session, subject_did=manager.did.value)
        start = parse(issuance.document_of(row)["validFrom"], field="validFrom")
    behind = start - FOUR
    ok = _answer_at(client, app, manager, issued_at=behind, answered_at=behind)
    assert ok.status_code == 200, ok.text
    assert _roles(ok) == {"propertyManager"}
    far = start - SIX
    status, error = _sign_in_at(client, app, manager, issued_at=far, answered_at=far)
    assert status == 401 and "not valid before" in error["en"] and "生效" in error["zh"]
