"""`voting.onchain.matches_recount`, what `gongzhi verify election` holds the registry's
verdicts to: the contract's own verdicts on random ballots (motions and elections) agree
with the engine, survive the bundle's JSON, and any one decision changed is named."""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import given, settings

from contracts.chain import Chain
from contracts.registry import RecordedResult
from tests.integration.test_registry_differential import ROOT, decisions_of, deploy
from tests.item_strategies import Ballot, ballots
from voting.onchain import matches_recount, record_result, recorded_from_json, recorded_to_json

_log_ids = itertools.count(10_000)


def _flips(recorded: RecordedResult) -> list[RecordedResult]:
    """The record with one decision of one item changed, for every decision there is."""
    out = []
    for index, verdict in enumerate(recorded.items):
        changes: list[dict[str, object]] = [
            {name: not getattr(verdict, name)}
            for name in (
                "quorum_by_area",
                "quorum_by_headcount",
                "approved_by_area",
                "approved_by_headcount",
                "unresolved_tie",
                "passed",
            )
        ]
        if verdict.majority_by_area:
            first, *rest = verdict.majority_by_area
            changes.append({"majority_by_area": (not first, *rest)})
        changes.append({"elected": (*verdict.elected, "zz")})
        for change in changes:
            items = list(recorded.items)
            items[index] = dataclasses.replace(verdict, **change)  # type: ignore[arg-type]
            out.append(dataclasses.replace(recorded, items=tuple(items)))
    return out


def test_recorded_verdicts_match_the_recount_and_every_change_is_named(chain: Chain) -> None:
    registry = deploy(chain)

    @settings(max_examples=12, deadline=None)
    @given(ballots(max_items=3))
    def check(ballot: Ballot) -> None:
        decisions = decisions_of(ballot)
        log_id = next(_log_ids).to_bytes(32, "big")
        record_result(registry, log_id=log_id, census_root=ROOT, decisions=decisions)
        recorded = registry.read_result(log_id)
        assert recorded is not None
        assert recorded_from_json(recorded_to_json(recorded)) == recorded
        assert matches_recount(recorded, ROOT, decisions) == []
        assert matches_recount(recorded, b"\x06" * 32, decisions) == ["censusRoot"]
        for changed in _flips(recorded):
            assert matches_recount(changed, ROOT, decisions), changed

    check()
