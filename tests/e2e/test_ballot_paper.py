"""Paper ballots over HTTP, four eyes: a committee member enters an owner's paper ballot
(choices and the scan's hash) naming a second member, who confirms it; only then it counts,
and the pinned verifier checks both members' signatures. Refused, with nothing stored: the
entering member confirming, a member not named, a non-member, a paper ballot for an owner
who voted online, an online vote while one waits or once it counted. The pending list is
for committee members only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community.committee import decision_share, registration_hash
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import DEMO, bearer, close_ballot, open_ballot, pinned, sign_in
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_member_keys, demo_office_key

ITEMS = [
    {"id": "a", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "b", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
BODY: dict[str, Any] = {"title": "纸质选票", "text": "两项事项", "items": ITEMS}
SCAN = hashlib.sha256(b"scan of a paper ballot").hexdigest()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    data = tmp_path_factory.mktemp("paper") / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        yield client, app


class Box:
    """One open ballot of the demo community, its census (owner key → census entry) and
    the demo committee's members (all three registered)."""

    def __init__(self, client: TestClient, app: FastAPI) -> None:
        self.client = client
        ballot = open_ballot(client, app, BODY)
        self.id, self.origin = ballot["id"], ballot["origin"]
        record = client.get(f"/api/ballots/{self.id}/record").json()
        voters = json.loads(record["entries"][1])["census"]["voters"]
        entry_of = {v["did"]: v["voter"] for v in voters if v["did"]}
        keys = {k.did.value: k for k in demo_keys(app.state.services).values()}
        self.owners = [(keys[did], entry_of[did]) for did in sorted(entry_of) if did in keys]
        self.members = demo_member_keys(Path(app.state.services.settings.data_dir))
        chain = client.get(f"/api/communities/{DEMO}/registrations").json()
        self.registration = registration_hash(chain[-1])

    def size(self) -> int:
        return len(self.client.get(f"/api/ballots/{self.id}/record").json()["entries"])

    def document(
        self, entry: str, entered: KeyPair, confirmed: KeyPair, choices: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "type": "PaperBallot",
            "ballot": self.origin,
            "community": DEMO,
            "registration": self.registration,
            "censusEntry": entry,
            "choices": choices,
            "scanSha256": SCAN,
            "enteredBy": entered.did.value,
            "confirmedBy": confirmed.did.value,
        }

    def enter(self, document: dict[str, Any], signer: KeyPair) -> Any:
        proof = decision_share(document, signer, created=datetime.now(UTC))
        return self.client.post(
            f"/api/ballots/{self.id}/paper", json={"document": document, "proof": proof}
        )

    def confirm(self, pending: dict[str, Any], signer: KeyPair) -> Any:
        proof = decision_share(pending["document"], signer, created=datetime.now(UTC))
        return self.client.post(
            f"/api/ballots/{self.id}/paper/{pending['id']}/confirm", json={"proof": proof}
        )

    def pending(self, headers: dict[str, str]) -> Any:
        return self.client.get(f"/api/ballots/{self.id}/paper", headers=headers)

    def vote(self, owner: tuple[KeyPair, str], choices: dict[str, Any]) -> Any:
        key, _entry = owner
        doc = {"type": "Vote", "ballot": self.origin, "voter": key.did.value, "choices": choices}
        return self.client.post(f"/api/ballots/{self.id}/votes", json=sign_json(doc, key))


def _refused(response: Any, words: str, status: int = 409) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert words in error["en"] and error["zh"], error


def _entered(box: Box, owner: tuple[KeyPair, str], choices: dict[str, Any]) -> dict[str, Any]:
    """A paper ballot entered by member 0, to be confirmed by member 1."""
    entered, confirmer = box.members[0], box.members[1]
    r = box.enter(box.document(owner[1], entered, confirmer, choices), entered)
    assert r.status_code == 201, r.text
    shown: dict[str, Any] = r.json()
    return shown


def test_entered_and_confirmed_by_another_member_it_counts_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An app of its own: the verifier reads the embedded chain of a stopped server.
    data = tmp_path / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        box = Box(client, app)
        owner = box.owners[0]
        size = box.size()
        pending = _entered(box, owner, {"a": "agree", "b": "oppose"})
        assert box.size() == size  # pending: not in the box, not counted
        assert (
            client.get(f"/api/ballots/{box.id}").json()["participation"]["voted"]["headcount"] == 0
        )
        confirmed = box.confirm(pending, box.members[1])
        assert confirmed.status_code == 201, confirmed.text
        assert confirmed.json()["index"] == size and box.size() == size + 1
        headers = bearer(sign_in(client, box.members[2]))
        assert box.pending(headers).json() == []
        shown = client.get(f"/api/ballots/{box.id}").json()["participation"]
        assert shown["voted"]["headcount"] == 1
        close_ballot(client, app, box.id)
        record = client.get(f"/api/ballots/{box.id}/record").json()
    entries = [json.loads(e) for e in record["entries"]]
    kept = next(e for e in entries if e["type"] == "PaperBallot")
    assert kept["censusEntry"] == owner[1] and kept["scanSha256"] == SCAN
    assert len(kept["proof"]) == 2
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = demo_office_key(data).did.value
    where = ["--data", str(data), *pinned(record, root, tmp_path)]
    assert cli.main(["verify", "ballot", str(path), *where]) == 0
    assert "1 on paper" in capsys.readouterr().out


def test_the_entering_member_cannot_confirm(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    one, two, three = box.members
    owner = box.owners[0]
    # Naming oneself to confirm is refused at entry.
    _refused(box.enter(box.document(owner[1], one, one, {"a": "agree"}), one), "another member")
    pending = _entered(box, owner, {"a": "agree"})
    size = box.size()
    _refused(box.confirm(pending, one), "cannot confirm it (four eyes)")
    _refused(box.confirm(pending, three), "only the member named to confirm")
    assert box.size() == size
    assert [p["id"] for p in box.pending(bearer(sign_in(client, one))).json()] == [pending["id"]]
    # The member named confirms; a second confirmation finds nothing pending.
    assert box.confirm(pending, two).status_code == 201
    _refused(box.confirm(pending, two), "awaits confirmation", status=404)


def test_a_non_member_cannot_enter_or_confirm(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    one, two, _ = box.members
    stranger, owner = KeyPair.generate(KeyType.P256), box.owners[0]
    headers = bearer(sign_in(client, one))
    _refused(
        box.enter(box.document(owner[1], stranger, two, {"a": "agree"}), stranger),
        "enteredBy must be a registered committee member",
    )
    # Naming a member as enteredBy does not help: the proof is the stranger's.
    _refused(
        box.enter(box.document(owner[1], one, two, {"a": "agree"}), stranger),
        "not a registered committee member",
    )
    _refused(
        box.enter(box.document(owner[1], one, stranger, {"a": "agree"}), one),
        "confirmedBy must be a registered committee member",
    )
    assert box.pending(headers).json() == []
    pending = _entered(box, owner, {"a": "agree"})
    _refused(box.confirm(pending, stranger), "not a registered committee member")
    # Nor a document changed after entry: the proof must be over the stored bytes.
    changed = pending | {"document": pending["document"] | {"choices": {"a": "oppose"}}}
    _refused(box.confirm(changed, two), "does not hold for this decision")
    assert [p["id"] for p in box.pending(headers).json()] == [pending["id"]]


def test_paper_waiting_then_online_is_refused(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    owner = box.owners[0]
    pending = _entered(box, owner, {"a": "oppose"})
    size = box.size()
    _refused(box.vote(owner, {"a": "agree"}), "awaits a second member's confirmation")
    assert box.size() == size
    assert box.confirm(pending, box.members[1]).status_code == 201
    _refused(box.vote(owner, {"a": "agree"}), "voted on paper")
    # A second paper ballot for the same owner, too.
    again = box.document(owner[1], box.members[0], box.members[1], {"a": "agree"})
    _refused(box.enter(again, box.members[0]), "voted already")
    assert box.size() == size + 1
    # Both online attempts are shown to the committee, as a paper refusal of this owner.
    app.state.services.refusals_settled()
    headers = bearer(sign_in(client, box.members[0]))
    shown = client.get(f"/api/ballots/{box.id}/refusals", headers=headers).json()["refusals"]
    assert [(r["reason"], r["census_entry"], r["count"]) for r in shown] == [("paper", owner[1], 2)]


def test_online_then_paper_is_refused(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    owner, other = box.owners[0], box.owners[1]
    assert box.vote(owner, {"a": "agree"}).status_code == 201
    one, two, _ = box.members
    _refused(box.enter(box.document(owner[1], one, two, {"a": "oppose"}), one), "voted already")
    assert box.pending(bearer(sign_in(client, one))).json() == []
    # One paper ballot per owner may wait; a second is refused until it is discarded.
    first = _entered(box, other, {"a": "oppose"})
    _refused(box.enter(box.document(other[1], one, two, {"a": "agree"}), one), "awaits")
    headers = bearer(sign_in(client, one))
    gone = client.delete(f"/api/ballots/{box.id}/paper/{first['id']}", headers=headers)
    assert gone.status_code == 204, gone.text
    assert box.vote(other, {"a": "agree"}).status_code == 201  # discarded: online again


def test_the_pending_list_is_for_committee_members(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    owner = box.owners[0]
    pending = _entered(box, owner, {"a": "agree"})
    assert box.pending({}).status_code == 401
    as_owner = bearer(sign_in(client, owner[0]))
    assert box.pending(as_owner).status_code == 403
    refused = client.delete(f"/api/ballots/{box.id}/paper/{pending['id']}", headers=as_owner)
    assert refused.status_code == 403
    listed = box.pending(bearer(sign_in(client, box.members[2])))
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["census_entry"] == owner[1] and shown["document"]["scanSha256"] == SCAN
    assert shown["entered_by"] == box.members[0].did.value
    assert shown["confirmed_by"] == box.members[1].did.value
    # A committee member not named cannot discard it either.
    third = bearer(sign_in(client, box.members[2]))
    other = client.delete(f"/api/ballots/{box.id}/paper/{pending['id']}", headers=third)
    _refused(other, "only the member who entered")


def test_a_ballot_with_a_paper_ballot_waiting_does_not_close(
    served: tuple[TestClient, FastAPI],
) -> None:
    """A paper ballot entered in time is confirmed or discarded before the count: closing
    with one waiting is refused (it could not be confirmed afterwards, and would be lost)."""
    client, app = served
    box = Box(client, app)
    pending = _entered(box, box.owners[0], {"a": "agree"})
    headers = bearer(sign_in(client, box.members[0]))
    refused = client.post(f"/api/ballots/{box.id}/close", json={"early": True}, headers=headers)
    _refused(refused, "await a second member's confirmation")
    assert client.get(f"/api/ballots/{box.id}").json()["status"] == "open"
    assert box.confirm(pending, box.members[1]).status_code == 201
    close_ballot(client, app, box.id)
    assert client.get(f"/api/ballots/{box.id}").json()["status"] == "closed"
