"""``gongzhi member``: pending decisions in plain words, a share the server can check with
committee.py, ownership credentials signed only when they are what they claim to be. The
server is played in-process against the API of the trust spec (httpx.MockTransport)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from identity.community import committee
from identity.community.member_device import document_hash
from identity.community.trust import UnitHolding, ownership_credential
from identity.w3c.dataintegrity import verify_proof
from identity.w3c.didkey import KeyType
from identity.w3c.keyfile import load_key_file, write_key_file
from identity.w3c.keys import KeyPair
from ledger.tlog.note_keys import Ed25519Signer
from web.api.decisions import summarised
from web.cli import entry as cli
from web.cli import keys as cli_keys

PASS = "member passphrase"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
SLUG = "demo"
BALLOT = "gongzhi.test/c/demo/ballots/7"


def _registration(root: KeyPair, members: list[KeyPair]) -> committee.Registration:
    unsigned = committee.build_registration(
        root=root.did.value,
        community=SLUG,
        sequence=1,
        members=[
            committee.Member(m.did.value, "chair" if i == 0 else "member")
            for i, m in enumerate(members)
        ],
        server=committee.ServerKeys(
            root.did.value, Ed25519Signer.generate("gongzhi.test/c/demo/disclosures").vkey
        ),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=datetime(2029, 1, 1, tzinfo=UTC),
    )
    signed = committee.sign_registration(unsigned, root, created=NOW)
    return committee.verify_registration(signed, frozenset({root.did.value}))


@dataclass
class FakeServer:
    """Pending decisions and queued credentials as the trust spec's API serves them."""

    registration: committee.Registration
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    shares: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    queued: list[dict[str, Any]] = field(default_factory=list)
    posted: list[Any] = field(default_factory=list)
    lie_about_hash: bool = False

    def propose(self, ident: str, document: dict[str, Any]) -> None:
        self.decisions[ident] = document
        self.shares[ident] = []

    def item(self, ident: str) -> dict[str, Any]:
        document = self.decisions[ident]
        signers = [verify_proof(document | {"proof": p}).controller for p in self.shares[ident]]
        shown = document | {"title": "something else"} if self.lie_about_hash else document
        return {
            "id": ident,
            "type": document["type"],
            "document": shown,
            "document_hash": document_hash(document),
            "signers": signers,
            "needed": self.registration.needed,
            "members": len(self.registration.members),
            "state": "pending",
        }

    def listed(self, ident: str) -> dict[str, Any]:
        """As the server lists it: a summary, the census by its size (`web.api.decisions`)."""
        item = self.item(ident)
        return {k: v for k, v in item.items() if k != "document"} | {
            "summary": summarised(self.decisions[ident])
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        base = f"/api/communities/{SLUG}"
        if method == "GET" and path == base + "/decisions":
            return httpx.Response(200, json=[self.listed(i) for i in sorted(self.decisions)])
        if method == "GET" and path.startswith(base + "/decisions/"):
            return httpx.Response(200, json=self.item(path.split("/")[-1]))
        if method == "POST" and path.startswith(base + "/decisions/"):
            ident = path.split("/")[-2]
            proof = json.loads(request.content)["proof"]
            self.posted.append(proof)
            try:
                committee.check_share(self.decisions[ident], proof, self.registration)
            except committee.DecisionError as exc:
                return httpx.Response(400, json={"error": {"zh": exc.zh, "en": exc.en}})
            self.shares[ident].append(proof)
            applied = committee.enough(len(self.shares[ident]), self.registration)
            return httpx.Response(200, json={"state": "applied" if applied else "pending"})
        if method == "GET" and path == base + "/credentials/pending":
            issuer = request.url.params["issuer"]
            return httpx.Response(200, json=[c for c in self.queued if c["issuer"] == issuer])
        if method == "POST" and path == base + "/credentials":
            self.posted.append(json.loads(request.content))
            return httpx.Response(201, json={"stored": len(self.posted[-1])})
        return httpx.Response(404, json={"error": {"zh": "无", "en": "not found"}})


@pytest.fixture
def members() -> list[KeyPair]:
    return [KeyPair.generate(KeyType.ED25519) for _ in range(3)]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, members: list[KeyPair]) -> FakeServer:
    fake = FakeServer(_registration(KeyPair.generate(KeyType.ED25519), members))
    fake.propose(
        "1",
        {
            "type": "BallotAnnounced",
            "ballot": BALLOT,
            "community": SLUG,
            "title": "2026年第一次业主大会",
            "items": [
                {
                    "id": "1",
                    "kind": "motion",
                    "title": "更换电梯 Replace the lifts",
                    "matter": 5,
                    "matterName": "使用维修资金",
                    "amountFen": 12345678,
                }
            ],
            "opensAt": "2026-03-02T00:00:00Z",
            "closesAt": "2026-03-16T00:00:00Z",
            "registration": fake.registration.hash,
        },
    )
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    monkeypatch.setattr(cli_keys, "TEST_TRANSPORT", [httpx.MockTransport(fake.handle)])
    return fake


def key_file(tmp_path: Path, pair: KeyPair, name: str = "m.json") -> Path:
    path = tmp_path / name
    write_key_file(path, pair, PASS, cost=10)
    return path


def member(*argv: str) -> int:
    return cli.main(["member", *argv, "--server", "http://gongzhi.test", "--community", SLUG])


def test_decisions_are_shown_in_plain_words(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert member("decisions") == 0
    out = capsys.readouterr().out
    assert "更换电梯" in out and "¥123456.78" in out
    assert "signed by 0 of 3 members, 2 needed, 2 more to go" in out


def test_a_census_is_listed_by_its_size_and_signed_whole(
    server: FakeServer,
    members: list[KeyPair],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.propose(
        "2",
        {
            "type": "BallotOpened",
            "ballot": BALLOT,
            "community": SLUG,
            "registration": server.registration.hash,
            "census": {
                "root": "ab" * 32,
                "total": {"area": "180.00", "headcount": 2},
                "voters": [{"voter": "V0001"}, {"voter": "V0002"}],
            },
        },
    )
    assert member("decisions") == 0
    assert "census: 2 名投票人 / voters" in capsys.readouterr().out  # the summary's size
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    key = str(key_file(tmp_path, members[0]))
    assert member("sign", "--key", key, "--decision", "2") == 0
    assert '"voter": "V0002"' in capsys.readouterr().out  # fetched whole: the rows too
    assert server.posted == []


def test_two_of_three_members_apply_a_decision(
    server: FakeServer,
    members: list[KeyPair],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = key_file(tmp_path, members[0], "a"), key_file(tmp_path, members[1], "b")
    assert member("sign", "--key", str(first), "--yes") == 0
    assert "waiting for other members" in capsys.readouterr().out
    assert member("sign", "--key", str(first), "--yes") == 2  # the same member twice
    assert "signed this decision already" in capsys.readouterr().err
    assert member("sign", "--key", str(second), "--decision", "1", "--yes") == 0
    assert "took effect" in capsys.readouterr().out
    signers = {
        verify_proof(server.decisions["1"] | {"proof": p}).controller for p in server.shares["1"]
    }
    assert signers == {members[0].did.value, members[1].did.value}


def test_asked_and_declined_posts_nothing(
    server: FakeServer,
    members: list[KeyPair],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    assert member("sign", "--key", str(key_file(tmp_path, members[0]))) == 0
    assert server.posted == []
    out = capsys.readouterr().out
    assert "full text" in out and '"amountFen": 12345678' in out  # the whole document shown


def test_a_document_that_is_not_its_hash_is_not_signed(
    server: FakeServer, members: list[KeyPair], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.lie_about_hash = True
    assert member("sign", "--key", str(key_file(tmp_path, members[0])), "--yes") == 1
    assert server.posted == []
    assert "document_hash" in capsys.readouterr().err


def test_a_whole_decision_other_than_the_listed_one_is_not_signed(
    server: FakeServer,
    members: list[KeyPair],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The server lists one decision and hands out another whole (hash and all): refused."""
    listed = server.listed

    def other(ident: str) -> dict[str, Any]:
        return listed(ident) | {"document_hash": "00" * 32}

    monkeypatch.setattr(server, "listed", other)
    assert member("sign", "--key", str(key_file(tmp_path, members[0])), "--yes") == 1
    assert server.posted == []
    assert "differs from the one it listed" in capsys.readouterr().err


def test_a_non_member_is_refused_by_the_server(
    server: FakeServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outsider = key_file(tmp_path, KeyPair.generate(KeyType.ED25519))
    assert member("sign", "--key", str(outsider), "--yes") == 1
    err = capsys.readouterr().err
    assert "not a registered committee member" in err and "委员" in err
    assert server.shares["1"] == []


def test_several_pending_need_a_choice(
    server: FakeServer, members: list[KeyPair], tmp_path: Path
) -> None:
    server.propose("2", server.decisions["1"] | {"type": "BallotCancelled", "reason": "重复"})
    key = str(key_file(tmp_path, members[0]))
    assert member("sign", "--key", key, "--yes") == 2
    assert member("sign", "--key", key, "--decision", "9", "--yes") == 2
    assert server.posted == []


def _queued(issuer: KeyPair, community: str = SLUG) -> dict[str, Any]:
    return ownership_credential(
        issuer=issuer.did.value,
        owner=KeyPair.generate(KeyType.ED25519).did.value,
        community_id=community,
        units=[UnitHolding("1-1-101", 8937), UnitHolding("1-1-102", 10000)],
        valid_from=NOW,
    )


def test_issue_signs_queued_ownership_credentials(
    server: FakeServer, members: list[KeyPair], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.queued = [_queued(members[0]), _queued(members[0]), _queued(members[1])]
    assert member("issue", "--key", str(key_file(tmp_path, members[0])), "--yes") == 0
    (signed,) = server.posted
    assert len(signed) == 2
    assert {verify_proof(c).controller for c in signed} == {members[0].did.value}
    out = capsys.readouterr().out
    assert "1-1-101 (89.37 m²)" in out and "189.37 m²" in out


@pytest.mark.parametrize(
    "bad",
    [
        lambda m: _queued(m, community="elsewhere"),
        lambda m: committee.build_registration(
            root=m.did.value,
            community=SLUG,
            sequence=1,
            members=[committee.Member(m.did.value, "chair")],
            server=committee.ServerKeys(m.did.value, "o+00000000+AQ"),
            valid_from=NOW,
            valid_until=datetime(2027, 1, 1, tzinfo=UTC),
        ),
    ],
)
def test_issue_refuses_anything_else_and_posts_nothing(
    server: FakeServer, members: list[KeyPair], tmp_path: Path, bad: Any
) -> None:
    server.queued = [_queued(members[0]), bad(members[0])]
    assert member("issue", "--key", str(key_file(tmp_path, members[0])), "--yes") == 1
    assert server.posted == []


def test_init_prints_the_member_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    path = tmp_path / "me.json"
    assert cli.main(["member", "init", "--key", str(path)]) == 0
    did = capsys.readouterr().out.strip().splitlines()[-1]
    assert load_key_file(path, PASS).did.value == did
