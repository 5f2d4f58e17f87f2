"""Agenda items: parsing with located bilingual errors, per-item participation, elections."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest

from voting.census import Census
from voting.errors import MatterError, VoteError, VotingError
from voting.items import (
    ElectionOutcome,
    Item,
    ItemKind,
    evaluate_item,
    parse_choices,
    parse_items,
    seat,
)
from voting.matters import Matter
from voting.rules import Choice, Outcome, evaluate

Y, N, X = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN
HEX = "ab" * 32


def motion(**over: Any) -> dict[str, Any]:
    return {"id": "1", "kind": "motion", "matter": 2, "title": "管理规约", "text": "全文"} | over


def election(seats: int = 1, n: int = 3, **over: Any) -> dict[str, Any]:
    candidates = [{"id": f"c{i}", "label": f"候选人{i}"} for i in range(1, n + 1)]
    return {
        "id": "2",
        "kind": "election",
        "matter": 3,
        "title": "选举业委会",
        "text": "候选人名单",
        "seats": seats,
        "candidates": candidates,
    } | over


def census_of(*areas: int) -> Census:
    """Voters o1, o2, … with these areas in whole m²."""
    return Census.from_json(
        [{"id": f"u{i}", "area": a, "holder": f"o{i}"} for i, a in enumerate(areas, 1)]
    )


# ---- parsing ---------------------------------------------------------------------------


def test_a_full_motion_round_trips() -> None:
    raw = motion(
        matter=5,
        attachments=[{"name": "预算.pdf", "sha256": HEX}],
        amountFen=1_234_500,
        matterName=Matter.USE_MAINTENANCE_FUND.zh,
    )
    item = Item.parse(raw)
    assert item.kind is ItemKind.MOTION and item.amount_fen == 1_234_500
    assert item.to_json() == raw
    assert Item.parse(item.to_json()) == item


def test_an_election_round_trips_and_matter_name_is_filled_in() -> None:
    item = Item.parse(election(seats=2))
    assert item.seats == 2 and item.candidate_ids() == ("c1", "c2", "c3")
    out = item.to_json()
    assert out["matterName"] == Matter.COMMITTEE.zh and out["attachments"] == []
    assert Item.parse(out) == item


def test_matter_3_may_be_a_motion() -> None:
    assert Item.parse(motion(matter=3)).matter is Matter.COMMITTEE


@pytest.mark.parametrize(
    ("raw", "error", "where", "what"),
    [
        ([], VoteError, "", "JSON object"),
        (motion(kind="vote"), VoteError, "kind", "motion or election"),
        ({"id": "1"}, VoteError, "", "motion or election"),
        (motion(id=""), VoteError, "id", "1 to 8"),
        (motion(id="123456789"), VoteError, "id", "1 to 8"),
        (motion(id="a b"), VoteError, "id", "1 to 8"),
        (motion(id=1), VoteError, "id", "1 to 8"),
        (motion(matter=0), MatterError, "matter", "1 to 9"),
        (motion(matter=True), MatterError, "matter", "1 to 9"),
        (motion(matterName="别的"), MatterError, "matterName", "wording"),
        (election(matter=4), MatterError, "matter", "only be matter 3"),
        (motion(title=""), VoteError, "title", "non-empty"),
        (motion(title="   "), VoteError, "title", "non-empty"),
        (motion(title="x" * 201), VoteError, "title", "at most 200"),
        (motion(text=""), VoteError, "text", "non-empty"),
        (motion(text="x" * 20_001), VoteError, "text", "at most 20000"),
        (motion(attachments={}), VoteError, "attachments", "JSON array"),
        (motion(attachments=[{"name": "a"}]), VoteError, "attachments[0]", "missing field sha256"),
        (
            motion(attachments=[{"name": "a", "sha256": HEX.upper()}]),
            VoteError,
            "attachments[0].sha256",
            "lowercase hex",
        ),
        (
            motion(attachments=[{"name": "", "sha256": HEX}]),
            VoteError,
            "attachments[0].name",
            "non-empty",
        ),
        (
            motion(attachments=[{"name": "a", "sha256": HEX}] * 21),
            VoteError,
            "attachments",
            "at most 20",
        ),
        (motion(amountFen=100), VoteError, "amountFen", "matter 5"),
        (motion(matter=5, amountFen=0), VoteError, "amountFen", "1 to"),
        (motion(matter=5, amountFen=10**15 + 1), VoteError, "amountFen", "1 to"),
        (motion(matter=5, amountFen=1.5), VoteError, "amountFen", "1 to"),
        (motion(seats=1), VoteError, "", "unknown field 'seats'"),
        (motion(extra=1), VoteError, "", "unknown field 'extra'"),
        ({k: v for k, v in election().items() if k != "seats"}, VoteError, "", "missing field"),
        (election(amountFen=1), VoteError, "", "unknown field 'amountFen'"),
        (election(seats=0), VoteError, "seats", "1 to 50"),
        (election(seats=51, n=60), VoteError, "seats", "1 to 50"),
        (election(seats=4, n=3), VoteError, "seats", "number of candidates"),
        (election(candidates=[]), VoteError, "candidates", "not be empty"),
        (election(n=101), VoteError, "candidates", "at most 100"),
        (
            election(candidates=[{"id": "c1", "label": "甲"}, {"id": "c1", "label": "乙"}]),
            VoteError,
            "candidates[1].id",
            "duplicate candidate id",
        ),
        (
            election(candidates=[{"id": "c1", "label": "甲"}, {"id": "c2", "label": "甲"}]),
            VoteError,
            "candidates[1].label",
            "duplicate candidate label",
        ),
        (
            election(candidates=[{"id": "c1", "label": "x" * 101}]),
            VoteError,
            "candidates[0].label",
            "at most 100",
        ),
        (
            election(candidates=[{"id": "c 1", "label": "甲"}]),
            VoteError,
            "candidates[0].id",
            "1 to 8",
        ),
    ],
)
def test_item_errors_say_what_and_where(
    raw: object, error: type[VotingError], where: str, what: str
) -> None:
    with pytest.raises(error) as info:
        Item.parse(raw)
    assert info.value.where == where
    assert what in info.value.en and info.value.zh and info.value.zh != info.value.en


def test_parse_items_needs_one_to_twenty_distinct_ids() -> None:
    assert [i.id for i in parse_items([motion(), election()])] == ["1", "2"]
    for raw, where, what in [
        ([], "items", "not be empty"),
        ({}, "items", "JSON array"),
        ([motion(id=str(i)) for i in range(21)], "items", "at most 20"),
        ([motion(), election(id="1")], "items[1].id", "duplicate item id '1'"),
        ([motion(), motion(id="2", title="")], "items[1].title", "non-empty"),
    ]:
        with pytest.raises(VoteError) as info:
            parse_items(raw)
        assert info.value.where == where and what in info.value.en


# ---- choices ---------------------------------------------------------------------------

AGENDA = parse_items([motion(), election(seats=2)])


def test_choices_in_agenda_order_with_items_left_out() -> None:
    assert parse_choices(AGENDA, {"2": ["c3", "c1"], "1": "oppose"}) == {"1": N, "2": ("c3", "c1")}
    assert parse_choices(AGENDA, {"2": []}) == {"2": ()}
    assert parse_choices(AGENDA, {}) == {}


@pytest.mark.parametrize(
    ("raw", "where", "what"),
    [
        ([], "", "JSON object"),
        ({"3": "agree"}, '["3"]', "not on the announced agenda"),
        ({"1": "yes"}, '["1"]', "unknown choice"),
        ({"1": ["c1"]}, '["1"]', "unknown choice"),
        ({"2": "agree"}, '["2"]', "array of candidate ids"),
        ({"2": ["c1", "c1"]}, '["2"][1]', "listed twice"),
        ({"2": ["c9"]}, '["2"][0]', "not a candidate"),
        ({"2": [1]}, '["2"][0]', "not a candidate"),
        ({"2": ["c1", "c2", "c3"]}, '["2"]', "at most 2"),
    ],
)
def test_choice_errors_say_what_and_where(raw: object, where: str, what: str) -> None:
    with pytest.raises(VoteError) as info:
        parse_choices(AGENDA, raw)
    assert info.value.where == where and what in info.value.en


# ---- motions: per-item participation ---------------------------------------------------


def test_a_motion_counts_only_who_took_part_in_it() -> None:
    census = census_of(100, 100, 100)
    item = AGENDA[0]
    # o3 voted on the election only: two of three heads take part in item 1, exactly 2/3.
    out = evaluate_item(item, census, {"o1": Y, "o2": N})
    assert isinstance(out, Outcome)
    assert out == evaluate(Matter.MANAGEMENT_STATUTE, census, {"o1": Y, "o2": N})
    assert out.quorum_met and out.participation_headcount == Fraction(2, 3)
    # 1 of 2 is not more than half
    assert not out.approved_by_headcount and not out.passed


def test_a_motion_refuses_an_election_choice_and_an_unknown_voter() -> None:
    with pytest.raises(VoteError) as info:
        evaluate_item(AGENDA[0], census_of(1), {"o1": ("c1",)})
    assert info.value.where == 'votes["o1"]'
    with pytest.raises(VoteError, match="not in the census"):
        evaluate_item(AGENDA[0], census_of(1), {"ghost": Y})


# ---- elections -------------------------------------------------------------------------


def elect(
    areas: tuple[int, ...],
    votes: Mapping[str, tuple[str, ...]],
    seats: int = 1,
    n: int = 3,
    ranking: str = "area",
) -> ElectionOutcome:
    out = evaluate_item(Item.parse(election(seats, n)), census_of(*areas), votes, ranking)
    assert isinstance(out, ElectionOutcome)
    return out


def test_more_than_half_of_participants_by_area_and_headcount() -> None:
    # 4 voters of 100 m²: c1 has 3 of 4 (eligible); c2 has exactly 2 of 4 (not > 1/2).
    out = elect((100,) * 4, {"o1": ("c1", "c2"), "o2": ("c1", "c2"), "o3": ("c1",), "o4": ()}, 2)
    c1, c2, c3 = out.candidates
    assert c1.eligible and c1.area_share == Fraction(3, 4)
    assert c2.area_share == Fraction(1, 2) and not c2.majority_by_area and not c2.eligible
    assert c3.approvals.headcount == 0 and not c3.eligible
    assert out.elected == ("c1",) and not out.unresolved_tie and not out.passed
    assert out.participating.headcount == 4  # the empty list took part


def test_an_empty_approval_list_takes_part_and_lowers_shares() -> None:
    with_blank = elect((100,) * 3, {"o1": ("c1",), "o2": ("c1",), "o3": ()})
    without = elect((100,) * 3, {"o1": ("c1",), "o2": ("c1",)})
    assert with_blank.participating.headcount == 3
    assert with_blank.candidates[0].headcount_share == Fraction(2, 3)
    # without o3 exactly 2/3 took part: the quorum is inclusive, and c1 has every approval
    assert without.participation_headcount == Fraction(2, 3) and without.quorum_met
    assert without.candidates[0].headcount_share == Fraction(1, 1)
    assert with_blank.elected == without.elected == ("c1",)


def test_no_quorum_no_one_is_eligible() -> None:
    out = elect((100,) * 4, {"o1": ("c1",), "o2": ("c1",)})
    assert not out.quorum_met and out.participation_area == Fraction(1, 2)
    assert out.candidates[0].majority_by_area and not out.candidates[0].eligible
    assert out.elected == () and not out.unresolved_tie and not out.passed


# o1 300 m², o2 and o3 100, o4 and o5 150: 800 m², 5 heads; a majority is > 400 and >= 3.
RANKED_AREAS = (300, 100, 100, 150, 150)
RANKED_VOTES = {
    "o1": ("c1", "c2"),
    "o2": ("c2", "c3"),
    "o3": ("c2", "c3"),
    "o4": ("c1", "c3"),
    "o5": ("c1", "c3"),
}


@pytest.mark.parametrize(
    ("ranking", "elected"),
    [
        # c1 (600 m², 3), c3 (500, 4), c2 (500, 3): c3 beats c2 on the second key
        ("area", ("c1", "c3")),
        # c3 (4, 500 m²), c1 (3, 600), c2 (3, 500): c1 beats c2 on the second key
        ("headcount", ("c3", "c1")),
    ],
)
def test_ranking_rule_first_key_then_second(ranking: str, elected: tuple[str, ...]) -> None:
    out = elect(RANKED_AREAS, RANKED_VOTES, seats=2, ranking=ranking)
    got = [(c.approvals.area.hundredths // 100, c.approvals.headcount) for c in out.candidates]
    assert got == [(600, 3), (500, 3), (500, 4)]
    assert all(c.eligible for c in out.candidates)
    assert out.elected == elected and not out.unresolved_tie and out.passed


def test_headcount_ranking_can_tie_where_area_ranking_does_not() -> None:
    # 300 + 4 × 100 m²; c1 {o1,o2,o3}, c2 {o1,o4,o5}: (500 m², 3) each; c3 {o2..o5}: (400, 4)
    areas = (300, 100, 100, 100, 100)
    votes = {
        "o1": ("c1", "c2"),
        "o2": ("c1", "c3"),
        "o3": ("c1", "c3"),
        "o4": ("c2", "c3"),
        "o5": ("c2", "c3"),
    }
    by_area = elect(areas, votes, seats=2, ranking="area")
    assert by_area.elected == ("c1", "c2") and not by_area.unresolved_tie  # a tie, but both fit
    by_heads = elect(areas, votes, seats=2, ranking="headcount")
    assert by_heads.elected == ("c3",) and by_heads.unresolved_tie and not by_heads.passed


def test_a_tie_for_the_last_seat_is_unresolved_but_earlier_seats_stand() -> None:
    # 2 seats; c1 clearly first; c2 and c3 equal on area and headcount for seat 2.
    votes = {"o1": ("c1", "c2"), "o2": ("c1", "c3"), "o3": ("c1",), "o4": ("c2", "c3")}
    out = elect((100,) * 4, votes, seats=2)
    assert [c.eligible for c in out.candidates] == [True, False, False]  # 2 of 4 is not > 1/2
    votes = {"o1": ("c1", "c2"), "o2": ("c1", "c3"), "o3": ("c2", "c3")}
    out = elect((100,) * 3, votes, seats=2)
    assert all(c.eligible for c in out.candidates)  # each has 2 of 3
    assert out.elected == () and out.unresolved_tie  # three-way tie for two seats
    votes = {"o1": ("c1", "c2"), "o2": ("c1", "c3"), "o3": ("c1",), "o4": ("c2", "c3"), "o5": ()}
    out = elect((100,) * 5, votes, seats=2)
    assert [c.eligible for c in out.candidates] == [True, False, False]
    assert out.elected == ("c1",) and not out.unresolved_tie and not out.passed


def test_seat_keeps_notice_order_among_equals_that_all_fit() -> None:
    assert seat([("a", (1, 1)), ("b", (2, 1)), ("c", (1, 1))], 3) == (("b", "a", "c"), False)
    assert seat([("a", (1, 1)), ("b", (2, 1)), ("c", (1, 1))], 2) == (("b",), True)
    assert seat([("a", (1, 1)), ("b", (2, 1)), ("c", (1, 0))], 2) == (("b", "a"), False)
    assert seat([], 2) == ((), False)


def test_election_json_lists_every_candidate_and_the_quorum_block() -> None:
    out = elect((100, 100, 100), {"o1": ("c1",), "o2": ("c1",), "o3": ("c2",)})
    doc: Any = out.to_json()
    assert doc["matter"] == 3 and doc["seats"] == 1 and doc["ranking"] == "area"
    assert doc["quorum"] == {
        "threshold": "2/3",
        "rule": "三分之二以上",
        "area": "1/1",
        "headcount": "1/1",
        "area_met": True,
        "headcount_met": True,
    }
    assert doc["approval"] == {"threshold": ">1/2", "rule": "过半数"}
    assert doc["candidates"][0] == {
        "id": "c1",
        "label": "候选人1",
        "approvals": {"area": "200.00", "headcount": 2},
        "area_share": "2/3",
        "headcount_share": "2/3",
        "majority_by_area": True,
        "majority_by_headcount": True,
        "eligible": True,
    }
    assert doc["candidates"][2]["area_share"] == "0/1"
    assert doc["elected"] == ["c1"] and doc["unresolved_tie"] is False and doc["passed"] is True


def test_nobody_took_part_shares_are_none() -> None:
    doc: Any = elect((1,), {}).to_json()
    assert doc["participating"] == {"area": "0.00", "headcount": 0}
    assert doc["candidates"][0]["area_share"] is None
    assert doc["elected"] == [] and doc["passed"] is False


@pytest.mark.parametrize(
    ("votes", "where", "what"),
    [
        ({"o1": "agree"}, 'votes["o1"]', "array of candidate ids"),
        ({"o1": ("c1", "c2")}, 'votes["o1"]', "at most 1"),
        ({"o1": ("c9",)}, 'votes["o1"][0]', "not a candidate"),
        ({"ghost": ()}, 'votes["ghost"]', "not in the census"),
    ],
)
def test_election_refuses_bad_votes(votes: dict[str, Any], where: str, what: str) -> None:
    with pytest.raises(VoteError) as info:
        elect((1,), votes)
    assert info.value.where == where and what in info.value.en


def test_an_unknown_ranking_is_refused() -> None:
    with pytest.raises(VoteError, match="area or headcount"):
        elect((1,), {}, ranking="random")
