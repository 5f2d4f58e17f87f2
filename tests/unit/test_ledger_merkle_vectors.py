"""ledger.tlog.merkle against the published RFC 6962 / RFC 9162 vectors (tests/vectors/ledger)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.tlog import merkle
from ledger.tlog.errors import LedgerError, ProofError

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ledger" / "rfc6962_vectors.json").read_text()
)
TREE8 = VECTORS["tree_8_leaves"]
LEAVES = [bytes.fromhex(h) for h in TREE8["leaf_inputs_hex"]]
GOLDEN = VECTORS["golden_probes"]


def _hexes(values: list[str] | None) -> list[bytes]:
    return [bytes.fromhex(v) for v in values or []]


def _expected(vector: dict[str, Any]) -> bytes:
    if "expected_hex" in vector:
        return bytes.fromhex(vector["expected_hex"])
    return base64.b64decode(vector["expected_b64"])


def test_every_primitive_vector_is_checked() -> None:
    assert len(VECTORS["hash_primitives"]) == 8


@pytest.mark.parametrize("vector", VECTORS["hash_primitives"], ids=lambda v: v["desc"][:40])
def test_hash_primitives(vector: dict[str, Any]) -> None:
    if "leaf_input_hex" in vector:
        got = merkle.leaf_hash(bytes.fromhex(vector["leaf_input_hex"]))
    elif "left_hex" in vector:
        got = merkle.node_hash(
            bytes.fromhex(vector["left_hex"]), bytes.fromhex(vector["right_hex"])
        )
    else:
        got = merkle.root_hash([])
    assert got == _expected(vector)


def test_empty_root_constant() -> None:
    assert merkle.EMPTY_ROOT.hex() == VECTORS["hash_primitives"][0]["expected_hex"]


@pytest.mark.parametrize("size", range(9))
def test_tree_8_roots(size: int) -> None:
    want = bytes.fromhex(TREE8["roots_by_tree_size_hex"][str(size)])
    assert merkle.root_hash(LEAVES[:size]) == want
    hashes = [merkle.leaf_hash(d) for d in LEAVES[:size]]
    assert merkle.root_from_hashes(hashes) == want


def test_tree_8_node_hashes() -> None:
    levels = [_hexes(level) for level in TREE8["node_hashes_by_level_hex"]]
    assert levels[0] == [merkle.leaf_hash(d) for d in LEAVES]
    for level in range(1, len(levels)):
        width = 1 << level
        for i, want in enumerate(levels[level]):
            assert merkle.root_hash(LEAVES[i * width : (i + 1) * width]) == want


@pytest.mark.parametrize(
    "vector", VECTORS["inclusion_proofs"], ids=lambda v: f"{v['leaf_index']}of{v['tree_size']}"
)
def test_reference_inclusion_proofs(vector: dict[str, Any]) -> None:
    index, size = vector["leaf_index"], vector["tree_size"]
    proof = _hexes(vector["proof_hex"])
    assert (
        merkle.leaf_hash(bytes.fromhex(vector["leaf_input_hex"])).hex() == vector["leaf_hash_hex"]
    )
    assert merkle.inclusion_proof(index, LEAVES[:size]) == proof
    hashes = [merkle.leaf_hash(d) for d in LEAVES[:size]]
    assert merkle.inclusion_proof_from_hashes(index, hashes) == proof
    merkle.verify_inclusion(
        bytes.fromhex(vector["leaf_hash_hex"]),
        index,
        size,
        proof,
        bytes.fromhex(vector["root_hex"]),
    )


@pytest.mark.parametrize(
    "vector", VECTORS["consistency_proofs"], ids=lambda v: f"{v['size1']}to{v['size2']}"
)
def test_reference_consistency_proofs(vector: dict[str, Any]) -> None:
    old, new = vector["size1"], vector["size2"]
    proof = _hexes(vector["proof_hex"])
    assert merkle.consistency_proof(old, LEAVES[:new]) == proof
    hashes = [merkle.leaf_hash(d) for d in LEAVES[:new]]
    assert merkle.consistency_proof_from_hashes(old, hashes) == proof
    merkle.verify_consistency(
        old, new, bytes.fromhex(vector["root1_hex"]), bytes.fromhex(vector["root2_hex"]), proof
    )


def test_golden_probe_counts() -> None:
    assert len(GOLDEN["inclusion"]) == 98
    assert len(GOLDEN["consistency"]) == 98
    both = GOLDEN["inclusion"] + GOLDEN["consistency"]
    assert {p["wantErr"] for p in both} == {True, False}


@pytest.mark.parametrize("probe", GOLDEN["inclusion"], ids=lambda p: p["file"][18:])
def test_golden_inclusion_probes(probe: dict[str, Any]) -> None:
    def run() -> None:
        merkle.verify_inclusion(
            bytes.fromhex(probe["leafHash_hex"]),
            probe["leafIdx"],
            probe["treeSize"],
            _hexes(probe["proof_hex"]),
            bytes.fromhex(probe["root_hex"]),
        )

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


@pytest.mark.parametrize("probe", GOLDEN["consistency"], ids=lambda p: p["file"][20:])
def test_golden_consistency_probes(probe: dict[str, Any]) -> None:
    def run() -> None:
        merkle.verify_consistency(
            probe["size1"],
            probe["size2"],
            bytes.fromhex(probe["root1_hex"]),
            bytes.fromhex(probe["root2_hex"]),
            _hexes(probe["proof_hex"]),
        )

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


@pytest.mark.parametrize(("index", "leaves"), [(0, []), (-1, LEAVES), (8, LEAVES), (3, LEAVES[:3])])
def test_inclusion_proof_refuses_out_of_range_index(index: int, leaves: list[bytes]) -> None:
    with pytest.raises(ProofError, match="outside"):
        merkle.inclusion_proof(index, leaves)


@pytest.mark.parametrize("old", [0, -1, 9])
def test_consistency_proof_refuses_bad_old_size(old: int) -> None:
    with pytest.raises(ProofError, match="between"):
        merkle.consistency_proof(old, LEAVES)


def test_errors_are_ledger_errors_with_both_languages() -> None:
    with pytest.raises(LedgerError) as info:
        merkle.verify_inclusion(b"\0" * 31, 0, 1, [], merkle.EMPTY_ROOT)
    assert "32 字节" in str(info.value) and "32 bytes" in str(info.value)
