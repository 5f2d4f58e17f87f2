"""ledger.tlog.note and ledger.tlog.note_keys against the golang.org/x/mod and C2SP signed-note
vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.tlog.errors import LedgerError, NoteError, SignatureError, UnknownKeyError
from ledger.tlog.note import Signature, open_note, sign_note, split_note
from ledger.tlog.note_keys import (
    ALG_COSIGNATURE_V1,
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    Ed25519Verifier,
    key_id,
    parse_skey,
    parse_vkey,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ledger" / "signed_note_vectors.json").read_text()
)
VERIFIED = {v["name"]: v for v in VECTORS["verified_ed25519_vectors"]}
FORMAT_ONLY = {v["name"]: v for v in VECTORS["format_only_examples_no_public_key"]}
PETER = VERIFIED["Go sumdb note: PeterNeumann"]
TWO = VERIFIED["Go sumdb note: two signers (PeterNeumann + EnochRoot)"]


def test_vkey_parses_and_key_id_recomputes() -> None:
    verifier = parse_vkey(PETER["vkey"])
    assert isinstance(verifier, Ed25519Verifier)
    assert verifier.name == "PeterNeumann"
    assert verifier.key_id == 0xC74F20A3
    assert key_id("PeterNeumann", 0x01, verifier.public_key) == 0xC74F20A3
    assert verifier.vkey == PETER["vkey"]


def test_test_only_skey_signs_byte_identically() -> None:
    signer = parse_skey(PETER["skey_TEST_ONLY"])
    assert isinstance(signer, Ed25519Signer)
    assert signer.vkey == PETER["vkey"]
    assert signer.skey == PETER["skey_TEST_ONLY"]
    assert sign_note(PETER["text"], [signer]) == PETER["signed_note"]


@pytest.mark.parametrize(
    "name",
    [
        "Go sumdb note: PeterNeumann",
        "C2SP signed-note example",
        "Real sum.golang.org checkpoint (tree size 6476701)",
    ],
)
def test_published_notes_open(name: str) -> None:
    vector = VERIFIED[name]
    note = open_note(vector["signed_note"], [parse_vkey(vector["vkey"])])
    assert note.text == vector.get("text", vector.get("body"))
    assert [s.name for s in note.sigs] == [vector["vkey"].split("+")[0]]
    assert note.unverified == ()


def test_two_signers_with_one_trusted() -> None:
    peter, enoch = (parse_vkey(v) for v in TWO["vkeys"])
    note = open_note(TWO["signed_note"], [peter])
    assert [s.name for s in note.sigs] == ["PeterNeumann"]
    assert [(s.name, s.key_id) for s in note.unverified] == [("EnochRoot", 0xAF0CFE78)]
    both = open_note(TWO["signed_note"].encode(), [peter, enoch])
    assert [s.name for s in both.sigs] == ["PeterNeumann", "EnochRoot"]


def test_note_with_no_trusted_signature_is_refused() -> None:
    with pytest.raises(UnknownKeyError, match="no verifiable signatures"):
        open_note(TWO["signed_note"], [])
    other = Ed25519Signer.generate("PeterNeumann").verifier()  # same name, other key
    with pytest.raises(UnknownKeyError):
        open_note(PETER["signed_note"], [other])


def test_too_many_signatures_is_malformed() -> None:
    text, sigs = split_note(PETER["signed_note"])
    assert len(sigs) == 1
    many = text + "\n" + sigs[0].line() * 101
    with pytest.raises(NoteError, match="more than 100"):
        open_note(many, [parse_vkey(PETER["vkey"])])
    dup = open_note(text + "\n" + sigs[0].line() * 3, [parse_vkey(PETER["vkey"])])
    assert len(dup.sigs) == 1


def test_tampered_text_or_signature_is_refused() -> None:
    verifier = parse_vkey(PETER["vkey"])
    tampered = PETER["signed_note"].replace("cryptography", "Cryptography")
    with pytest.raises(SignatureError, match="PeterNeumann"):
        open_note(tampered, [verifier])
    text, sigs = split_note(PETER["signed_note"])
    bad = bytearray(sigs[0].sig)
    bad[10] ^= 1
    forged = Signature(sigs[0].name, sigs[0].key_id, bytes(bad))
    with pytest.raises(SignatureError):
        open_note(text + "\n" + forged.line(), [verifier])


GOOD = PETER["signed_note"]


@pytest.mark.parametrize(
    "msg",
    [
        "no signature block\n",
        GOOD.rstrip("\n"),
        GOOD.replace("\n\n— ", "\n\n- "),
        GOOD.replace("— PeterNeumann ", "— Peter Neumann "),
        GOOD.replace("— PeterNeumann ", "— Peter+Neumann "),
        GOOD.replace("— PeterNeumann ", "— PeterNeumann"),
        GOOD.replace("x08go", "x08g!"),
        GOOD.replace("If you", "If\tyou"),
        GOOD + "\n",
        "text\n\n— PeterNeumann AAAA\n",
        "\n\n",
        "a\n\n\n",
    ],
)
def test_malformed_notes_are_refused(msg: str) -> None:
    with pytest.raises(NoteError):
        open_note(msg, [parse_vkey(PETER["vkey"])])


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(b"\xff\xfe\n\n" + GOOD.split("\n\n")[1].encode(), [])


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+c74f20a3+AhpcZQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # short key
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+zzzzzzzz+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+!!!",
    ],
)
def test_malformed_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(vkey)


def test_skey_with_wrong_id_is_refused() -> None:
    with pytest.raises(NoteError, match="ID"):
        parse_skey(PETER["skey_TEST_ONLY"].replace("c74f20a3", "c74f20a4"))
    with pytest.raises(NoteError):
        parse_skey(PETER["vkey"])


def test_cosignature_vkey_type_4() -> None:
    vector = FORMAT_ONLY["cosignature/v1 Ed25519 vkey (type byte 0x04)"]
    verifier = parse_vkey(vector["vkey"])
    assert isinstance(verifier, CosignatureVerifier)
    assert verifier.alg == ALG_COSIGNATURE_V1
    assert verifier.key_id == 0xDA77ADE7
    assert verifier.vkey == vector["vkey"]


def test_cosignature_timestamp_parsing() -> None:
    vector = FORMAT_ONLY["cosignature/v1 timestamp parsing"]
    sig = base64.b64decode(vector["signature_b64"])[4:]
    assert CosignatureVerifier.timestamp_of(sig) == vector["expected_timestamp"]
    plain = base64.b64decode(vector["not_a_cosignature_example_b64"])[4:]
    with pytest.raises(NoteError, match="72"):
        CosignatureVerifier.timestamp_of(plain)


def test_generated_keys_round_trip_and_sign() -> None:
    signer = Ed25519Signer.generate("gongzhi.example/c/xianxia/disclosures")
    assert parse_skey(signer.skey) == signer
    assert parse_vkey(signer.vkey) == signer.verifier()
    witness = CosignatureSigner.generate("gongzhi.example/witness/street-office")
    assert parse_skey(witness.skey) == witness
    note = sign_note("hello\n", [signer, witness])
    opened = open_note(note, [signer.verifier(), witness.verifier()])
    assert [s.name for s in opened.sigs] == [signer.name, witness.name]


def test_sign_note_refuses_bad_input() -> None:
    signer = Ed25519Signer.generate("k")
    for text in ["no newline", "tab\there\n", ""]:
        with pytest.raises(NoteError):
            sign_note(text, [signer])
    with pytest.raises(NoteError):
        sign_note("x\n", [])
    with pytest.raises(NoteError):
        Ed25519Signer("bad name", bytes(32))
    with pytest.raises(NoteError):
        Ed25519Signer("name", bytes(31))


def test_sign_note_keeps_other_signatures() -> None:
    peter = parse_skey(PETER["skey_TEST_ONLY"])
    _, sigs = split_note(TWO["signed_note"])
    assert sign_note(TWO["text"], [peter], existing=sigs) == TWO["signed_note"]


def test_errors_are_bilingual_ledger_errors() -> None:
    with pytest.raises(LedgerError) as info:
        open_note("no block\n", [])
    message = str(info.value)
    assert "签名" in message and "signature block" in message
