"""The sequencer: work that must be serialised (votes entering their ballot boxes) is queued
and integrated in small batches, one transaction — and so one commit, one fsync and one signed
checkpoint per box — per batch (tessera's sequencer and integrator; CT's merge delay).

A caller gets a future that is resolved only after the batch holding its item has committed,
so an answer sent from it means the data is durable. No batch is waited for on purpose: while
one batch is being integrated the next one queues, so batches grow with the load and a lone
vote goes through at once. The queue is bounded: past ``max_queue`` waiting items a caller is
told at once to retry (`Overloaded`), which keeps every answer fast instead of letting a rush
pile up behind the database.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

logger = logging.getLogger("gongzhi.sequencer")

Item = TypeVar("Item")
Result = TypeVar("Result")


class Overloaded(Exception):
    """The queue is full: retry after a moment (HTTP 503 with Retry-After)."""


class BatchFailed(Exception):
    """The batch holding this item could not be committed; nothing of it was kept."""


class Sequencer(Generic[Item, Result]):
    """Integrates submitted items in batches on one thread.

    ``integrate`` takes a batch and returns one outcome per item — a result, or the exception
    that refused that item alone — and commits before it returns. If it raises, the whole
    batch failed and every item of it gets `BatchFailed`."""

    def __init__(
        self,
        integrate: Callable[[Sequence[Item]], Sequence[Result | Exception]],
        *,
        max_batch: int = 256,
        max_queue: int = 4096,
        name: str = "gongzhi-sequencer",
    ) -> None:
        self._integrate = integrate
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._name = name
        self._queue: deque[tuple[Item, Future[Result]]] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, item: Item) -> Future[Result]:
        future: Future[Result] = Future()
        with self._ready:
            if self._closed:
                raise Overloaded("the server is shutting down")
            if len(self._queue) >= self._max_queue:
                raise Overloaded(f"{len(self._queue)} items are waiting")
            self._queue.append((item, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._ready.notify()
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Integrate what is queued, then stop."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=timeout)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                take = min(len(self._queue), self._max_batch)
                batch = [self._queue.popleft() for _ in range(take)]
            self._run_batch(batch)

    def _run_batch(self, batch: list[tuple[Item, Future[Result]]]) -> None:
        # A caller that gave up before its item was taken is left out; from here on no
        # future can be cancelled, so every item integrated gets its outcome.
        batch = [(item, f) for item, f in batch if f.set_running_or_notify_cancel()]
        if not batch:
            return
        try:
            outcomes = self._integrate([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} items")
        except Exception as exc:
            logger.warning("batch of %d failed: %s", len(batch), type(exc).__name__, exc_info=exc)
            for _, future in batch:
                future.set_exception(BatchFailed(type(exc).__name__))
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
