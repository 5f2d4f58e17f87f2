"""The embedded chain keeps everything in its data folder and survives a restart."""

from __future__ import annotations

import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from contracts.deploy import ensure_anchor
from contracts.embedded import DB_FILE, KEY_FILE, EmbeddedChain
from contracts.errors import ChainError
from ledger.tlog.merkle import consistency_proof, root_hash

LOG = b"\x05" * 32
LEAVES = [f"vote {i}".encode() for i in range(40)]


def test_restart_keeps_contract_heads_and_events(tmp_path: Path) -> None:
    folder, state = tmp_path / "chain", tmp_path / "anchor.json"
    with EmbeddedChain(folder) as chain:
        contract = ensure_anchor(chain, state)
        contract.anchor(LOG, 10, root_hash(LEAVES[:10]), [])
        contract.anchor(LOG, 25, root_hash(LEAVES[:25]), consistency_proof(10, LEAVES[:25]))
        before = (chain.chain_id, chain.genesis_hash, chain.block_number, chain.sender)
        head, events = contract.head(LOG), contract.anchored(LOG)

    with EmbeddedChain(folder) as chain:
        assert (chain.chain_id, chain.genesis_hash, chain.block_number, chain.sender) == before
        contract = ensure_anchor(chain, state)  # finds it, does not deploy again
        assert chain.block_number == before[2]
        assert contract.head(LOG) == head
        assert contract.root_at(LOG, 10) == root_hash(LEAVES[:10])
        assert contract.anchored(LOG) == events and len(events) == 2
        # The history goes on from where it stopped, and is still guarded.
        contract.anchor(LOG, 40, root_hash(LEAVES), consistency_proof(25, LEAVES))
        assert [e.tree_size for e in contract.anchored(LOG)] == [10, 25, 40]


def test_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with EmbeddedChain(folder) as chain:
        sender = chain.sender
    key = folder / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text().strip())) == 32
    with EmbeddedChain(folder) as chain:
        assert chain.sender == sender
    with EmbeddedChain(tmp_path / "other") as chain:
        assert chain.sender != sender  # not a well-known key


def test_lost_key_or_other_chain_id_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    EmbeddedChain(folder).close()
    with pytest.raises(ChainError, match="chain id 1337, not 99"):
        EmbeddedChain(folder, chain_id=99)
    (folder / KEY_FILE).unlink()
    with pytest.raises(ChainError, match=r"key file .* is missing"):
        EmbeddedChain(folder)


def test_closed_chain_refuses_use(tmp_path: Path) -> None:
    chain = EmbeddedChain(tmp_path / "chain")
    chain.close()
    with pytest.raises(ChainError, match="closed"):
        _ = chain.block_number


def test_log_index_is_rebuilt_if_lost(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with EmbeddedChain(folder) as chain:
        contract = ensure_anchor(chain, tmp_path / "anchor.json")
        contract.anchor(LOG, 3, root_hash(LEAVES[:3]), [])
        events = contract.anchored(LOG)
    db = sqlite3.connect(folder / DB_FILE)
    with db:
        db.execute("DELETE FROM logs")
        db.execute("UPDATE meta SET value = '0' WHERE name = 'indexed_to'")
    db.close()
    with EmbeddedChain(folder) as chain:
        contract = ensure_anchor(chain, tmp_path / "anchor.json")
        assert contract.anchored(LOG) == events and len(events) == 1


def test_threads_share_one_chain(tmp_path: Path) -> None:
    with EmbeddedChain(tmp_path / "chain") as chain:
        contract = ensure_anchor(chain, tmp_path / "anchor.json")
        start = chain.block_number

        def grow(log: int) -> list[int]:
            log_id = bytes([log]) * 32
            blocks = [contract.anchor(log_id, 4, root_hash(LEAVES[:4]), []).block_number]
            for old, new in ((4, 9), (9, 20)):
                proof = consistency_proof(old, LEAVES[:new])
                blocks.append(contract.anchor(log_id, new, root_hash(LEAVES[:new]), proof)[1])
            return blocks

        with ThreadPoolExecutor(max_workers=4) as pool:
            blocks = [b for per_log in pool.map(grow, range(1, 5)) for b in per_log]

        assert sorted(blocks) == list(range(start + 1, start + 13))  # one block per anchor
        for log in range(1, 5):
            head = contract.head(bytes([log]) * 32)
            assert head is not None and head[:2] == (20, root_hash(LEAVES[:20]))


def test_one_process_per_folder(tmp_path: Path) -> None:
    with (
        EmbeddedChain(tmp_path / "chain"),
        pytest.raises(ChainError, match="in use by another process"),
    ):
        EmbeddedChain(tmp_path / "chain")
    EmbeddedChain(tmp_path / "chain").close()  # free again once closed
