"""ensure_anchor: deploy once per chain, find the contract again, refuse a reset chain."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from contracts.chain import Artifact, Chain
from contracts.deploy import ensure_anchor
from contracts.errors import ChainError, ChainReset, ChainUnavailable
from contracts.rpc import RpcChain
from ledger.tlog.merkle import root_hash

LOG = b"\x07" * 32
# Creation code that deploys the one-byte runtime 0x00 (STOP): some other contract.
OTHER_CODE = bytes.fromhex("6001600c60003960016000f3" + "00")


def test_deploys_once_then_finds_it(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "anchor.json"
    first = ensure_anchor(chain, state)
    first.anchor(LOG, 1, root_hash([b"a"]), [])
    block = chain.block_number

    again = ensure_anchor(chain, state)

    assert again.address == first.address
    assert chain.block_number == block  # nothing deployed the second time
    head = again.head(LOG)
    assert head is not None and head.root == root_hash([b"a"])
    (record,) = json.loads(state.read_text())["deployments"]
    assert record["chain_id"] == chain.chain_id
    assert record["genesis"] == "0x" + chain.genesis_hash.hex()
    assert record["address"] == first.address and record["deployer"] == chain.sender


def _record(chain: Chain, state: Path, address: str, genesis: str | None = None) -> None:
    entry = {
        "chain_id": chain.chain_id,
        "genesis": genesis or "0x" + chain.genesis_hash.hex(),
        "address": address,
    }
    state.write_text(json.dumps({"deployments": [entry]}))


def test_missing_code_means_the_chain_was_reset(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "anchor.json"
    _record(chain, state, "0x" + "ab" * 20)
    block = chain.block_number
    with pytest.raises(ChainReset, match="it was reset") as caught:
        ensure_anchor(chain, state)
    assert "链已被重置" in str(caught.value) and str(state) in str(caught.value)
    assert chain.block_number == block  # not silently redeployed


def test_another_genesis_means_the_chain_was_replaced(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "anchor.json"
    _record(chain, state, "0x" + "ab" * 20, genesis="0x" + "11" * 32)
    with pytest.raises(ChainReset, match="reset or replaced"):
        ensure_anchor(chain, state)


def test_other_code_at_the_address_is_refused(chain: Chain, tmp_path: Path) -> None:
    other = chain.deploy(Artifact("Other", [], OTHER_CODE, b"\x00", "none"))
    state = tmp_path / "anchor.json"
    _record(chain, state, other)
    with pytest.raises(ChainError, match="not this version's LogAnchor"):
        ensure_anchor(chain, state)


def test_records_of_other_chains_are_kept(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "anchor.json"
    elsewhere = {"chain_id": chain.chain_id + 1, "genesis": "0x00", "address": "0x" + "cd" * 20}
    state.write_text(json.dumps({"deployments": [elsewhere]}))
    contract = ensure_anchor(chain, state)
    records = json.loads(state.read_text())["deployments"]
    assert records[0] == elsewhere and records[1]["address"] == contract.address


def test_unreadable_record_is_an_error(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "anchor.json"
    state.write_text("{not json")
    with pytest.raises(ChainError, match="unreadable"):
        ensure_anchor(chain, state)


def test_unreachable_node_is_chain_unavailable(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chain = RpcChain(f"http://127.0.0.1:{port}", b"\x01" * 32, timeout=2)
    with pytest.raises(ChainUnavailable, match="unreachable, retry later") as caught:
        ensure_anchor(chain, tmp_path / "anchor.json")
    assert "无法连接" in str(caught.value)
    assert not (tmp_path / "anchor.json").exists()
