"""The sequencer integrates queued items in batches and resolves each future after its batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from web.server.sequencer import BatchFailed, Overloaded, Sequencer


class Gate:
    """An integrate function that holds its first batch until released, recording batches."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        self.entered.set()
        assert self.release.wait(timeout=30)
        return [i * 10 if i >= 0 else ValueError(f"refused {i}") for i in items]


def test_items_queued_during_a_batch_go_together_in_the_next() -> None:
    gate = Gate()
    seq: Sequencer[int, int] = Sequencer(gate, max_batch=100)
    first = seq.submit(1)
    assert gate.entered.wait(timeout=30)
    later = [seq.submit(i) for i in range(2, 8)]
    assert not first.done()  # nothing is answered before its batch has run
    gate.release.set()
    assert first.result(timeout=30) == 10
    assert [f.result(timeout=30) for f in later] == [20, 30, 40, 50, 60, 70]
    assert gate.batches == [[1], [2, 3, 4, 5, 6, 7]]
    seq.close()


def test_one_refused_item_does_not_refuse_its_batch() -> None:
    gate = Gate()
    gate.release.set()
    seq: Sequencer[int, int] = Sequencer(gate)
    ok, bad = seq.submit(3), seq.submit(-1)
    assert ok.result(timeout=30) == 30
    with pytest.raises(ValueError, match="refused -1"):
        bad.result(timeout=30)
    seq.close()


def test_a_failed_batch_fails_each_of_its_items_and_the_next_batch_runs() -> None:
    calls: list[list[int]] = []

    def integrate(items: Sequence[int]) -> list[int | Exception]:
        calls.append(list(items))
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return list(items)

    seq: Sequencer[int, int] = Sequencer(integrate)
    with pytest.raises(BatchFailed):
        seq.submit(1).result(timeout=30)
    assert seq.submit(2).result(timeout=30) == 2
    seq.close()


def test_a_full_queue_refuses_at_once() -> None:
    gate = Gate()
    seq: Sequencer[int, int] = Sequencer(gate, max_queue=2)
    seq.submit(0)
    assert gate.entered.wait(timeout=30)  # the first batch is running: the queue is empty
    seq.submit(1)
    seq.submit(2)
    with pytest.raises(Overloaded):
        seq.submit(3)
    gate.release.set()
    seq.close()
    assert gate.batches == [[0], [1, 2]]


def test_a_caller_that_gave_up_before_its_batch_is_left_out() -> None:
    gate = Gate()
    seq: Sequencer[int, int] = Sequencer(gate)
    seq.submit(0)
    assert gate.entered.wait(timeout=30)
    abandoned, kept = seq.submit(1), seq.submit(2)
    assert abandoned.cancel()
    gate.release.set()
    assert kept.result(timeout=30) == 20
    seq.close()
    assert gate.batches == [[0], [2]]


def test_close_integrates_what_is_queued_then_refuses() -> None:
    gate = Gate()
    gate.release.set()
    seq: Sequencer[int, int] = Sequencer(gate)
    queued = seq.submit(5)
    seq.close()
    assert queued.result(timeout=30) == 50
    with pytest.raises(Overloaded):
        seq.submit(6)
