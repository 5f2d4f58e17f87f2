"""What the public accounts page shows, built from entries already checked against the log.

The input is `ledger.disclosure.service.EntryView`s as `DisclosureLogs.listing` returns them:
each one's bytes hash to its leaf and the leaf is in the signed checkpoint's tree. Every
figure here is read from the signed document (``view.doc``) through the schema parser, never
from an index row; the charts are drawn from the same statements the cards list, so the
page cannot show a figure the log does not hold. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from markupsafe import Markup

from ledger.disclosure.entries import OBJECTION, REPLY, REVIEW
from ledger.disclosure.errors import DisclosureError
from ledger.disclosure.kinds import (
    Body,
    IncomeExpense,
    Kind,
    MaintenanceFund,
    parse_body,
)
from ledger.disclosure.service import EntryView
from web.pages import charts
from web.pages.money import compact, money
from web.pages.owner import beijing

INCOME_COLOR = "#1565c0"  # blue, 5.8:1 on white
EXPENSE_COLOR = "#bf360c"  # deep orange, 5.6:1 on white; told apart by the legend's words too
FUND_COLOR = "#2e7d32"
S = TypeVar("S", IncomeExpense, MaintenanceFund)
SECTIONS = (
    ("fees", Kind.FEE_STANDARD),
    ("income", Kind.INCOME_EXPENSE),
    ("fund", Kind.MAINTENANCE_FUND),
    ("common", Kind.COMMON_AREA_INCOME),
    ("files", Kind.ATTACHMENT),
    ("opened", Kind.ACCOUNT_OPENED),
)


@dataclass(frozen=True)
class Answer:
    kind: str  # "reply" or "review"
    text: str
    action: str | None = None  # a reply's action key
    satisfied: bool | None = None  # a review's verdict


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[Answer, ...]

    @property
    def answered(self) -> bool:
        return any(a.kind == "reply" for a in self.answers)


@dataclass(frozen=True)
class Card:
    """One published item: its typed body and the 质疑 around it."""

    index: int
    leaf_hash: str
    kind: Kind
    body: Body
    published: str | None
    anchored: bool
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Chart:
    """A chart and the table of the very figures it draws."""

    title: str
    svg: Markup
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class Page:
    cards: list[Card]
    sections: list[tuple[str, Kind, list[Card]]] = field(default_factory=list)
    income_charts: list[Chart] = field(default_factory=list)
    fund_charts: list[Chart] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return sum(len(c.questions) for c in self.cards)

    @property
    def answered(self) -> int:
        return sum(q.answered for c in self.cards for q in c.questions)


def published_at(doc: dict[str, Any]) -> str | None:
    """When the publisher signed it (the proof's ``created``), in Beijing time."""
    proof = doc.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if proof else None
    created = proof.get("created") if isinstance(proof, dict) else None
    if not isinstance(created, str):
        return None
    try:
        return beijing(datetime.fromisoformat(created.replace("Z", "+00:00")))
    except ValueError:
        return None


def _questions(view: EntryView) -> tuple[Question, ...]:
    out = []
    for o in view.thread:
        if o.type != OBJECTION:
            continue
        answers = []
        for a in o.thread:
            if a.type == REPLY:
                answers.append(Answer("reply", str(a.doc.get("text", "")), a.doc.get("action")))
            elif a.type == REVIEW:
                satisfied = a.doc.get("satisfied")
                answers.append(
                    Answer("review", str(a.doc.get("text", "")), satisfied=satisfied is True)
                )
        out.append(Question(str(o.doc.get("text", "")), tuple(answers)))
    return tuple(out)


def card_of(view: EntryView, anchored: int | None) -> Card | None:
    """The card of a disclosure, or None if it is not one (or, impossibly for an appended
    entry, its body no longer parses)."""
    if view.kind is None:
        return None
    try:
        kind = Kind(view.kind)
        body = parse_body(kind, view.doc.get("body"))
    except (ValueError, DisclosureError):
        return None
    return Card(
        index=view.index,
        leaf_hash=view.leaf_hash.hex(),
        kind=kind,
        body=body,
        published=published_at(view.doc),
        anchored=anchored is not None and view.index < anchored,
        questions=_questions(view),
    )


def month_label(period: str, lang: str, *, with_year: bool) -> str:
    """``2025-09`` → ``9月`` / ``Sep`` (with the year when a chart spans years)."""
    year, month = int(period[:4]), int(period[5:7])
    if lang == "en":
        name = datetime(year, month, 1).strftime("%b")
        return f"{name} {year % 100:02d}" if with_year else name
    return f"{year % 100:02d}年{month}月" if with_year else f"{month}月"


def period_long(period: str, lang: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    if lang == "en":
        return datetime(year, month, 1).strftime("%b %Y")
    return f"{year}年{month}月"


def _latest_by_period(statements: Iterable[S]) -> dict[str, list[S]]:
    """Per account, one statement per period (the latest published), oldest period first."""
    by: dict[str, dict[str, S]] = {}
    for s in statements:  # in log order: a later one of the same period replaces it
        by.setdefault(s.account_id, {})[s.period] = s
    return {a: [m[p] for p in sorted(m)] for a, m in by.items()}


def _spans_years(periods: Sequence[str]) -> bool:
    return len({p[:4] for p in periods}) > 1


def income_chart(
    ident: str, months: Sequence[IncomeExpense], t: dict[str, str], lang: str
) -> Chart:
    periods = [m.period for m in months]
    years = _spans_years(periods)
    name = months[0].account if months else ""
    first = period_long(periods[0], lang) if periods else ""
    last = period_long(periods[-1], lang) if periods else ""
    labels = [month_label(p, lang, with_year=years) for p in periods]
    svg = charts.bar_chart(
        ident,
        labels,
        [
            charts.Series(t["income"], INCOME_COLOR, tuple(m.total_income for m in months)),
            charts.Series(t["expense"], EXPENSE_COLOR, tuple(m.total_expense for m in months)),
        ],
        title=t["chart_income_title"].format(account=name),
        desc=t["chart_income_desc"].format(first=first, last=last, n=len(months)),
        empty=t["chart_empty"],
        axis_label=lambda fen: compact(fen, lang),
        mark_label=money,
    )
    return Chart(
        t["chart_income_title"].format(account=name),
        svg,
        (t["period"], t["income"], t["expense"]),
        tuple(
            (label, money(m.total_income), money(m.total_expense))
            for label, m in zip(labels, months, strict=True)
        ),
    )


def fund_chart(
    ident: str, months: Sequence[MaintenanceFund], t: dict[str, str], lang: str
) -> Chart:
    """The balance at the start of the first month, then at the end of each month."""
    periods = [m.period for m in months]
    years = _spans_years(periods)
    values = [months[0].opening, *(m.closing for m in months)] if months else []
    labels = (
        [t["start"], *(month_label(p, lang, with_year=years) for p in periods)] if months else []
    )
    name = months[0].account if months else ""
    svg = charts.step_chart(
        ident,
        labels,
        values,
        color=FUND_COLOR,
        title=t["chart_fund_title"].format(account=name),
        desc=t["chart_fund_desc"].format(
            first=period_long(periods[0], lang) if periods else "",
            last=period_long(periods[-1], lang) if periods else "",
            start=money(values[0]) if values else "",
            end=money(values[-1]) if values else "",
        ),
        empty=t["chart_empty"],
        axis_label=lambda fen: compact(fen, lang),
        mark_label=money,
    )
    return Chart(
        t["chart_fund_title"].format(account=name),
        svg,
        (t["period"], t["balance"]),
        tuple((label, money(v)) for label, v in zip(labels, values, strict=True)),
    )


def build(views: Sequence[EntryView], anchored: int | None, lang: str, t: dict[str, str]) -> Page:
    """The page from checked views (newest first on the page, as a notice board reads)."""
    cards = [c for c in (card_of(v, anchored) for v in views) if c is not None]
    cards.sort(key=lambda c: c.index, reverse=True)
    page = Page(cards)
    for name, kind in SECTIONS:
        of_kind = [c for c in cards if c.kind == kind]
        if of_kind:
            page.sections.append((name, kind, of_kind))
    in_log_order = sorted(cards, key=lambda c: c.index)
    statements = [c.body for c in in_log_order if isinstance(c.body, IncomeExpense)]
    for i, months in enumerate(_latest_by_period(statements).values()):
        page.income_charts.append(income_chart(f"income-{i}", months, t, lang))
    funds = [c.body for c in in_log_order if isinstance(c.body, MaintenanceFund)]
    for i, fund in enumerate(_latest_by_period(funds).values()):
        page.fund_charts.append(fund_chart(f"fund-{i}", fund, t, lang))
    return page
