"""The accounting checks an entry must pass before it joins a disclosure log.

* Lines add up to the stated totals, and every statement balances: opening + inflow −
  outflow = closing (for a common-area account the inflow is the owners' share, which is all
  of income − costs, 民法典 第282条).
* A statement names an account opened earlier in the same log (``AccountOpened``) by its id,
  under the name and of the kind it was opened with. Each period opens where the last period
  of the same account closed — the first where the opening said — and follows it by one
  month: no gap in which money could go missing, no second version of a month. An account
  is opened once, and not under a name that looks like another account's (全角/半角, spaces).
* Maintenance-fund spending cites a passed ballot of the same community on 使用维修资金, and all
  spending that cites it, over all periods, stays within the amount it approved.
* An objection points at a disclosure, a reply at an objection (by the questioned entry's
  publisher), a review at a reply to the reviewer's own objection.

Pure: what the checks must know of earlier entries comes through `LedgerState`, which the
server answers from its index tables and the offline verifier from what it has read so far.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ledger.disclosure.approval import (
    ApprovedSpendingLookup,
    BallotRef,
    check_same_community,
)
from ledger.disclosure.entries import (
    DISCLOSURE,
    ENTRY_TYPES,
    OBJECTION,
    REPLY,
    REVIEW,
    Disclosure,
    Entry,
    EntryRef,
    Objection,
    ObjectionReply,
    ObjectionReview,
)
from ledger.disclosure.errors import AccountingError, ApprovalError, ObjectionError
from ledger.disclosure.fields import next_period, previous_period, yuan
from ledger.disclosure.kinds import (
    STATEMENTS,
    AccountOpened,
    IncomeExpense,
    Kind,
    Line,
    MaintenanceFund,
    Statement,
)


@dataclass(frozen=True)
class Balance:
    """Where an account stood after a statement: its period and closing balance.

    ``account`` is the account's id. Before its first statement an account stands where its
    opening put it: at the period before its first one, at its opening balance.
    """

    kind: Kind
    account: str
    period: str
    closing: int
    index: int


@dataclass(frozen=True)
class Account:
    """An account as an ``AccountOpened`` entry (entry ``index``) opened it."""

    account_id: str
    name: str
    kind: Kind
    first_period: str
    opening: int
    index: int

    @property
    def start(self) -> Balance:
        return Balance(
            self.kind, self.account_id, previous_period(self.first_period), self.opening, self.index
        )


def name_key(name: str) -> str:
    """What two account names that look alike share: NFKC (全角 → 半角), case and every
    space or invisible character folded away."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] not in "CZ")


@dataclass(frozen=True)
class EntryInfo:
    """What later entries need to know of an entry.

    ``target`` is the disclosure an objection questions, or the objection a reply or review
    answers; ``reply`` is the reply a review judges.
    """

    index: int
    leaf_hash: bytes
    type: str
    signer: str
    kind: Kind | None = None
    target: int | None = None
    reply: int | None = None


class LedgerState(Protocol):
    """Read access to what earlier entries of the same log established."""

    def last_balance(self, kind: Kind, account: str) -> Balance | None: ...
    def account(self, account_id: str) -> Account | None: ...
    def account_named(self, key: str) -> Account | None:
        """The account whose `name_key` is ``key``, if one was opened."""
        ...

    def spent(self, ref: BallotRef) -> int: ...
    def entry_info(self, index: int) -> EntryInfo | None: ...


@dataclass(frozen=True)
class Effects:
    """What appending an entry changes in the state the next entry is checked against."""

    info: EntryInfo
    balance: Balance | None = None
    spending: tuple[tuple[BallotRef, int], ...] = ()
    opened: Account | None = None


def _sum_lines(lines: Iterable[Line], total: int, zh: str, en: str, where: str) -> None:
    found = sum(line.amount for line in lines)
    if found != total:
        raise AccountingError(
            f"{zh}明细合计 {yuan(found)}，与所填合计 {yuan(total)} 不符",
            f"{en} lines add up to {found} fen, not the stated total of {total} fen",
            where=where,
        )


def _balances(opening: int, inflow: int, outflow: int, closing: int, zh: str, en: str) -> None:
    if opening + inflow - outflow != closing:
        raise AccountingError(
            f"期初 {yuan(opening)} + {zh} {yuan(inflow)} − 支出 {yuan(outflow)} = "
            f"{yuan(opening + inflow - outflow)}，与期末余额 {yuan(closing)} 不符",
            f"opening {opening} + {en} {inflow} − outflow {outflow} = "
            f"{opening + inflow - outflow} fen, but the closing balance is {closing} fen",
            where="body.closingFen",
        )


def check_arithmetic(body: Statement) -> None:
    """The statement's lines add up to its totals and its balances reconcile."""
    if isinstance(body, IncomeExpense):
        _sum_lines(body.income, body.total_income, "收入", "income", "body.totalIncomeFen")
        _sum_lines(body.expense, body.total_expense, "支出", "expense", "body.totalExpenseFen")
        _balances(
            body.opening, body.total_income, body.total_expense, body.closing, "收入", "income"
        )
    elif isinstance(body, MaintenanceFund):
        _sum_lines(
            (Line(s.item, s.amount) for s in body.spending),
            body.total_spending,
            "使用",
            "spending",
            "body.totalSpendingFen",
        )
        _balances(
            body.opening,
            body.deposits + body.interest,
            body.total_spending,
            body.closing,
            "交存与增值收益",
            "deposits and interest",
        )
    else:
        _sum_lines(body.income, body.total_income, "收入", "income", "body.totalIncomeFen")
        _sum_lines(body.costs, body.total_cost, "成本", "cost", "body.totalCostFen")
        if body.net != body.total_income - body.total_cost:
            raise AccountingError(
                f"净收益应为收入 {yuan(body.total_income)} − 成本 {yuan(body.total_cost)} = "
                f"{yuan(body.total_income - body.total_cost)}，而不是 {yuan(body.net)}",
                f"net must be income − costs = {body.total_income - body.total_cost} fen, "
                f"not {body.net}",
                where="body.netFen",
            )
        if body.owners_share != body.net:
            raise AccountingError(
                "扣除合理成本后的收益全部属于业主共有（民法典第282条），业主分享应等于净收益",
                "after reasonable costs the income belongs to the owners in common (Civil Code "
                "Art. 282): the owners' share must equal the net",
                where="body.ownersShareFen",
            )
        _sum_lines(
            body.disbursements,
            body.total_disbursed,
            "支用",
            "disbursement",
            "body.totalDisbursedFen",
        )
        _balances(
            body.opening,
            body.owners_share,
            body.total_disbursed,
            body.closing,
            "业主分享",
            "owners' share",
        )


def check_opening(body: AccountOpened, index: int, state: LedgerState) -> Account:
    """A new id, and a name unlike every other account's; returns the account opened."""
    before = state.account(body.account_id)
    if before is not None:
        raise AccountingError(
            f"账户编号 {body.account_id} 已由第 {before.index} 条开立（“{before.name}”）",
            f"account id {body.account_id!r} was already opened by entry {before.index} "
            f"({before.name!r})",
            where="body.accountId",
        )
    alike = state.account_named(name_key(body.name))
    if alike is not None:
        raise AccountingError(
            f"账户名称“{body.name}”与第 {alike.index} 条开立的账户“{alike.name}”"
            f"（编号 {alike.account_id}）相同或形似；续报该账户请用其编号",
            f"the account name {body.name!r} is the same as or looks like {alike.name!r} "
            f"(id {alike.account_id!r}, opened by entry {alike.index}); report that account "
            "under its id",
            where="body.name",
        )
    return Account(
        body.account_id, body.name, body.statement_kind, body.first_period, body.opening, index
    )


@dataclass(frozen=True, slots=True)
class Posting:
    """A statement reduced to what the checks in log order need (`posting_of`), once its own
    arithmetic and citations were checked: those need no earlier entry, so a verifier's
    worker processes run them, and only this small record crosses back to be checked in
    order. ``spending`` is the total cited per ballot result (a fund's; otherwise empty)."""

    kind: Kind
    account_id: str
    account: str
    period: str
    opening: int
    closing: int
    spending: tuple[tuple[BallotRef, int], ...] = ()


def posting_of(kind: Kind, body: Statement, origin: str) -> Posting:
    """Every check of a statement that needs no earlier entry (its arithmetic, and that each
    ballot it cites is of this community); returns its `Posting`."""
    check_arithmetic(body)
    spending: tuple[tuple[BallotRef, int], ...] = ()
    if isinstance(body, MaintenanceFund):
        totals: dict[BallotRef, int] = {}
        for i, line in enumerate(body.spending):
            check_same_community(origin, line.approval, f"body.spending[{i}].approval")
            totals[line.approval] = totals.get(line.approval, 0) + line.amount
        spending = tuple(totals.items())
    return Posting(
        kind, body.account_id, body.account, body.period, body.opening, body.closing, spending
    )


def check_account(posting: Posting, state: LedgerState) -> Balance:
    """The statement's account was opened, as this kind and under this name; returns where
    the account stands now (its last statement, or its opening)."""
    kind, account_id = posting.kind, posting.account_id
    account = state.account(account_id)
    if account is None:
        raise AccountingError(
            f"账户编号 {account_id} 未开立：新账户须先发布“新开账户”（AccountOpened）",
            f"no account {account_id!r} was opened in this log: a new account needs an "
            "AccountOpened entry first",
            where="body.accountId",
        )
    if account.kind != kind:
        raise AccountingError(
            f"账户 {account_id} 开立为{account.kind.zh}，不是{kind.zh}",
            f"account {account_id!r} was opened for {account.kind.value}, not {kind.value}",
            where="body.accountId",
        )
    if posting.account != account.name:
        raise AccountingError(
            f"账户 {account_id} 开立时名为“{account.name}”，而不是“{posting.account}”",
            f"account {account_id!r} was opened as {account.name!r}, not {posting.account!r}",
            where="body.account",
        )
    return state.last_balance(kind, account_id) or account.start


def _named(posting: Posting) -> str:
    return f"{posting.kind.zh}“{posting.account}”"


def check_continuity(posting: Posting, last: Balance) -> None:
    """This period follows the account's last one by a month and opens at its closing."""
    expected = next_period(last.period)
    if posting.period != expected:
        raise AccountingError(
            f"{_named(posting)}上一期为 {last.period}（第 {last.index} 条），本期应为 {expected}，"
            f"而不是 {posting.period}",
            f"account {posting.account!r} last reported {last.period} (entry {last.index}); "
            f"the next period must be {expected}, not {posting.period}",
            where="body.period",
        )
    if posting.opening != last.closing:
        raise AccountingError(
            f"{_named(posting)}期初余额 {yuan(posting.opening)} 与上期（{last.period}，"
            f"第 {last.index} 条）期末余额 {yuan(last.closing)} 不符",
            f"account {posting.account!r} opens at {posting.opening} fen but its last period "
            f"({last.period}, entry {last.index}) closed at {last.closing} fen",
            where="body.openingFen",
        )


SPENDING = "body.spending"


def check_spending(
    posting: Posting, *, approved: ApprovedSpendingLookup, state: LedgerState
) -> None:
    """The spending cited per ballot result stays, with all spent before, within what the
    result approved (matter 5, 使用维修资金). A refusal is about the spending lines
    (``body.spending``): the total per ballot is what is checked, not one line."""
    for ref, amount in posting.spending:
        try:
            approval = approved(ref)
        except ApprovalError as exc:
            if exc.where is not None:
                raise
            raise ApprovalError(exc.zh, exc.en, where=SPENDING) from exc
        if approval is None:
            raise ApprovalError(
                f"找不到所引的表决结果 {ref.ballot} 第 {ref.index} 条"
                f"（叶哈希 {ref.leaf_hash.hex()[:16]}…）：维修资金的使用须经业主共同决定",
                f"no ballot result {ref.ballot} entry {ref.index} with that leaf hash: spending "
                "from the maintenance fund needs the owners' decision (Civil Code Art. 278)",
                where=SPENDING,
            )
        before = state.spent(ref)
        if before + amount > approval.amount:
            raise ApprovalError(
                f"表决“{approval.title}”批准使用 {yuan(approval.amount)}，此前已用 "
                f"{yuan(before)}，本期再用 {yuan(amount)} 超出批准金额",
                f"the ballot {ref.ballot} approved {approval.amount} fen; {before} fen were "
                f"spent before and {amount} fen now exceed the approved amount",
                where=SPENDING,
            )


def prepared(entry: Entry, origin: str) -> Entry | Posting:
    """The order-free part of `check_entry`: a statement checked and reduced to its
    `Posting`; any other entry as it is."""
    if isinstance(entry, Disclosure) and isinstance(entry.body, STATEMENTS):
        return posting_of(entry.kind, entry.body, origin)
    return entry


def _linked(state: LedgerState, ref: EntryRef, index: int, want: str, where: str) -> EntryInfo:
    info = state.entry_info(ref.index) if ref.index < index else None
    if info is None or info.leaf_hash != ref.leaf_hash:
        raise ObjectionError(
            f"日志中没有第 {ref.index} 条或其叶哈希不符",
            f"there is no earlier entry {ref.index} with that leaf hash",
            where=where,
        )
    if info.type != want:
        raise ObjectionError(
            f"第 {ref.index} 条是{ENTRY_TYPES[info.type]}，不是{ENTRY_TYPES[want]}",
            f"entry {ref.index} is a {info.type}, not a {want}",
            where=where,
        )
    return info


def check_entry(
    entry: Entry | Posting,
    *,
    origin: str,
    index: int,
    leaf_hash: bytes,
    signer: str,
    state: LedgerState,
    approved: ApprovedSpendingLookup,
) -> Effects:
    """Every accounting and linking check for ``entry`` as entry ``index`` of log ``origin``
    (a statement's order-free checks already done when it comes as its `Posting`).

    Raises a `DisclosureError` naming the failed check; returns what the entry changes.
    """
    if isinstance(entry, Disclosure):
        if isinstance(entry.body, STATEMENTS):
            entry = posting_of(entry.kind, entry.body, origin)
        else:
            info = EntryInfo(index, leaf_hash, DISCLOSURE, signer, kind=entry.kind)
            if isinstance(entry.body, AccountOpened):
                return Effects(info, opened=check_opening(entry.body, index, state))
            return Effects(info)
    if isinstance(entry, Posting):
        check_continuity(entry, check_account(entry, state))
        check_spending(entry, approved=approved, state=state)
        balance = Balance(entry.kind, entry.account_id, entry.period, entry.closing, index)
        info = EntryInfo(index, leaf_hash, DISCLOSURE, signer, kind=entry.kind)
        return Effects(info, balance, entry.spending)
    if isinstance(entry, Objection):
        target = _linked(state, entry.target, index, DISCLOSURE, "target")
        return Effects(EntryInfo(index, leaf_hash, OBJECTION, signer, target=target.index))
    if isinstance(entry, ObjectionReply):
        objection = _linked(state, entry.objection, index, OBJECTION, "objection")
        questioned = state.entry_info(objection.target) if objection.target is not None else None
        if questioned is None or questioned.signer != signer:
            raise ObjectionError(
                "只有被质疑信息的发布人才能答复",
                "only the publisher of the questioned entry may reply",
                where="publisher",
            )
        return Effects(EntryInfo(index, leaf_hash, REPLY, signer, target=objection.index))
    check_review(entry, index=index, state=state, signer=signer)
    return Effects(
        EntryInfo(
            index,
            leaf_hash,
            REVIEW,
            signer,
            target=entry.objection.index,
            reply=entry.reply.index,
        )
    )


def check_review(entry: ObjectionReview, *, index: int, state: LedgerState, signer: str) -> None:
    """A review judges a reply to the reviewer's own objection."""
    objection = _linked(state, entry.objection, index, OBJECTION, "objection")
    if objection.signer != signer:
        raise ObjectionError(
            "只有提出质疑的业主才能评价答复",
            "only the owner who raised the objection may review the reply",
            where="objector",
        )
    reply = _linked(state, entry.reply, index, REPLY, "reply")
    if reply.target != objection.index:
        raise ObjectionError(
            f"第 {reply.index} 条答复的不是第 {objection.index} 条质疑",
            f"reply {reply.index} does not answer objection {objection.index}",
            where="reply",
        )
