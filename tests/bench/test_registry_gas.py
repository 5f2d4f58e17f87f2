"""Gas of recording a ballot's result in BallotRegistry, on both chains (run with --bench -s).

Prints a table; it asserts only that each figure was measured, never a budget.
"""

from __future__ import annotations

import pytest

from contracts.chain import Chain, load_artifact
from contracts.registry import ElectionTotals, ItemTotals, MotionTotals, RegistryContract, Weight

TOTAL = Weight(1_000_000_00, 1_000)  # 1,000 owners, 1,000,000.00 m²
PART = Weight(800_000_00, 800)


def motion(ident: str, matter: int) -> MotionTotals:
    return MotionTotals(ident, matter, PART, Weight(500_000_00, 500))


def election(ident: str, candidates: int, seats: int) -> ElectionTotals:
    approvals = tuple(
        (f"c{i}", Weight((700 - 40 * i) * 1_000_00, 700 - 40 * i)) for i in range(candidates)
    )
    return ElectionTotals(ident, seats, PART, approvals)


CASES: list[tuple[str, list[ItemTotals]]] = [
    ("1 motion", [motion("1", 1)]),
    ("5 motions (matters 1, 2, 4, 5, 7)", [motion(str(m), m) for m in (1, 2, 4, 5, 7)]),
    ("1 election, 9 candidates, 5 seats", [election("1", 9, 5)]),
    ("20 motions (the most a ballot has)", [motion(str(i), 1 + i % 9) for i in range(20)]),
]


@pytest.mark.bench
def test_gas_of_recording_a_result(chain: Chain) -> None:
    registry = RegistryContract(chain, chain.deploy(load_artifact("BallotRegistry"), chain.sender))
    rows = []
    for n, (label, items) in enumerate(CASES, 1):
        receipt = registry.record_result(
            log_id=n.to_bytes(32, "big"),
            census_root=b"\x01" * 32,
            total=TOTAL,
            ranking="area",
            items=items,
        )
        rows.append((label, receipt.gas_used))
    print(f"\nBallotRegistry.record gas on {type(chain).__name__} (chain id {chain.chain_id})")
    print(f"{'ballot':<38} {'gas used':>9}")
    for label, gas in rows:
        print(f"{label:<38} {gas:>9,}")
    assert all(gas > 21_000 for _, gas in rows)
