"""``gongzhi witness cosign`` against real server processes: it pins the log key, cosigns the
demo's disclosure checkpoint (the server then lists the cosigner), and refuses a server
that presents another log under the same origin — nothing posted there, nothing recorded."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from identity.community.trustfile import PinnedTrust, contract_address, write_trust
from identity.w3c.didkey import KeyType
from identity.w3c.keyfile import write_key_file
from identity.w3c.keys import KeyPair
from ledger.tlog.note_keys import CosignatureSigner
from tests.e2e.support import running, settings_for
from tests.serving_support import server
from web.cli import entry as cli
from web.demo.community import SLUG, demo_office_key

API = f"/api/communities/{SLUG}/disclosures"
PASS = "witness passphrase"


def _prepared(folder: Path) -> tuple[dict[str, str], str]:
    """A demo data folder (made in-process, then served by its own process) and its
    operator token."""
    settings = settings_for(folder, db_url=None, anvil_url=None)
    with running(settings):
        pass
    env = {"GONGZHI_DATA": str(folder), "GONGZHI_PUBLIC_URL": "https://gongzhi.test"}
    return env, settings.secret_file("operator.token").hex()


def _register_witness(url: str, token: str, vkey: str) -> None:
    answer = httpx.post(
        url + API + "/witnesses",
        json={"vkey": vkey, "role": "street_office"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text


def _cosigners(url: str) -> list[str]:
    return [c["witness"] for c in httpx.get(url + API + "/checkpoint").json()["cosigners"]]


def test_witness_cosigns_a_real_log_and_refuses_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    pair = KeyPair.generate(KeyType.ED25519)
    key = tmp_path / "witness.json"
    write_key_file(key, pair, PASS, cost=10, name="e2e-witness")
    vkey = CosignatureSigner("e2e-witness", pair.private_bytes()).vkey
    state = tmp_path / "state"
    env_a, token_a = _prepared(tmp_path / "a")
    env_b, token_b = _prepared(tmp_path / "b")

    def cosign(url: str) -> int:
        argv = ["witness", "cosign", "--server", url, "--community", SLUG]
        return cli.main([*argv, "--key", str(key), "--state", str(state)])

    with server(env_a, tmp_path / "a.log") as a:
        _register_witness(a.url, token_a, vkey)
        assert _cosigners(a.url) == []
        assert cosign(a.url) == 0
        assert _cosigners(a.url) == ["e2e-witness"]
        assert cosign(a.url) == 0  # the same checkpoint again: consistent, harmless
        pinned = httpx.get(a.url + API).json()["log_key"]
    recorded = (state / "witness-state.json").read_bytes()
    assert pinned.encode() in recorded

    with server(env_b, tmp_path / "b.log") as b:
        _register_witness(b.url, token_b, vkey)
        capsys.readouterr()
        assert cosign(b.url) == 1
        err = capsys.readouterr().err
        assert "cosignature refused" in err and "拒绝联署" in err
        assert _cosigners(b.url) == []  # nothing posted
    assert (state / "witness-state.json").read_bytes() == recorded  # nothing recorded


def _trust(path: Path, root: str) -> Path:
    write_trust(
        path,
        PinnedTrust(
            chain_id=1, contract=contract_address("0x" + "11" * 20), roots=frozenset({root})
        ),
    )
    return path


def test_with_the_office_trust_file_the_log_key_comes_from_the_registration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the street office's trust file, the witness takes the log key from the
    root-signed registration in force, not from the server: a registration of another root
    is refused before anything is cosigned."""
    monkeypatch.setenv("GONGZHI_PASSPHRASE", PASS)
    pair = KeyPair.generate(KeyType.ED25519)
    key = tmp_path / "witness.json"
    write_key_file(key, pair, PASS, cost=10, name="office-witness")
    vkey = CosignatureSigner("office-witness", pair.private_bytes()).vkey
    env, token = _prepared(tmp_path / "a")
    office = demo_office_key(tmp_path / "a").did.value
    right = _trust(tmp_path / "right.json", office)
    wrong = _trust(tmp_path / "wrong.json", KeyPair.generate(KeyType.ED25519).did.value)

    def cosign(url: str, trust: Path, state: Path) -> int:
        argv = ["witness", "cosign", "--server", url, "--community", SLUG, "--trust", str(trust)]
        return cli.main([*argv, "--key", str(key), "--state", str(state)])

    with server(env, tmp_path / "a.log") as a:
        _register_witness(a.url, token, vkey)
        capsys.readouterr()
        assert cosign(a.url, wrong, tmp_path / "s1") == 1
        assert "registrations do not hold" in capsys.readouterr().err
        assert _cosigners(a.url) == [] and not (tmp_path / "s1" / "witness-state.json").exists()
        assert cosign(a.url, right, tmp_path / "s2") == 0
        assert "first use" not in capsys.readouterr().err  # nothing taken on the server's word
        assert _cosigners(a.url) == ["office-witness"]
