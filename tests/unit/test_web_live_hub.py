"""The live dashboards' hub (`web.server.live`) with a stand-in for the database look: bounds per
address and in total, a late subscriber served from what the others were sent, only the
newest frame kept for a slow stream, a look only for a ballot whose fingerprint changed,
and shutting down ending every stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import pytest

from web.server.live import Fingerprint, LiveHub, TooManyStreams, frame


class Box:
    """What the database holds: each ballot's fingerprint; `looks` counts the frames built."""

    def __init__(self) -> None:
        self.fingerprints: dict[int, Fingerprint] = {1: (3, "open"), 2: (5, "open")}
        self.built: list[int] = []

    def read(self, known: Mapping[int, Fingerprint | None]) -> dict[int, tuple[Fingerprint, bytes]]:
        found = {}
        for ballot_id in known:
            now = self.fingerprints[ballot_id]
            if known[ballot_id] != now:
                self.built.append(ballot_id)
                found[ballot_id] = (now, frame("ballot", f'{{"size": {now[0]}}}'))
        return found


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0)  # a turn of the loop, not a wait for time


def test_frame_is_one_server_sent_event() -> None:
    assert frame("ballot", '{"a": 1}', event_id=7) == b'event: ballot\nid: 7\ndata: {"a": 1}\n\n'
    assert frame("x", "one\ntwo") == b"event: x\ndata: one\ndata: two\n\n"


def test_streams_are_bounded_per_address_and_in_total() -> None:
    async def run() -> None:
        hub = LiveHub(Box().read, per_address=2, total=3)
        a1, _ = hub.subscribe(1, "10.0.0.1"), hub.subscribe(1, "10.0.0.1")
        with pytest.raises(TooManyStreams) as refused:
            hub.subscribe(2, "10.0.0.1")
        assert "2" in refused.value.zh and "at most 2" in refused.value.en
        hub.subscribe(2, "10.0.0.2")
        with pytest.raises(TooManyStreams) as full:
            hub.subscribe(2, "10.0.0.3")
        assert full.value.zh and full.value.en
        hub.unsubscribe(a1)
        hub.unsubscribe(a1)  # twice: counted once
        assert hub.open_streams() == 2
        hub.subscribe(1, "10.0.0.1")  # room again
        hub.close()

    asyncio.run(run())


def test_one_look_per_change_and_late_subscribers_get_the_last_frame() -> None:
    async def run() -> None:
        box = Box()
        hub = LiveHub(box.read, per_address=10, total=10, check_every=3600, min_gap=0)
        first = hub.subscribe(1, "a")
        await asyncio.wait_for(first.ready.wait(), 5)
        assert first.take() == frame("ballot", '{"size": 3}')
        late = hub.subscribe(1, "b")  # served from what `first` got: no new frame built
        assert late.take() == frame("ballot", '{"size": 3}')
        await asyncio.wait_for(_until(lambda: hub.looks >= 2), 5)  # the late one's look
        assert box.built == [1]

        box.fingerprints[1] = (4, "open")
        box.fingerprints[2] = (9, "open")  # nobody watches ballot 2: never read
        hub.notify(["origin-of-1"])
        await asyncio.wait_for(first.ready.wait(), 5)
        assert first.take() == late.take() == frame("ballot", '{"size": 4}')
        assert box.built == [1, 1]  # one frame for both streams

        # A slow stream keeps only the newest frame.
        hub.publish({1: ((5, "open"), b"five"), 3: ((1, "open"), b"nobody")})
        hub.publish({1: ((6, "open"), b"six")})
        assert first.take() == b"six" and first.take() is None

        hub.close()
        assert first.ended and late.ended and first.ready.is_set()
        with pytest.raises(TooManyStreams):
            hub.subscribe(1, "c")

    asyncio.run(run())
