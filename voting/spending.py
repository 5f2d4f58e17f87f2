"""What a ballot decided about spending, read from its log: the one reader of voting's record
format that the disclosure checks use (`ledger.disclosure.approval.BallotReader`).

A maintenance-fund spending line (民法典 第278条 第5项) cites a ballot's result entry; the
disclosure checks must know the ballot's matter, whether it passed, the amount it stated when
it was announced (``amountFen``, integer fen), its title, and — for the offline verifier — the
ballot box's note key the committee signed into the announcement (``logKey``). Those fields are
laid out by `voting.ballots` (``BallotAnnounced``, ``BallotResult``); reading them here keeps
the layout in voting alone, and `web` hands this function to the disclosure service and the
offline bundle verifier. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.disclosure.approval import BallotDecision


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _spending_item(announced: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The agenda's one item on using the maintenance fund, else its only item."""
    items = announced.get("items")
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        return None
    fund = [i for i in items if i.get("matter") == 5]
    only: list[Mapping[str, Any]] = fund if len(fund) == 1 else items
    return only[0] if len(only) == 1 else None


def ballot_decision(
    announced: Mapping[str, Any], result: Mapping[str, Any]
) -> BallotDecision | None:
    """The spending decision of the ballot whose ``BallotAnnounced`` entry is `announced`
    and whose ``BallotResult`` entry is `result`: its item on using the maintenance fund
    (or its only item). None when they are not those of one ballot or are malformed (a
    non-integer amount, an outcome without a verdict, several fund items)."""
    ballot = announced.get("ballot")
    if (
        announced.get("type") != "BallotAnnounced"
        or result.get("type") != "BallotResult"
        or not isinstance(ballot, str)
        or result.get("ballot") != ballot
    ):
        return None
    item = _spending_item(announced)
    outcomes = result.get("items")
    if item is None or not isinstance(outcomes, list):
        return None
    outcome = next(
        (
            o.get("outcome")
            for o in outcomes
            if isinstance(o, Mapping) and o.get("id") == item.get("id")
        ),
        None,
    )
    matter = _integer(item.get("matter"))
    if not isinstance(outcome, Mapping) or matter is None or outcome.get("matter") != matter:
        return None
    passed = outcome.get("passed")
    if not isinstance(passed, bool):
        return None
    amount: int | None = None
    if "amountFen" in item:
        amount = _integer(item["amountFen"])
        if amount is None:
            return None
    box_key = announced.get("logKey")
    if box_key is not None and not isinstance(box_key, str):
        return None
    title = item.get("title")
    return BallotDecision(
        ballot=ballot,
        matter=matter,
        passed=passed,
        amount=amount,
        title=title if isinstance(title, str) else "",
        box_key=box_key,
    )
