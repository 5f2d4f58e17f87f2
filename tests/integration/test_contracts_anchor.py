"""LogAnchor on both chains: heads are accepted only as consistent extensions (RFC 9162)."""

from __future__ import annotations

import itertools

import pytest

from contracts.abi import decode_event, event_topic
from contracts.anchor import AnchorContract, AnchoredHead
from contracts.chain import Chain, load_artifact
from contracts.errors import AnchorRejected, ChainError
from ledger.tlog.merkle import consistency_proof, root_hash

LOG = b"\x01" * 32
OTHER_LOG = b"\x02" * 32
LEAVES = [f"entry {i}".encode() for i in range(80)]
REWRITTEN = [*LEAVES[:3], b"forged entry 3", *LEAVES[4:]]


def _deploy(chain: Chain) -> AnchorContract:
    return AnchorContract(chain, chain.deploy(load_artifact("LogAnchor")))


def _anchor(contract: AnchorContract, size: int, old: int | None = None) -> None:
    proof = [] if old is None else consistency_proof(old, LEAVES[:size])
    contract.anchor(LOG, size, root_hash(LEAVES[:size]), proof)


def _refused(contract: AnchorContract, error: str, *args: object) -> AnchorRejected:
    with pytest.raises(AnchorRejected) as caught:
        contract.anchor(LOG, *args)  # type: ignore[arg-type]
    assert caught.value.error == error, str(caught.value)
    assert f"[{error}]" in str(caught.value) and " / " in str(caught.value)  # bilingual
    return caught.value


def test_deploy_and_first_head(chain: Chain) -> None:
    contract = _deploy(chain)
    assert contract.chain.code_at(contract.address) == load_artifact("LogAnchor").deployed_bytecode
    assert contract.admin() == chain.sender
    assert contract.is_anchorer(chain.sender)
    assert contract.head(LOG) is None

    receipt = contract.anchor(LOG, 3, root_hash(LEAVES[:3]), [])

    assert receipt.block_number == chain.block_number
    assert len(receipt.tx_hash) == 32 and 40_000 < receipt.gas_used < 120_000
    assert contract.head(LOG) == AnchoredHead(3, root_hash(LEAVES[:3]), receipt.block_number)
    assert contract.head(OTHER_LOG) is None  # logs are independent


def test_extend_with_valid_proofs(chain: Chain) -> None:
    contract = _deploy(chain)
    sizes = [1, 2, 3, 4, 7, 8, 9, 16, 33, 64, 80]
    _anchor(contract, sizes[0])
    for old, new in itertools.pairwise(sizes):
        _anchor(contract, new, old)
        head = contract.head(LOG)
        assert head is not None and head[:2] == (new, root_hash(LEAVES[:new]))
    for size in sizes:
        assert contract.root_at(LOG, size) == root_hash(LEAVES[:size])
    assert contract.root_at(LOG, 5) is None  # never anchored
    events = contract.anchored(LOG)
    assert [(e.tree_size, e.previous_size) for e in events] == list(
        zip(sizes, [0, *sizes[:-1]], strict=True)
    )
    assert [e.root for e in events] == [root_hash(LEAVES[:s]) for s in sizes]
    assert all(e.log_id == LOG for e in events)
    assert [e.block_number for e in events] == sorted({e.block_number for e in events})
    assert contract.anchored(OTHER_LOG) == []
    assert contract.anchored(LOG, from_block=events[-1].block_number) == events[-1:]


def test_rewritten_history_is_refused(chain: Chain) -> None:
    contract = _deploy(chain)
    _anchor(contract, 5)
    before = contract.head(LOG)
    # A proof that is valid for the rewritten log, but leads from a different old root.
    forged_proof = consistency_proof(5, REWRITTEN[:10])
    rejected = _refused(
        contract, "LogAnchorInconsistent", 10, root_hash(REWRITTEN[:10]), forged_proof
    )
    assert rejected.error_args == (LOG, 5, 10)
    # The honest new root with the proof of a rewritten tree fails too.
    _refused(contract, "LogAnchorInconsistent", 10, root_hash(LEAVES[:10]), forged_proof)
    assert contract.head(LOG) == before
    assert contract.root_at(LOG, 10) is None


def test_bad_heads_are_refused(chain: Chain) -> None:
    contract = _deploy(chain)
    root3 = root_hash(LEAVES[:3])
    _refused(contract, "LogAnchorEmptyTree", 0, root_hash([]), [])
    _refused(contract, "LogAnchorUnexpectedProof", 3, root3, [b"\0" * 32])
    _anchor(contract, 5)
    _refused(contract, "LogAnchorShrunk", 3, root3, consistency_proof(3, LEAVES[:5]))
    _refused(contract, "LogAnchorAlreadyAnchored", 5, root_hash(LEAVES[:5]), [])
    rejected = _refused(contract, "LogAnchorConflictingRoot", 5, root_hash(REWRITTEN[:5]), [])
    assert rejected.error_args[2:] == (root_hash(LEAVES[:5]), root_hash(REWRITTEN[:5]))
    _refused(contract, "LogAnchorInconsistent", 6, root_hash(LEAVES[:6]), [])
    assert len(contract.anchored(LOG)) == 1


def test_old_root_relabelled_as_a_bigger_tree_is_refused(chain: Chain) -> None:
    contract = _deploy(chain)
    _anchor(contract, 4)
    _refused(contract, "LogAnchorInconsistent", 8, root_hash(LEAVES[:4]), [])
    _refused(contract, "LogAnchorInconsistent", 5, root_hash(LEAVES[:4]), [])


def test_malformed_values_never_reach_the_chain(chain: Chain) -> None:
    contract = _deploy(chain)
    block = chain.block_number
    with pytest.raises(ChainError, match="32 bytes"):
        contract.anchor(b"short", 1, root_hash(LEAVES[:1]), [])
    with pytest.raises(ChainError, match="32 bytes"):
        contract.anchor(LOG, 1, root_hash(LEAVES[:1])[:31], [])
    with pytest.raises(ChainError, match="out of range"):
        contract.anchor(LOG, 2**64, root_hash(LEAVES[:1]), [])
    assert chain.block_number == block


def test_only_anchorers_may_anchor(chain: Chain, stranger: Chain) -> None:
    contract = _deploy(chain)
    as_stranger = AnchorContract(stranger, contract.address)
    with pytest.raises(AnchorRejected) as caught:
        as_stranger.anchor(LOG, 1, root_hash(LEAVES[:1]), [])
    assert caught.value.error == "LogAnchorUnauthorizedAnchorer"
    assert caught.value.error_args == (stranger.sender,)
    with pytest.raises(AnchorRejected) as caught:
        as_stranger.add_anchorer(stranger.sender)
    assert caught.value.error == "LogAnchorUnauthorizedAdmin"
    with pytest.raises(AnchorRejected) as caught:
        contract.add_anchorer("0x" + "00" * 20)
    assert caught.value.error == "LogAnchorInvalidAnchorer"

    contract.add_anchorer(stranger.sender)
    assert contract.is_anchorer(stranger.sender)
    as_stranger.anchor(LOG, 1, root_hash(LEAVES[:1]), [])

    contract.remove_anchorer(stranger.sender)
    contract.remove_anchorer(chain.sender)  # the admin may withdraw its own right too
    for caller in (as_stranger, contract):
        with pytest.raises(AnchorRejected) as caught:
            caller.anchor(LOG, 2, root_hash(LEAVES[:2]), consistency_proof(1, LEAVES[:2]))
        assert caught.value.error == "LogAnchorUnauthorizedAnchorer"
    head = contract.head(LOG)
    assert head is not None and head.tree_size == 1


def test_anchorer_events_only_on_change(chain: Chain, stranger: Chain) -> None:
    contract = _deploy(chain)
    added = event_topic(contract.abi, "AnchorerAdded")
    removed = event_topic(contract.abi, "AnchorerRemoved")

    def count(topic: bytes) -> int:
        return len(chain.logs(contract.address, [topic]))

    assert (count(added), count(removed)) == (1, 0)  # the deployer, in the constructor
    contract.add_anchorer(stranger.sender)
    contract.add_anchorer(stranger.sender)
    contract.remove_anchorer(stranger.sender)
    contract.remove_anchorer(stranger.sender)
    assert (count(added), count(removed)) == (2, 1)
    (log,) = chain.logs(contract.address, [removed])
    assert decode_event(contract.abi, "AnchorerRemoved", log.topics, log.data) == {
        "account": stranger.sender
    }
