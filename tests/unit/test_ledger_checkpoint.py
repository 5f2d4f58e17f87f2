"""ledger.tlog.checkpoint: C2SP tlog-checkpoint bodies, log signatures, witness cosignatures,
forks."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.tlog import merkle
from ledger.tlog.checkpoint import (
    Checkpoint,
    add_signature_lines,
    check_extends,
    cosign,
    open_checkpoint,
    sign_checkpoint,
)
from ledger.tlog.errors import ConsistencyError, NoteError, SignatureError, UnknownKeyError
from ledger.tlog.note import Signature, split_note
from ledger.tlog.note_keys import CosignatureSigner, Ed25519Signer, cosigned_message, parse_vkey

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ledger" / "signed_note_vectors.json").read_text()
)
VERIFIED = {v["name"]: v for v in VECTORS["verified_ed25519_vectors"]}
FORMAT_ONLY = {v["name"]: v for v in VECTORS["format_only_examples_no_public_key"]}
SUMDB = VERIFIED["Real sum.golang.org checkpoint (tree size 6476701)"]
SUMDB_WITNESSED = VERIFIED[
    "Same checkpoint with 3 additional (legacy plain-Ed25519, type 0x01) witness signatures"
]
ORIGIN = "gongzhi.example/c/xianxia/disclosures"
LEAVES = [f"disclosure {i}".encode() for i in range(20)]


def test_sumdb_checkpoint_opens_with_its_origin() -> None:
    opened = open_checkpoint(
        SUMDB["signed_note"], origin=SUMDB["origin"], log_verifier=parse_vkey(SUMDB["vkey"])
    )
    cp = opened.checkpoint
    assert (cp.origin, cp.size) == ("go.sum database tree", 6476701)
    assert cp.root == base64.b64decode(SUMDB["root_hash_b64"])
    assert cp.body() == SUMDB["body"]
    assert opened.cosignatures == ()


def test_sumdb_checkpoint_refuses_another_origin() -> None:
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(
            SUMDB["signed_note"], origin="go.sum database", log_verifier=parse_vkey(SUMDB["vkey"])
        )


def test_witness_signatures_show_who_cosigned() -> None:
    log = parse_vkey(SUMDB_WITNESSED["log_vkey"])
    witnesses = [parse_vkey(v) for v in SUMDB_WITNESSED["witness_vkeys"]]
    opened = open_checkpoint(
        SUMDB_WITNESSED["signed_note"],
        origin=SUMDB["origin"],
        log_verifier=log,
        witnesses=witnesses,
    )
    assert opened.cosigners == ("monkeys", "bananas", "witness")
    assert all(c.timestamp is None for c in opened.cosignatures)  # legacy plain Ed25519
    only_two = open_checkpoint(
        SUMDB_WITNESSED["signed_note"],
        origin=SUMDB["origin"],
        log_verifier=log,
        witnesses=witnesses[:2],
    )
    assert only_two.cosigners == ("monkeys", "bananas")
    assert [s.name for s in only_two.note.unverified] == ["witness"]


def test_witnesses_alone_do_not_make_a_checkpoint() -> None:
    witnesses = [parse_vkey(v) for v in SUMDB_WITNESSED["witness_vkeys"]]
    other_log = Ed25519Signer.generate("sum.golang.org").verifier()
    with pytest.raises(UnknownKeyError, match="log key"):
        open_checkpoint(
            SUMDB_WITNESSED["signed_note"],
            origin=SUMDB["origin"],
            log_verifier=other_log,
            witnesses=witnesses,
        )


def test_c2sp_examples_parse() -> None:
    example = FORMAT_ONLY["C2SP tlog-checkpoint example"]
    text, sigs = split_note(example["signed_note"])
    cp = Checkpoint.parse(text)
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert cp.body() == text
    assert sigs[0].key_id == 0x033DE0AE and len(sigs[0].sig) == 64

    cosigned = FORMAT_ONLY["C2SP tlog-cosignature example (log sig + cosignature/v1 witness sig)"]
    _, sigs = split_note(cosigned["signed_note"])
    witness = sigs[1]
    assert (witness.name, witness.key_id) == ("witness.example.com/w1", 0x8D66CF3F)
    stamp = int.from_bytes(witness.sig[:8], "big")
    assert stamp == 1679315147
    assert cosigned_message(text.encode(), stamp).decode() == cosigned["cosigned_message_example"]


def test_go_tree_body_parses() -> None:
    body = FORMAT_ONLY["Go sumdb tree note body (unsigned)"]["body"]
    cp = Checkpoint.parse(body)
    assert cp.size == 123456789012
    assert cp.root == merkle.leaf_hash(b"hello world")


@pytest.mark.parametrize(
    "body",
    [
        "origin\n5\n",
        "origin\n05\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n+5\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n5 \n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n5\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "origin\n5\nnot base64\n",
        "\n5\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n5\n" + base64.b64encode(bytes(32)).decode() + "\n\n",
        "origin\n5\n" + base64.b64encode(bytes(32)).decode(),
        "origin\n99999999999999999999\n" + base64.b64encode(bytes(32)).decode() + "\n",
    ],
)
def test_malformed_checkpoint_bodies_are_refused(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_extension_lines_round_trip() -> None:
    cp = Checkpoint(ORIGIN, 3, merkle.root_hash(LEAVES[:3]), ("anchor 0xabc",))
    assert Checkpoint.parse(cp.body()) == cp
    with pytest.raises(NoteError):
        Checkpoint(ORIGIN, 3, cp.root, ("",))


def _fixed(ts: int) -> CosignatureSigner:
    seed = bytes(range(32))
    return CosignatureSigner("gongzhi.example/witness/committee", seed, clock=lambda: ts)


def test_log_signs_and_witness_cosigns() -> None:
    log = Ed25519Signer(ORIGIN, bytes(range(1, 33)))
    committee = _fixed(1_700_000_000)
    cp = Checkpoint(ORIGIN, 20, merkle.root_hash(LEAVES))
    signed = sign_checkpoint(cp, log)
    line = cosign(signed, origin=ORIGIN, log_verifier=log.verifier(), cosigner=committee)
    both = add_signature_lines(signed, [line])
    opened = open_checkpoint(
        both, origin=ORIGIN, log_verifier=log.verifier(), witnesses=[committee.verifier()]
    )
    assert opened.checkpoint == cp
    assert opened.cosigners == ("gongzhi.example/witness/committee",)
    assert opened.cosignatures[0].timestamp == 1_700_000_000
    # The cosignature is an Ed25519 signature over "cosignature/v1\ntime T\n" + body, checked
    # here with the bare library rather than our verifier.
    _, sigs = split_note(both)
    raw = sigs[1].sig
    message = f"cosignature/v1\ntime 1700000000\n{cp.body()}".encode()
    Ed25519PublicKey.from_public_bytes(committee.public_key).verify(raw[8:], message)
    assert add_signature_lines(both, [line]) == both  # adding it twice changes nothing


def test_cosignature_with_altered_time_is_refused() -> None:
    log = Ed25519Signer(ORIGIN, bytes(range(1, 33)))
    committee = _fixed(1_700_000_000)
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, merkle.root_hash(LEAVES[:1])), log)
    line = cosign(signed, origin=ORIGIN, log_verifier=log.verifier(), cosigner=committee)
    _, sigs = split_note(signed + line)
    raw = bytearray(sigs[-1].sig)
    raw[7] ^= 1  # the timestamp's last byte: one second later
    forged = Signature(committee.name, committee.key_id, bytes(raw)).line()
    with pytest.raises(SignatureError):
        open_checkpoint(
            signed + forged,
            origin=ORIGIN,
            log_verifier=log.verifier(),
            witnesses=[committee.verifier()],
        )


def test_witness_refuses_to_cosign_what_the_log_did_not_sign() -> None:
    log = Ed25519Signer(ORIGIN, bytes(range(1, 33)))
    impostor = Ed25519Signer(ORIGIN, bytes(range(2, 34)))
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, merkle.root_hash(LEAVES[:1])), impostor)
    with pytest.raises(UnknownKeyError):
        cosign(signed, origin=ORIGIN, log_verifier=log.verifier(), cosigner=_fixed(1))


def _cp(size: int, leaves: list[bytes] = LEAVES) -> Checkpoint:
    return Checkpoint(ORIGIN, size, merkle.root_hash(leaves[:size]))


@pytest.mark.parametrize(("old", "new"), [(0, 0), (0, 5), (1, 1), (3, 7), (8, 20), (20, 20)])
def test_extending_checkpoints_are_accepted(old: int, new: int) -> None:
    proof = merkle.consistency_proof(old, LEAVES[:new]) if 0 < old < new else []
    check_extends(_cp(old), _cp(new), proof)


def test_fork_is_refused_with_evidence() -> None:
    rewritten = [*LEAVES[:5], b"a different entry 5", *LEAVES[6:]]
    older, newer = _cp(8), _cp(12, rewritten)
    proof = merkle.consistency_proof(8, rewritten[:12])
    with pytest.raises(ConsistencyError) as info:
        check_extends(older, newer, proof)
    err = info.value
    assert err.older == older and err.newer == newer and err.proof == tuple(proof)
    assert "不延续" in str(err) and "does not extend" in str(err)


def test_same_size_other_root_and_shrinking_are_refused() -> None:
    other = _cp(8, [b"x", *LEAVES[1:]])
    with pytest.raises(ConsistencyError):
        check_extends(_cp(8), other, [])
    with pytest.raises(ConsistencyError, match="shrank"):
        check_extends(_cp(9), _cp(8), [])
    with pytest.raises(ConsistencyError):
        check_extends(Checkpoint(ORIGIN, 0, bytes(32)), _cp(3), [])


def test_checkpoints_of_different_logs_are_not_compared() -> None:
    with pytest.raises(NoteError):
        check_extends(_cp(1), Checkpoint("other.example/log", 2, merkle.root_hash(LEAVES[:2])), [])
