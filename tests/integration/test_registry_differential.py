"""The Python engine and the BallotRegistry contract decide every case alike.

Random ballots (several items, motions on all nine matters and elections, blank items,
huge areas) and hand-made boundary ballots (exactly 2/3, exactly 1/2, exactly 3/4 and one
hundredth below, nobody taking part, ties for the last seat), on the embedded EVM and on
anvil. "Alike" is the strictest thing there is to compare: the outcome's whole JSON with
every decision taken from the contract equals the engine's own, and so does `passed`.
Random cases go through `decide` (a call: cheap); boundary cases and a few random ones are
recorded and read back, the path a real ballot takes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings

from contracts.chain import Chain, load_artifact
from contracts.registry import RegistryContract, Verdict
from tests.item_strategies import HUGE, Ballot, ballots
from voting.area import Area
from voting.census import Census, Unit
from voting.items import Candidate, Item, ItemChoice, ItemKind, evaluate_item
from voting.matters import Matter
from voting.onchain import ItemOutcome, as_decided, item_totals, read_result, record_result, weight
from voting.rules import Choice

Y, N, X = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN
ROOT = b"\x05" * 32
_log_ids = itertools.count(1)


def deploy(chain: Chain) -> RegistryContract:
    return RegistryContract(chain, chain.deploy(load_artifact("BallotRegistry"), chain.sender))


def decisions_of(ballot: Ballot) -> list[tuple[str, ItemOutcome]]:
    return [
        (item.id, evaluate_item(item, ballot.census, ballot.votes[item.id], ballot.ranking))
        for item in ballot.items
    ]


def assert_alike(decisions: Sequence[tuple[str, ItemOutcome]], verdicts: Sequence[Verdict]) -> None:
    assert [v.id for v in verdicts] == [i for i, _ in decisions]
    for (_, outcome), verdict in zip(decisions, verdicts, strict=True):
        assert as_decided(outcome, verdict).to_json() == outcome.to_json()
        assert verdict.passed is outcome.passed


def decide(registry: RegistryContract, ballot: Ballot) -> None:
    decisions = decisions_of(ballot)
    verdicts = registry.decide(
        total=weight(ballot.census.total),
        ranking=ballot.ranking,
        items=[item_totals(i, o) for i, o in decisions],
    )
    assert_alike(decisions, verdicts)


def record(registry: RegistryContract, ballot: Ballot) -> None:
    decisions = decisions_of(ballot)
    log_id = next(_log_ids).to_bytes(32, "big")
    record_result(registry, log_id=log_id, census_root=ROOT, decisions=decisions)
    assert read_result(registry, log_id, decisions) is not None
    recorded = registry.read_result(log_id)
    assert recorded is not None and recorded.total == weight(ballot.census.total)
    assert_alike(decisions, recorded.items)


def test_random_ballots_are_decided_alike(chain: Chain) -> None:
    registry = deploy(chain)

    @settings(max_examples=60)
    @given(ballots(max_items=5))
    def check(ballot: Ballot) -> None:
        decide(registry, ballot)

    check()


def test_random_ballots_are_recorded_alike(chain: Chain) -> None:
    registry = deploy(chain)

    @settings(max_examples=8)
    @given(ballots(max_items=3))
    def check(ballot: Ballot) -> None:
        # one ranking per recorded ballot, as a real one has: every election uses it
        record(registry, ballot)

    check()


# ---- boundary ballots ------------------------------------------------------------------


def census(*hundredths: int) -> Census:
    return Census.of(
        [Unit(f"u{i}", Area(h), f"o{i}", developer=False) for i, h in enumerate(hundredths)]
    )


def motion_ballot(matter: int, areas: Sequence[int], choices: Sequence[Choice | None]) -> Ballot:
    item = Item(id="1", kind=ItemKind.MOTION, matter=Matter(matter), title="t", text="x")
    votes: dict[str, ItemChoice] = {f"o{i}": c for i, c in enumerate(choices) if c is not None}
    return Ballot(census(*areas), (item,), {"1": votes}, "area")


def election_ballot(
    seats: int,
    n: int,
    areas: Sequence[int],
    approvals: Sequence[tuple[int, ...] | None],
    ranking: str = "area",
) -> Ballot:
    item = Item(
        id="2",
        kind=ItemKind.ELECTION,
        matter=Matter.COMMITTEE,
        title="t",
        text="x",
        seats=seats,
        candidates=tuple(Candidate(f"c{i}", f"L{i}") for i in range(n)),
    )
    votes: dict[str, ItemChoice] = {
        f"o{i}": tuple(f"c{c}" for c in chosen)
        for i, chosen in enumerate(approvals)
        if chosen is not None
    }
    return Ballot(census(*areas), (item,), {"2": votes}, ranking)


BOUNDARIES = {
    # 2 of 3 equal owners take part: exactly 2/3 by area and headcount (以上: met)
    "quorum exactly 2/3": motion_ballot(1, [100] * 3, [Y, Y, None]),
    # 200.00 of 300.01 m² is one hundredth short of 2/3 by area; heads are exactly 2/3
    "quorum 0.01 m² short": motion_ballot(1, [10_000, 10_000, 10_001], [Y, Y, None]),
    # 2 of 4 agree: exactly half is not more than half (过半数)
    "approval exactly 1/2": motion_ballot(2, [100] * 4, [Y, Y, N, X]),
    "approval just over 1/2 by area only": motion_ballot(2, [101, 100, 100, 100], [Y, Y, N, N]),
    # matter 6: 3 of 4 agree, exactly 3/4 (以上: met)
    "approval exactly 3/4": motion_ballot(6, [100] * 4, [Y, Y, Y, N]),
    # matter 7: 300.00 of 400.01 m² is below 3/4 by area; heads exactly 3/4
    "approval 0.01 m² below 3/4": motion_ballot(7, [10_000, 10_000, 10_000, 10_001], [Y, Y, Y, N]),
    "matter 8 abstentions count as taking part": motion_ballot(8, [100] * 4, [Y, Y, Y, X]),
    "nobody takes part (motion)": motion_ballot(5, [100] * 3, [None] * 3),
    "everyone abstains": motion_ballot(9, [100] * 3, [X] * 3),
    "huge areas at exactly 2/3 and 3/4": motion_ballot(6, [HUGE] * 6, [Y, Y, Y, N, None, None]),
    "huge and tiny areas": motion_ballot(3, [HUGE, 1, 1], [Y, N, N]),
    "nobody takes part (election)": election_ballot(1, 2, [100] * 3, [None] * 3),
    "everyone approves nobody": election_ballot(1, 2, [100] * 3, [()] * 3),
    "three-way tie for two seats": election_ballot(2, 3, [100] * 3, [(0, 1), (0, 2), (1, 2)]),
    "tie below a clear first seat": election_ballot(
        2, 3, [100] * 5, [(0, 1), (0, 2), (0,), (1, 2), ()]
    ),
    "second key breaks the tie (area)": election_ballot(
        2, 3, [300, 100, 100, 150, 150], [(0, 1), (1, 2), (1, 2), (0, 2), (0, 2)]
    ),
    "second key breaks the tie (headcount)": election_ballot(
        2, 3, [300, 100, 100, 150, 150], [(0, 1), (1, 2), (1, 2), (0, 2), (0, 2)], "headcount"
    ),
    "headcount ranking ties where area does not": election_ballot(
        2, 3, [300, 100, 100, 100, 100], [(0, 1), (0, 2), (0, 2), (1, 2), (1, 2)], "headcount"
    ),
    "a candidate at exactly 1/2": election_ballot(1, 2, [100] * 4, [(0,), (0,), (1,), (1,)]),
    "election quorum 0.01 m² short": election_ballot(
        1, 1, [10_000, 10_000, 10_001], [(0,), (0,), None]
    ),
}


@pytest.mark.parametrize("name", sorted(BOUNDARIES))
def test_boundary_ballot_is_recorded_alike(chain: Chain, name: str) -> None:
    record(deploy(chain), BOUNDARIES[name])


def test_the_boundaries_are_where_they_should_be() -> None:
    """The boundary ballots test what their names say (so the list cannot rot)."""

    def outcome(name: str) -> ItemOutcome:
        ((_, out),) = decisions_of(BOUNDARIES[name])
        return out

    assert outcome("quorum exactly 2/3").passed
    assert not outcome("quorum 0.01 m² short").quorum_by_area
    assert outcome("quorum 0.01 m² short").quorum_by_headcount
    assert not outcome("approval exactly 1/2").passed
    assert outcome("approval exactly 3/4").passed
    assert not outcome("approval 0.01 m² below 3/4").passed
    assert outcome("huge areas at exactly 2/3 and 3/4").passed
    assert not outcome("nobody takes part (motion)").quorum_by_area
    tie = outcome("three-way tie for two seats")
    assert not isinstance(tie, type(outcome("quorum exactly 2/3")))
    assert tie.to_json()["unresolved_tie"] is True
    assert outcome("second key breaks the tie (area)").to_json()["elected"] == ["c0", "c2"]
    assert outcome("second key breaks the tie (headcount)").to_json()["elected"] == ["c2", "c0"]
    assert outcome("headcount ranking ties where area does not").to_json()["elected"] == ["c2"]
    assert outcome("a candidate at exactly 1/2").to_json()["elected"] == []
