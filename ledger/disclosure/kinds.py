"""The kinds of disclosure a property manager or owners' committee publishes, and their schemas.

* ``FeeStandard`` — 《物业服务收费明码标价规定》 第七条: for each fee (收费项目) whom it is charged
  to, its standard (收费标准, here integer fen per charging unit), how it is charged (计费方式),
  its legal basis (收费依据) and its price regime (政府指导价 / 市场调节价), plus the price
  complaint hotline (价格举报电话).
* ``IncomeExpense`` — 民法典 第九百四十三条: 物业服务人应当定期将服务的事项、负责人员、质量要求、
  收费项目、收费标准、履行情况，以及维修资金使用情况、业主共有部分的经营与收益情况等以合理方式
  向业主公开 — a monthly statement of one account: opening balance, income and expense lines,
  their totals, closing balance.
* ``MaintenanceFund`` — 《住宅专项维修资金管理办法》 (建设部、财政部令第165号) 第三十三条 (交存、
  使用、增值收益和结存的结余情况) — opening, deposits (交存), interest (增值收益), spending lines,
  closing. Spending needs a decision of the owners (民法典 第二百七十八条 第一款第五项), so each
  spending line cites the ballot result that approved it.
* ``CommonAreaIncome`` — 民法典 第二百八十二条: 利用业主的共有部分产生的收入，在扣除合理成本之后，
  属于业主共有 — income and cost lines, net = income − costs, the owners' share (all of the net),
  and what was paid out of the owners' account (disbursements), with opening and closing.
* ``AccountOpened`` — a new account (账户) of one of the three statement kinds: its stable id,
  its name, the first period it reports and the balance it opens with. Statements name their
  account by that id, so an account cannot be restarted at 0.00 under a look-alike name: a
  new account is an act of its own in the log, for everyone to see and question.
* ``Attachment`` — a service contract (物业服务合同), meeting minutes (会议纪要) or another
  document, by SHA-256, size and title: the file itself is not in the log.

Pure: schemas only. `ledger.disclosure.accounting` checks that the figures add up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ledger.disclosure import fields as f
from ledger.disclosure.approval import BallotRef, parse_ballot_ref
from ledger.disclosure.errors import SchemaError


class Kind(StrEnum):
    FEE_STANDARD = "FeeStandard"
    INCOME_EXPENSE = "IncomeExpense"
    MAINTENANCE_FUND = "MaintenanceFund"
    COMMON_AREA_INCOME = "CommonAreaIncome"
    ATTACHMENT = "Attachment"
    ACCOUNT_OPENED = "AccountOpened"

    @property
    def zh(self) -> str:
        return KIND_NAMES[self]


KIND_NAMES: dict[Kind, str] = {
    Kind.FEE_STANDARD: "收费标准公示",
    Kind.INCOME_EXPENSE: "月度收支情况",
    Kind.MAINTENANCE_FUND: "维修资金账户",
    Kind.COMMON_AREA_INCOME: "共有部分经营收益",
    Kind.ATTACHMENT: "合同与会议纪要",
    Kind.ACCOUNT_OPENED: "新开账户",
}

#: What a fee standard is charged per (计费单位).
CHARGING_UNITS = {
    "m2_month": "每平方米建筑面积每月",
    "household_month": "每户每月",
    "space_month": "每车位每月",
    "time": "每次",
}
#: 价格管理形式 (明码标价规定 第七条).
PRICE_REGIMES = {"government_guided": "政府指导价", "market": "市场调节价"}
ATTACHMENT_CATEGORIES = {
    "service_contract": "物业服务合同",
    "meeting_minutes": "会议纪要",
    "other": "其他文件",
}


@dataclass(frozen=True)
class Line:
    """One line of a statement: what (category) and how much, in fen."""

    category: str
    amount: int
    note: str | None = None


@dataclass(frozen=True)
class FeeItem:
    item: str  # 收费项目
    target: str  # 收费对象, e.g. 住宅 / 商铺
    standard: int  # 收费标准, fen per charging unit
    per: str  # a key of CHARGING_UNITS
    method: str  # 计费方式
    basis: str  # 收费依据
    pricing: str  # a key of PRICE_REGIMES


@dataclass(frozen=True)
class FeeStandard:
    provider: str  # 物业服务企业名称
    effective: str  # 执行日期 YYYY-MM-DD
    items: tuple[FeeItem, ...]
    hotline: str  # 价格举报电话


@dataclass(frozen=True)
class AccountOpened:
    """A new account: statements of ``statement_kind`` name it by ``account_id``."""

    account_id: str
    name: str
    statement_kind: Kind
    first_period: str
    opening: int


@dataclass(frozen=True)
class IncomeExpense:
    account_id: str
    account: str  # its name, as opened
    period: str
    opening: int
    income: tuple[Line, ...]
    expense: tuple[Line, ...]
    total_income: int
    total_expense: int
    closing: int


@dataclass(frozen=True)
class Spending:
    """A payment out of the maintenance fund and the ballot result that approved it."""

    item: str
    amount: int
    approval: BallotRef
    note: str | None = None


@dataclass(frozen=True)
class MaintenanceFund:
    account_id: str
    account: str
    period: str
    opening: int
    deposits: int
    interest: int
    spending: tuple[Spending, ...]
    total_spending: int
    closing: int


@dataclass(frozen=True)
class CommonAreaIncome:
    account_id: str
    account: str
    period: str
    opening: int
    income: tuple[Line, ...]
    costs: tuple[Line, ...]
    total_income: int
    total_cost: int
    net: int
    owners_share: int
    disbursements: tuple[Line, ...]
    total_disbursed: int
    closing: int


@dataclass(frozen=True)
class Attachment:
    category: str
    title: str
    sha256: bytes
    size: int
    date: str
    media_type: str | None = None


Statement = IncomeExpense | MaintenanceFund | CommonAreaIncome
STATEMENTS = (IncomeExpense, MaintenanceFund, CommonAreaIncome)
STATEMENT_KINDS = (Kind.INCOME_EXPENSE, Kind.MAINTENANCE_FUND, Kind.COMMON_AREA_INCOME)
Body = FeeStandard | Statement | Attachment | AccountOpened


def _lines(value: object, where: str) -> tuple[Line, ...]:
    out = []
    for i, raw in enumerate(f.items(value, where)):
        at = f"{where}[{i}]"
        line = f.obj(raw, at, required=("category", "amountFen"), optional=("note",))
        out.append(
            Line(
                category=f.text(line["category"], f"{at}.category"),
                amount=f.fen(line["amountFen"], f"{at}.amountFen"),
                note=f.text(line["note"], f"{at}.note", max_len=f.MAX_TEXT)
                if "note" in line
                else None,
            )
        )
    return tuple(out)


def _fee_standard(b: Mapping[str, object]) -> FeeStandard:
    b = f.obj(b, "body", required=("provider", "effective", "items", "hotline"))
    items = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(f.items(b["items"], "body.items", allow_empty=False)):
        at = f"body.items[{i}]"
        it = f.obj(
            raw,
            at,
            required=("item", "target", "standardFen", "per", "method", "basis", "pricing"),
        )
        item = FeeItem(
            item=f.text(it["item"], f"{at}.item"),
            target=f.text(it["target"], f"{at}.target"),
            standard=f.fen(it["standardFen"], f"{at}.standardFen"),
            per=f.choice(it["per"], f"{at}.per", CHARGING_UNITS),
            method=f.text(it["method"], f"{at}.method"),
            basis=f.text(it["basis"], f"{at}.basis", max_len=f.MAX_TEXT),
            pricing=f.choice(it["pricing"], f"{at}.pricing", PRICE_REGIMES),
        )
        if (item.item, item.target) in seen:
            raise SchemaError(
                f"收费项目“{item.item}”（{item.target}）重复",
                f"fee item {item.item!r} for {item.target!r} is listed twice",
                where=at,
            )
        seen.add((item.item, item.target))
        items.append(item)
    return FeeStandard(
        provider=f.text(b["provider"], "body.provider"),
        effective=f.day(b["effective"], "body.effective"),
        items=tuple(items),
        hotline=f.text(b["hotline"], "body.hotline", max_len=40),
    )


def _income_expense(b: Mapping[str, object]) -> IncomeExpense:
    b = f.obj(
        b,
        "body",
        required=(
            "accountId",
            "account",
            "period",
            "openingFen",
            "income",
            "expense",
            "totalIncomeFen",
            "totalExpenseFen",
            "closingFen",
        ),
    )
    return IncomeExpense(
        account_id=f.account_id(b["accountId"], "body.accountId"),
        account=f.text(b["account"], "body.account"),
        period=f.period(b["period"], "body.period"),
        opening=f.fen(b["openingFen"], "body.openingFen", signed=True),
        income=_lines(b["income"], "body.income"),
        expense=_lines(b["expense"], "body.expense"),
        total_income=f.fen(b["totalIncomeFen"], "body.totalIncomeFen"),
        total_expense=f.fen(b["totalExpenseFen"], "body.totalExpenseFen"),
        closing=f.fen(b["closingFen"], "body.closingFen", signed=True),
    )


def _maintenance_fund(b: Mapping[str, object]) -> MaintenanceFund:
    b = f.obj(
        b,
        "body",
        required=(
            "accountId",
            "account",
            "period",
            "openingFen",
            "depositsFen",
            "interestFen",
            "spending",
            "totalSpendingFen",
            "closingFen",
        ),
    )
    spending = []
    for i, raw in enumerate(f.items(b["spending"], "body.spending")):
        at = f"body.spending[{i}]"
        s = f.obj(raw, at, required=("item", "amountFen", "approval"), optional=("note",))
        spending.append(
            Spending(
                item=f.text(s["item"], f"{at}.item"),
                amount=f.fen(s["amountFen"], f"{at}.amountFen"),
                approval=parse_ballot_ref(s["approval"], f"{at}.approval"),
                note=f.text(s["note"], f"{at}.note", max_len=f.MAX_TEXT) if "note" in s else None,
            )
        )
    return MaintenanceFund(
        account_id=f.account_id(b["accountId"], "body.accountId"),
        account=f.text(b["account"], "body.account"),
        period=f.period(b["period"], "body.period"),
        # A maintenance fund is never overdrawn: its balances are not signed.
        opening=f.fen(b["openingFen"], "body.openingFen"),
        deposits=f.fen(b["depositsFen"], "body.depositsFen"),
        interest=f.fen(b["interestFen"], "body.interestFen"),
        spending=tuple(spending),
        total_spending=f.fen(b["totalSpendingFen"], "body.totalSpendingFen"),
        closing=f.fen(b["closingFen"], "body.closingFen"),
    )


def _common_area_income(b: Mapping[str, object]) -> CommonAreaIncome:
    b = f.obj(
        b,
        "body",
        required=(
            "accountId",
            "account",
            "period",
            "openingFen",
            "income",
            "costs",
            "totalIncomeFen",
            "totalCostFen",
            "netFen",
            "ownersShareFen",
            "disbursements",
            "totalDisbursedFen",
            "closingFen",
        ),
    )
    return CommonAreaIncome(
        account_id=f.account_id(b["accountId"], "body.accountId"),
        account=f.text(b["account"], "body.account"),
        period=f.period(b["period"], "body.period"),
        opening=f.fen(b["openingFen"], "body.openingFen", signed=True),
        income=_lines(b["income"], "body.income"),
        costs=_lines(b["costs"], "body.costs"),
        total_income=f.fen(b["totalIncomeFen"], "body.totalIncomeFen"),
        total_cost=f.fen(b["totalCostFen"], "body.totalCostFen"),
        net=f.fen(b["netFen"], "body.netFen", signed=True),
        owners_share=f.fen(b["ownersShareFen"], "body.ownersShareFen", signed=True),
        disbursements=_lines(b["disbursements"], "body.disbursements"),
        total_disbursed=f.fen(b["totalDisbursedFen"], "body.totalDisbursedFen"),
        closing=f.fen(b["closingFen"], "body.closingFen", signed=True),
    )


def _account_opened(b: Mapping[str, object]) -> AccountOpened:
    b = f.obj(
        b,
        "body",
        required=("accountId", "name", "statementKind", "firstPeriod", "openingFen"),
    )
    kind = _KINDS[f.choice(b["statementKind"], "body.statementKind", _STATEMENT_KIND_NAMES)]
    return AccountOpened(
        account_id=f.account_id(b["accountId"], "body.accountId"),
        name=f.text(b["name"], "body.name"),
        statement_kind=kind,
        first_period=f.period(b["firstPeriod"], "body.firstPeriod"),
        # a maintenance fund is never overdrawn (see `_maintenance_fund`)
        opening=f.fen(b["openingFen"], "body.openingFen", signed=kind != Kind.MAINTENANCE_FUND),
    )


def _attachment(b: Mapping[str, object]) -> Attachment:
    b = f.obj(
        b,
        "body",
        required=("category", "title", "sha256", "size", "date"),
        optional=("mediaType",),
    )
    return Attachment(
        category=f.choice(b["category"], "body.category", ATTACHMENT_CATEGORIES),
        title=f.text(b["title"], "body.title"),
        sha256=f.hex32(b["sha256"], "body.sha256"),
        size=f.count(b["size"], "body.size", minimum=1),
        date=f.day(b["date"], "body.date"),
        media_type=f.text(b["mediaType"], "body.mediaType", max_len=100)
        if "mediaType" in b
        else None,
    )


_PARSERS: dict[Kind, Callable[[Mapping[str, object]], Body]] = {
    Kind.FEE_STANDARD: _fee_standard,
    Kind.INCOME_EXPENSE: _income_expense,
    Kind.MAINTENANCE_FUND: _maintenance_fund,
    Kind.COMMON_AREA_INCOME: _common_area_income,
    Kind.ATTACHMENT: _attachment,
    Kind.ACCOUNT_OPENED: _account_opened,
}


# Built once (each `Kind.zh` looks its name up): every entry a verifier reads names its kind.
_KIND_NAMES = {k.value: k.zh for k in Kind}
_STATEMENT_KIND_NAMES = {k.value: k.zh for k in STATEMENT_KINDS}
_KINDS = {k.value: k for k in Kind}


def parse_kind(value: object) -> Kind:
    return _KINDS[f.choice(value, "kind", _KIND_NAMES)]


def parse_body(kind: Kind, body: object) -> Body:
    """The typed body of a disclosure of ``kind``; raises `SchemaError` naming the field."""
    if not isinstance(body, Mapping):
        raise SchemaError("必须是 JSON 对象", "must be a JSON object", where="body")
    return _PARSERS[kind](body)
