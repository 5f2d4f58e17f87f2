"""The `Chain` backend for any Ethereum JSON-RPC node (Besu, Geth, anvil…), through web3.

Transactions are signed here with the deployer key from settings and sent raw, so the node
never holds a key. Each is first estimated (`eth_estimateGas`), which also reports a revert
with its data before anything is sent. A node that does not answer raises
`ChainUnavailable`: nothing was sent, or what was sent is not yet mined; the caller may retry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from eth_account import Account
from eth_utils.address import to_checksum_address
from web3 import HTTPProvider, Web3
from web3 import exceptions as w3e

from contracts.abi import Abi, decode_result, encode_call, encode_constructor
from contracts.chain import Artifact, LogEntry, Receipt
from contracts.errors import ChainError, ChainUnavailable, ContractReverted

T = TypeVar("T")

LOGS_BLOCK_RANGE = 5_000  # Besu's default --rpc-max-logs-range; larger ranges are paged


def _log_entry(log: Any) -> LogEntry:
    return LogEntry(
        address=to_checksum_address(log["address"]),
        topics=tuple(bytes(t) for t in log["topics"]),
        data=bytes(log["data"]),
        block_number=int(log["blockNumber"]),
        tx_hash=bytes(log["transactionHash"]),
        log_index=int(log["logIndex"]),
    )


def _revert_data(exc: w3e.ContractLogicError) -> bytes:
    data = exc.data if isinstance(exc.data, str) else None
    try:
        return bytes.fromhex(data.removeprefix("0x")) if data else b""
    except ValueError:
        return b""


class RpcChain:
    """A JSON-RPC node at `url`, signing with `private_key`; safe to share between threads."""

    def __init__(self, url: str, private_key: bytes | str, *, timeout: float = 30.0) -> None:
        self._url = url
        self._timeout = timeout
        self._w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
        # Transactions are signed here with an explicit chain id, and every address is a
        # checksummed hex string: web3's validation (an eth_chainId round trip per request)
        # and ENS name lookups would only add requests.
        self._w3.middleware_onion.remove("validation")
        self._w3.middleware_onion.remove("ens_name_to_address")
        self._account = Account.from_key(private_key)
        self._lock = threading.Lock()  # one nonce at a time
        self._chain_id: int | None = None

    @contextmanager
    def _node(self, what: str) -> Iterator[Web3]:
        """Turns transport failures into `ChainUnavailable` and node errors into `ChainError`."""
        try:
            yield self._w3
        except ChainError:
            raise
        except w3e.ContractLogicError as exc:
            raise ContractReverted(
                f"合约拒绝了 {what}", f"contract reverted {what}", _revert_data(exc)
            ) from exc
        except (requests.RequestException, w3e.ProviderConnectionError, OSError) as exc:
            raise ChainUnavailable(
                f"区块链节点 {self._url} 无法连接，请稍后重试",
                f"chain node {self._url} is unreachable, retry later ({what}): {exc}",
            ) from exc
        except w3e.TimeExhausted as exc:
            raise ChainUnavailable(
                f"交易已发送但 {self._timeout} 秒内未上链，请稍后重试",
                f"{what} was sent but not mined within {self._timeout} s, retry later",
            ) from exc
        except w3e.Web3Exception as exc:
            raise ChainError(
                f"区块链节点报错：{what}", f"chain node error on {what}: {exc}"
            ) from exc

    def _read(self, what: str, fn: Callable[[Web3], T]) -> T:
        with self._node(what) as w3:
            return fn(w3)

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._read("eth_chainId", lambda w3: w3.eth.chain_id))
        return self._chain_id

    @property
    def genesis_hash(self) -> bytes:
        return bytes(self._read("genesis", lambda w3: w3.eth.get_block(0)["hash"]))

    @property
    def sender(self) -> str:
        return str(self._account.address)

    @property
    def block_number(self) -> int:
        return int(self._read("eth_blockNumber", lambda w3: w3.eth.block_number))

    def _fees(self, w3: Web3) -> dict[str, int]:
        base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
        if base_fee is None:  # a chain without EIP-1559 (e.g. a free-gas Besu network)
            return {"gasPrice": int(w3.eth.gas_price)}
        try:
            tip = int(w3.eth.max_priority_fee)
        except (w3e.Web3RPCError, w3e.MethodUnavailable):
            tip = 0
        return {"maxFeePerGas": 2 * int(base_fee) + tip, "maxPriorityFeePerGas": tip}

    def _send(self, to: str | None, data: bytes, what: str) -> Receipt:
        tx: Any = {"from": self.sender, "data": data, "value": 0}
        if to is not None:
            tx["to"] = to
        with self._lock, self._node(what) as w3:
            estimate = int(w3.eth.estimate_gas(tx))  # raises ContractLogicError on a revert
            tx |= self._fees(w3)
            tx |= {
                "gas": estimate + estimate // 5,  # margin: gas left for 63/64 rules, refunds
                "nonce": w3.eth.get_transaction_count(self._account.address, "pending"),
                "chainId": self.chain_id,
            }
            signed = self._account.sign_transaction(tx)
            tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
            raw = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self._timeout)
        if raw["status"] != 1:
            raise ContractReverted(
                f"交易上链后被回滚：{what}", f"{what} was mined but reverted (tx {tx_hash.hex()})"
            )
        logs = tuple(_log_entry(log) for log in raw["logs"])
        created = raw.get("contractAddress")
        return Receipt(
            tx_hash=bytes(tx_hash),
            block_number=int(raw["blockNumber"]),
            gas_used=int(raw["gasUsed"]),
            status=1,
            logs=logs,
            contract_address=None if created is None else to_checksum_address(created),
        )

    def deploy(self, artifact: Artifact, *args: Any) -> str:
        what = f"deploy {artifact.name}"
        receipt = self._send(None, artifact.bytecode + encode_constructor(artifact.abi, args), what)
        if receipt.contract_address is None:
            raise ChainError("部署没有产生合约地址", f"{what} created no contract")
        return receipt.contract_address

    def transact(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> Receipt:
        return self._send(to_checksum_address(address), encode_call(abi, fn, args), fn)

    def call(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> tuple[Any, ...]:
        request: Any = {
            "from": self.sender,
            "to": to_checksum_address(address),
            "data": encode_call(abi, fn, args),
        }
        output = self._read(fn, lambda w3: bytes(w3.eth.call(request)))
        return decode_result(abi, fn, output)

    def code_at(self, address: str) -> bytes:
        target = to_checksum_address(address)
        return bytes(self._read("eth_getCode", lambda w3: w3.eth.get_code(target)))

    def logs(
        self, address: str, topics: Sequence[bytes | None], from_block: int = 0
    ) -> list[LogEntry]:
        target = to_checksum_address(address)
        wanted = [None if t is None else "0x" + t.hex() for t in topics]
        last = self.block_number
        found: list[LogEntry] = []
        for start in range(from_block, last + 1, LOGS_BLOCK_RANGE):
            params: Any = {
                "address": target,
                "fromBlock": start,
                "toBlock": min(start + LOGS_BLOCK_RANGE - 1, last),
                "topics": wanted,
            }
            with self._node("eth_getLogs") as w3:
                found += [_log_entry(log) for log in w3.eth.get_logs(params)]
        return found

    def close(self) -> None:
        """Nothing to release: web3 pools and reuses its HTTP sessions by itself."""
