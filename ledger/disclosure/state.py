"""`LedgerState` kept in memory while a log is read from its first entry on (the verifier).

Memory stays small whatever the log's length: per entry one byte of type and four bytes of
signer number (DIDs are interned: a community has few publishers), plus the leaf hash unless
the caller can read leaf hashes back itself (``leaf_at``, e.g. from the verifier's node file).
Balances and openings are kept per account and spending per cited ballot, links only for the
质疑 entries.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

from ledger.disclosure.accounting import Account, Balance, Effects, EntryInfo, name_key
from ledger.disclosure.approval import BallotRef
from ledger.disclosure.entries import DISCLOSURE, ENTRY_TYPES
from ledger.disclosure.errors import DisclosureError
from ledger.disclosure.kinds import Kind

_TYPES = list(ENTRY_TYPES)
_KINDS = list(Kind)


class MemoryState:
    """Implements `LedgerState`; `apply` each entry's `Effects` in log order."""

    def __init__(self, leaf_at: Callable[[int], bytes] | None = None) -> None:
        self._leaf_at = leaf_at
        self._leaves = bytearray()
        self._types = bytearray()  # index into _TYPES, and for disclosures 16 + kind
        self._signers = array("I")
        self._dids: list[str] = []
        self._did_ids: dict[str, int] = {}
        self._links: dict[int, tuple[int | None, int | None]] = {}
        self.balances: dict[tuple[Kind, str], Balance] = {}
        self.accounts: dict[str, Account] = {}
        self._named: dict[str, Account] = {}
        self.spending: dict[BallotRef, int] = {}

    @property
    def size(self) -> int:
        return len(self._types)

    def last_balance(self, kind: Kind, account: str) -> Balance | None:
        return self.balances.get((kind, account))

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def account_named(self, key: str) -> Account | None:
        return self._named.get(key)

    def spent(self, ref: BallotRef) -> int:
        return self.spending.get(ref, 0)

    def entry_info(self, index: int) -> EntryInfo | None:
        if not 0 <= index < self.size:
            return None
        code = self._types[index]
        kind = _KINDS[code - 16] if code >= 16 else None
        entry_type = DISCLOSURE if kind is not None else _TYPES[code]
        target, reply = self._links.get(index, (None, None))
        leaf = (
            self._leaf_at(index)
            if self._leaf_at is not None
            else bytes(self._leaves[32 * index : 32 * index + 32])
        )
        return EntryInfo(
            index,
            leaf,
            entry_type,
            self._dids[self._signers[index]],
            kind=kind,
            target=target,
            reply=reply,
        )

    def apply(self, effects: Effects) -> None:
        info = effects.info
        if info.index != self.size:
            raise DisclosureError(
                f"条目应按顺序处理：期待第 {self.size} 条，收到第 {info.index} 条",
                f"entries must be applied in order: expected {self.size}, got {info.index}",
            )
        signer = self._did_ids.setdefault(info.signer, len(self._dids))
        if signer == len(self._dids):
            self._dids.append(info.signer)
        self._signers.append(signer)
        self._types.append(16 + _KINDS.index(info.kind) if info.kind else _TYPES.index(info.type))
        if self._leaf_at is None:
            self._leaves += info.leaf_hash
        if info.target is not None or info.reply is not None:
            self._links[info.index] = (info.target, info.reply)
        if effects.balance is not None:
            b = effects.balance
            self.balances[(b.kind, b.account)] = b
        for ref, amount in effects.spending:
            self.spending[ref] = self.spending.get(ref, 0) + amount
        if effects.opened is not None:
            self.accounts[effects.opened.account_id] = effects.opened
            self._named[name_key(effects.opened.name)] = effects.opened
