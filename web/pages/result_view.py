"""A ballot's result as pages draw it: one bar per share, against the rule's threshold.

The result entry states every share as an exact fraction ``"n/d"``. Pages show it as a
percentage and a bar length in basis points, both by integer arithmetic and both truncated
(`percent_text`: the one rule of every page, the notice, the PDF and the scripts'
``static/percent.js``), so a share just short of two thirds never reads as "66.67%" and the
same share never reads differently on two pages: whether a test was met is the outcome's own
boolean, never recomputed from a shown figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FULL = 10_000  # a bar's length in basis points


@dataclass(frozen=True)
class Bar:
    """One share against one threshold: ``bp`` long (0..10000), ``mark`` the CSS class of the
    threshold line (``mark-2-3``, ``mark-1-2``, ``mark-3-4``), ``met`` from the outcome."""

    label: str  # the text key: area | headcount
    percent: str  # "66.67%"
    bp: int
    mark: str
    met: bool


def parse_fraction(text: object) -> tuple[int, int] | None:
    """``"n/d"`` (or ``"n"``) as (n, d) with d > 0 and 0 <= n; None for no share (nobody
    took part) or anything else."""
    if not isinstance(text, str):
        return None
    top, _, bottom = text.partition("/")
    if not top.isdigit() or (bottom and not bottom.isdigit()):
        return None
    n, d = int(top), int(bottom or "1")
    return None if d == 0 else (n, d)


def percent_text(n: int, d: int) -> str:
    """``n/d`` (d > 0, n >= 0) as a percentage with two decimals, truncated in integers:
    2/193 is "1.03%" (1.0362…), 6666/10000 and 2/3 - ε are "66.66%", never "66.67%"."""
    hundredths = n * 10_000 // d
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def percent_of_bp(bp: int) -> str:
    """A share already in whole basis points (the turnout's ``area_bp``, truncated by the
    box) as `percent_text` writes it."""
    return percent_text(bp, FULL)


def bar_bp(n: int, d: int) -> int:
    """The bar's length: the share in basis points, rounded down, at most full."""
    return min(FULL, n * FULL // d)


def mark_of(threshold: object) -> str:
    """The CSS class of a threshold's line: "2/3" → mark-2-3, ">1/2" → mark-1-2."""
    bound = str(threshold).lstrip(">")
    return "mark-" + bound.replace("/", "-")


def bars(test: dict[str, Any]) -> list[Bar]:
    """A doubled test (quorum or approval: area and headcount) as two bars."""
    out = []
    for side in ("area", "headcount"):
        share = parse_fraction(test.get(side))
        n, d = share if share is not None else (0, 1)
        out.append(
            Bar(
                label=side,
                percent=percent_text(n, d) if share is not None else "—",
                bp=bar_bp(n, d),
                mark=mark_of(test.get("threshold", "")),
                met=bool(test.get(f"{side}_met")),
            )
        )
    return out


@dataclass(frozen=True)
class ItemResult:
    """One item's outcome as drawn: passed, the totals and the bars."""

    id: str
    title: str
    kind: str
    passed: bool
    outcome: dict[str, Any]
    quorum: list[Bar]
    approval: list[Bar]  # motions; an election's are per candidate
    candidates: list[dict[str, Any]]  # elections: {label, elected, bars}


def item_results(result: dict[str, Any] | None, items: list[dict[str, Any]]) -> list[ItemResult]:
    """Every item of a closed ballot's result, in agenda order; [] while there is none."""
    if not result:
        return []
    titles = {str(i.get("id")): i for i in items}
    out = []
    for r in result.get("items", []):
        o: dict[str, Any] = r.get("outcome", {})
        item = titles.get(str(r.get("id")), {})
        labels = {str(c.get("id")): c.get("label", "") for c in item.get("candidates", [])}
        elected = [str(e) for e in o.get("elected", [])]
        candidates = []
        for c in o.get("candidates", []):
            cid = str(c.get("id"))
            # A candidate's shares are of the participating area and headcount, against 1/2.
            share = {
                "threshold": ">1/2",
                "area": c.get("area_share"),
                "headcount": c.get("headcount_share"),
                "area_met": c.get("majority_by_area"),
                "headcount_met": c.get("majority_by_headcount"),
            }
            candidates.append(
                {
                    "id": cid,
                    "label": labels.get(cid) or c.get("label") or cid,
                    "elected": cid in elected,
                    "approvals": c.get("approvals", {}),
                    "bars": bars(share),
                }
            )
        out.append(
            ItemResult(
                id=str(r.get("id")),
                title=str(item.get("title", "")),
                kind=str(r.get("kind", "motion")),
                passed=bool(o.get("passed")),
                outcome=o,
                quorum=bars(o.get("quorum", {})),
                approval=bars(o["approval"]) if "agree" in o else [],
                candidates=candidates,
            )
        )
    return out


def participation_bars(p: dict[str, Any]) -> list[Bar]:
    """A turnout block of ``participation`` (voted/total, area_bp, headcount_bp, *_met) as
    bars against the 2/3 quorum."""
    out = []
    for side in ("area", "headcount"):
        bp = int(p.get(f"{side}_bp", 0))
        out.append(
            Bar(
                label=side,
                percent=percent_of_bp(bp),
                bp=min(FULL, bp),
                mark="mark-2-3",
                met=bool(p.get(f"{side}_met")),
            )
        )
    return out
