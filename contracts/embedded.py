"""An EVM chain inside the server process (py-evm), kept on disk in a data folder.

The whole chain database lives in one SQLite file (`contracts.kvstore`); each transaction is
simulated, then mined in a block of its own, and that block, its state and its log index
are committed in one SQLite transaction. Closing and opening the same folder again finds
every contract, storage slot, block, receipt and log as it was.

Gas costs nothing here (base fee 0, gas price 0) but is measured as on any chain. The
signing key is made once, at random, into the folder; it is funded in the genesis block.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from eth.abc import ComputationAPI, SignedTransactionAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.exceptions import CanonicalHeadNotFound, Revert
from eth.typing import AccountState, HeaderParams
from eth.vm.forks.cancun import CancunVM
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber
from eth_utils.address import to_canonical_address, to_checksum_address

from contracts.abi import Abi, decode_result, encode_call, encode_constructor
from contracts.chain import Artifact, LogEntry, Receipt
from contracts.errors import ChainError, ContractReverted
from contracts.kvstore import SqliteDB

DB_FILE = "chain.sqlite3"
KEY_FILE = "deployer.key"
LOCK_FILE = "chain.lock"
DEFAULT_CHAIN_ID = 1337
BLOCK_GAS_LIMIT = 30_000_000
TX_GAS_LIMIT = 16_777_216  # EIP-7825's per-transaction cap, so nothing here outgrows a real chain
GENESIS_BALANCE = 10**27  # wei; gas is free, this only lets the account send value

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    tx_hash BLOB NOT NULL,
    address BLOB NOT NULL,
    topic0 BLOB,
    topic1 BLOB,
    topics BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX IF NOT EXISTS logs_by_event ON logs (address, topic0, topic1, block_number);
"""


class _DevChain(MiningChain):
    vm_configuration = ((BlockNumber(0), CancunVM),)


def _address(key: PrivateKey) -> Address:
    return Address(key.public_key.to_canonical_address())


def _topic(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _revert(computation: ComputationAPI, what: str) -> ChainError:
    if isinstance(computation.error, Revert):
        return ContractReverted(
            f"合约拒绝了 {what}", f"contract reverted {what}", bytes(computation.output)
        )
    return ChainError(f"交易失败：{what}", f"transaction failed: {what}: {computation.error!r}")


class _Node:
    """The chain itself: its database, its py-evm objects and the lock every caller takes."""

    def __init__(self, folder: Path, chain_id: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.folder_lock = self._lock_folder(folder)
        self.db = SqliteDB(folder / DB_FILE)
        try:
            self._open(folder, chain_id)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _lock_folder(folder: Path) -> int:
        """One process per data folder: a second would mine on a head it has not seen."""
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise ChainError(
                f"内置链目录 {folder} 正被另一个进程使用",
                f"the embedded chain in {folder} is in use by another process",
            ) from exc
        return fd

    def close(self) -> None:
        self.db.close()
        os.close(self.folder_lock)  # closing the descriptor releases the lock

    def _open(self, folder: Path, chain_id: int) -> None:
        self.db.connection.executescript(_SCHEMA)
        self.key = self._key(folder)
        stored = self._meta("chain_id")
        if stored is not None and int(stored) != chain_id:
            raise ChainError(
                f"数据目录中的链编号为 {stored}，而非 {chain_id}",
                f"the chain in {folder} has chain id {stored}, not {chain_id}",
            )
        self.chain_class = _DevChain.configure(__name__="EmbeddedChain", chain_id=chain_id)
        self.atomic = AtomicDB(self.db)
        try:
            self.chain = self.chain_class(self.atomic)
        except CanonicalHeadNotFound:
            with self.db.transaction():
                self._genesis(chain_id)
        self._catch_up_log_index()

    def _key(self, folder: Path) -> PrivateKey:
        path = folder / KEY_FILE
        if not path.exists():
            if self._meta("chain_id") is not None:
                raise ChainError(
                    f"链数据还在，但私钥文件 {path} 不见了",
                    f"the chain data is there but its key file {path} is missing",
                )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_bytes(32).hex() + "\n")
        return PrivateKey(bytes.fromhex(path.read_text().strip()))

    def _meta(self, name: str) -> str | None:
        row = self.db.connection.execute("SELECT value FROM meta WHERE name = ?", (name,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def _set_meta(self, name: str, value: str) -> None:
        self.db.connection.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _genesis(self, chain_id: int) -> None:
        params: dict[str, HeaderParams] = {
            "difficulty": 0,
            "gas_limit": BLOCK_GAS_LIMIT,
            "timestamp": int(time.time()),
            "base_fee_per_gas": 0,
        }
        funded: AccountState = {
            _address(self.key): {
                "balance": GENESIS_BALANCE,
                "nonce": 0,
                "code": b"",
                "storage": {},
            }
        }
        self.chain_class.from_genesis(self.atomic, params, funded)  # persists the genesis
        self.chain = self.chain_class(self.atomic)
        self._set_meta("chain_id", str(chain_id))
        self._set_meta("indexed_to", "0")

    def _catch_up_log_index(self) -> None:
        """Index blocks the log table has not seen (none, unless it was lost or added later)."""
        done = int(self._meta("indexed_to") or "0")
        head = self.chain.get_canonical_head().block_number
        if done >= head:
            return
        with self.db.transaction():
            for number in range(done + 1, head + 1):
                block = self.chain.get_canonical_block_by_number(BlockNumber(number))
                receipts = block.get_receipts(self.chain.chaindb)
                self._index(number, block.transactions, receipts)
            self._set_meta("indexed_to", str(head))

    def _index(
        self, number: int, txs: Sequence[SignedTransactionAPI], receipts: Sequence[Any]
    ) -> list[LogEntry]:
        entries: list[LogEntry] = []
        for tx, receipt in zip(txs, receipts, strict=True):
            for log in receipt.logs:
                topics = tuple(_topic(t) for t in log.topics)
                entry = LogEntry(
                    address=to_checksum_address(log.address),
                    topics=topics,
                    data=bytes(log.data),
                    block_number=number,
                    tx_hash=bytes(tx.hash),
                    log_index=len(entries),
                )
                self.db.connection.execute(
                    "INSERT INTO logs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        number,
                        entry.log_index,
                        entry.tx_hash,
                        bytes(log.address),
                        topics[0] if topics else None,
                        topics[1] if len(topics) > 1 else None,
                        b"".join(topics),
                        entry.data,
                    ),
                )
                entries.append(entry)
        return entries

    def signed(self, key: PrivateKey, to: Address, data: bytes) -> SignedTransactionAPI:
        vm = self.chain.get_vm(self.chain.get_canonical_head())
        nonce = vm.state.get_nonce(_address(key))
        unsigned = vm.create_unsigned_transaction(
            nonce=nonce, gas_price=0, gas=TX_GAS_LIMIT, to=to, value=0, data=data
        )
        return unsigned.as_signed_transaction(key, chain_id=self.chain.chain_id)

    def simulate(self, tx: SignedTransactionAPI, what: str) -> ComputationAPI:
        """Run `tx` on top of the head and throw the result away; raise if it fails."""
        # The rolled-back SQLite transaction guarantees the simulation writes nothing.
        with self.db.transaction(commit=False):
            vm = self.chain.get_vm(self.chain.get_canonical_head())
            with vm.in_costless_state() as state:
                computation = state.costless_execute_transaction(tx)
        if computation.is_error:
            raise _revert(computation, what)
        return computation

    def mine(self, tx: SignedTransactionAPI, what: str) -> tuple[Receipt, ComputationAPI]:
        """Mine `tx` alone in a new block, and commit block, state and log index together."""
        head = self.chain.get_canonical_head()
        self.chain.header = self.chain.create_header_from_parent(
            head, gas_limit=BLOCK_GAS_LIMIT, timestamp=max(int(time.time()), head.timestamp + 1)
        )
        try:
            with self.db.transaction():
                result, receipts, computations = self.chain.mine_all([tx])
                number = result.imported_block.number
                logs = self._index(number, [tx], receipts)
                self._set_meta("indexed_to", str(number))
        except Exception as exc:
            # The block was rolled back on disk; drop py-evm's in-memory view of it too.
            self.chain = self.chain_class(self.atomic)
            raise ChainError(f"出块失败：{what}", f"could not mine {what}: {exc!r}") from exc
        computation = computations[0]
        if computation.is_error:
            raise _revert(computation, what)
        receipt = Receipt(
            tx_hash=bytes(tx.hash),
            block_number=number,
            gas_used=receipts[0].gas_used,
            status=1,
            logs=tuple(logs),
        )
        return receipt, computation

    def logs(self, address: str, topics: Sequence[bytes | None], from_block: int) -> list[LogEntry]:
        sql = "SELECT block_number, log_index, tx_hash, topics, data FROM logs WHERE address = ?"
        params: list[Any] = [to_canonical_address(address)]
        for column, want in zip(("topic0", "topic1"), topics, strict=False):
            if want is not None:
                sql += f" AND {column} = ?"
                params.append(want)
        sql += " AND block_number >= ? ORDER BY block_number, log_index"
        params.append(from_block)
        found: list[LogEntry] = []
        for number, index, tx_hash, packed, data in self.db.connection.execute(sql, params):
            have = tuple(packed[i : i + 32] for i in range(0, len(packed), 32))
            if len(have) < len(topics) or any(
                w is not None and w != h for w, h in zip(topics, have, strict=False)
            ):
                continue
            found.append(LogEntry(address, have, data, number, tx_hash, index))
        return found


def stored_chain_id(folder: Path) -> int | None:
    """The chain id of the embedded chain kept in `folder`, read without opening (or
    creating) it; None when no chain is kept there. A verifier given a stopped server's data
    folder compares it with the chain id it pins before it asks this chain anything."""
    path = folder / DB_FILE
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'chain_id'").fetchone()
    except sqlite3.Error as exc:
        raise ChainError(
            f"无法读取内置链 {path}", f"cannot read the embedded chain {path}: {exc}"
        ) from exc
    return None if row is None else int(row[0])


class EmbeddedChain:
    """The `Chain` backend on py-evm, persisted in `folder`; safe to share between threads."""

    def __init__(self, folder: Path, *, chain_id: int = DEFAULT_CHAIN_ID) -> None:
        self._node = _Node(folder, chain_id)
        self._key = self._node.key

    def with_key(self, private_key: bytes) -> EmbeddedChain:
        """The same chain, signing with another key (an unfunded account: gas is free)."""
        other = object.__new__(EmbeddedChain)
        other._node = self._node
        other._key = PrivateKey(private_key)
        return other

    @contextmanager
    def _locked(self) -> Iterator[_Node]:
        with self._node.lock:
            if self._node.db.closed:
                raise ChainError("内置链已关闭", "the embedded chain is closed")
            yield self._node

    @property
    def chain_id(self) -> int:
        with self._locked() as node:
            chain_id: int = node.chain.chain_id
            return chain_id

    @property
    def genesis_hash(self) -> bytes:
        with self._locked() as node:
            return bytes(node.chain.get_canonical_block_header_by_number(BlockNumber(0)).hash)

    @property
    def sender(self) -> str:
        return str(to_checksum_address(_address(self._key)))

    @property
    def block_number(self) -> int:
        with self._locked() as node:
            number: int = node.chain.get_canonical_head().block_number
            return number

    def deploy(self, artifact: Artifact, *args: Any) -> str:
        what = f"deploy {artifact.name}"
        data = artifact.bytecode + encode_constructor(artifact.abi, args)
        with self._locked() as node:
            tx = node.signed(self._key, Address(b""), data)
            node.simulate(tx, what)
            _receipt, computation = node.mine(tx, what)
            return str(to_checksum_address(computation.msg.storage_address))

    def transact(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> Receipt:
        data = encode_call(abi, fn, args)
        with self._locked() as node:
            tx = node.signed(self._key, to_canonical_address(address), data)
            node.simulate(tx, fn)
            receipt, _computation = node.mine(tx, fn)
            return receipt

    def call(self, address: str, abi: Abi, fn: str, args: Sequence[Any]) -> tuple[Any, ...]:
        return decode_result(abi, fn, self.call_raw(address, encode_call(abi, fn, args), fn))

    def call_raw(self, address: str, data: bytes, what: str = "eth_call") -> bytes:
        """Run a read-only call with raw calldata on the head (what `eth_call` does)."""
        with self._locked() as node:
            tx = node.signed(self._key, to_canonical_address(address), data)
            return bytes(node.simulate(tx, what).output)

    def code_at(self, address: str) -> bytes:
        with self._locked() as node:
            vm = node.chain.get_vm(node.chain.get_canonical_head())
            return bytes(vm.state.get_code(to_canonical_address(address)))

    def logs(
        self, address: str, topics: Sequence[bytes | None], from_block: int = 0
    ) -> list[LogEntry]:
        with self._locked() as node:
            return node.logs(address, topics, from_block)

    def close(self) -> None:
        """Release the database and the folder; other `with_key` views of it close too."""
        with self._node.lock:
            if not self._node.db.closed:
                self._node.close()

    def __enter__(self) -> EmbeddedChain:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
