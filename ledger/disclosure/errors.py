"""Errors of the disclosure checks: every one a `LedgerError`, every message in 中文 / English."""

from __future__ import annotations

from ledger.tlog.errors import LedgerError


class DisclosureError(LedgerError):
    """An entry of a disclosure log is refused; ``where`` names the field, when there is one."""

    def __init__(self, zh: str, en: str, *, where: str | None = None) -> None:
        super().__init__(zh, en)
        self.where = where

    def bilingual(self) -> tuple[str, str]:
        """Both halves, each led by the field it is about."""
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh}", f"{prefix}{self.en}"


class SchemaError(DisclosureError):
    """A field is missing, unknown, of the wrong type or out of bounds."""


class AccountingError(DisclosureError):
    """The figures do not add up, or a period does not open where the last one closed."""


class ApprovalError(DisclosureError):
    """Maintenance-fund spending that no passed ballot approved, or beyond what it approved."""


class AuthorityError(DisclosureError):
    """The signer may not publish, object or reply here, or the signature is not theirs."""


class ObjectionError(DisclosureError):
    """An objection, reply or review that points at the wrong entry."""


class DuplicateEntryError(DisclosureError):
    """The very same signed entry is already in the log."""


class IntegrityError(LedgerError):
    """What the database holds of an entry disagrees with the signed log (its bytes, their
    leaf hash, the tree, the signed checkpoint, or the index derived from them): the row was
    edited behind the log's back. Served as an error, never as a different answer."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"数据完整性错误：{zh}", f"integrity error: {en}")
