"""BallotRegistry on both chains: who may record, once only, refusals, fixed thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.abi import decode_event, event_topic
from contracts.chain import Chain, load_artifact
from contracts.deploy import ensure_anchor, ensure_registry
from contracts.errors import ChainError, RegistryRejected
from contracts.registry import (
    MAX_WEIGHT,
    ElectionTotals,
    ItemTotals,
    MotionTotals,
    RegistryContract,
    Weight,
)

LOG = b"\x01" * 32
ROOT = b"\x02" * 32
TOTAL = Weight(40_000, 4)


def deploy(chain: Chain, recorder: str | None = None) -> RegistryContract:
    address = chain.deploy(load_artifact("BallotRegistry"), recorder or chain.sender)
    return RegistryContract(chain, address)


def motion(matter: int, part: Weight, agree: Weight, ident: str = "1") -> MotionTotals:
    return MotionTotals(ident, matter, part, agree)


def refused(error: str, call: object, *args: object, **kwargs: object) -> RegistryRejected:
    assert callable(call)
    with pytest.raises(RegistryRejected) as caught:
        call(*args, **kwargs)
    assert caught.value.error == error and f"[{error}]" in caught.value.en
    assert caught.value.zh != caught.value.en
    return caught.value


def test_records_once_and_reads_back(chain: Chain) -> None:
    registry = deploy(chain)
    assert registry.read_result(LOG) is None
    items: list[ItemTotals] = [
        motion(7, Weight(40_000, 4), Weight(30_000, 3)),  # exactly 3/4: passes
        ElectionTotals(
            "2", 1, Weight(30_000, 3), (("c1", Weight(20_000, 2)), ("c2", Weight(10_000, 1)))
        ),
    ]
    receipt = registry.record_result(
        log_id=LOG, census_root=ROOT, total=TOTAL, ranking="headcount", items=items
    )
    recorded = registry.read_result(LOG)
    assert recorded is not None
    assert recorded.census_root == ROOT and recorded.total == TOTAL
    assert recorded.ranking == "headcount" and recorded.recorded_at_block == receipt.block_number
    first, second = recorded.items
    assert (first.id, first.kind, first.matter, first.approval) == ("1", "motion", 7, (3, 4, True))
    assert first.passed and first.majority_by_area == () and first.elected == ()
    assert (second.id, second.kind, second.approval) == ("2", "election", (1, 2, False))
    assert second.majority_by_area == (True, False) and second.elected == ("c1",)
    assert second.passed and not second.unresolved_tie

    logs = chain.logs(registry.address, [event_topic(registry.abi, "ItemDecided"), LOG])
    events = [decode_event(registry.abi, "ItemDecided", log.topics, log.data) for log in logs]
    assert [e["itemId"] for e in events] == [b"1" + bytes(7), b"2" + bytes(7)]
    assert events[0]["agree"] == (30_000, 3) and events[1]["elected"] == (b"c1" + bytes(6),)

    refused(
        "BallotRegistryAlreadyRecorded",
        registry.record_result,
        log_id=LOG,
        census_root=ROOT,
        total=TOTAL,
        ranking="area",
        items=items[:1],
    )
    assert registry.read_result(LOG) == recorded  # not overwritten


def test_only_the_recorder_may_record(chain: Chain, stranger: Chain) -> None:
    registry = deploy(chain)
    other = RegistryContract(stranger, registry.address)
    error = refused(
        "BallotRegistryUnauthorizedRecorder",
        other.record_result,
        log_id=LOG,
        census_root=ROOT,
        total=TOTAL,
        ranking="area",
        items=[motion(1, TOTAL, TOTAL)],
    )
    assert error.error_args == (stranger.sender,)
    assert registry.read_result(LOG) is None
    assert registry.recorder() == chain.sender


def test_the_threshold_comes_from_the_matter(chain: Chain) -> None:
    registry = deploy(chain)
    # 2 of 3 agree: more than half (matter 5 passes) but below 3/4 (matter 6 fails)
    part, agree = Weight(30_000, 3), Weight(20_000, 2)
    verdicts = registry.decide(
        total=Weight(30_000, 3),
        ranking="area",
        items=[motion(m, part, agree, str(m)) for m in range(1, 10)],
    )
    assert [v.passed for v in verdicts] == [True] * 5 + [False] * 3 + [True]
    assert {v.approval for v in verdicts[5:8]} == {(3, 4, True)}
    assert {v.approval for v in verdicts[:5] + verdicts[8:]} == {(1, 2, False)}


def test_huge_totals_do_not_overflow(chain: Chain) -> None:
    registry = deploy(chain)
    big = MAX_WEIGHT
    everyone = Weight(big, big)
    (verdict,) = registry.decide(
        total=everyone, ranking="area", items=[motion(8, everyone, everyone)]
    )
    assert verdict.passed
    (verdict,) = registry.decide(
        total=Weight(big, big),
        ranking="area",
        items=[motion(8, Weight(big, big), Weight(big - big // 4 - 1, big - big // 4 - 1))],
    )
    assert not verdict.approved_by_area  # just below 3/4 of 2**128 - 1
    with pytest.raises(ChainError, match="out of range"):
        registry.decide(total=Weight(big + 1, 1), ranking="area", items=[motion(1, TOTAL, TOTAL)])


def one(item: object) -> dict[str, object]:
    return {"log_id": LOG, "census_root": ROOT, "total": TOTAL, "ranking": "area", "items": [item]}


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (one(motion(1, TOTAL, TOTAL)) | {"log_id": bytes(32)}, "BallotRegistryMissingKey"),
        (one(motion(1, TOTAL, TOTAL)) | {"census_root": bytes(32)}, "BallotRegistryMissingKey"),
        (one(motion(1, TOTAL, TOTAL)) | {"total": Weight(0, 0)}, "BallotRegistryInvalidTotal"),
        (one(motion(1, TOTAL, TOTAL)) | {"total": Weight(0, 4)}, "BallotRegistryInvalidTotal"),
        (one(motion(1, TOTAL, TOTAL)) | {"items": []}, "BallotRegistryItemCount"),
        (
            one(motion(1, TOTAL, TOTAL))
            | {"items": [motion(1, TOTAL, TOTAL, str(i)) for i in range(21)]},
            "BallotRegistryItemCount",
        ),
        (
            one(motion(1, TOTAL, TOTAL)) | {"items": [motion(1, TOTAL, TOTAL)] * 2},
            "BallotRegistryInvalidItemId",
        ),
        (one(motion(0, TOTAL, TOTAL)), "BallotRegistryInvalidItem"),
        (one(motion(10, TOTAL, TOTAL)), "BallotRegistryInvalidItem"),
        (one(motion(1, Weight(50_000, 4), TOTAL)), "BallotRegistryInconsistentTotals"),
        (one(motion(1, Weight(40_000, 5), TOTAL)), "BallotRegistryInconsistentTotals"),
        (one(motion(1, TOTAL, Weight(40_001, 4))), "BallotRegistryInconsistentTotals"),
        (one(motion(1, TOTAL, Weight(0, 1))), "BallotRegistryInconsistentTotals"),
        (one(ElectionTotals("2", 0, TOTAL, (("c1", TOTAL),))), "BallotRegistryInvalidItem"),
        (one(ElectionTotals("2", 2, TOTAL, (("c1", TOTAL),))), "BallotRegistryInvalidItem"),
        (one(ElectionTotals("2", 1, TOTAL, ())), "BallotRegistryInvalidItem"),
        (
            one(ElectionTotals("2", 1, TOTAL, (("c1", TOTAL), ("c1", TOTAL)))),
            "BallotRegistryInvalidItem",
        ),
        (
            one(ElectionTotals("2", 1, TOTAL, (("c1", Weight(40_001, 4)),))),
            "BallotRegistryInconsistentTotals",
        ),
    ],
)
def test_impossible_input_is_refused_and_nothing_recorded(
    chain: Chain, call: dict[str, object], error: str
) -> None:
    registry = deploy(chain)
    refused(error, registry.record_result, **call)
    assert registry.read_result(LOG) is None


def test_a_bad_id_or_ranking_is_refused_before_sending(chain: Chain) -> None:
    registry = deploy(chain)
    block = chain.block_number
    with pytest.raises(ChainError, match="1 to 8"):
        registry.decide(total=TOTAL, ranking="area", items=[motion(1, TOTAL, TOTAL, "123456789")])
    with pytest.raises(ChainError, match="ranking"):
        registry.decide(total=TOTAL, ranking="random", items=[motion(1, TOTAL, TOTAL)])
    assert chain.block_number == block


def test_deployed_next_to_the_anchor_and_found_again(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "contracts.json"
    anchor = ensure_anchor(chain, state)
    registry = ensure_registry(chain, state)
    assert registry.address != anchor.address and registry.recorder() == chain.sender
    block = chain.block_number
    assert ensure_registry(chain, state).address == registry.address
    assert ensure_anchor(chain, state).address == anchor.address
    assert chain.block_number == block  # nothing deployed again
    with pytest.raises(ChainError, match="records for"):
        ensure_registry(chain, state, recorder="0x" + "11" * 20)
