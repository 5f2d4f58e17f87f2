"""Live ballot participation for the committee's dashboard: one shared look per change,
fanned out to every open stream (server-sent events, `web.api.live`).

A stream never reads the database itself. The hub keeps, per watched ballot, the last
*fingerprint* (the box's size and the ballot row's status) and the last frame sent; one task
per process looks again when told that a log grew (`Services.watch`, after the commit) and
at least every `check_every` seconds — the periodic look is what shows a vote another server
process took (scale-out on PostgreSQL), where no notification reaches this one. A look is
one query for every watched ballot's fingerprint, and a frame is built only for a ballot
whose fingerprint changed: a thousand open dashboards cost what one does.

Each stream holds only the newest frame: a slow client skips to the latest state instead of
queueing old ones, so memory stays bounded whatever the client does. Streams are bounded per
client address and in total (`TooManyStreams`, answered 429).

Everything here but `notify` and `close_soon` runs on the event loop; the look itself runs
in a worker thread (`read`, given by the caller: it is where the database is).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

# A ballot's state as cheaply read: (its box's size, its row's status).
Fingerprint = tuple[int, str]
# What a look found for each watched ballot whose fingerprint changed: the new one and the
# frame to send. `read(known)` gets the fingerprints known now (None: nothing sent yet).
Read = Callable[[Mapping[int, Fingerprint | None]], Mapping[int, tuple[Fingerprint, bytes]]]


class TooManyStreams(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(eq=False)
class Stream:
    """One client's stream: the newest frame not yet sent (None once sent), and a flag."""

    ballot_id: int
    address: str
    frame: bytes | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ended: bool = False  # the server is shutting down: end the response

    def put(self, frame: bytes) -> None:
        self.frame = frame
        self.ready.set()

    def take(self) -> bytes | None:
        frame, self.frame = self.frame, None
        self.ready.clear()
        return frame


@dataclass(eq=False)
class _Topic:
    streams: set[Stream] = field(default_factory=set)
    fingerprint: Fingerprint | None = None
    frame: bytes | None = None


class LiveHub:
    def __init__(
        self,
        read: Read,
        *,
        per_address: int,
        total: int,
        check_every: float = 1.0,
        min_gap: float = 0.1,
        heartbeat: float = 15.0,
        lifetime: float = 600.0,
    ) -> None:
        self._read = read
        self.per_address = per_address
        self.total = total
        self.check_every = check_every  # the periodic look (other processes' votes)
        self.min_gap = min_gap  # between two looks: a rush's batches gather into one
        self.heartbeat = heartbeat  # a comment line this often: well under proxies' 60 s idle
        self.lifetime = lifetime  # then the stream ends and EventSource reconnects by itself
        self._topics: dict[int, _Topic] = {}
        self._by_address: dict[str, int] = {}
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        # For tests and the bench: wait until the number of open streams is as expected.
        self._changed = threading.Condition()
        self.looks = 0  # looks taken so far (each is one query, however many streams)

    # --- streams ------------------------------------------------------------------------

    def subscribe(self, ballot_id: int, address: str) -> Stream:
        """A new stream of `ballot_id` for a client at `address`, or `TooManyStreams`."""
        if self._closed:
            raise TooManyStreams("服务器正在停止，请稍后再试", "the server is stopping; retry")
        if self._by_address.get(address, 0) >= self.per_address:
            raise TooManyStreams(
                f"同一地址最多同时打开 {self.per_address} 个实时页面，请关闭一些后再试",
                f"at most {self.per_address} live pages at once from one address; "
                "close some and retry",
            )
        if self._count >= self.total:
            raise TooManyStreams(
                "实时页面已满，页面将改为定时刷新", "too many live pages; the page polls instead"
            )
        stream = Stream(ballot_id, address)
        topic = self._topics.setdefault(ballot_id, _Topic())
        topic.streams.add(stream)
        if topic.frame is not None:
            stream.put(topic.frame)  # what the others see now, at once and without a look
        self._by_address[address] = self._by_address.get(address, 0) + 1
        self._count += 1
        self._start()
        self._signal()
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        topic = self._topics.get(stream.ballot_id)
        if topic is None or stream not in topic.streams:
            return
        topic.streams.discard(stream)
        if not topic.streams:
            del self._topics[stream.ballot_id]  # nobody watches: no look reads it
        left = self._by_address[stream.address] - 1
        if left:
            self._by_address[stream.address] = left
        else:
            del self._by_address[stream.address]
        self._count -= 1
        self._signal()

    def open_streams(self) -> int:
        return self._count

    def wait_streams(self, count: int, timeout: float) -> bool:
        """Block (another thread) until exactly `count` streams are open; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == count, timeout=timeout)

    def _signal(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # --- looking --------------------------------------------------------------------------

    def notify(self, origins: Collection[str] = ()) -> None:
        """Some log grew and its transaction committed (any thread): look soon. Which log is
        not checked here; the look itself is one query, and only when someone watches."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or not self._topics:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed (shutting down)
            loop.call_soon_threadsafe(wake.set)

    def _start(self) -> None:
        if self._task is not None and not self._task.done():
            if self._wake is not None:
                self._wake.set()  # a new topic: look now, not at the next tick
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._wake.set()
        self._task = self._loop.create_task(self._run(self._wake), name="gongzhi-live")

    async def _run(self, wake: asyncio.Event) -> None:
        while self._topics and not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self.check_every)
            wake.clear()
            if not self._topics or self._closed:
                break
            known = {i: t.fingerprint for i, t in self._topics.items()}
            try:
                found = await asyncio.to_thread(self._read, known)
            except Exception:  # the database is down, say: keep the streams, look again
                found = {}
            self.looks += 1
            self.publish(found)
            await asyncio.sleep(self.min_gap)
        self._task = None

    def publish(self, found: Mapping[int, tuple[Fingerprint, bytes]]) -> None:
        for ballot_id, (fingerprint, frame) in found.items():
            topic = self._topics.get(ballot_id)
            if topic is None:
                continue  # its last stream closed while we looked
            topic.fingerprint, topic.frame = fingerprint, frame
            for stream in topic.streams:
                stream.put(frame)

    # --- shutting down --------------------------------------------------------------------

    def close(self) -> None:
        """End every stream (on the loop): the server waits for open responses before it
        stops, and a live stream would otherwise never end."""
        self._closed = True
        for topic in self._topics.values():
            for stream in topic.streams:
                stream.ended = True
                stream.ready.set()
        if self._wake is not None:
            self._wake.set()

    def close_soon(self) -> None:
        """`close` from any thread."""
        if self._loop is None:
            self._closed = True
            return
        try:
            self._loop.call_soon_threadsafe(self.close)
        except RuntimeError:
            self._closed = True


def frame(event: str, data: str, *, event_id: int | None = None) -> bytes:
    """One server-sent event. `data` is one line (compact JSON has no newline)."""
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()
