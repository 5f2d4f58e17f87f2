"""Gas per anchor on both chains, for batches of typical sizes (run with --bench -s).

Prints a table; it asserts only that each figure was measured, never a budget.
"""

from __future__ import annotations

import pytest

from contracts.anchor import AnchorContract
from contracts.chain import Chain, load_artifact
from ledger.tlog.merkle import consistency_proof_from_hashes, leaf_hash, root_from_hashes

HASHES = [leaf_hash(i.to_bytes(4, "big")) for i in range(1_000 + 1 + 100 + 10_000)]
# (label, log, old size or None for a first head, new size)
STEPS = [
    ("first head, 1 entry", 1, None, 1),
    ("+1 (1 -> 2)", 1, 1, 2),
    ("+100 (2 -> 102)", 1, 2, 102),
    ("+10,000 (102 -> 10,102)", 1, 102, 10_102),
    ("first head, 1,000 entries", 2, None, 1_000),
    ("+1 (1,000 -> 1,001)", 2, 1_000, 1_001),
    ("+100 (1,001 -> 1,101)", 2, 1_001, 1_101),
    ("+10,000 (1,101 -> 11,101)", 2, 1_101, 11_101),
]


@pytest.mark.bench
def test_gas_per_anchor(chain: Chain) -> None:
    artifact = load_artifact("LogAnchor")
    address = chain.deploy(artifact)
    contract = AnchorContract(chain, address)
    rows = []
    for label, log, old, new in STEPS:
        proof = [] if old is None else consistency_proof_from_hashes(old, HASHES[:new])
        root = root_from_hashes(HASHES[:new])
        receipt = contract.anchor(bytes([log]) * 32, new, root, proof)
        rows.append((label, len(proof), receipt.gas_used))
    backend = type(chain).__name__
    print(f"\nLogAnchor gas on {backend} (chain id {chain.chain_id}), evmVersion cancun")
    print(f"{'step':<28} {'proof nodes':>11} {'gas used':>9}")
    for label, nodes, gas in rows:
        print(f"{label:<28} {nodes:>11} {gas:>9,}")
    assert all(gas > 21_000 for _, _, gas in rows)
