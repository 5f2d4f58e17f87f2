"""Deploy `LogAnchor` and `BallotRegistry` once per chain and find them on every later start.

Each address is remembered in a JSON file in the data folder, per chain (chain id and genesis
block hash). A chain that no longer holds the contract was reset or replaced: that raises
`ChainReset` instead of deploying afresh, because a new contract would silently drop every
head anchored (or result recorded) before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contracts.anchor import CONTRACT as ANCHOR
from contracts.anchor import AnchorContract
from contracts.chain import Chain, load_artifact
from contracts.errors import ChainError, ChainReset
from contracts.registry import CONTRACT as REGISTRY
from contracts.registry import RegistryContract


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


def _reset(zh: str, en: str, state_file: Path, lost: tuple[str, str]) -> ChainReset:
    return ChainReset(
        f"{zh}，{lost[0]}已不在链上；核实后把 {state_file} 移走即可重新部署",
        f"{en}, so {lost[1]} are gone; "
        f"move {state_file} away to deploy afresh once you have checked",
    )


def _ensure(
    chain: Chain, state_file: Path, name: str, args: Sequence[Any], lost: tuple[str, str]
) -> str:
    """The address of contract `name` on this chain: deployed with `args` the first time and
    remembered in `state_file`, found (and checked to be this build) every later time."""
    artifact = load_artifact(name)
    chain_id, genesis = chain.chain_id, "0x" + chain.genesis_hash.hex()
    records = _load(state_file)
    for record in records:
        # records written before a second contract existed name no contract: LogAnchor
        if record["chain_id"] != chain_id or record.get("contract", ANCHOR) != name:
            continue
        if record["genesis"] != genesis:
            raise _reset(
                f"链 {chain_id} 的创世区块由 {record['genesis']} 变为 {genesis}：链已被重置或替换",
                f"chain {chain_id} now starts at genesis {genesis}, not {record['genesis']}: "
                "it was reset or replaced",
                state_file,
                lost,
            )
        address = str(record["address"])
        code = chain.code_at(address)
        if not code:
            raise _reset(
                f"链 {chain_id} 上地址 {address} 已没有合约：链已被重置",
                f"there is no contract at {address} on chain {chain_id} any more: it was reset",
                state_file,
                lost,
            )
        if code != artifact.deployed_bytecode:
            raise ChainError(
                f"地址 {address} 上的合约与本版本的 {name} 构建不同",
                f"the contract at {address} is not this version's {name} build",
            )
        return address
    address = chain.deploy(artifact, *args)
    records.append(
        {
            "chain_id": chain_id,
            "genesis": genesis,
            "address": address,
            "contract": name,
            "compiler": artifact.compiler,
            "deployer": chain.sender,
        }
    )
    _save(state_file, records)
    return address


def ensure_anchor(chain: Chain, state_file: Path) -> AnchorContract:
    """The `LogAnchor` of this chain: deployed on first start, found again afterwards."""
    lost = ("此前锚定的树头", "the heads anchored before")
    return AnchorContract(chain, _ensure(chain, state_file, ANCHOR, (), lost))


def ensure_registry(
    chain: Chain, state_file: Path, recorder: str | None = None
) -> RegistryContract:
    """The `BallotRegistry` of this chain, next to the `LogAnchor` in the same `state_file`:
    deployed on first start with `recorder` (default: this backend's account) as the only
    account that may record results, found again afterwards."""
    wanted = chain.sender if recorder is None else recorder
    lost = ("此前记录的表决结果", "the results recorded before")
    registry = RegistryContract(chain, _ensure(chain, state_file, REGISTRY, (wanted,), lost))
    actual = registry.recorder()
    if actual.lower() != wanted.lower():
        raise ChainError(
            f"地址 {registry.address} 上的 {REGISTRY} 的记录人是 {actual}，不是 {wanted}",
            f"the {REGISTRY} at {registry.address} records for {actual}, not {wanted}",
        )
    return registry
