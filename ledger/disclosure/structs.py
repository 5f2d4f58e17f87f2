"""The commonest disclosures' schemas as msgspec Structs: read in one pass in C.

A verifier reads every entry of a log, nearly all of them monthly statements and new accounts.
`read_body` checks such an entry's types, sizes and patterns with `msgspec.convert`
instead of a Python call per field (`ledger.disclosure.kinds`), then builds the very same
typed body. It is a shortcut, never a second schema: it accepts only what
`ledger.disclosure.entries.parse_entry` accepts and gives what that gives, and for anything
else — another kind or entry type, or any fault — it says None, and `parse_entry` decides
and words the refusal (a property test pins both). So each constraint below is the one the
field's reader in `ledger.disclosure.fields` applies, written as msgspec's: a bound, a
length in characters, or a regex anchored at both ends (msgspec searches with Python's `re`,
so `\\s` and `\\d` mean there what they mean in `fields`).

Only for documents a JSON reader made (dicts, lists, exact str and int): msgspec would also
take a tuple for an array, which `fields.items` refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from ledger.disclosure import fields as f
from ledger.disclosure.approval import BallotRef
from ledger.disclosure.kinds import (
    AccountOpened,
    Body,
    CommonAreaIncome,
    IncomeExpense,
    Kind,
    Line,
    MaintenanceFund,
    Spending,
)

# `fields.text`: no control code but the newline, and something besides whitespace.
_NOT_CONTROL = f"[^{f.CONTROL_CODES}]"
_SOME_TEXT = f"\\A{_NOT_CONTROL}*[^\\s{f.CONTROL_CODES}]{_NOT_CONTROL}*\\Z"


def _anchored(pattern: str) -> str:
    return f"\\A(?:{pattern})\\Z"


Name = Annotated[str, Meta(max_length=f.MAX_NAME, pattern=_SOME_TEXT)]
Note = Annotated[str, Meta(max_length=f.MAX_TEXT, pattern=_SOME_TEXT)]
BallotName = Annotated[str, Meta(max_length=255, pattern=_SOME_TEXT)]
Fen = Annotated[int, Meta(ge=0, le=f.MAX_FEN)]
SignedFen = Annotated[int, Meta(ge=-f.MAX_FEN, le=f.MAX_FEN)]
Count = Annotated[int, Meta(ge=0, lt=2**53)]
Period = Annotated[str, Meta(pattern=_anchored(f.PERIOD_PATTERN))]
AccountId = Annotated[str, Meta(pattern=_anchored(f.ACCOUNT_ID_PATTERN))]
Hex32 = Annotated[str, Meta(pattern=_anchored(f.HEX32_PATTERN))]


class _Schema(Struct, forbid_unknown_fields=True, rename="camel"):
    """Exactly the named members (`fields.obj`): an unknown one is refused, a missing one
    too unless it has a default (UNSET: absent, which a JSON null is not)."""


class _Line(_Schema):
    category: Name
    amount_fen: Fen
    note: Note | UnsetType = UNSET


Lines = Annotated[list[_Line], Meta(max_length=f.MAX_LINES)]


class _IncomeExpense(_Schema):
    account_id: AccountId
    account: Name
    period: Period
    opening_fen: SignedFen
    income: Lines
    expense: Lines
    total_income_fen: Fen
    total_expense_fen: Fen
    closing_fen: SignedFen


class _BallotRef(_Schema):
    ballot: BallotName
    index: Count
    leaf_hash: Hex32


class _Spending(_Schema):
    item: Name
    amount_fen: Fen
    approval: _BallotRef
    note: Note | UnsetType = UNSET


class _MaintenanceFund(_Schema):
    account_id: AccountId
    account: Name
    period: Period
    opening_fen: Fen  # a maintenance fund is never overdrawn
    deposits_fen: Fen
    interest_fen: Fen
    spending: Annotated[list[_Spending], Meta(max_length=f.MAX_LINES)]
    total_spending_fen: Fen
    closing_fen: Fen


class _CommonAreaIncome(_Schema):
    account_id: AccountId
    account: Name
    period: Period
    opening_fen: SignedFen
    income: Lines
    costs: Lines
    total_income_fen: Fen
    total_cost_fen: Fen
    net_fen: SignedFen
    owners_share_fen: SignedFen
    disbursements: Lines
    total_disbursed_fen: Fen
    closing_fen: SignedFen


class _AccountOpened(_Schema):
    account_id: AccountId
    name: Name
    statement_kind: Literal["IncomeExpense", "MaintenanceFund", "CommonAreaIncome"]
    first_period: Period
    opening_fen: SignedFen  # unsigned for a maintenance fund: checked in `_account_opened`


def _lines(lines: list[_Line]) -> tuple[Line, ...]:
    return tuple(Line(x.category, x.amount_fen, None if x.note is UNSET else x.note) for x in lines)


def _income_expense(body: object) -> IncomeExpense:
    b = msgspec.convert(body, _IncomeExpense)
    return IncomeExpense(
        account_id=b.account_id,
        account=b.account,
        period=b.period,
        opening=b.opening_fen,
        income=_lines(b.income),
        expense=_lines(b.expense),
        total_income=b.total_income_fen,
        total_expense=b.total_expense_fen,
        closing=b.closing_fen,
    )


def _maintenance_fund(body: object) -> MaintenanceFund:
    b = msgspec.convert(body, _MaintenanceFund)
    return MaintenanceFund(
        account_id=b.account_id,
        account=b.account,
        period=b.period,
        opening=b.opening_fen,
        deposits=b.deposits_fen,
        interest=b.interest_fen,
        spending=tuple(
            Spending(
                item=s.item,
                amount=s.amount_fen,
                approval=BallotRef(
                    s.approval.ballot, s.approval.index, bytes.fromhex(s.approval.leaf_hash)
                ),
                note=None if s.note is UNSET else s.note,
            )
            for s in b.spending
        ),
        total_spending=b.total_spending_fen,
        closing=b.closing_fen,
    )


def _common_area_income(body: object) -> CommonAreaIncome:
    b = msgspec.convert(body, _CommonAreaIncome)
    return CommonAreaIncome(
        account_id=b.account_id,
        account=b.account,
        period=b.period,
        opening=b.opening_fen,
        income=_lines(b.income),
        costs=_lines(b.costs),
        total_income=b.total_income_fen,
        total_cost=b.total_cost_fen,
        net=b.net_fen,
        owners_share=b.owners_share_fen,
        disbursements=_lines(b.disbursements),
        total_disbursed=b.total_disbursed_fen,
        closing=b.closing_fen,
    )


def _account_opened(body: object) -> AccountOpened | None:
    b = msgspec.convert(body, _AccountOpened)
    kind = Kind(b.statement_kind)
    if kind is Kind.MAINTENANCE_FUND and b.opening_fen < 0:
        return None  # `parse_entry` words the refusal
    return AccountOpened(
        account_id=b.account_id,
        name=b.name,
        statement_kind=kind,
        first_period=b.first_period,
        opening=b.opening_fen,
    )


_READERS: dict[str, tuple[Kind, Callable[[object], Body | None]]] = {
    Kind.INCOME_EXPENSE.value: (Kind.INCOME_EXPENSE, _income_expense),
    Kind.MAINTENANCE_FUND.value: (Kind.MAINTENANCE_FUND, _maintenance_fund),
    Kind.COMMON_AREA_INCOME.value: (Kind.COMMON_AREA_INCOME, _common_area_income),
    Kind.ACCOUNT_OPENED.value: (Kind.ACCOUNT_OPENED, _account_opened),
}


def read_body(kind: object, body: object) -> tuple[Kind, Body] | None:
    """The kind and typed body `parse_kind` and `parse_body` make of a disclosure's
    ``kind`` and ``body`` (parsed from JSON) when it is a statement or a new account that
    passes the schema; None for anything else."""
    reader = _READERS.get(kind) if type(kind) is str else None
    if reader is None or type(body) is not dict:
        return None
    try:
        parsed = reader[1](body)
    except msgspec.ValidationError:
        return None
    return None if parsed is None else (reader[0], parsed)
