"""What a ballot decided about spending, read from its log: the one reader of voting's record
format that the disclosure checks use (`ledger.disclosure.approval.BallotReader`).

A maintenance-fund spending line (民法典 第278条 第5项) cites a ballot's result entry; the
disclosure checks must know the ballot's matter, whether it passed, the amount it stated when
it opened (``amountFen``, integer fen), its title, and — for the offline verifier — the
ballot box's note key the committee signed into the opening (``logKey``). Those fields are
laid out by `voting.ballots` (``BallotOpened``, ``BallotResult``); reading them here keeps
the layout in voting alone, and `web` hands this function to the disclosure service and the
offline bundle verifier. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.disclosure.approval import BallotDecision


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ballot_decision(opened: Mapping[str, Any], result: Mapping[str, Any]) -> BallotDecision | None:
    """The decision of the ballot whose ``BallotOpened`` entry is `opened` and whose
    ``BallotResult`` entry is `result`; None when they are not those of one ballot or are
    malformed (a non-integer amount, an outcome without a verdict)."""
    ballot = opened.get("ballot")
    if (
        opened.get("type") != "BallotOpened"
        or result.get("type") != "BallotResult"
        or not isinstance(ballot, str)
        or result.get("ballot") != ballot
    ):
        return None
    outcome = result.get("outcome")
    matter = _integer(opened.get("matter"))
    if not isinstance(outcome, Mapping) or matter is None or outcome.get("matter") != matter:
        return None
    passed = outcome.get("passed")
    if not isinstance(passed, bool):
        return None
    amount: int | None = None
    if "amountFen" in opened:
        amount = _integer(opened["amountFen"])
        if amount is None:
            return None
    box_key = opened.get("logKey")
    if box_key is not None and not isinstance(box_key, str):
        return None
    title = opened.get("title")
    return BallotDecision(
        ballot=ballot,
        matter=matter,
        passed=passed,
        amount=amount,
        title=title if isinstance(title, str) else "",
        box_key=box_key,
    )
