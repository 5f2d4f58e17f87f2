"""The contract's consistency check agrees with `ledger.tlog.merkle.verify_consistency`.

Both implement RFC 9162 §2.1.4.2; ledger.tlog.merkle is checked against published vectors, so
agreement on every case here (valid proofs and many kinds of bad ones) ties the on-chain
verifier to them. Every old size that is a power of two is covered: there the RFC puts the
old root itself at the head of the path.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.anchor import AnchorContract
from contracts.chain import Chain, load_artifact
from contracts.errors import AnchorRejected, ProofRejected
from ledger.tlog.errors import ProofError
from ledger.tlog.merkle import consistency_proof, root_hash, verify_consistency

LEAVES = [i.to_bytes(2, "big") for i in range(70)]
ROOTS = [root_hash(LEAVES[:n]) for n in range(71)]
POWERS = [1, 2, 4, 8, 16, 32, 64]
POWERS_PAIRS = [(m, n) for m in POWERS for n in range(m, 71)]
# The old head relabelled as a bigger tree: with a power-of-two old size the path is just the
# old root, so only the RFC's final "sn must be 0" check refuses it.
RELABELLED: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
    (m, n, ROOTS[m], ROOTS[m], []) for m in POWERS for n in sorted({m + 1, 2 * m, 70}) if n > m
]


def _pairs() -> list[tuple[int, int]]:
    """Every (m, n) with m a power of two, and 60 more drawn at random (fixed seed)."""
    pairs = {(m, n) for m in POWERS for n in range(m, 71)}
    rng = random.Random(9162)
    while len(pairs) < len(POWERS_PAIRS) + 60:
        n = rng.randint(1, 70)
        pairs.add((rng.randint(1, n), n))
    return sorted(pairs)


def _flip(value: bytes, bit: int) -> bytes:
    return bytes(b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(value))


Case = tuple[int, int, bytes, bytes, list[bytes]]


def _variants(m: int, n: int) -> list[Case]:
    """Bad proofs for (m, n), each breaking one thing."""
    proof = consistency_proof(m, LEAVES[:n])
    cases: list[Case] = [
        (m, n, _flip(ROOTS[m], m), ROOTS[n], proof),
        (m, n, ROOTS[m], _flip(ROOTS[n], n), proof),
        (m, n, ROOTS[m], ROOTS[n], [*proof, ROOTS[1]]),
    ]
    if proof:
        cases.append((m, n, ROOTS[m], ROOTS[n], proof[:-1]))
        cases.append((m, n, ROOTS[m], ROOTS[n], [_flip(proof[0], 7), *proof[1:]]))
    if len(proof) > 1:
        cases.append((m, n, ROOTS[m], ROOTS[n], proof[::-1]))
    if 1 < m < n:  # the proof of a neighbouring old size, presented as this one
        cases.append((m, n, ROOTS[m], ROOTS[n], consistency_proof(m - 1, LEAVES[:n])))
    if n < 70:
        cases.append((m, n + 1, ROOTS[m], ROOTS[n + 1], proof))
    return cases


def _cases() -> list[Case]:
    """The edge cases of the sizes themselves; then per pair the valid proof and one bad
    variant in turn (each kind meets old sizes of every residue, powers of two included)."""
    cases: list[Case] = [
        (0, 5, ROOTS[0], ROOTS[5], []),  # old size 0 is refused by both
        (6, 5, ROOTS[6], ROOTS[5], []),  # shrinking
        (5, 5, ROOTS[5], ROOTS[5], []),
        (5, 5, ROOTS[5], ROOTS[5], [ROOTS[1]]),
        (5, 5, ROOTS[5], ROOTS[4], []),
    ]
    cases += RELABELLED
    for i, (m, n) in enumerate(_pairs()):
        bad = _variants(m, n)
        valid = (m, n, ROOTS[m], ROOTS[n], consistency_proof(m, LEAVES[:n]))
        cases += [valid, bad[i % len(bad)]]
    return cases


def _outcome(check: Callable[..., None], case: Case, error: type[Exception]) -> bool:
    try:
        check(*case)
    except error:
        return False
    return True


@pytest.fixture
def contract(chain: Chain) -> AnchorContract:
    return AnchorContract(chain, chain.deploy(load_artifact("LogAnchor")))


def test_on_chain_verifier_agrees_with_ledger_merkle(contract: AnchorContract) -> None:
    cases = _cases()
    # Several threads at once, as the web server will call it (the backends are thread-safe).
    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = list(
            pool.map(lambda c: _outcome(contract.verify_consistency, c, ProofRejected), cases)
        )
    accepted = rejected = 0
    for case, on_chain in zip(cases, verdicts, strict=True):
        expected = _outcome(verify_consistency, case, ProofError)
        assert on_chain == expected, case
        accepted += expected
        rejected += not expected
    # Not a tautology: every valid proof (one per pair) passed, and the bad ones failed.
    assert accepted == len(_pairs()) + 1
    assert rejected == len(_pairs()) + 4 + len(RELABELLED)


def test_every_pair_with_power_of_two_old_size_is_covered() -> None:
    covered = set(_pairs())
    assert all((m, n) in covered for m in POWERS for n in range(m, 71))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.tuples(st.integers(1, 69), st.integers(1, 69)).map(lambda p: (min(p), max(p) + 1)),
    target=st.integers(0, 40),
    bit=st.integers(0, 255),
)
def test_forged_proofs_are_refused_on_chain(
    contract: AnchorContract, sizes: tuple[int, int], target: int, bit: int
) -> None:
    """Flip one bit of the proof or of the new root: the contract and ledger.tlog.merkle refuse."""
    m, n = sizes
    log_id = bytes([m, n, target % 256, bit]) + bytes(28)
    if contract.head(log_id) is None:
        contract.anchor(log_id, m, ROOTS[m], [])
    proof = consistency_proof(m, LEAVES[:n])
    values: Sequence[bytes] = [*proof, ROOTS[n]]
    index = target % len(values)
    forged = [_flip(v, bit) if i == index else v for i, v in enumerate(values)]
    forged_proof, forged_root = forged[:-1], forged[-1]

    with pytest.raises(ProofError):
        verify_consistency(m, n, ROOTS[m], forged_root, forged_proof)
    with pytest.raises(AnchorRejected) as caught:
        contract.anchor(log_id, n, forged_root, forged_proof)
    assert caught.value.error == "LogAnchorInconsistent"
    head = contract.head(log_id)
    assert head is not None and head.tree_size == m
