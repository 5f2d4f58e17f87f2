"""Properties of item evaluation, checked against a reference written differently.

The reference elects by brute force: it never sorts, it counts for each eligible candidate
how many others rank strictly above it, and seats a candidate when fewer than `seats` do
and the whole group sharing its key fits. Shares are compared by cross-multiplication.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tests.item_strategies import Ballot, ballots
from voting.census import Census
from voting.items import ElectionOutcome, Item, ItemKind, evaluate_item
from voting.rules import Choice, Outcome, evaluate


def reference_election(item: Item, census: Census, ballot: Ballot) -> tuple[set[str], bool]:
    votes = ballot.votes[item.id]
    total_area = sum(v.area.hundredths for v in census.voters.values())
    part_area = sum(census.voters[h].area.hundredths for h in votes)
    part_heads = len(votes)
    quorum = 3 * part_area >= 2 * total_area and 3 * part_heads >= 2 * len(census.voters)
    keys = {}
    for cid in item.candidate_ids():
        backers = [h for h, chosen in votes.items() if cid in chosen]
        area = sum(census.voters[h].area.hundredths for h in backers)
        if quorum and 2 * area > part_area and 2 * len(backers) > part_heads:
            keys[cid] = (area, len(backers)) if ballot.ranking == "area" else (len(backers), area)
    elected = set()
    tie = False
    for cid, key in keys.items():
        above = sum(1 for other in keys.values() if other > key)
        level = sum(1 for other in keys.values() if other == key)
        if above + level <= item.seats:
            elected.add(cid)
        elif above < item.seats:
            tie = True
    return elected, tie


@given(ballots())
def test_elections_match_the_brute_force_reference(ballot: Ballot) -> None:
    for item in ballot.items:
        if item.kind is not ItemKind.ELECTION:
            continue
        out = evaluate_item(item, ballot.census, ballot.votes[item.id], ballot.ranking)
        assert isinstance(out, ElectionOutcome)
        elected, tie = reference_election(item, ballot.census, ballot)
        assert set(out.elected) == elected and out.unresolved_tie is tie
        assert len(out.elected) <= item.seats
        assert out.passed is (len(elected) == item.seats)
        # seat order is rank order
        tallies = {c.candidate.id: c.approvals for c in out.candidates}
        keys = [(tallies[c].area.hundredths, tallies[c].headcount) for c in out.elected]
        if ballot.ranking == "headcount":
            keys = [(heads, area) for area, heads in keys]
        assert keys == sorted(keys, reverse=True)


@given(ballots())
def test_a_motion_is_the_rule_engine_over_its_own_participants(ballot: Ballot) -> None:
    for item in ballot.items:
        if item.kind is not ItemKind.MOTION:
            continue
        votes = ballot.votes[item.id]
        out = evaluate_item(item, ballot.census, votes, ballot.ranking)
        plain = {h: c for h, c in votes.items() if isinstance(c, Choice)}
        assert out == evaluate(item.matter, ballot.census, plain)
        assert isinstance(out, Outcome) and out.participating.headcount == len(votes)


@given(ballots(), st.randoms(use_true_random=False))
def test_an_item_depends_only_on_its_own_votes(ballot: Ballot, rng: random.Random) -> None:
    """Blank items elsewhere (or the order of votes) change nothing about an item."""
    for item in ballot.items:
        votes = ballot.votes[item.id]
        shuffled = dict(rng.sample(list(votes.items()), len(votes)))
        assert evaluate_item(item, ballot.census, shuffled, ballot.ranking) == evaluate_item(
            item, ballot.census, votes, ballot.ranking
        )


@given(ballots(), st.randoms(use_true_random=False))
def test_listing_order_of_candidates_does_not_change_who_is_elected(
    ballot: Ballot, rng: random.Random
) -> None:
    for item in ballot.items:
        if item.kind is not ItemKind.ELECTION:
            continue
        reordered = Item(
            id=item.id,
            kind=item.kind,
            matter=item.matter,
            title=item.title,
            text=item.text,
            seats=item.seats,
            candidates=tuple(rng.sample(item.candidates, len(item.candidates))),
        )
        a = evaluate_item(item, ballot.census, ballot.votes[item.id], ballot.ranking)
        b = evaluate_item(reordered, ballot.census, ballot.votes[item.id], ballot.ranking)
        assert isinstance(a, ElectionOutcome) and isinstance(b, ElectionOutcome)
        assert set(a.elected) == set(b.elected) and a.unresolved_tie == b.unresolved_tie
