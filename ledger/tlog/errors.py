"""The one error base of the ledger package; every check in ledger/ raises a subclass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.tlog.checkpoint import Checkpoint


class LedgerError(Exception):
    """Base of every error the ledger raises.

    The message comes in two halves kept apart, `zh` (中文) and `en` (English), so no one
    ever has to recover them by splitting text; ``str()`` joins them as ``中文 / English``.
    `bilingual()` gives the halves as shown to a reader (a subclass may add where it is).
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.zh = zh
        self.en = en

    def bilingual(self) -> tuple[str, str]:
        """The two halves as shown to a reader."""
        return self.zh, self.en

    def __str__(self) -> str:
        zh, en = self.bilingual()
        return f"{zh} / {en}"


class ProofError(LedgerError):
    """A Merkle inclusion or consistency proof does not verify, or is malformed."""


class NoteError(LedgerError):
    """A signed note, key string or checkpoint body is malformed (C2SP signed-note)."""


class UnknownKeyError(LedgerError):
    """No signature in a note comes from a trusted key, or a key is not the expected one."""


class SignatureError(LedgerError):
    """A signature by a known key does not verify: the note must be rejected whole."""


class LogNotFoundError(LedgerError):
    """No log has the given origin."""


class LogExistsError(LedgerError):
    """A log with the given origin already exists."""


class EntryError(LedgerError):
    """An entry handed to a log is not bytes."""


class RangeError(LedgerError):
    """An entry index or tree size lies beyond the end of the log."""


class ConsistencyError(LedgerError):
    """A checkpoint does not extend an earlier one: the log forked or its history was rewritten.

    Like transparency-dev's ``ErrInconsistency{Smaller, Larger, Proof}`` the error keeps its
    evidence, so whoever catches it can publish both signed heads and the proof that failed.
    """

    def __init__(
        self,
        zh: str,
        en: str,
        *,
        older: Checkpoint,
        newer: Checkpoint,
        proof: Sequence[bytes],
    ) -> None:
        super().__init__(zh, en)
        self.older = older
        self.newer = newer
        self.proof: tuple[bytes, ...] = tuple(proof)
