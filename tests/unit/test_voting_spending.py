"""voting.spending: the one reader of ballot entries that the disclosure checks are handed."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from ledger.disclosure.approval import BallotDecision, BallotRef, approved_spending
from ledger.disclosure.errors import ApprovalError
from voting.census import Census
from voting.matters import Matter
from voting.rules import Choice, evaluate
from voting.spending import ballot_decision

BALLOT = "127.0.0.1:8000/c/xianxia-7/ballots/3"
BOX_KEY = f"{BALLOT}+0123abcd+AQ"  # only carried through: the bundle verifier parses it
ROOT = Path(__file__).parents[2]


def _entries(*, agree: bool, amount: object = 5_000_000) -> tuple[dict[str, Any], dict[str, Any]]:
    """An opening entry as voting.ballots lays it out, and a result entry whose outcome is a
    real `Outcome.to_json()`."""
    census = Census.from_json(
        [
            {"id": "1-101", "area": "100", "holder": "o1", "developer": False},
            {"id": "1-102", "area": "100", "holder": "o2", "developer": False},
            {"id": "1-103", "area": "100", "holder": "o3", "developer": False},
        ]
    )
    choice = Choice.AGREE if agree else Choice.OPPOSE
    outcome = evaluate(
        Matter.USE_MAINTENANCE_FUND, census, dict.fromkeys(("o1", "o2", "o3"), choice)
    )
    opened: dict[str, Any] = {
        "type": "BallotOpened",
        "ballot": BALLOT,
        "community": "xianxia-7",
        "matter": 5,
        "title": "更换3号楼电梯",
        "amountFen": amount,
        "logKey": BOX_KEY,
    }
    result = {"type": "BallotResult", "ballot": BALLOT, "outcome": outcome.to_json()}
    return opened, result


def test_a_passed_spending_ballot_is_read() -> None:
    decision = ballot_decision(*_entries(agree=True))
    assert decision == BallotDecision(
        ballot=BALLOT,
        matter=5,
        passed=True,
        amount=5_000_000,
        title="更换3号楼电梯",
        box_key=BOX_KEY,
    )
    approved = approved_spending(BallotRef(BALLOT, 9, b"\x00" * 32), decision)
    assert (approved.amount, approved.title) == (5_000_000, "更换3号楼电梯")


def test_an_opening_without_a_box_key_still_reads() -> None:
    opened, result = _entries(agree=True)
    del opened["logKey"]
    decision = ballot_decision(opened, result)
    assert decision is not None and decision.box_key is None and decision.passed


def test_a_failed_ballot_approves_nothing() -> None:
    decision = ballot_decision(*_entries(agree=False))
    assert decision is not None and decision.passed is False
    with pytest.raises(ApprovalError, match="did not pass"):
        approved_spending(BallotRef(BALLOT, 9, b"\x00" * 32), decision)


@pytest.mark.parametrize(
    "change",
    [
        lambda o, r: o.update(type="BallotClosed"),
        lambda o, r: r.update(type="Vote"),
        lambda o, r: r.update(ballot=BALLOT + "0"),
        lambda o, r: o.update(amountFen=12.5),
        lambda o, r: o.update(amountFen=True),
        lambda o, r: o.update(matter="5"),
        lambda o, r: r["outcome"].update(matter=4),
        lambda o, r: r["outcome"].pop("passed"),
        lambda o, r: r.update(outcome=[]),
        lambda o, r: o.update(logKey=7),
    ],
)
def test_entries_that_are_not_one_ballots_read_as_none(change: Any) -> None:
    opened, result = _entries(agree=True)
    change(opened, result)
    assert ballot_decision(opened, result) is None


def test_the_ballot_entry_format_is_not_restated_in_ledger() -> None:
    # The entry types and their fields are voting's: no string of them in ledger/ code.
    layout = {"BallotOpened", "BallotResult", "outcome", "passed"}
    for path in (ROOT / "ledger").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & layout, (path, strings & layout)
