"""Properties of the Art. 278 rule engine, checked against a reference written differently.

The reference never builds a census and never uses ``Fraction``: it weighs each unit on
its own and compares by cross-multiplication (``3·part ≥ 2·whole`` and so on).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from voting.area import Area
from voting.census import Census
from voting.matters import Matter
from voting.rules import Choice, evaluate

HOLDERS = ["o1", "o2", "o3", "o4", "o5", "o6", "dev"]  # "dev" holds the developer's units


@dataclass(frozen=True)
class Case:
    matter: int
    units: list[dict[str, object]]
    votes: dict[str, Choice]


def area_text(hundredths: int, draw_style: int) -> object:
    """The same area spelled as the input may spell it: "12.30", "12.3", or the integer 12."""
    whole, frac = divmod(hundredths, 100)
    if frac == 0 and draw_style == 2:
        return whole
    if frac % 10 == 0 and draw_style >= 1:
        return f"{whole}.{frac // 10}" if frac else str(whole)
    return f"{whole}.{frac:02d}"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(min_value=1, max_value=12))
    units = []
    for i in range(n):
        holder = draw(st.sampled_from(HOLDERS))
        # small areas and round ones, so ties with 2/3, 3/4 and 1/2 happen often
        hundredths = draw(st.one_of(st.integers(1, 400), st.sampled_from([100, 200, 300, 10000])))
        units.append(
            {
                "id": f"u{i}",
                "area": area_text(hundredths, draw(st.integers(0, 2))),
                "holder": holder,
                "developer": holder == "dev",
            }
        )
    holders = sorted({str(u["holder"]) for u in units})
    voters = draw(st.lists(st.sampled_from(holders), unique=True))
    votes = {h: draw(st.sampled_from(list(Choice))) for h in voters}
    return Case(draw(st.integers(1, 9)), units, votes)


def hundredths_of(area: object) -> int:
    """Independent of Area.parse: split the text by hand."""
    if isinstance(area, int):
        return area * 100
    whole, _, frac = str(area).partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def reference(case: Case) -> dict[str, object]:
    """Art. 278 ¶2 by cross-multiplication, one unit at a time."""
    total_area = sum(hundredths_of(u["area"]) for u in case.units)
    heads = {("developer" if u["developer"] else str(u["holder"])) for u in case.units}
    weights: dict[Choice, list[int]] = {c: [0, 0] for c in Choice}
    for holder, choice in case.votes.items():
        weights[choice][0] += sum(
            hundredths_of(u["area"]) for u in case.units if u["holder"] == holder
        )
        weights[choice][1] += 1
    part_area = sum(w[0] for w in weights.values())
    part_heads = sum(w[1] for w in weights.values())
    agree_area, agree_heads = weights[Choice.AGREE]
    quorum = 3 * part_area >= 2 * total_area and 3 * part_heads >= 2 * len(heads)
    if 6 <= case.matter <= 8:
        approved = 4 * agree_area >= 3 * part_area and 4 * agree_heads >= 3 * part_heads
    else:
        approved = 2 * agree_area > part_area and 2 * agree_heads > part_heads
    approved = approved and part_heads > 0
    return {
        "total": (total_area, len(heads)),
        "participating": (part_area, part_heads),
        "agree": (agree_area, agree_heads),
        "quorum_met": quorum,
        "approved": approved,
        "passed": quorum and approved,
    }


def run(case: Case, units: list[dict[str, object]] | None = None) -> dict[str, object]:
    census = Census.from_json(case.units if units is None else units)
    return evaluate(Matter(case.matter), census, case.votes).to_json()


@given(cases())
def test_matches_the_cross_multiplication_reference(case: Case) -> None:
    out = evaluate(Matter(case.matter), Census.from_json(case.units), case.votes)
    expected = reference(case)
    assert (out.total.area.hundredths, out.total.headcount) == expected["total"]
    assert (out.participating.area.hundredths, out.participating.headcount) == expected[
        "participating"
    ]
    assert (out.agree.area.hundredths, out.agree.headcount) == expected["agree"]
    assert out.quorum_met == expected["quorum_met"]
    assert out.approved == expected["approved"]
    assert out.passed == expected["passed"]


@given(cases(), st.randoms(use_true_random=False))
def test_unit_order_does_not_matter(case: Case, rng: random.Random) -> None:
    shuffled = list(case.units)
    rng.shuffle(shuffled)
    assert run(case, shuffled) == run(case)


@given(cases())
def test_choices_add_up_to_participation(case: Case) -> None:
    out = evaluate(Matter(case.matter), Census.from_json(case.units), case.votes)
    assert out.agree + out.oppose + out.abstain == out.participating
    assert out.participating.area <= out.total.area
    assert out.participating.headcount == len(case.votes) <= out.total.headcount


@given(cases(), st.data())
def test_one_more_agree_vote_never_turns_a_pass_into_a_failure(
    case: Case, data: st.DataObject
) -> None:
    census = Census.from_json(case.units)
    absent = [h for h in census.voters if h not in case.votes]
    if not absent:
        return
    newcomer = data.draw(st.sampled_from(absent))
    before = evaluate(Matter(case.matter), census, case.votes)
    after = evaluate(Matter(case.matter), census, {**case.votes, newcomer: Choice.AGREE})
    assert after.passed or not before.passed
    assert after.quorum_met or not before.quorum_met


@given(st.integers(min_value=1, max_value=10**11))
def test_area_text_round_trips(hundredths: int) -> None:
    area = Area(hundredths)
    assert Area.parse(str(area)) == area
    assert hundredths_of(str(area)) == hundredths
