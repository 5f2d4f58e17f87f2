"""Hypothesis strategies for agendas: communities, items and per-item votes.

Areas are drawn small and round (so 1/2, 2/3 and 3/4 are hit exactly and often), and
sometimes huge (up to 2**120 hundredths, far beyond any real estate, to test that no
arithmetic overflows or rounds).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from voting.area import Area
from voting.census import Census, Unit
from voting.items import Candidate, Item, ItemChoice, ItemKind
from voting.matters import Matter
from voting.rules import Choice

HUGE = 2**120


@dataclass(frozen=True)
class Ballot:
    census: Census
    items: tuple[Item, ...]
    #: item id -> holder -> choice, only for the holders who took part in that item
    votes: dict[str, dict[str, ItemChoice]]
    ranking: str


areas = st.one_of(
    st.sampled_from([100, 200, 300, 400]),
    st.integers(1, 500),
    st.integers(HUGE // 2, HUGE),
)


@st.composite
def censuses(draw: st.DrawFn, max_voters: int = 8) -> Census:
    n = draw(st.integers(1, max_voters))
    units = [
        Unit(id=f"u{i}", area=Area(draw(areas)), holder=f"o{i}", developer=False) for i in range(n)
    ]
    return Census.of(units)


@st.composite
def items(draw: st.DrawFn, ident: str) -> Item:
    if draw(st.booleans()):
        return Item(
            id=ident,
            kind=ItemKind.MOTION,
            matter=Matter(draw(st.integers(1, 9))),
            title="议案",
            text="全文",
        )
    n = draw(st.integers(1, 5))
    return Item(
        id=ident,
        kind=ItemKind.ELECTION,
        matter=Matter.COMMITTEE,
        title="选举",
        text="名单",
        seats=draw(st.integers(1, n)),
        candidates=tuple(Candidate(f"c{i}", f"候选人{i}") for i in range(n)),
    )


@st.composite
def choices(draw: st.DrawFn, item: Item) -> ItemChoice:
    if item.kind is ItemKind.MOTION:
        return draw(st.sampled_from(list(Choice)))
    picked = draw(st.lists(st.sampled_from(item.candidate_ids()), unique=True, max_size=item.seats))
    return tuple(picked)


@st.composite
def ballots(draw: st.DrawFn, max_items: int = 4, max_voters: int = 8) -> Ballot:
    census = draw(censuses(max_voters))
    agenda = tuple(draw(items(str(i + 1))) for i in range(draw(st.integers(1, max_items))))
    votes: dict[str, dict[str, ItemChoice]] = {item.id: {} for item in agenda}
    for holder in census.voters:
        for item in agenda:
            if draw(st.integers(0, 3)):  # one time in four a voter leaves an item blank
                votes[item.id][holder] = draw(choices(item))
    return Ballot(census, agenda, votes, draw(st.sampled_from(["area", "headcount"])))
