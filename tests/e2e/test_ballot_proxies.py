"""Proxies (委托) over HTTP, end to end: an owner signs a mandate naming a proxy (and, if they
want, the choices to cast, 上海规定 §18); the proxy votes for the owner; the record shows it
and the pinned verifier passes. Refused: a proxy beyond the community's cap, a proxy after
the owner withdrew, a withdrawal once the proxy has voted, a proxy voting otherwise than
instructed, the owner voting after their proxy (revote "final"). Each refusal stores
nothing: the box's size is unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community.trustfile import PinnedTrust, contract_address
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import close_ballot, open_ballot, pinned
from voting.verify import verify_record
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_office_key

ITEMS = [
    {"id": "a", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "b", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
BODY: dict[str, Any] = {"title": "委托投票", "text": "两项事项", "items": ITEMS}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    data = tmp_path_factory.mktemp("proxies") / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        yield client, app


class Box:
    """One open ballot of the demo community, and its census: owner key → census entry."""

    def __init__(self, client: TestClient, app: FastAPI) -> None:
        self.client = client
        ballot = open_ballot(client, app, BODY)
        self.id, self.origin = ballot["id"], ballot["origin"]
        record = client.get(f"/api/ballots/{self.id}/record").json()
        voters = json.loads(record["entries"][1])["census"]["voters"]
        entry_of = {v["did"]: v["voter"] for v in voters if v["did"]}
        keys = {k.did.value: k for k in demo_keys(app.state.services).values()}
        self.owners = [(keys[did], entry_of[did]) for did in sorted(entry_of) if did in keys]

    def size(self) -> int:
        record = self.client.get(f"/api/ballots/{self.id}/record").json()
        return len(record["entries"])

    def mandate(
        self, owner: tuple[KeyPair, str], proxy: KeyPair, choices: dict[str, Any] | None = None
    ) -> Any:
        key, entry = owner
        doc: dict[str, Any] = {
            "type": "ProxyMandate",
            "ballot": self.origin,
            "censusEntry": entry,
            "owner": key.did.value,
            "proxy": proxy.did.value,
        }
        if choices is not None:
            doc["choices"] = choices
        return self.client.post(f"/api/ballots/{self.id}/mandates", json=sign_json(doc, key))

    def withdraw(self, owner: tuple[KeyPair, str], mandate: int) -> Any:
        key, entry = owner
        doc = {
            "type": "ProxyWithdrawal",
            "ballot": self.origin,
            "censusEntry": entry,
            "owner": key.did.value,
            "mandate": mandate,
        }
        return self.client.post(f"/api/ballots/{self.id}/mandates", json=sign_json(doc, key))

    def vote(self, signer: KeyPair, entry: str | None, choices: dict[str, Any]) -> Any:
        doc: dict[str, Any] = {
            "type": "Vote",
            "ballot": self.origin,
            "voter": signer.did.value,
            "choices": choices,
        }
        if entry is not None:
            doc["censusEntry"] = entry
        return self.client.post(f"/api/ballots/{self.id}/votes", json=sign_json(doc, signer))


def _proxy() -> KeyPair:
    return KeyPair.generate(KeyType.ED25519)


def _refused(response: Any, words: str) -> None:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert words in error["en"] and error["zh"], error


def test_a_proxy_votes_for_the_owner_and_the_record_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An app of its own: the verifier reads the embedded chain of a stopped server.
    data = tmp_path / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        record, proxy, owner = _voted_by_proxy(client, app)
    votes = [json.loads(e) for e in record["entries"] if json.loads(e)["type"] == "Vote"]
    by_proxy = next(v for v in votes if v["voter"] == proxy.did.value)
    assert by_proxy["censusEntry"] == owner  # the record shows who voted for whom
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = demo_office_key(data).did.value
    where = ["--data", str(data), *pinned(record, root, tmp_path)]
    assert cli.main(["verify", "ballot", str(path), *where]) == 0
    assert "1 by proxy" in capsys.readouterr().out


def _voted_by_proxy(client: TestClient, app: FastAPI) -> tuple[dict[str, Any], KeyPair, str]:
    box = Box(client, app)
    owner, other = box.owners[0], box.owners[1]
    proxy = _proxy()
    given = box.mandate(owner, proxy, {"a": "agree", "b": "oppose"})
    assert given.status_code == 201, given.text
    cast = box.vote(proxy, owner[1], {"a": "agree", "b": "oppose"})
    assert cast.status_code == 201, cast.text
    assert box.vote(other[0], None, {"a": "oppose"}).status_code == 201
    shown = client.get(f"/api/ballots/{box.id}").json()["participation"]
    assert shown["voted"]["headcount"] == 2

    close_ballot(client, app, box.id)
    record: dict[str, Any] = client.get(f"/api/ballots/{box.id}/record").json()
    return record, proxy, owner[1]


def test_a_proxy_beyond_the_cap_is_refused(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    assert client.get("/api/communities/xianxia-demo/rules").json()["proxyCap"] == 1
    proxy = _proxy()
    assert box.mandate(box.owners[0], proxy).status_code == 201
    size = box.size()
    _refused(box.mandate(box.owners[1], proxy), "most owners allowed")
    assert box.size() == size
    # Another proxy is fine.
    assert box.mandate(box.owners[1], _proxy()).status_code == 201


def test_withdrawn_before_use_then_the_proxy_is_refused(
    served: tuple[TestClient, FastAPI],
) -> None:
    client, app = served
    box = Box(client, app)
    owner, proxy = box.owners[0], _proxy()
    given = box.mandate(owner, proxy)
    assert given.status_code == 201, given.text
    withdrawn = box.withdraw(owner, given.json()["index"])
    assert withdrawn.status_code == 201, withdrawn.text
    size = box.size()
    _refused(box.vote(proxy, owner[1], {"a": "agree"}), "nor their proxy")
    assert box.size() == size
    # Withdrawn once: not again; and the owner still votes themselves.
    _refused(box.withdraw(owner, given.json()["index"]), "no mandate in force")
    assert box.vote(owner[0], owner[1], {"a": "oppose"}).status_code == 201


def test_a_withdrawal_after_the_proxy_voted_is_refused(
    served: tuple[TestClient, FastAPI],
) -> None:
    client, app = served
    box = Box(client, app)
    owner, proxy = box.owners[0], _proxy()
    given = box.mandate(owner, proxy)
    assert box.vote(proxy, owner[1], {"a": "agree"}).status_code == 201
    size = box.size()
    _refused(box.withdraw(owner, given.json()["index"]), "the mandate is used")
    assert box.size() == size


def test_a_proxy_must_vote_as_instructed(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    owner, proxy = box.owners[0], _proxy()
    assert box.mandate(owner, proxy, {"a": "agree"}).status_code == 201
    size = box.size()
    for choices in ({"a": "oppose"}, {"a": "agree", "b": "agree"}, {"b": "agree"}):
        _refused(box.vote(proxy, owner[1], choices), "exactly as the mandate instructs")
    assert box.size() == size
    assert box.vote(proxy, owner[1], {"a": "agree"}).status_code == 201


def test_the_owner_cannot_vote_after_their_proxy(served: tuple[TestClient, FastAPI]) -> None:
    client, app = served
    box = Box(client, app)
    owner, proxy = box.owners[0], _proxy()
    assert box.mandate(owner, proxy).status_code == 201
    assert box.vote(proxy, owner[1], {"a": "agree"}).status_code == 201
    size = box.size()
    _refused(box.vote(owner[0], owner[1], {"a": "oppose"}), "already voted")
    _refused(box.vote(owner[0], None, {"a": "oppose"}), "already voted")
    # Nor the proxy a second time.
    _refused(box.vote(proxy, owner[1], {"a": "oppose"}), "already voted")
    assert box.size() == size


def test_an_open_record_with_a_withdrawn_instructed_mandate_verifies(
    served: tuple[TestClient, FastAPI],
) -> None:
    """While voting runs an instructed mandate is served hidden (it shows a choice); its
    withdrawal must not then break the record's check."""
    client, app = served
    box = Box(client, app)
    owner = box.owners[0]
    given = box.mandate(owner, _proxy(), {"a": "agree"})
    assert box.withdraw(owner, given.json()["index"]).status_code == 201
    record = client.get(f"/api/ballots/{box.id}/record").json()
    root = demo_office_key(Path(app.state.services.settings.data_dir)).did.value
    trust = PinnedTrust(
        chain_id=int(record["anchor"]["chainId"]),
        contract=contract_address(record["anchor"]["contract"]),
        roots=frozenset({root}),
    )
    report = verify_record(record, trust=trust, anchored_root=None, offline=True)
    assert any(
        "still open" in line for line in report.render(valid=True, verdict_zh="", verdict_en="")
    )
