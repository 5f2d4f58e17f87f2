"""``gongzhi rules evaluate`` with an agenda, and ``--on-chain`` printing the same JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import contracts.registry as registry
from tests.unit.test_voting_rules_cli import GOOD, run_in_process, write

# Five owners of 100 m² (developer left out: false); matter 7 at exactly 3/4 of those who
# took part (o5 left it blank); an election with a tie for the second seat.
AGENDA: dict[str, Any] = {
    "items": [
        {"id": "1", "kind": "motion", "matter": 7, "title": "改建车棚", "text": "方案全文"},
        {
            "id": "2",
            "kind": "election",
            "matter": 3,
            "title": "增补业委会委员",
            "text": "候选人名单",
            "seats": 2,
            "candidates": [
                {"id": "c1", "label": "候选人甲（1-2-301）"},
                {"id": "c2", "label": "候选人乙（3-1-502）"},
                {"id": "c3", "label": "候选人丙（2-2-101）"},
            ],
        },
    ],
    "units": [{"id": f"1-10{i}", "area": "100.00", "holder": f"o{i}"} for i in range(1, 6)],
    "ranking": "area",
    "votes": {
        "o1": {"1": "agree", "2": ["c1", "c2"]},
        "o2": {"1": "agree", "2": ["c1", "c3"]},
        "o3": {"1": "agree", "2": ["c2", "c3"]},
        "o4": {"1": "oppose", "2": ["c1"]},
        "o5": {"2": []},
    },
}


def evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> Any:
    assert run_in_process(["rules", "evaluate", *flags, write(tmp_path, json.dumps(AGENDA))]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def test_an_agenda_prints_each_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = evaluate(tmp_path, capsys)
    motion, election = out["items"]
    assert (motion["id"], motion["kind"]) == ("1", "motion")
    assert motion["outcome"]["participating"] == {"area": "400.00", "headcount": 4}
    assert motion["outcome"]["approval"]["area"] == "3/4" and motion["outcome"]["passed"]
    assert (election["id"], election["kind"]) == ("2", "election")
    result = election["outcome"]
    assert result["participating"]["headcount"] == 5
    assert [c["approvals"]["headcount"] for c in result["candidates"]] == [3, 2, 2]
    assert result["elected"] == ["c1"] and not result["unresolved_tie"]  # 2 of 5 is no majority
    assert result["passed"] is False


@pytest.mark.parametrize("document", ["matter", "agenda"])
def test_on_chain_prints_the_same_json(
    document: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(GOOD if document == "matter" else AGENDA)
    path = write(tmp_path, text)
    assert run_in_process(["rules", "evaluate", path]) == 0
    plain = capsys.readouterr().out
    assert run_in_process(["rules", "evaluate", "--on-chain", path]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == plain


def test_on_chain_output_comes_from_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the contract to decide otherwise, --on-chain would print its decision."""
    real = registry._verdict

    def contrary(raw: Any) -> registry.Verdict:
        verdict = real(raw)
        return dataclasses.replace(verdict, approved_by_area=not verdict.approved_by_area)

    monkeypatch.setattr(registry, "_verdict", contrary)
    out = evaluate(tmp_path, capsys, "--on-chain")
    assert out["items"][0]["outcome"]["approval"]["area_met"] is False


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"items": []}, "items: "),
        ({"ranking": "lottery"}, "ranking: "),
        ({"votes": {"o1": {"3": "agree"}}}, 'votes["o1"]["3"]: '),
        ({"votes": {"o1": {"2": ["c1", "c1"]}}}, 'votes["o1"]["2"][1]: '),
        ({"votes": {"ghost": {}}}, 'votes["ghost"]: '),
        ({"extra": 1}, "unknown field 'extra'"),
    ],
)
def test_agenda_errors_exit_2_and_say_where(
    change: dict[str, Any], where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, json.dumps(AGENDA | change))
    for flags in ([], ["--on-chain"]):
        assert run_in_process(["rules", "evaluate", *flags, path]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and where in captured.err and " / " in captured.err
