"""``gongzhi witness``: cosigns what extends what it cosigned; a fork or rollback is refused
and nothing is posted or recorded. The server is played in-process (httpx.MockTransport)
by a log whose history the test rewrites at will, signed with the log's real key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from identity.w3c.didkey import KeyType
from identity.w3c.keyfile import write_key_file
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from ledger.tlog.merkle import consistency_proof, root_hash
from ledger.tlog.note_keys import (
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    parse_vkey,
)
from web.cli import entry as cli
from web.cli import keys as cli_keys

ORIGIN = "gongzhi.test/c/demo/disclosures"
PASS = "witness passphrase"
PREFIX = "/api/communities/demo/disclosures"


@dataclass
class FakeLog:
    """A disclosure log as the server would serve it; `leaves` may be rewritten (a fork)."""

    signer: Ed25519Signer = field(default_factory=lambda: Ed25519Signer.generate(ORIGIN))
    leaves: list[bytes] = field(default_factory=list)
    posted: list[dict[str, str]] = field(default_factory=list)

    def note(self) -> str:
        cp = Checkpoint(ORIGIN, len(self.leaves), root_hash(self.leaves))
        return sign_checkpoint(cp, self.signer)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == PREFIX:
            return httpx.Response(200, json={"origin": ORIGIN, "log_key": self.signer.vkey})
        if request.method == "GET" and path == PREFIX + "/checkpoint/note":
            return httpx.Response(200, text=self.note())
        if request.method == "GET" and path == PREFIX + "/proofs/consistency":
            old, new = int(request.url.params["old"]), int(request.url.params["new"])
            proof = consistency_proof(old, self.leaves[:new]) if old <= new else []
            return httpx.Response(200, json={"proof": [p.hex() for p in proof]})
        if request.method == "POST" and path.endswith("/cosignatures"):
            self.posted.append(json.loads(request.content))
            return httpx.Response(201, json={})
        return httpx.Response(404, json={"error": {"zh": "无", "en": "not found"}})


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLog]:
    fake = FakeLog(leaves=[b"a", b"b", b"c"])
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    monkeypatch.setattr(cli_keys, "TEST_TRANSPORT", [httpx.MockTransport(fake.handle)])
    yield fake


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "witness.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=10, name="office")
    return path


def cosign(key: Path, state: Path, *extra: str) -> int:
    argv = ["witness", "cosign", "--server", "http://gongzhi.test", "--community", "demo"]
    return cli.main([*argv, "--key", str(key), "--state", str(state), *extra])


def test_cosigns_and_records_then_follows_growth(log: FakeLog, key: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    assert len(log.posted) == 1
    line, vkey = log.posted[0]["line"], log.posted[0]["vkey"]
    witness = CosignatureSigner("office", b"\0" * 32).verifier()  # name only; key from vkey
    assert vkey.startswith("office+") and witness.name == "office"
    opened = open_checkpoint(
        log.note() + line,
        origin=ORIGIN,
        log_verifier=log.signer.verifier(),
        witnesses=[parse_vkey(vkey)],
    )
    assert opened.cosigners == ("office",)
    recorded = json.loads((state / "witness-state.json").read_text())["logs"]["demo"]
    assert recorded["size"] == 3 and recorded["logKey"] == log.signer.vkey

    log.leaves += [b"d", b"e"]
    assert cosign(key, state) == 0
    assert len(log.posted) == 2
    assert json.loads((state / "witness-state.json").read_text())["logs"]["demo"]["size"] == 5


def _refused_and_nothing_posted(
    log: FakeLog, key: Path, state: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> str:
    before = (state / "witness-state.json").read_bytes()
    posted = len(log.posted)
    assert cosign(key, state, *extra) == 1
    assert len(log.posted) == posted
    assert (state / "witness-state.json").read_bytes() == before
    return capsys.readouterr().err


def test_rollback_is_refused(
    log: FakeLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    log.leaves = log.leaves[:2]
    err = _refused_and_nothing_posted(log, key, state, capsys)
    assert "the tree shrank" in err and "树变小了" in err


def test_fork_of_a_larger_tree_is_refused(
    log: FakeLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    log.leaves = [b"a", b"X", b"c", b"d"]  # history rewritten, then grown
    err = _refused_and_nothing_posted(log, key, state, capsys)
    assert "forked or rolled back" in err and "分叉" in err


def test_fork_of_the_same_size_is_refused(
    log: FakeLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    log.leaves = [b"a", b"b", b"Z"]
    _refused_and_nothing_posted(log, key, state, capsys)


def test_same_checkpoint_is_cosigned_again(log: FakeLog, key: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0 and cosign(key, state) == 0
    assert len(log.posted) == 2  # e.g. the first post was lost: sending it again is harmless


def test_log_key_changed_by_server_is_refused(
    log: FakeLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    log.signer = Ed25519Signer.generate(ORIGIN)  # the same history under a new key
    err = _refused_and_nothing_posted(log, key, state, capsys)
    assert "cosignature refused" in err


def test_given_log_key_must_match_the_pinned_one(
    log: FakeLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state, "--log-key", log.signer.vkey) == 0
    other = Ed25519Signer.generate(ORIGIN).vkey
    err = _refused_and_nothing_posted(log, key, state, capsys, "--log-key", other)
    assert "pinned at first use" in err


def test_first_use_with_a_wrong_log_key_posts_nothing(
    log: FakeLog, key: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    assert cosign(key, state, "--log-key", Ed25519Signer.generate(ORIGIN).vkey) == 1
    assert log.posted == [] and not (state / "witness-state.json").exists()


@pytest.mark.parametrize(
    "bad", ["nonsense", CosignatureSigner.generate("w").vkey], ids=["nonsense", "witness-key"]
)
def test_malformed_log_key_is_bad_input(log: FakeLog, key: Path, tmp_path: Path, bad: str) -> None:
    assert cosign(key, tmp_path / "state", "--log-key", bad) == 2
    assert log.posted == []


def test_wrong_passphrase_exits_2_and_writes_nothing(
    log: FakeLog,
    key: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", "not the passphrase")
    state = tmp_path / "state"
    assert cosign(key, state) == 2
    assert log.posted == [] and not state.exists()
    err = capsys.readouterr().err
    assert "口令错误" in err and "wrong passphrase" in err


def test_unreachable_server_exits_3(
    key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    monkeypatch.setattr(cli_keys, "TEST_TRANSPORT", [httpx.MockTransport(down)])
    assert cosign(key, tmp_path / "state") == 3


def test_init_prints_a_cosignature_vkey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    path = tmp_path / "w.json"
    assert cli.main(["witness", "init", "--key", str(path), "--name", "street-office"]) == 0
    vkey = capsys.readouterr().out.strip().splitlines()[-1]
    assert isinstance(parse_vkey(vkey), CosignatureVerifier)
    assert vkey.startswith("street-office+")
    assert cli.main(["witness", "init", "--key", str(path), "--name", "again"]) == 2  # kept


@pytest.mark.parametrize("name", ["has space", "a+b", ""])
def test_init_refuses_a_bad_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    assert cli.main(["witness", "init", "--key", str(tmp_path / "w"), "--name", name]) == 2
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("text", ["garbage", '{"type": "GongzhiWitnessState", "version": 9}'])
def test_unreadable_state_is_bad_input_and_posts_nothing(
    log: FakeLog, key: Path, tmp_path: Path, text: str
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "witness-state.json").write_text(text)
    assert cosign(key, state) == 2
    assert log.posted == [] and (state / "witness-state.json").read_text() == text


def test_edited_state_note_is_refused(log: FakeLog, key: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert cosign(key, state) == 0
    path = state / "witness-state.json"
    document = json.loads(path.read_text())
    document["logs"]["demo"]["size"] = 99  # claims a checkpoint the log never signed
    path.write_text(json.dumps(document))
    assert cosign(key, state) == 2
    assert len(log.posted) == 1
