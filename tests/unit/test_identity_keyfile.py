"""Key files: round trip, wrong passphrase, edited or corrupt files, modes, no overwrite."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from identity.w3c.didkey import KeyType
from identity.w3c.keyfile import (
    DEFAULT_COST,
    CorruptKeyFile,
    KeyFileError,
    UnsafeKeyFile,
    WrongPassphrase,
    encode_key_file,
    load_key_file,
    open_key_file,
    write_key_file,
)
from identity.w3c.keys import KeyPair

CHEAP = 10  # tests only: 2**10 instead of the default 2**17
PASS = "correct horse battery"


@pytest.mark.parametrize("kind", list(KeyType))
def test_round_trip(tmp_path: Path, kind: KeyType) -> None:
    pair = KeyPair.generate(kind)
    path = tmp_path / "k.json"
    write_key_file(path, pair, PASS, cost=CHEAP)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_key_file(path, PASS)
    assert loaded.did == pair.did
    assert loaded.private_bytes() == pair.private_bytes()
    document = json.loads(path.read_bytes())
    assert document["type"] == "GongzhiKeyFile" and document["version"] == 1
    assert document["did"] == pair.did.value
    assert document["kdf"]["n"] == 2**CHEAP and document["cipher"]["name"] == "AES-256-GCM"
    assert pair.secret_multibase() not in path.read_text()


def test_default_cost_is_the_spec(tmp_path: Path) -> None:
    assert DEFAULT_COST == 17
    data = json.loads(encode_key_file(KeyPair.generate(KeyType.ED25519), PASS))
    assert (data["kdf"]["n"], data["kdf"]["r"], data["kdf"]["p"]) == (2**17, 8, 1)


def test_witness_name_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP, name="office-w")
    assert open_key_file(path, PASS).name == "office-w"


def test_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP)
    with pytest.raises(WrongPassphrase) as caught:
        load_key_file(path, PASS + "x")
    assert "口令错误" in caught.value.zh and "wrong passphrase" in caught.value.en


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(did=KeyPair.generate(KeyType.ED25519).did.value),
        lambda d: d.update(name="someone-else"),
        lambda d: d["kdf"].update(r=4),
    ],
)
def test_edited_header_does_not_open(tmp_path: Path, edit: object) -> None:
    path = tmp_path / "k.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP)
    document = json.loads(path.read_bytes())
    edit(document)  # type: ignore[operator]
    path.write_text(json.dumps(document))
    with pytest.raises(WrongPassphrase):
        load_key_file(path, PASS)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("not json", "not JSON"),
        ('{"type": "GongzhiKeyFile", "version": 2}', "version 2"),
        ('{"type": "Other", "version": 1}', "type must be"),
        ('{"type": "GongzhiKeyFile", "version": 1, "did": "did:key:nope"}', "invalid did"),
    ],
)
def test_corrupt_files(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "k.json"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(CorruptKeyFile) as caught:
        load_key_file(path, PASS)
    assert needle in caught.value.en


def test_huge_cost_is_refused_before_deriving(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP)
    document = json.loads(path.read_bytes())
    document["kdf"]["n"] = 2**30
    path.write_text(json.dumps(document))
    with pytest.raises(CorruptKeyFile, match="out of range"):
        load_key_file(path, PASS)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_file_others_can_reach_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "k.json"
    write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP)
    path.chmod(mode)
    with pytest.raises(UnsafeKeyFile) as caught:
        load_key_file(path, PASS)
    assert "chmod 600" in caught.value.en and "chmod 600" in caught.value.zh


def test_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("precious")
    with pytest.raises(KeyFileError, match="already exists"):
        write_key_file(path, KeyPair.generate(KeyType.ED25519), PASS, cost=CHEAP)
    assert path.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json"]  # no temp file left


def test_short_passphrase_refused_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    with pytest.raises(KeyFileError, match="at least 8"):
        write_key_file(path, KeyPair.generate(KeyType.ED25519), "short", cost=CHEAP)
    assert not path.exists()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no key file"):
        load_key_file(tmp_path / "absent.json", PASS)


def test_cheap_cost_below_floor_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="scrypt cost"):
        write_key_file(tmp_path / "k", KeyPair.generate(KeyType.ED25519), PASS, cost=4)
    assert not os.path.exists(tmp_path / "k")
