"""The small interface every chain backend offers, and the compiled contracts they deploy.

Backends: `contracts.embedded.EmbeddedChain` (py-evm in a data folder) and
`contracts.rpc.RpcChain` (any Ethereum JSON-RPC node). Addresses are EIP-55 checksummed
strings; hashes are 32-byte `bytes`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from contracts.abi import Abi
from contracts.errors import ChainError


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One event log as the chain recorded it."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    tx_hash: bytes
    log_index: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """The outcome of a mined transaction; `status` is 1 (success) for any receipt returned."""

    tx_hash: bytes
    block_number: int
    gas_used: int
    status: int
    logs: tuple[LogEntry, ...]
    contract_address: str | None = None


@dataclass(frozen=True, slots=True)
class Artifact:
    """A compiled contract from contracts/build/ (written by scripts/compile_contracts.mjs)."""

    name: str
    abi: Abi
    bytecode: bytes
    deployed_bytecode: bytes
    compiler: str


@functools.cache
def load_artifact(name: str) -> Artifact:
    """The committed build of contract `name` (e.g. "LogAnchor")."""
    try:
        text = resources.files("contracts").joinpath("build", f"{name}.json").read_text("utf-8")
    except FileNotFoundError as exc:
        raise ChainError(f"找不到合约构建 {name}", f"no build artifact for {name}") from exc
    raw: dict[str, Any] = json.loads(text)
    return Artifact(
        name=raw["contractName"],
        abi=raw["abi"],
        bytecode=bytes.fromhex(raw["bytecode"].removeprefix("0x")),
        deployed_bytecode=bytes.fromhex(raw["deployedBytecode"].removeprefix("0x")),
        compiler=raw["compiler"]["version"],
    )


class Chain(Protocol):
    """An EVM chain we can deploy to, send transactions to and read from.

    `transact` first simulates the call: a revert raises `ContractReverted` (carrying the
    revert data) and sends nothing. An unreachable node raises `ChainUnavailable`.
    """

    @property
    def chain_id(self) -> int: ...

    @property
    def genesis_hash(self) -> bytes: ...

    @property
    def sender(self) -> str:
        """The account that signs this backend's transactions."""
        ...

    @property
    def block_number(self) -> int:
        """The number of the latest block."""
        ...

    def deploy(self, artifact: Artifact, *args: Any) -> str:
        """Deploy `artifact` with constructor `args`; the new contract's address."""
        ...

    def transact(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> Receipt:
        """Send `fn(*args)` to `address` and wait until it is mined."""
        ...

    def call(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> tuple[Any, ...]:
        """Evaluate `fn(*args)` on the latest state without a transaction."""
        ...

    def code_at(self, address: str) -> bytes:
        """The runtime code at `address` (empty if none)."""
        ...

    def logs(
        self, address: str, topics: Sequence[bytes | None], from_block: int = 0
    ) -> list[LogEntry]:
        """Logs emitted by `address` from `from_block` on, oldest first; `topics[i]` must
        match topic i unless it is None."""
        ...

    def close(self) -> None: ...
