"""A guardian's lost phone, a change of guardian, and a guardian of several wards, over HTTP
on SQLite and PostgreSQL (gongzhi issue 9: a guardian votes for an owner without capacity).

* Lost phone: the committee re-checks the *guardian* (the ward cannot act) by ID number; the
  guardian's old key is revoked (``key_lost``), its sessions end, a new code binds a new
  key, which the committee confirms in the open ballot (VoterKeyChanged) and which votes.
* Change of guardian while a ballot is open: the census stays as frozen, the old
  guardian's key no longer votes for the ward, the new guardian enrols with the code in the
  answer, is confirmed in the box like any new key and votes; the record verifies. The new
  guardian's name and ID number are stored encrypted, never answered, never logged.
* A guardian of two wards holds two census rows: a vote must name its ``censusEntry`` (the
  refusal lists the entries possible), and one vote per ward counts.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from identity.community.models import Person
from identity.community.registry import find_person, get_community
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import (
    bearer,
    close_ballot,
    data_dir_of,
    decide,
    enrol,
    issue_pending,
    office_of,
    open_ballot,
    pinned,
    register_committee,
    set_up_community,
    sign_in,
)
from tests.serving_support import id_number
from web.cli import entry as cli
from web.demo.community import demo_member_keys

SLUG = "guardian-3"
WARD, GUARDIAN, WARD2, NEW_GUARDIAN = id_number(31), id_number(32), id_number(33), id_number(34)
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有,监护人姓名,监护人证件号码\n"
    "1-1-101,90.00,甲某,110101198001010010,13800000001,是,否,,\n"
    f"1-1-102,80.00,小明,{WARD},13800000002,是,否,王芳,{GUARDIAN}\n"
    f"1-1-201,70.00,小红,{WARD2},13800000003,是,否,王芳,{GUARDIAN}\n"
)


def _vote(key: KeyPair, origin: str, entry: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "Vote",
        "ballot": origin,
        "voter": key.did.value,
        "choices": {"1": "agree"},
    }
    if entry is not None:
        doc["censusEntry"] = entry
    return sign_json(doc, key)


def _setup(client: TestClient, app: FastAPI) -> tuple[dict[str, str], KeyPair, dict[str, str]]:
    """Community, committee, the guardian enrolled (one code for both wards) and issued."""
    committee = set_up_community(
        client, app, slug=SLUG, name="监护变更小区", street_office="测试街道", register=REGISTER
    )
    register_committee(app, SLUG)
    r = client.post(f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee)
    assert r.status_code == 201, r.text
    codes = {",".join(c["units"]): c["code"] for c in r.json()["codes"]}
    assert set(codes) == {"1-1-101", "1-1-102,1-1-201"}
    guardian = KeyPair.generate(KeyType.P256)
    assert enrol(client, app, codes["1-1-102,1-1-201"], guardian).status_code == 201
    chair = demo_member_keys(data_dir_of(app))[0]
    chair_headers = bearer(sign_in(client, chair))
    assert len(issue_pending(client, SLUG, chair, chair_headers)) == 2  # one per ward's row
    return committee, guardian, chair_headers


def _open(client: TestClient, app: FastAPI, committee: dict[str, str]) -> dict[str, Any]:
    now = datetime.now(UTC)
    return open_ballot(
        client,
        app,
        {
            "matter": 1,
            "title": "修改议事规则",
            "text": "是否同意修改业主大会议事规则第三条？",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
        },
        slug=SLUG,
        headers=committee,
    )


def _entry(client: TestClient, ballot: dict[str, Any], unit: str) -> str:
    record = client.get(f"/api/ballots/{ballot['id']}/record").json()
    voters = json.loads(record["entries"][1])["census"]["voters"]
    return next(str(v["voter"]) for v in voters if unit in v["units"])


def _confirm_new_key(
    client: TestClient, app: FastAPI, ballot: dict[str, Any], key: KeyPair, entry: str
) -> None:
    """The new key is refused until the members sign the VoterKeyChanged; then it votes."""
    votes = f"/api/ballots/{ballot['id']}/votes"
    refused = client.post(votes, json=_vote(key, ballot["origin"], entry))
    assert refused.status_code == 409, refused.text
    assert "confirmed by the committee" in refused.json()["error"]["en"]
    pending = client.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"})
    [change] = [
        d
        for d in pending.json()
        if d["type"] == "VoterKeyChanged" and d["summary"]["newDid"] == key.did.value
    ]
    decide(client, data_dir_of(app), SLUG, change)
    counted = client.post(votes, json=_vote(key, ballot["origin"], entry))
    assert counted.status_code == 201, counted.text


def _verify(record: dict[str, Any], root: str, data: Path, tmp_path: Path) -> int:
    """The pinned verifier on the record, once the server has stopped (it holds the chain)."""
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    return cli.main(
        ["verify", "ballot", str(path), "--data", str(data), *pinned(record, root, tmp_path)]
    )


def test_a_guardians_lost_phone_is_recovered_by_the_guardians_id(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        committee, lost, chair_headers = _setup(client, app)
        lost_session = bearer(sign_in(client, lost))
        ballot = _open(client, app, committee)
        url = f"/api/communities/{SLUG}/recoveries"
        # The ward cannot act: their own ID number is refused, and says whose is needed.
        ward = client.post(url, json={"unit": "1-1-102", "id_number": WARD}, headers=committee)
        assert ward.status_code == 400, ward.text
        assert "guardian's ID number" in ward.json()["error"]["en"]
        assert "监护人" in ward.json()["error"]["zh"] and WARD not in ward.text
        r = client.post(url, json={"unit": "1-1-102", "id_number": GUARDIAN}, headers=committee)
        assert r.status_code == 201, r.text
        assert len(r.json()["revoked"]) == 2  # both wards' credentials: the key is gone
        assert r.json()["enrolment"]["units"] == ["1-1-102", "1-1-201"]
        assert client.get("/api/me", headers=lost_session).status_code == 401
        entry = _entry(client, ballot, "1-1-102")
        refused = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(lost, ballot["origin"], entry)
        )
        assert refused.status_code == 400 and "reported lost" in refused.json()["error"]["en"]
        phone = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, r.json()["enrolment"]["code"], phone).status_code == 201
        chair = demo_member_keys(data_dir_of(app))[0]
        assert len(issue_pending(client, SLUG, chair, chair_headers)) == 2
        _confirm_new_key(client, app, ballot, phone, entry)
        close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        root = office_of(app).did.value
    assert _verify(record, root, tmp_path / "data", tmp_path) == 0, capsys.readouterr().out


def test_a_new_guardian_votes_for_the_ward_and_the_old_one_no_longer_can(
    tmp_path: Path,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        committee, old, chair_headers = _setup(client, app)
        old_session = bearer(sign_in(client, old))
        ballot = _open(client, app, committee)
        entry = _entry(client, ballot, "1-1-102")
        url = f"/api/communities/{SLUG}/units/1-1-102/guardian"
        # Bad input changes nothing: the ward as their own guardian, the same guardian again.
        for who, en in ((WARD, "own guardian"), (GUARDIAN, "already the guardian")):
            bad = client.put(
                url,
                json={"guardian": {"name": "某某", "id_number": who, "phone": ""}},
                headers=committee,
            )
            assert bad.status_code == 400 and en in bad.json()["error"]["en"], bad.text
        assert client.get("/api/me", headers=old_session).status_code == 200
        new_guardian = {"name": "李监护", "id_number": NEW_GUARDIAN, "phone": "13900000009"}
        r = client.put(url, json={"guardian": new_guardian}, headers=committee)
        assert r.status_code == 200, r.text
        assert r.json()["enrolment"]["units"] == ["1-1-102"]
        assert len(r.json()["revoked"]) == 2 and len(r.json()["issued"]) == 1  # 小红's again
        assert "李监护" not in r.text and NEW_GUARDIAN not in r.text
        assert client.get("/api/me", headers=old_session).status_code == 401
        services = services_of(app)
        with services.db.session(write=False) as session:
            community = get_community(session, SLUG)
            person = find_person(
                session, community=community, id_number=NEW_GUARDIAN, cipher=services.cipher
            )
            assert person is not None
            stored = session.scalars(select(Person.name_enc).where(Person.id == person.id)).one()
            assert "李监护".encode() not in stored and NEW_GUARDIAN.encode() not in stored
            ward = find_person(session, community=community, id_number=WARD, cipher=services.cipher)
            assert ward is not None and ward.guardian_id == person.id

        votes = f"/api/ballots/{ballot['id']}/votes"
        # The census is as frozen, but the old guardian's key no longer votes for the ward…
        refused = client.post(votes, json=_vote(old, ballot["origin"], entry))
        assert refused.status_code in (400, 403, 409), refused.text
        assert "no longer this owner's guardian" in refused.json()["error"]["en"]
        assert refused.json()["error"]["zh"]
        # …still for the other ward, once a member has signed the reissued credential.
        chair = demo_member_keys(data_dir_of(app))[0]
        assert len(issue_pending(client, SLUG, chair, chair_headers)) == 1
        other = client.post(
            votes, json=_vote(old, ballot["origin"], _entry(client, ballot, "1-1-201"))
        )
        assert other.status_code == 201, other.text
        new = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, r.json()["enrolment"]["code"], new).status_code == 201
        assert len(issue_pending(client, SLUG, chair, chair_headers)) == 1
        _confirm_new_key(client, app, ballot, new, entry)
        # Whoever once was the guardian stays refused for the ward's row.
        again = client.post(votes, json=_vote(old, ballot["origin"], entry))
        assert again.status_code in (400, 403, 409), again.text
        close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        root = office_of(app).did.value
        # The next ballot's census names the new guardian for the ward.
        later = _open(client, app, committee)
        voters = json.loads(client.get(f"/api/ballots/{later['id']}/record").json()["entries"][1])
        row = next(v for v in voters["census"]["voters"] if "1-1-102" in v["units"])
        assert row["did"] == new.did.value and row["guardian"] is True
    assert NEW_GUARDIAN not in caplog.text and "李监护" not in caplog.text
    assert "李监护" not in json.dumps(record) and NEW_GUARDIAN not in json.dumps(record)
    assert _verify(record, root, tmp_path / "data", tmp_path) == 0, capsys.readouterr().out


def test_a_ward_who_regains_capacity_enrols_and_votes_from_the_next_ballot(
    tmp_path: Path, db_url: str
) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        committee, old, _ = _setup(client, app)
        ballot = _open(client, app, committee)
        entry = _entry(client, ballot, "1-1-201")
        r = client.put(
            f"/api/communities/{SLUG}/units/1-1-201/guardian",
            json={"guardian": None},
            headers=committee,
        )
        assert r.status_code == 200, r.text
        assert r.json()["enrolment"]["units"] == ["1-1-201"]  # the owner's own code now
        votes = f"/api/ballots/{ballot['id']}/votes"
        refused = client.post(votes, json=_vote(old, ballot["origin"], entry))
        assert "no longer this owner's guardian" in refused.json()["error"]["en"]
        owner = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, r.json()["enrolment"]["code"], owner).status_code == 201
        chair = demo_member_keys(data_dir_of(app))[0]
        issue_pending(client, SLUG, chair, bearer(sign_in(client, chair)))
        mine = client.post(votes, json=_vote(owner, ballot["origin"]))
        assert mine.status_code in (400, 403, 409), mine.text
        assert "from the next ballot" in mine.json()["error"]["en"]
        twice = client.put(
            f"/api/communities/{SLUG}/units/1-1-201/guardian",
            json={"guardian": None},
            headers=committee,
        )
        assert twice.status_code == 400 and "no guardian" in twice.json()["error"]["en"]
        close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        later = _open(client, app, committee)
        counted = client.post(
            f"/api/ballots/{later['id']}/votes", json=_vote(owner, later["origin"])
        )
        assert counted.status_code == 201, counted.text


def test_a_guardian_of_two_wards_names_the_entry_of_each_vote(tmp_path: Path, db_url: str) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        committee, guardian, _ = _setup(client, app)
        ballot = _open(client, app, committee)
        first, second = _entry(client, ballot, "1-1-102"), _entry(client, ballot, "1-1-201")
        votes = f"/api/ballots/{ballot['id']}/votes"
        unnamed = client.post(votes, json=_vote(guardian, ballot["origin"]))
        assert unnamed.status_code in (400, 409), unnamed.text
        error = unnamed.json()["error"]
        assert f"{first}, {second}" in error["en"] and "censusEntry" in error["en"]
        assert f"{first}、{second}" in error["zh"]
        place = client.get(f"/api/ballots/{ballot['id']}/census/{guardian.did.value}").json()
        assert [e["census_entry"] for e in place["entries"]] == [first, second]
        assert [e["units"] for e in place["entries"]] == [["1-1-102"], ["1-1-201"]]
        for entry in (first, second):
            r = client.post(votes, json=_vote(guardian, ballot["origin"], entry))
            assert r.status_code == 201, r.text
        twice = client.post(votes, json=_vote(guardian, ballot["origin"], first))
        assert twice.status_code == 409
        closed = close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        assert closed["document"]["items"][0]["outcome"]["participating"]["headcount"] == 2


def test_the_committee_console_handles_lost_phones_holders_and_guardians(
    tmp_path: Path, db_url: str
) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        _setup(client, app)
        browser = TestClient(app, base_url="https://gongzhi.test")
        chair = demo_member_keys(data_dir_of(app))[0]
        assert sign_in(browser, chair, session="cookie").status_code == 200
        page = browser.get(f"/communities/{SLUG}/committee")
        assert page.status_code == 200
        for act in ("recovery", "holder", "guardian"):
            assert f'action="/communities/{SLUG}/committee/{act}"' in page.text

        def people() -> int:
            with services_of(app).db.session(write=False) as session:
                return len(session.scalars(select(Person.id)).all())

        before = people()
        # A refusal re-shows the page with the reason in both languages, changing nothing.
        bad = browser.post(
            f"/communities/{SLUG}/committee/guardian",
            data={"unit": "1-1-102", "guardian_name": "李监护", "guardian_id_number": "123"},
        )
        # said on the form that was sent, in the page's language
        assert bad.status_code == 400 and "未办理" in bad.text and "Not done" not in bad.text
        said = bad.text.split('id="guardian-card"')[1].split('id="owner-act-error">')[1]
        assert "123" not in said.split("</p>")[0]
        english = browser.post(
            f"/communities/{SLUG}/committee/guardian?lang=en",
            data={"unit": "1-1-102", "guardian_name": "李监护", "guardian_id_number": "123"},
        )
        assert english.status_code == 400 and "Not done" in english.text
        assert people() == before
        holder = browser.post(
            f"/communities/{SLUG}/committee/holder?lang=en",
            data={"unit": "1-1-101", "id_number": WARD},
        )
        assert holder.status_code == 400 and "not a co-owner" in holder.text
        # The guardian's lost phone, re-checked by the guardian's ID: a new code to print. The
        # unit typed full-width, with an ideographic space, is the register's 1-1-201.
        lost = browser.post(
            f"/communities/{SLUG}/committee/recovery",
            data={"unit": "１－１－２０１\u3000", "id_number": GUARDIAN},
        )
        assert lost.status_code == 200 and lost.text.count("<svg") == 1, lost.text
        assert "1-1-102、1-1-201" in lost.text and "挂失" in lost.text
        assert GUARDIAN not in lost.text
        # A new guardian for 小明, stored encrypted: their code, no personal data shown.
        changed = browser.post(
            f"/communities/{SLUG}/committee/guardian",
            data={
                "unit": "1-1-102",
                "guardian_name": "李监护",
                "guardian_id_number": NEW_GUARDIAN,
                "guardian_phone": "13900000009",
            },
        )
        assert changed.status_code == 200 and changed.text.count("<svg") == 1, changed.text
        assert "已更换监护人" in changed.text
        assert "李监护" not in changed.text and NEW_GUARDIAN not in changed.text
        assert people() == before + 1
        ended = browser.post(
            f"/communities/{SLUG}/committee/guardian",
            data={"unit": "1-1-201", "no_guardian": "true"},
        )
        assert ended.status_code == 200 and ended.text.count("<svg") == 1
        with services_of(app).db.session(write=False) as session:
            community = get_community(session, SLUG)
            ward = find_person(
                session, community=community, id_number=WARD2, cipher=services_of(app).cipher
            )
            assert ward is not None and ward.guardian_id is None
        stranger = TestClient(app, base_url="https://gongzhi.test")
        refused = stranger.post(
            f"/communities/{SLUG}/committee/recovery", data={"unit": "1-1-201", "id_number": WARD2}
        )
        assert refused.status_code == 401
