"""Anchor log heads on the chain, in batches, with the consistency proof the contract checks.

Stateless on purpose: the chain itself says what was anchored last (`head`), so after a crash
or a chain outage the next call simply proves the way from there to the current head and
nothing is lost or anchored twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from contracts.anchor import AnchorContract
from contracts.errors import ChainError
from ledger.tlog.store import LogRef, LogStore

logger = logging.getLogger("gongzhi.anchoring")


@dataclass(frozen=True)
class Anchored:
    origin: str
    tree_size: int
    root: bytes
    tx_hash: bytes
    block_number: int
    gas_used: int


class Anchorer:
    """Anchors logs; `pending` remembers what the chain last had, to batch cheaply."""

    def __init__(self, contract: AnchorContract | Callable[[], AnchorContract]) -> None:
        # A callable lets a server start while its chain is down and find the contract later.
        self._contract = contract
        self._lock = threading.Lock()  # one anchor transaction at a time per process
        self._anchored_size: dict[bytes, int] = {}

    @property
    def contract(self) -> AnchorContract:
        """The contract (raises `ChainError` while the chain cannot be reached)."""
        if isinstance(self._contract, AnchorContract):
            return self._contract
        return self._contract()

    def anchored_size(self, log: LogRef) -> int:
        if log.log_id not in self._anchored_size:
            head = self.contract.head(log.log_id)
            self._anchored_size[log.log_id] = head.tree_size if head else 0
        return self._anchored_size[log.log_id]

    def anchor(self, store: LogStore, log: LogRef) -> Anchored | None:
        """Anchor the current head of `log` if it grew; raises `ChainError` if the chain fails."""
        with self._lock:
            size = store.size(log)
            head = self.contract.head(log.log_id)
            old = head.tree_size if head else 0
            self._anchored_size[log.log_id] = old
            if size == 0 or size == old:
                return None
            proof = store.consistency_proof(log, old, size) if old else []
            root = store.root(log, size)
            receipt = self.contract.anchor(log.log_id, size, root, proof)
            self._anchored_size[log.log_id] = size
            return Anchored(
                log.origin, size, root, receipt.tx_hash, receipt.block_number, receipt.gas_used
            )

    def anchor_quietly(self, store: LogStore, log: LogRef) -> Anchored | None:
        """`anchor`, but a chain outage only delays anchoring: log it and carry on."""
        try:
            return self.anchor(store, log)
        except ChainError as exc:
            logger.warning("anchoring %s postponed: %s", log.origin, exc)
            return None
