"""Accounting checks: totals, balances, continuity, approved spending, and the 质疑 links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from identity.community.origins import prefix_of_disclosures
from identity.w3c.dataintegrity import verify_signed_json
from ledger.disclosure.accounting import check_entry
from ledger.disclosure.approval import (
    ApprovedSpending,
    BallotRef,
    approved_spending,
)
from ledger.disclosure.entries import read_entry
from ledger.disclosure.errors import (
    AccountingError,
    ApprovalError,
    ObjectionError,
    SchemaError,
)
from ledger.disclosure.kinds import Kind
from ledger.disclosure.state import MemoryState
from tests import ledger_disclosure_support as s
from voting.spending import ballot_decision

RESULT_LEAF = b"\x42" * 32
REF = {"ballot": s.BALLOT, "index": 12, "leafHash": RESULT_LEAF.hex()}


def _approved(amount: int = 5_000_000) -> Any:
    def lookup(ref: BallotRef) -> ApprovedSpending | None:
        if ref.ballot == s.BALLOT and ref.index == 12 and ref.leaf_hash == RESULT_LEAF:
            return ApprovedSpending(ref, amount, "更换3号楼电梯")
        return None

    return lookup


# The accounts the builders report on, opened before any statement of theirs.
OPENINGS = (
    s.account_opened("IncomeExpense", "物业服务费"),
    s.account_opened("MaintenanceFund", "全体业主维修资金", opening=10_000_000),
    s.account_opened("CommonAreaIncome", "共有部分经营收益"),
    s.account_opened("IncomeExpense", "停车场", period="2025-12"),
)
OPENED = len(OPENINGS)


def _opened() -> MemoryState:
    return _append([s.disclosure("AccountOpened", b) for b in OPENINGS], MemoryState())


def _append(
    docs: Sequence[dict[str, Any]], state: MemoryState | None = None, approved: Any = None
) -> MemoryState:
    state = state or _opened()
    for doc in docs:
        read = read_entry(
            s.raw(doc), origin=s.ORIGIN, verify=lambda d: verify_signed_json(d).controller
        )
        effects = check_entry(
            read.entry,
            origin=s.ORIGIN,
            index=state.size,
            leaf_hash=s.leaf(doc),
            signer=read.signer,
            state=state,
            approved=approved or _approved(),
        )
        state.apply(effects)
    return state


def _ie(**kw: Any) -> dict[str, Any]:
    return s.disclosure("IncomeExpense", s.income_expense(**kw))


def test_consecutive_months_chain_their_balances() -> None:
    jan = s.income_expense()
    feb = s.income_expense(period="2026-02", opening=jan["closingFen"])
    dec = s.income_expense(period="2026-03", opening=feb["closingFen"])
    state = _append([s.disclosure("IncomeExpense", b) for b in (jan, feb, dec)])
    last = state.last_balance(Kind.INCOME_EXPENSE, "service-fee")
    assert last is not None and last.period == "2026-03" and last.index == OPENED + 2
    assert last.closing == dec["closingFen"]


def test_lines_must_add_up_to_totals() -> None:
    body = s.income_expense()
    body["totalExpenseFen"] += 1
    body["closingFen"] -= 1  # still balances, but the lines do not make the total
    with pytest.raises(AccountingError, match="expense lines add up"):
        _append([s.disclosure("IncomeExpense", body)])


def test_closing_must_be_opening_plus_income_minus_expense() -> None:
    body = s.income_expense()
    body["closingFen"] += 1
    with pytest.raises(AccountingError, match="closing balance") as caught:
        _append([s.disclosure("IncomeExpense", body)])
    assert "期末余额" in str(caught.value)


def test_period_must_open_where_the_last_closed() -> None:
    state = _append([_ie()])
    closing = s.income_expense()["closingFen"]
    with pytest.raises(AccountingError, match="opens at"):
        _append([_ie(period="2026-02", opening=closing + 100)], state)
    with pytest.raises(AccountingError, match="must be 2026-02"):
        _append([_ie(period="2026-03", opening=closing)], state)  # a month skipped
    with pytest.raises(AccountingError, match="must be 2026-02"):
        _append([_ie(period="2026-01", opening=closing)], state)  # a month again
    # another account has its own chain; the year turns over
    _append(
        [
            _ie(account="停车场", period="2025-12"),
            _ie(account="停车场", period="2026-01", opening=closing),
        ],
        state,
    )
    assert state.size == OPENED + 3


def test_common_area_income_belongs_to_the_owners() -> None:
    body = s.common_area()
    body["ownersShareFen"] = body["netFen"] // 2
    body["closingFen"] = body["openingFen"] + body["ownersShareFen"]
    with pytest.raises(AccountingError, match=r"Art\. 282"):
        _append([s.disclosure("CommonAreaIncome", body)])
    body = s.common_area()
    body["netFen"] += 1
    with pytest.raises(AccountingError, match="income − costs"):
        _append([s.disclosure("CommonAreaIncome", body)])
    ok = s.common_area(disbursements=(("补充维修资金", 100_000),))
    feb = s.common_area(period="2026-02", opening=ok["closingFen"])
    _append([s.disclosure("CommonAreaIncome", ok), s.disclosure("CommonAreaIncome", feb)])


def test_maintenance_fund_spending_needs_an_approving_ballot() -> None:
    jan = s.maintenance_fund(spending=[("更换电梯（首付）", 3_000_000, REF)])
    state = _append([s.disclosure("MaintenanceFund", jan, key=s.COMMITTEE)])
    assert state.spent(BallotRef(s.BALLOT, 12, RESULT_LEAF)) == 3_000_000

    # February: within what remains (2,000,000)
    feb = s.maintenance_fund(
        period="2026-02", opening=jan["closingFen"], spending=[("尾款", 2_000_000, REF)]
    )
    _append([s.disclosure("MaintenanceFund", feb, key=s.COMMITTEE)], state)
    # March: one more fen is beyond the approved amount
    mar = s.maintenance_fund(
        period="2026-03", opening=feb["closingFen"], spending=[("追加", 1, REF)]
    )
    with pytest.raises(ApprovalError, match="exceed the approved amount") as refused:
        _append([s.disclosure("MaintenanceFund", mar, key=s.COMMITTEE)], state)
    assert refused.value.where == "body.spending"  # a publisher's form shows it there


def test_split_lines_on_one_ballot_count_together() -> None:
    body = s.maintenance_fund(spending=[("a", 3_000_000, REF), ("b", 2_000_001, REF)])
    with pytest.raises(ApprovalError, match="exceed"):
        _append([s.disclosure("MaintenanceFund", body)])


def test_unknown_or_foreign_ballot_is_refused() -> None:
    wrong_leaf = dict(REF, leafHash="00" * 32)
    body = s.maintenance_fund(spending=[("电梯", 100, wrong_leaf)])
    with pytest.raises(ApprovalError, match="no ballot result") as refused:
        _append([s.disclosure("MaintenanceFund", body)])
    assert refused.value.where == "body.spending"
    foreign = dict(REF, ballot=f"{s.HOST}/c/elsewhere/ballots/7")
    body = s.maintenance_fund(spending=[("电梯", 100, foreign)])
    with pytest.raises(ApprovalError, match="not one of this community"):
        _append([s.disclosure("MaintenanceFund", body)])


def test_spending_beyond_the_balance_is_refused() -> None:
    body = s.maintenance_fund(opening=0, deposits=0, interest=0, spending=[("电梯", 1, REF)])
    with pytest.raises(SchemaError) as caught:
        _append([s.disclosure("MaintenanceFund", body)])
    assert "closingFen" in str(caught.value)  # the closing balance would be negative


def _amount(announced: dict[str, Any], amount: object) -> dict[str, Any]:
    """The announcement with its (only) item stating `amount` as its amount."""
    return announced | {"items": [announced["items"][0] | {"amountFen": amount}]}


def test_approval_from_ballot_entries() -> None:
    ref = BallotRef(s.BALLOT, 12, RESULT_LEAF)
    opened, result = s.ballot_entries()
    approved = approved_spending(ref, ballot_decision(opened, result))
    assert approved.amount == 5_000_000 and approved.title == "更换3号楼电梯"
    cases = [
        (s.ballot_entries(passed=False), "did not pass"),
        (s.ballot_entries(matter=4), "Art. 278 item 5"),
        (s.ballot_entries(amount=None), "no approved amount"),
        (s.ballot_entries(ballot=s.BALLOT + "0"), "not a well-formed result of that ballot"),
        ((opened, opened), "not a well-formed result of that ballot"),
        ((_amount(opened, 12.5), result), "not a well-formed result of that ballot"),
        ((_amount(opened, True), result), "not a well-formed result of that ballot"),
    ]
    for (o, r), needle in cases:
        with pytest.raises(ApprovalError, match=needle):
            approved_spending(ref, ballot_decision(o, r))
    beyond = _amount(opened, 10**15 + 1)
    with pytest.raises(SchemaError, match="fen"):
        approved_spending(ref, ballot_decision(beyond, result))
    assert prefix_of_disclosures(s.ORIGIN) == f"{s.HOST}/c/{s.SLUG}/"


def test_objection_reply_review_loop() -> None:
    statement = s.disclosure("FeeStandard", s.fee_standard())
    state = _append([statement], MemoryState())
    obj = s.objection(0, s.leaf(statement))
    _append([obj], state)
    rep = s.reply(1, s.leaf(obj))
    _append([rep], state)
    rev = s.review((1, s.leaf(obj)), (2, s.leaf(rep)), satisfied=False)
    _append([rev], state)
    info = state.entry_info(3)
    assert info is not None and info.type == "ObjectionReview" and info.target == 1

    # an objection must point at an earlier disclosure with the right leaf hash
    with pytest.raises(ObjectionError, match="no earlier entry"):
        _append([s.objection(0, b"\x00" * 32)], state)
    with pytest.raises(ObjectionError, match="no earlier entry"):
        _append([s.objection(99, s.leaf(statement))], state)
    with pytest.raises(ObjectionError, match="not a Disclosure"):
        _append([s.objection(1, s.leaf(obj))], state)
    # only the questioned entry's publisher replies; only the objector reviews
    with pytest.raises(ObjectionError, match="only the publisher"):
        _append([s.reply(1, s.leaf(obj), key=s.COMMITTEE)], state)
    with pytest.raises(ObjectionError, match="only the owner who raised"):
        _append([s.review((1, s.leaf(obj)), (2, s.leaf(rep)), key=s.OTHER_OWNER)], state)
    with pytest.raises(ObjectionError, match="not a ObjectionReply"):
        _append([s.review((1, s.leaf(obj)), (0, s.leaf(statement)))], state)


REAL = "物业服务费收支（演示）"
LOOK_ALIKE = "物业服务费收支(演示)"  # half-width brackets: NFKC makes it the same name


def _closed_real_account() -> tuple[MemoryState, int]:
    """An account opened at 2026-11 and its November statement; returns its closing."""
    state = _append(
        [s.disclosure("AccountOpened", s.account_opened(account=REAL, period="2026-11"))]
    )
    nov = s.income_expense(account=REAL, period="2026-11")
    _append([s.disclosure("IncomeExpense", nov)], state)
    return state, nov["closingFen"]


def test_a_look_alike_name_cannot_restart_an_account_at_zero() -> None:
    """Finding 14: 物业服务费收支(演示) was accepted for 2026-12 opening at 0.00."""
    state, closing = _closed_real_account()
    assert closing != 0
    # under the real account's id: the name must be the one it was opened with…
    with pytest.raises(AccountingError, match="was opened as"):
        _append(
            [_ie(account=LOOK_ALIKE, account_id=s.account_id_of(REAL), period="2026-12")], state
        )
    # …under a new id: no statement without an opening…
    with pytest.raises(AccountingError, match="needs an AccountOpened entry first"):
        _append([_ie(account=LOOK_ALIKE, period="2026-12")], state)
    # …and no opening under a name that looks like an existing account's
    alike = s.account_opened(account=LOOK_ALIKE, period="2026-12")
    with pytest.raises(AccountingError, match="looks like") as caught:
        _append([s.disclosure("AccountOpened", alike)], state)
    assert "形似" in caught.value.zh
    for spaced in (
        " 物业服务费收支（演示）",
        "物业服务费收支\u200b（演示）",
        "物业服务费收支 (演示)",
    ):
        with pytest.raises(AccountingError, match="looks like"):
            _append([s.disclosure("AccountOpened", s.account_opened(account=spaced))], state)
    # the real account goes on where it closed
    dec = _ie(account=REAL, period="2026-12", opening=closing)
    _append([dec], state)
    assert state.size == OPENED + 3


def test_an_account_is_opened_once_and_reported_as_its_kind() -> None:
    state = _opened()
    again = s.account_opened("IncomeExpense", "别的名字", account_id="service-fee")
    with pytest.raises(AccountingError, match="already opened by entry 0"):
        _append([s.disclosure("AccountOpened", again)], state)
    fund_as_ie = _ie(account="全体业主维修资金", opening=10_000_000)
    with pytest.raises(AccountingError, match="opened for MaintenanceFund"):
        _append([fund_as_ie], state)


def test_the_first_statement_starts_where_the_opening_said() -> None:
    state = _opened()  # 物业服务费 opens 2026-01 at 0.00
    with pytest.raises(AccountingError, match="must be 2026-01"):
        _append([_ie(period="2026-02")], state)
    with pytest.raises(AccountingError, match="opens at 100 fen"):
        _append([_ie(opening=100)], state)
    fund = s.maintenance_fund(opening=9_999_999)
    with pytest.raises(AccountingError, match="closed at 10000000 fen"):
        _append([s.disclosure("MaintenanceFund", fund)], state)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("accountId", "物业服务费", "account id"),
        ("accountId", "Service-Fee", "account id"),
        ("accountId", "-x", "account id"),
        ("statementKind", "FeeStandard", "must be one of"),
        ("firstPeriod", "2026-13", "period"),
    ],
)
def test_an_opening_is_checked_field_by_field(field: str, value: str, words: str) -> None:
    body = s.account_opened() | {field: value}
    with pytest.raises(SchemaError, match=words):
        _append([s.disclosure("AccountOpened", body)], MemoryState())
    statement = s.income_expense() | {"accountId": value} if field == "accountId" else None
    if statement is not None:
        with pytest.raises(SchemaError, match=words):
            _append([s.disclosure("IncomeExpense", statement)])
