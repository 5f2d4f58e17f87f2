"""The one error base of the ledger package; every check in ledger/ raises a subclass."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error the ledger raises; the message is bilingual (中文 / English)."""


class ProofError(LedgerError):
    """A Merkle inclusion or consistency proof does not verify, or is malformed."""
