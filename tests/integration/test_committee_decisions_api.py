"""Committee decisions through the API: a ballot opens only once more than half of all
registered members have signed it; a non-member, a member signing twice, a signature over
another document and a former member after a new registration are refused, and nothing is
appended (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from identity.community import registrations
from identity.community.committee import (
    Member,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
)
from identity.community.registry import get_community
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.store import LogStore
from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG, demo_keys, demo_member_keys, demo_office_key

API = f"/api/communities/{SLUG}"


def _body(**extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "matter": 4,
        "title": "续聘物业（决定测试）",
        "text": "是否同意续聘？",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    } | extra


def _sign(
    client: Any, decision: dict[str, Any], key: KeyPair, doc: dict[str, Any] | None = None
) -> Any:
    proof = decision_share(doc or decision["document"], key, created=datetime.now(UTC))
    return client.post(f"{API}/decisions/{decision['id']}/signatures", json={"proof": proof})


def _box_size(app: Any, origin: str) -> int:
    services = services_of(app)
    with services.db.session(write=False) as session:
        store = LogStore(session)
        return store.size(store.get_log(origin))


def test_a_ballot_opens_only_with_more_than_half_of_all_members(
    tmp_path: Path, db_url: str
) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        a, b, c = demo_member_keys(settings.data_dir)
        ballot = identity_web.announce_ballot(client, app, _body())
        assert ballot["status"] == "draft"  # as proposed; announced once the members signed
        proposed = client.post(
            f"/api/ballots/{ballot['id']}/open", headers=identity_web.committee_headers(app)
        )
        assert proposed.status_code == 202, proposed.text
        decision = proposed.json()
        assert decision["type"] == "BallotOpened" and decision["needed"] == 2
        assert decision["signers"] == [] and decision["members"] == 3

        owner = next(iter(demo_keys(services_of(app)).values()))
        vote = sign_json(
            {
                "type": "Vote",
                "ballot": ballot["origin"],
                "voter": owner.did.value,
                "choices": {"1": "agree"},
            },
            owner,
        )
        early = client.post(f"/api/ballots/{ballot['id']}/votes", json=vote)
        assert early.status_code == 409 and "not open yet" in early.json()["error"]["en"]

        stranger = KeyPair.generate(KeyType.ED25519)
        refused = _sign(client, decision, stranger)
        assert refused.status_code == 409 and "not a registered committee member" in refused.text
        assert _box_size(app, ballot["origin"]) == 1  # the announcement only

        first = _sign(client, decision, a)
        assert first.status_code == 200 and first.json()["state"] == "pending"
        assert first.json()["signers"] == [a.did.value]
        again = _sign(client, decision, a)
        assert again.status_code == 409 and "signed this decision already" in again.text
        other = dict(decision["document"]) | {"openedAt": "2030-01-01T00:00:00Z"}
        forged = _sign(client, decision, b, doc=other)
        assert forged.status_code == 409 and "another document" in forged.text
        assert _box_size(app, ballot["origin"]) == 1
        listed = client.get(f"{API}/decisions", params={"state": "pending"}).json()
        [item] = [d for d in listed if d["id"] == decision["id"]]
        # Listed as a summary: the census by root, totals and size, never its rows.
        census = decision["document"]["census"]
        assert item["summary"]["census"] == {
            "root": census["root"],
            "total": census["total"],
            "voterCount": len(census["voters"]),
        }
        assert "document" not in item and item["document_hash"] == decision["document_hash"]
        assert item["signers"] == [a.did.value] and item["needed"] == 2
        whole = client.get(f"{API}/decisions/{decision['id']}")
        assert whole.status_code == 200 and whole.json()["document"] == decision["document"]
        # The ballot's titles beside the document, which names the ballot by its origin only.
        named = whole.json()["ballot"]
        assert named["title"] == "续聘物业（决定测试）" and item["ballot"] == named
        assert named["items"] == {"1": "续聘物业（决定测试）"}  # the one item of a legacy body
        assert client.get(f"{API}/decisions/999999").status_code == 404

        applied = _sign(client, decision, b)
        assert applied.status_code == 200 and applied.json()["state"] == "applied"
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "open"
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        opened = json.loads(record["entries"][1])
        assert {p["verificationMethod"].split("#")[0] for p in opened["proof"]} == {
            a.did.value,
            b.did.value,
        }
        late = _sign(client, decision, c)
        assert late.status_code == 409  # applied already: nothing more to sign
        assert client.post(f"/api/ballots/{ballot['id']}/votes", json=vote).status_code == 201


def test_a_former_member_no_longer_counts(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        a, b, c = demo_member_keys(settings.data_dir)
        ballot = identity_web.open_ballot(client, app, _body())
        services = services_of(app)
        office = demo_office_key(settings.data_dir)
        newcomer = KeyPair.generate(KeyType.ED25519)
        now = datetime.now(UTC).replace(microsecond=0)
        with services.db.session() as session:  # 换届: member a leaves, a newcomer joins
            community = get_community(session, SLUG)
            first = registrations.documents(session, community)[0]
            unsigned = build_registration(
                root=office.did.value,
                community=SLUG,
                sequence=2,
                previous=registration_hash(first),
                members=[
                    Member(b.did.value, "chair"),
                    Member(c.did.value, "member"),
                    Member(newcomer.did.value, "member"),
                ],
                server=services.host_keys(SLUG),
                valid_from=now - timedelta(seconds=30),
                valid_until=now + timedelta(days=365),
            )
            registrations.add(
                session, community, sign_registration(unsigned, office, created=now), services.roots
            )
        proposed = client.post(
            f"/api/ballots/{ballot['id']}/close",
            json={"early": True},
            headers=identity_web.committee_headers(app),
        )
        assert proposed.status_code == 202, proposed.text
        size = _box_size(app, ballot["origin"])
        refused = _sign(client, proposed.json(), a)
        assert refused.status_code == 409 and "not a registered committee member" in refused.text
        assert _box_size(app, ballot["origin"]) == size
        assert _sign(client, proposed.json(), newcomer).json()["state"] == "pending"
        assert _sign(client, proposed.json(), c).json()["state"] == "applied"
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "closed"
