"""Civil Code Art. 278 ¶2 at its exact boundaries, each case computed by hand in the comment."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting.area import Area
from voting.census import Census, Tally
from voting.document import evaluate_document
from voting.errors import MatterError, VoteError, VotingError
from voting.matters import Matter
from voting.rules import Choice, Outcome, evaluate

Y, N, X = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN  # yes, no, abstain


def owners(*areas: str) -> Census:
    """One unit per owner: owner ``o1`` holds unit ``u1`` with the first area, and so on."""
    return Census.from_json(
        [
            {"id": f"u{i}", "area": area, "holder": f"o{i}", "developer": False}
            for i, area in enumerate(areas, start=1)
        ]
    )


def decide(matter: int, census: Census, **votes: Choice) -> Outcome:
    return evaluate(Matter(matter), census, votes)


def test_exactly_two_thirds_of_area_and_heads_meets_the_quorum() -> None:
    # 200.00 of 300.00 m² = 2/3 and 2 of 3 heads = 2/3: "三分之二以上" includes the bound.
    out = decide(1, owners("100", "100", "100"), o1=Y, o2=Y)
    assert out.participating == Tally(Area(20000), 2)
    assert out.participation_area == Fraction(2, 3)
    assert out.quorum_by_area and out.quorum_by_headcount and out.quorum_met
    assert out.passed


def test_one_hundredth_of_a_square_metre_short_of_two_thirds_fails_the_quorum() -> None:
    # 100.00 + 99.99 = 199.99 of 300.00 m² < 2/3, although 2 of 3 heads = 2/3.
    out = decide(1, owners("100", "99.99", "100.01"), o1=Y, o2=Y)
    assert out.participation_area == Fraction(19999, 30000)
    assert not out.quorum_by_area and out.quorum_by_headcount
    assert not out.quorum_met and out.approved and not out.passed


def test_two_thirds_of_area_but_too_few_heads_fails_the_quorum() -> None:
    # 4 owners; o1 holds 300 of 400 m² (3/4 of area) but is 1 head of 4 < 2/3.
    out = decide(1, owners("300", "50", "25", "25"), o1=Y)
    assert out.quorum_by_area and not out.quorum_by_headcount and not out.passed


def test_exactly_three_quarters_approves_item_7() -> None:
    # all 4 vote; 3 of 4 heads and 300.00 of 400.00 m² agree = 3/4: "四分之三以上" includes it.
    out = decide(7, owners("100", "100", "100", "100"), o1=Y, o2=Y, o3=Y, o4=N)
    assert out.agreement_area == Fraction(3, 4) and out.agreement_headcount == Fraction(3, 4)
    assert out.approved and out.passed
    assert str(out.approval_rule) == "3/4"


def test_one_hundredth_short_of_three_quarters_rejects_item_7() -> None:
    # 300.00 of 400.01 m² < 3/4 (3·40001 = 120003 > 4·30000 = 120000), heads still 3/4.
    out = decide(7, owners("100", "100", "100", "100.01"), o1=Y, o2=Y, o3=Y, o4=N)
    assert not out.approved_by_area and out.approved_by_headcount and not out.passed


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_two_thirds_in_favour_is_not_enough_for_items_6_to_8(matter: int) -> None:
    out = decide(matter, owners("100", "100", "100"), o1=Y, o2=Y, o3=N)
    assert out.quorum_met and not out.approved


def test_exactly_half_fails_item_1() -> None:
    # 2 of 4 heads and 200.00 of 400.00 m² agree = 1/2, and "过半数" is strictly more.
    out = decide(1, owners("100", "100", "100", "100"), o1=Y, o2=Y, o3=N, o4=N)
    assert out.agreement_area == Fraction(1, 2)
    assert out.quorum_met and not out.approved and not out.passed
    assert str(out.approval_rule) == ">1/2"


def test_one_hundredth_over_half_by_area_still_needs_more_than_half_the_heads() -> None:
    # 200.01 of 400.00 m² > 1/2, but 2 of 4 heads = 1/2: both majorities are required.
    out = decide(1, owners("100.01", "100", "100", "99.99"), o1=Y, o2=Y, o3=N, o4=N)
    assert out.approved_by_area and not out.approved_by_headcount and not out.approved


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_three_of_four_passes_the_majority_items(matter: int) -> None:
    out = decide(matter, owners("100", "100", "100", "100"), o1=Y, o2=Y, o3=Y, o4=N)
    assert out.passed


def test_abstentions_participate_but_do_not_agree() -> None:
    # o1 abstains, o2 agrees: 2 of 3 take part (quorum met); 1 of 2 agrees = 1/2, not > 1/2.
    out = decide(1, owners("100", "100", "100"), o1=X, o2=Y)
    assert out.abstain == Tally(Area(10000), 1)
    assert out.participating == Tally(Area(20000), 2)
    assert out.quorum_met and not out.approved
    # Without o1's abstention nobody else is there: 1 of 3 cannot meet the quorum.
    assert not decide(1, owners("100", "100", "100"), o2=Y).quorum_met


def test_developer_units_count_as_one_head_and_a_multi_unit_buyer_once() -> None:
    census = Census.from_json(
        [
            {"id": "1-101", "area": "90", "holder": "dev", "developer": True},
            {"id": "1-102", "area": "90", "holder": "dev", "developer": True},
            {"id": "1-103", "area": "90", "holder": "dev", "developer": True},
            {"id": "2-101", "area": "60.50", "holder": "buyer", "developer": False},
            {"id": "2-102", "area": "39.50", "holder": "buyer", "developer": False},
            {"id": "3-101", "area": "100", "holder": "solo", "developer": False},
        ]
    )
    # 6 units but 3 heads: the developer once, the buyer of two units once, solo once.
    assert census.total == Tally(Area(47000), 3)
    assert census.voters["dev"].area == Area(27000)
    assert census.voters["buyer"].area == Area(10000)
    assert census.voters["buyer"].unit_ids == ("2-101", "2-102")
    # buyer + solo = 200.00 of 470.00 m² < 2/3 but 2 of 3 heads; the developer's vote decides.
    without = evaluate(Matter(1), census, {"buyer": Y, "solo": Y})
    assert without.quorum_by_headcount and not without.quorum_by_area
    with_dev = evaluate(Matter(1), census, {"buyer": Y, "solo": N, "dev": X})
    assert with_dev.participating == Tally(Area(47000), 3) and with_dev.quorum_met
    # agree: 100.00 of 470.00 m² and 1 of 3 heads: not approved.
    assert not with_dev.approved


def test_no_votes_means_no_quorum_and_no_approval() -> None:
    out = decide(1, owners("100", "100"))
    assert out.participating == Tally(Area(0), 0)
    assert out.agreement_area is None and out.agreement_headcount is None
    assert not out.quorum_met and not out.approved and not out.passed


def test_the_outcome_json_has_the_published_shape() -> None:
    out = decide(7, owners("100", "100", "100", "100.01"), o1=Y, o2=Y, o3=Y, o4=N).to_json()
    assert out["matter"] == 7
    assert out["total"] == {"area": "400.01", "headcount": 4}
    assert out["agree"] == {"area": "300.00", "headcount": 3}
    assert out["abstain"] == {"area": "0.00", "headcount": 0}
    assert out["quorum"] == {
        "threshold": "2/3",
        "rule": "三分之二以上",
        "area": "1/1",
        "headcount": "1/1",
        "area_met": True,
        "headcount_met": True,
    }
    assert out["approval"] == {
        "threshold": "3/4",
        "rule": "四分之三以上",
        "area": "30000/40001",
        "headcount": "3/4",
        "area_met": False,
        "headcount_met": True,
    }
    assert (out["quorum_met"], out["approved"], out["passed"]) == (True, False, False)


def test_a_vote_from_outside_the_census_is_refused() -> None:
    with pytest.raises(VoteError, match=r'votes\["ghost"\].*not in the census'):
        decide(1, owners("100"), ghost=Y)


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(VoteError, match=r'votes\["o1"\].*unknown choice'):
        evaluate(Matter(1), owners("100"), {"o1": "yes"})  # type: ignore[dict-item]


def unit(uid: str, holder: str, developer: bool = False, area: object = "10") -> dict[str, object]:
    return {"id": uid, "area": area, "holder": holder, "developer": developer}


@pytest.mark.parametrize(
    ("units", "where", "what"),
    [
        ([unit("a", "o1"), unit("a", "o2")], "units[1].id", "duplicate unit id"),
        ([unit("a", "o1"), unit("b", "o1", area="1.234")], "units[1].area", "two decimals"),
        ([unit("a", "o1", area=0)], "units[0].area", "positive"),
        ([unit("a", "o1", area=12.5)], "units[0].area", "quote it"),
        ([unit("a", "")], "units[0].holder", "non-empty"),
        ([unit("a", "  ")], "units[0].holder", "non-empty"),
        ([unit("a", " o1")], "units[0].holder", "whitespace"),
        ([unit("a", "d", True), unit("b", "d")], "units[1].holder", "both developer"),
        ([unit("a", "d1", True), unit("b", "d2", True)], "units[1].holder", "one holder"),
        ([unit("a", "o1", developer="no")], "units[0].developer", "true or false"),  # type: ignore[arg-type]
        ([{"id": "a", "area": "1"}], "units[0]", "missing field holder"),
        ([{**unit("a", "o1"), "floor": 3}], "units[0]", "unknown field 'floor'"),
        (["a"], "units[0]", "JSON object"),
        ([], "units", "no units"),
        ({"a": 1}, "units", "JSON array"),
    ],
)
def test_census_errors_say_what_and_where(units: object, where: str, what: str) -> None:
    with pytest.raises(VotingError) as info:  # CensusError, or AreaError for an area
        Census.from_json(units)
    message = str(info.value)
    assert message.startswith(f"{where}: ") and what in message and " / " in message


def test_developer_may_be_left_out_and_then_is_false() -> None:
    census = Census.from_json([{"id": "a", "area": "1", "holder": "o1"}])
    assert census.voters["o1"].developer is False
    assert census == Census.from_json([unit("a", "o1", area="1")])


def test_unit_order_does_not_change_the_census() -> None:
    units = [unit("a", "o1", area="1.5"), unit("b", "o2"), unit("c", "o1", area="2")]
    assert Census.from_json(units) == Census.from_json(units[::-1])


@pytest.mark.parametrize(
    ("document", "error", "start"),
    [
        ([], VoteError, "输入须为JSON对象"),
        ({"units": [unit("a", "o1")], "votes": {}}, VoteError, "缺少字段 matter"),
        ({"matter": 10, "units": [unit("a", "o1")], "votes": {}}, MatterError, "matter: "),
        ({"matter": True, "units": [unit("a", "o1")], "votes": {}}, MatterError, "matter: "),
        ({"matter": 1, "units": [unit("a", "o1")], "votes": []}, VoteError, "votes: "),
        ({"matter": 1, "units": [unit("a", "o1")], "votes": {"o1": 1}}, VoteError, 'votes["o1"]: '),
        ({"matter": 1, "units": [unit("a", "o1")], "votes": {}, "x": 1}, VoteError, "未知字段 'x'"),
    ],
)
def test_document_errors_say_what_and_where(
    document: object, error: type[VotingError], start: str
) -> None:
    with pytest.raises(error) as info:
        evaluate_document(document)
    assert str(info.value).startswith(start)


def test_a_document_is_evaluated_like_its_parts() -> None:
    units = [unit("a", "o1", area="2"), unit("b", "o2", area=1)]
    document = {"matter": 3, "units": units, "votes": {"o1": "agree", "o2": "abstain"}}
    direct = evaluate(Matter.COMMITTEE, Census.from_json(units), {"o1": Y, "o2": X})
    assert evaluate_document(document) == direct
