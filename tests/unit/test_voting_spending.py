"""voting.spending: the one reader of ballot entries that the disclosure checks are handed."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from ledger.disclosure.approval import BallotDecision, BallotRef, approved_spending
from ledger.disclosure.errors import ApprovalError
from voting.census import Census
from voting.items import Item, evaluate_item
from voting.matters import Matter
from voting.rules import Choice
from voting.spending import ballot_decision

BALLOT = "127.0.0.1:8000/c/xianxia-7/ballots/3"
BOX_KEY = f"{BALLOT}+0123abcd+AQ"  # only carried through: the bundle verifier parses it
ROOT = Path(__file__).parents[2]


def _entries(*, agree: bool, amount: object = 5_000_000) -> tuple[dict[str, Any], dict[str, Any]]:
    """An announcement (entry 0) as voting.ballots lays it out, its agenda one item on using
    the maintenance fund, and a result entry whose item outcome is a real `evaluate_item`
    outcome's ``to_json()``."""
    census = Census.from_json(
        [
            {"id": "1-101", "area": "100", "holder": "o1", "developer": False},
            {"id": "1-102", "area": "100", "holder": "o2", "developer": False},
            {"id": "1-103", "area": "100", "holder": "o3", "developer": False},
        ]
    )
    item: dict[str, Any] = {
        "id": "1",
        "kind": "motion",
        "matter": 5,
        "matterName": Matter.USE_MAINTENANCE_FUND.zh,
        "title": "更换3号楼电梯",
        "text": "使用维修资金更换3号楼两部电梯",
        "attachments": [],
        "amountFen": 5_000_000,
    }
    choice = Choice.AGREE if agree else Choice.OPPOSE
    outcome = evaluate_item(Item.parse(item), census, dict.fromkeys(("o1", "o2", "o3"), choice))
    item["amountFen"] = amount  # after parsing: the malformed cases are not valid items
    announced: dict[str, Any] = {
        "type": "BallotAnnounced",
        "ballot": BALLOT,
        "community": "xianxia-7",
        "title": "2026年第一次业主大会",
        "items": [item],
        "logKey": BOX_KEY,
    }
    result = {
        "type": "BallotResult",
        "ballot": BALLOT,
        "items": [{"id": "1", "kind": "motion", "outcome": outcome.to_json()}],
    }
    return announced, result


def _item(announced: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = announced["items"][0]
    return item


def _outcome(result: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = result["items"][0]["outcome"]
    return outcome


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
    announced, result = _entries(agree=True)
    del announced["logKey"]
    decision = ballot_decision(announced, result)
    assert decision is not None and decision.box_key is None and decision.passed


def test_the_fund_item_of_a_longer_agenda_is_read() -> None:
    announced, result = _entries(agree=True)
    other = _item(announced) | {"id": "2", "matter": 4, "matterName": Matter(4).zh}
    del other["amountFen"]
    announced["items"].insert(0, other)
    result["items"].insert(0, {"id": "2", "kind": "motion", "outcome": {"passed": False}})
    decision = ballot_decision(announced, result)
    assert decision is not None and (decision.matter, decision.passed) == (5, True)


def test_a_failed_ballot_approves_nothing() -> None:
    decision = ballot_decision(*_entries(agree=False))
    assert decision is not None and decision.passed is False
    with pytest.raises(ApprovalError, match="did not pass"):
        approved_spending(BallotRef(BALLOT, 9, b"\x00" * 32), decision)


@pytest.mark.parametrize(
    "change",
    [
        lambda o, r: o.update(type="BallotOpened"),
        lambda o, r: r.update(type="Vote"),
        lambda o, r: r.update(ballot=BALLOT + "0"),
        lambda o, r: _item(o).update(amountFen=12.5),
        lambda o, r: _item(o).update(amountFen=True),
        lambda o, r: _item(o).update(matter="5"),
        lambda o, r: _outcome(r).update(matter=4),
        lambda o, r: _outcome(r).pop("passed"),
        lambda o, r: r["items"][0].update(outcome=[]),
        lambda o, r: r["items"][0].update(id="2"),
        lambda o, r: r.update(items={}),
        lambda o, r: o["items"].append(_item(o) | {"id": "2"}),
        lambda o, r: o.update(logKey=7),
    ],
)
def test_entries_that_are_not_one_ballots_read_as_none(change: Any) -> None:
    announced, result = _entries(agree=True)
    change(announced, result)
    assert ballot_decision(announced, result) is None


def test_the_ballot_entry_format_is_not_restated_in_ledger() -> None:
    # The entry types and their fields are voting's: no string of them in ledger/ code.
    layout = {"BallotAnnounced", "BallotOpened", "BallotResult", "outcome", "passed"}
    for path in (ROOT / "ledger").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & layout, (path, strings & layout)
