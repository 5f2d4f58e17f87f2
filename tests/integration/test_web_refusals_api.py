"""Refused votes are visible to the committee (GET /api/ballots/{id}/refusals), counted per
(reason, signer) so that a flood cannot grow the table — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.demo_voters import distinct_voters
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import demo_keys
from web.demo.register import demo_register_csv
from web.server import refusals
from web.server.refusals import Refusal, VoteRefusal


def _vote(key: KeyPair, origin: str, choice: str = "agree", **over: Any) -> dict[str, Any]:
    doc = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": choice}}
    return sign_json(doc | over, key)


def _refusals(client: TestClient, app: FastAPI, ballot: int) -> dict[str, Any]:
    services_of(app).refusals_settled()
    r = client.get(f"/api/ballots/{ballot}/refusals", headers=identity_web.committee_headers(app))
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _holder_id_number(unit: str) -> str:
    rows = csv.DictReader(io.StringIO(demo_register_csv().decode()))
    return next(r["证件号码"] for r in rows if r["房号"] == unit and r["表决人"] == "是")


def _single_unit_owners(app: FastAPI, count: int) -> list[tuple[str, KeyPair]]:
    keys = demo_keys(services_of(app))
    per_did: dict[str, list[str]] = {}
    for unit, key in keys.items():
        per_did.setdefault(key.did.value, []).append(unit)
    chosen = [k for k in distinct_voters(keys, 40) if len(per_did[k.did.value]) == 1]
    return [(per_did[k.did.value][0], k) for k in chosen[:count]]


def test_every_kind_of_refusal_shows_up(tmp_path: Path, db_url: str) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)) as (client, app):
        committee = identity_web.committee_headers(app)
        origin = client.get("/api/ballots/1").json()["origin"]
        (_, a), (_, b), (_, c), (lost_unit, d), (_, e) = _single_unit_owners(app, 5)
        url = "/api/ballots/1/votes"
        stranger = KeyPair.generate(KeyType.ED25519)
        tampered = _vote(b, origin) | {"choices": {"1": "oppose"}}
        assert client.post(url, json=_vote(a, origin)).status_code == 201
        sent = {
            "twice": client.post(url, json=_vote(a, origin, "oppose")),
            "not_in_census": client.post(url, json=_vote(stranger, origin)),
            "wrong_signer": client.post(url, json=_vote(b, origin, voter=c.did.value)),
            "wrong_ballot": client.post(url, json=_vote(b, origin + "0")),
            "bad_signature": client.post(url, json=tampered),
            "malformed": client.post(url, json={"type": "Vote", "ballot": origin, "choices": 7}),
        }
        r = client.post(
            "/api/communities/xianxia-demo/recoveries",
            json={"unit": lost_unit, "id_number": _holder_id_number(lost_unit)},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        sent["key_lost"] = client.post(url, json=_vote(d, origin))
        assert all(400 <= s.status_code < 500 for s in sent.values()), {
            k: s.text for k, s in sent.items()
        }

        # A ballot still open whose window has run out (its result not yet proposed).
        later = identity_web.open_ballot(
            client, app, {"matter": 1, "title": "另一项表决", "text": "表决期已过"}
        )
        after = datetime.fromisoformat(later["closes_at"]) + timedelta(seconds=1)
        with identity_web.clock_at(app, after):
            late = client.post(f"/api/ballots/{later['id']}/votes", json=_vote(e, later["origin"]))
        assert late.status_code == 409, late.text
        identity_web.close_ballot(client, app, 1)
        closed = client.post(url, json=_vote(e, origin))
        assert closed.status_code == 409, closed.text

        listed = _refusals(client, app, 1)
        by_reason = {r["reason"]: r for r in listed["refusals"]}
        assert set(by_reason) == {*sent, "not_open"}
        for reason, answer in sent.items():
            assert by_reason[reason]["message"] == answer.json()["error"]["en"]
            # both languages are kept: the committee's Chinese page shows the Chinese one
            assert by_reason[reason]["message_zh"] == answer.json()["error"]["zh"]
            assert by_reason[reason]["count"] == 1
        census = {r["signer"]: r["census_entry"] for r in listed["refusals"]}
        assert by_reason["twice"]["signer"] == a.did.value and census[a.did.value]
        assert by_reason["not_in_census"]["signer"] == stranger.did.value
        assert by_reason["not_in_census"]["census_entry"] is None
        assert by_reason["wrong_signer"]["signer"] == b.did.value  # whose signature held
        assert by_reason["key_lost"]["signer"] == d.did.value
        for unsigned in ("bad_signature", "malformed"):
            assert by_reason[unsigned]["signer"] is None
        assert by_reason["not_open"]["signer"] == e.did.value
        # Whose census entry has a counted vote: a's repeat is nothing left to deal with.
        assert by_reason["twice"]["counted"] is True
        assert not any(r["counted"] for r in listed["refusals"] if r["reason"] != "twice")
        assert listed["total"] == len(sent) + 1
        assert tampered["proof"]["proofValue"] not in str(listed)  # never the body
        [window] = _refusals(client, app, later["id"])["refusals"]
        assert window["reason"] == "outside_window" and window["signer"] == e.did.value

        assert client.get("/api/ballots/1/refusals").status_code == 401
        owner = identity_web.bearer(identity_web.sign_in(client, b))
        assert client.get("/api/ballots/1/refusals", headers=owner).status_code == 403


def test_a_flood_of_garbage_keeps_the_table_bounded(tmp_path: Path, db_url: str) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)) as (client, app):
        origin = client.get("/api/ballots/1").json()["origin"]
        forged = {
            "type": "Vote",
            "ballot": origin,
            "choices": {"1": "agree"},
            "voter": "did:key:z6Mk",
        }
        for i in range(1000):
            body = (
                forged | {"proof": {"type": "DataIntegrityProof", "proofValue": f"z{i}"}}
                if i % 2
                else {"type": "Junk", "ballot": origin, "n": i}
            )
            assert 400 <= client.post("/api/ballots/1/votes", json=body).status_code < 500
        listed = _refusals(client, app, 1)
        assert listed["total"] == 1000
        assert len(listed["refusals"]) <= 2  # one row per reason, not one per attempt
        assert {r["reason"] for r in listed["refusals"]} == {"malformed", "bad_signature"}


def test_fresh_keys_past_the_cap_fold_into_one_row(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anyone can make keys: signers outside the census get their own row only up to the
    cap; the rest are still counted, in the reason's anonymous row. A census member's
    refusal keeps its own row however full the strangers' share is."""
    monkeypatch.setattr(refusals, "MAX_STRANGER_ROWS", 100)
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)) as (client, app):
        services = services_of(app)
        at = datetime(2026, 12, 1, tzinfo=UTC)
        refused = refusals.english(Exception())
        for batch in range(4):
            with services.db.session() as session:
                refusals.record(
                    session,
                    [
                        Refusal(1, "not_in_census", refused, f"did:key:z{batch}-{i}", at)
                        for i in range(250)
                    ],
                )
        [(_, owner)] = _single_unit_owners(app, 1)
        with services.db.session() as session:
            refusals.record(session, [Refusal(1, "twice", refused, owner.did.value, at)])
        with services.db.session(write=False) as session:
            rows = session.scalar(
                select(func.count()).select_from(VoteRefusal).where(VoteRefusal.ballot_id == 1)
            )
        assert rows == 100 + 1 + 1  # 100 strangers, their anonymous row, the owner
        listed = _refusals(client, app, 1)
        assert listed["total"] == 1001
        anonymous = [r for r in listed["refusals"] if r["signer"] is None]
        assert [r["count"] for r in anonymous] == [900]
        assert any(r["signer"] == owner.did.value and r["census_entry"] for r in listed["refusals"])
