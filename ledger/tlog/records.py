"""What the log store hands out: plain frozen values, detached from the database session."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ledger.tlog.checkpoint import Checkpoint


def log_id_of(origin: str) -> bytes:
    """The 32-byte log ID: SHA-256 of the origin string."""
    return hashlib.sha256(origin.encode()).digest()


@dataclass(frozen=True)
class LogRef:
    """A log as the store hands it out; its size is always read afresh (`LogStore.size`)."""

    pk: int
    origin: str
    log_id: bytes
    purpose: str


@dataclass(frozen=True)
class StoredEntry:
    index: int
    data: bytes
    leaf_hash: bytes


@dataclass(frozen=True)
class StoredCosignature:
    witness: str
    vkey: str
    timestamp: int


@dataclass(frozen=True)
class StoredCheckpoint:
    """A signed checkpoint; ``note`` carries the log's signature and every cosignature line."""

    checkpoint: Checkpoint
    note: str
    cosignatures: tuple[StoredCosignature, ...]
