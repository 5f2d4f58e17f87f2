"""Between item outcomes and the `BallotRegistry` contract: its inputs, and its verdicts.

The contract is given only the totals an outcome counted, decides every item again, and
records that. :func:`as_decided` puts the contract's verdict into an outcome in place of
the Python engine's, every boolean of it, so a transcript "as decided on chain" is the
same JSON exactly when both engines agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from contracts.client import TxReceipt
from contracts.registry import (
    ElectionTotals,
    ItemTotals,
    MotionTotals,
    RecordedResult,
    RegistryContract,
    Verdict,
    Weight,
)
from voting.census import Tally
from voting.errors import VoteError
from voting.items import ElectionOutcome
from voting.matters import MAJORITY, THREE_QUARTERS, Threshold
from voting.rules import Outcome

ItemOutcome = Outcome | ElectionOutcome


def weight(tally: Tally) -> Weight:
    return Weight(tally.area.hundredths, tally.headcount)


def item_totals(item_id: str, outcome: ItemOutcome) -> ItemTotals:
    """What the contract is told about one item: the counted totals, nothing decided."""
    participating = weight(outcome.participating)
    if isinstance(outcome, Outcome):
        return MotionTotals(item_id, int(outcome.matter), participating, weight(outcome.agree))
    approvals = tuple((c.candidate.id, weight(c.approvals)) for c in outcome.candidates)
    return ElectionTotals(item_id, outcome.seats, participating, approvals)


def _rule(verdict: Verdict) -> Threshold:
    numerator, denominator, inclusive = verdict.approval
    for rule in (THREE_QUARTERS, MAJORITY):
        if (rule.bound, rule.inclusive) == (Fraction(numerator, denominator), inclusive):
            return rule
    raise VoteError(
        f"链上合约用了未知的通过门槛 {verdict.approval}",
        f"the contract applied an unknown approval threshold {verdict.approval}",
    )


def as_decided(outcome: ItemOutcome, verdict: Verdict) -> ItemOutcome:
    """``outcome`` with every decision, and the approval rule, replaced by the contract's
    ``verdict``; only the counted totals (and the shares they make) stay the engine's."""
    if isinstance(outcome, Outcome):
        return dataclasses.replace(
            outcome,
            approval_rule=_rule(verdict),
            quorum_by_area=verdict.quorum_by_area,
            quorum_by_headcount=verdict.quorum_by_headcount,
            approved_by_area=verdict.approved_by_area,
            approved_by_headcount=verdict.approved_by_headcount,
        )
    quorum_met = verdict.quorum_by_area and verdict.quorum_by_headcount
    candidates = tuple(
        dataclasses.replace(
            c,
            majority_by_area=by_area,
            majority_by_headcount=by_heads,
            eligible=quorum_met and by_area and by_heads,
        )
        for c, by_area, by_heads in zip(
            outcome.candidates,
            verdict.majority_by_area,
            verdict.majority_by_headcount,
            strict=True,
        )
    )
    return dataclasses.replace(
        outcome,
        approval_rule=_rule(verdict),
        quorum_by_area=verdict.quorum_by_area,
        quorum_by_headcount=verdict.quorum_by_headcount,
        candidates=candidates,
        elected=verdict.elected,
        unresolved_tie=verdict.unresolved_tie,
    )


def _ranking_of(outcomes: Sequence[ItemOutcome], default: str) -> str:
    rankings = {str(o.ranking) for o in outcomes if isinstance(o, ElectionOutcome)}
    if len(rankings) > 1:
        raise VoteError(
            "一次表决的所有选举须用同一排名规则", "every election of a ballot uses one ranking"
        )
    return rankings.pop() if rankings else default


def record_result(
    registry: RegistryContract,
    *,
    log_id: bytes,
    census_root: bytes,
    decisions: Sequence[tuple[str, ItemOutcome]],
) -> TxReceipt:
    """Send a ballot's totals (``(item id, outcome)`` in agenda order) to the registry,
    which decides and records them. ``log_id`` is ``ledger.tlog.records.log_id_of`` of the
    ballot box's origin; the census total is the one every outcome counted against."""
    outcomes = [o for _, o in decisions]
    totals = {(o.total.area, o.total.headcount) for o in outcomes}
    if len(totals) != 1:
        raise VoteError("各议题的名册总数须相同", "every item must count against one census total")
    return registry.record_result(
        log_id=log_id,
        census_root=census_root,
        total=weight(outcomes[0].total),
        ranking=_ranking_of(outcomes, "area"),
        items=[item_totals(i, o) for i, o in decisions],
    )


def read_result(
    registry: RegistryContract, log_id: bytes, decisions: Sequence[tuple[str, ItemOutcome]]
) -> list[ItemOutcome] | None:
    """The outcomes as the registry recorded them for ``log_id`` (None if nothing was
    recorded), built on the counted totals of ``decisions``. Raises VoteError if the
    recorded ballot is not about these items."""
    recorded = registry.read_result(log_id)
    if recorded is None:
        return None
    ids = [i for i, _ in decisions]
    if [v.id for v in recorded.items] != ids:
        raise VoteError(
            "链上记录的议题与本表决的议题不同", "the items recorded on chain are not these items"
        )
    return [as_decided(o, v) for (_, o), v in zip(decisions, recorded.items, strict=True)]


def recorded_to_json(recorded: RecordedResult) -> dict[str, Any]:
    """A registry's recorded result as JSON (an election bundle carries it: see
    `web.server.election`)."""
    return {
        "censusRoot": recorded.census_root.hex(),
        "total": {"area": recorded.total.area, "headcount": recorded.total.headcount},
        "ranking": recorded.ranking,
        "block": recorded.recorded_at_block,
        "items": [_verdict_json(v) for v in recorded.items],
    }


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    out = dataclasses.asdict(verdict)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def recorded_from_json(data: Mapping[str, Any]) -> RecordedResult:
    """`recorded_to_json` read back; raises VoteError when it is not one."""
    try:
        items = []
        for raw in data["items"]:
            fields = {f.name for f in dataclasses.fields(Verdict)}
            if set(raw) != fields:
                raise ValueError(sorted(set(raw) ^ fields))
            values: dict[str, Any] = {
                k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()
            }
            items.append(Verdict(**values))
        total = data["total"]
        return RecordedResult(
            census_root=bytes.fromhex(str(data["censusRoot"])),
            total=Weight(int(total["area"]), int(total["headcount"])),
            ranking=str(data["ranking"]),
            recorded_at_block=int(data["block"]),
            items=tuple(items),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise VoteError(
            f"链上登记的表决结果格式有误：{exc}",
            f"the registry's recorded result is malformed: {exc}",
        ) from exc


def matches_recount(
    recorded: RecordedResult, census_root: bytes, decisions: Sequence[tuple[str, ItemOutcome]]
) -> list[str]:
    """Where the registry's verdicts differ from the recount (``[]``: they agree on every
    decision): the census root and total, the ranking, each item's every boolean."""
    differences = []
    outcomes = [o for _, o in decisions]
    if recorded.census_root != census_root:
        differences.append("censusRoot")
    if outcomes and recorded.total != weight(outcomes[0].total):
        differences.append("total")
    if outcomes and recorded.ranking != _ranking_of(outcomes, recorded.ranking):
        differences.append("ranking")
    if [v.id for v in recorded.items] != [i for i, _ in decisions]:
        return [*differences, "items"]
    for (item_id, outcome), verdict in zip(decisions, recorded.items, strict=True):
        try:
            same = as_decided(outcome, verdict).to_json() == outcome.to_json()
        except (VoteError, ValueError):  # another rule, or masks not one per candidate
            same = False
        if _fixed(verdict) != _fixed_of(outcome):
            same = False
        if not same:
            differences.append(f"item {item_id}")
    return differences


def _fixed(verdict: Verdict) -> tuple[object, ...]:
    """What `as_decided` does not read from a verdict (the other kind's fields among them:
    the contract leaves a motion's candidate fields and an election's approvals empty)."""
    if verdict.kind == "motion":
        rest: tuple[object, ...] = (
            verdict.majority_by_area,
            verdict.majority_by_headcount,
            verdict.elected,
            verdict.unresolved_tie,
        )
    else:
        rest = (verdict.approved_by_area, verdict.approved_by_headcount)
    return (verdict.kind, verdict.matter, verdict.seats, verdict.passed, *rest)


def _fixed_of(outcome: ItemOutcome) -> tuple[object, ...]:
    if isinstance(outcome, Outcome):
        return ("motion", int(outcome.matter), 0, outcome.passed, (), (), (), False)
    return ("election", 3, outcome.seats, outcome.passed, False, False)
