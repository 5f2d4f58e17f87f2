"""Deploy `LogAnchor` once per chain and find it again on every later start.

The address is remembered in a JSON file in the data folder, per chain (chain id and genesis
block hash). A chain that no longer holds the contract was reset or replaced: that raises
`ChainReset` instead of deploying afresh, because a new contract would silently drop every
head anchored before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from contracts.anchor import CONTRACT, AnchorContract
from contracts.chain import Chain, load_artifact
from contracts.errors import ChainError, ChainReset


def _load(state_file: Path) -> list[dict[str, Any]]:
    if not state_file.exists():
        return []
    try:
        records: list[dict[str, Any]] = json.loads(state_file.read_text("utf-8"))["deployments"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainError(
            f"部署记录 {state_file} 已损坏", f"deployment record {state_file} is unreadable"
        ) from exc
    return records


def _save(state_file: Path, records: list[dict[str, Any]]) -> None:
    """Write to a temporary file and rename it, so a crash never leaves half a record."""
    state_file.parent.mkdir(parents=True, exist_ok=True)
    temp = state_file.with_name(state_file.name + ".tmp")
    temp.write_text(json.dumps({"deployments": records}, indent=2) + "\n", "utf-8")
    os.replace(temp, state_file)


def _reset(zh: str, en: str, state_file: Path) -> ChainReset:
    return ChainReset(
        f"{zh}，此前锚定的树头已不在链上；核实后把 {state_file} 移走即可重新部署",
        f"{en}, so the heads anchored before are gone; "
        f"move {state_file} away to deploy afresh once you have checked",
    )


def ensure_anchor(chain: Chain, state_file: Path) -> AnchorContract:
    """The `LogAnchor` of this chain: deployed on first start, found again afterwards."""
    artifact = load_artifact(CONTRACT)
    chain_id, genesis = chain.chain_id, "0x" + chain.genesis_hash.hex()
    records = _load(state_file)
    for record in records:
        if record["chain_id"] != chain_id:
            continue
        if record["genesis"] != genesis:
            raise _reset(
                f"链 {chain_id} 的创世区块由 {record['genesis']} 变为 {genesis}：链已被重置或替换",
                f"chain {chain_id} now starts at genesis {genesis}, not {record['genesis']}: "
                "it was reset or replaced",
                state_file,
            )
        address = str(record["address"])
        code = chain.code_at(address)
        if not code:
            raise _reset(
                f"链 {chain_id} 上地址 {address} 已没有合约：链已被重置",
                f"there is no contract at {address} on chain {chain_id} any more: it was reset",
                state_file,
            )
        if code != artifact.deployed_bytecode:
            raise ChainError(
                f"地址 {address} 上的合约与本版本的 {CONTRACT} 构建不同",
                f"the contract at {address} is not this version's {CONTRACT} build",
            )
        return AnchorContract(chain, address)
    address = chain.deploy(artifact)
    records.append(
        {
            "chain_id": chain_id,
            "genesis": genesis,
            "address": address,
            "contract": CONTRACT,
            "compiler": artifact.compiler,
            "deployer": chain.sender,
        }
    )
    _save(state_file, records)
    return AnchorContract(chain, address)
