"""``GET /api/v1/ballots/{id}/events``: a ballot's public state as server-sent events, for
the committee's live dashboard (web/pages/static/console_ballot.js).

Each ``ballot`` event carries exactly what ``GET /api/v1/ballots/{id}`` answers — turnout by
area and headcount, per item; how anyone voted stays in the box until the close. The first
event comes at once; the next as soon as a vote (or any entry) for that ballot has
committed in this process, or within about a second when another process took it. Comment
lines (``: keep-alive``) keep proxies from closing a quiet stream; a stream ends after
`LiveHub.lifetime` (10 minutes) and the browser's EventSource reconnects by itself
(``retry:``), which bounds what a forgotten tab holds. Public, as the ballot's JSON is;
bounded per address (429, bilingual) since anyone may open one. The shared work is in
`web.server.live`.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Mapping
from typing import Any

import anyio
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from contracts.errors import ChainError
from identity.errors import IdentityError
from ledger.tlog.errors import LedgerError
from ledger.tlog.models import Log
from voting import ballots
from voting.errors import VotingError
from voting.models import Ballot
from web.api.ballots import ballot_public
from web.server.bounds import IdPath
from web.server.deps import ServicesDep
from web.server.error_responses import text_errors
from web.server.live import Fingerprint, LiveHub, Read, Stream, TooManyStreams, frame
from web.server.services import Services
from web.server.settings import Settings

router = APIRouter(prefix="/api")
RETRY_MS = 2000  # how long EventSource waits before it reconnects


def _reader(services: Services) -> Read:
    """The hub's look (a worker thread): every watched ballot's fingerprint in one query,
    then the JSON of those that changed, read from the signed log as the API reads it."""

    def read(known: Mapping[int, Fingerprint | None]) -> dict[int, tuple[Fingerprint, bytes]]:
        found: dict[int, tuple[Fingerprint, bytes]] = {}
        with services.db.session(write=False) as session:
            rows = session.execute(
                select(Ballot.id, Ballot.status, Log.size)
                .outerjoin(Log, Log.origin == Ballot.log_origin)
                .where(Ballot.id.in_(list(known)))
            ).all()
            for ballot_id, status, size in rows:
                fingerprint = (int(size or 0), str(status))
                if known.get(ballot_id) == fingerprint:
                    continue
                try:
                    ballot = ballots.get_ballot(session, ballot_id)
                    body = ballot_public(session, services, ballot).model_dump_json()
                    found[ballot_id] = (fingerprint, frame("ballot", body, event_id=size or 0))
                except (VotingError, IdentityError, LedgerError, ChainError) as exc:
                    zh, en = exc.bilingual()
                    failure = json.dumps({"error": {"zh": zh, "en": en, "message": f"{zh} / {en}"}})
                    found[ballot_id] = (fingerprint, frame("failure", failure))
        return found

    return read


class EventStream(Response):
    """The stream of one ballot for one client. It subscribes only once it is sent, and
    always unsubscribes: on the client's disconnect, on the end of its time, on shutdown."""

    media_type = "text/event-stream"

    def __init__(self, hub: LiveHub, ballot_id: int, address: str) -> None:
        # Not Response.__init__: with no body set, no Content-Length is added (it is endless).
        self.status_code = 200
        self.background = None
        self.init_headers(
            {
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # nginx: pass each event on at once
            }
        )
        self.hub, self.ballot_id, self.address = hub, ballot_id, address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            stream = self.hub.subscribe(self.ballot_id, self.address)
        except TooManyStreams as exc:
            refused = JSONResponse(
                {"error": {"zh": exc.zh, "en": exc.en, "message": f"{exc.zh} / {exc.en}"}},
                status_code=429,
                headers={"Retry-After": "30"},
            )
            await refused(scope, receive, send)
            return
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await _body(send, f"retry: {RETRY_MS}\n\n".encode())
            async with anyio.create_task_group() as group:

                async def until_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(until_disconnect)
                await self._events(stream, send)
                group.cancel_scope.cancel()
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-write
        finally:
            self.hub.unsubscribe(stream)

    async def _events(self, stream: Stream, send: Send) -> None:
        ends = time.monotonic() + self.hub.lifetime
        while not stream.ended:
            left = ends - time.monotonic()
            if left <= 0:
                return
            with anyio.move_on_after(min(self.hub.heartbeat, left)):
                await stream.ready.wait()
            if stream.ended:
                return
            payload = stream.take()
            await _body(send, payload if payload is not None else b": keep-alive\n\n")


async def _body(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


_STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "server-sent events: `event: ballot` with the ballot's JSON (as GET "
            "/api/v1/ballots/{id}), at once and after each change; `event: failure` with an "
            "error body if the box cannot be shown; `: keep-alive` comments / 实时推送"
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


class _EventStreamDoc(Response):
    """What the OpenAPI document names as the success's media type."""

    media_type = "text/event-stream"


@router.get(
    "/ballots/{ballot_id}/events",
    response_class=_EventStreamDoc,
    responses={**_STREAM_DOC, **text_errors(404, 429)},
)
def ballot_events(ballot_id: IdPath, request: Request, services: ServicesDep) -> Response:
    """The ballot's public state (participation; choices stay hidden until the close), pushed
    as it changes. At most `GONGZHI_LIVE_STREAMS_ADDRESS` open streams per client address."""
    with services.db.session(write=False) as session:
        ballots.get_ballot(session, ballot_id)  # 404 before any stream opens
    hub: LiveHub = request.app.state.live
    return EventStream(hub, ballot_id, _address(request))


def install(app: FastAPI, services: Services, settings: Settings) -> LiveHub:
    hub = LiveHub(
        _reader(services),
        per_address=settings.live_streams_address,
        total=settings.live_streams_total,
    )
    services.watch(hub.notify)
    app.state.live = hub
    app.include_router(router)
    return hub


class Server(uvicorn.Server):
    """uvicorn waits for every open response to finish before it stops, and a live stream
    never finishes by itself: the streams are told to end first."""

    def __init__(self, config: uvicorn.Config, hub: LiveHub) -> None:
        super().__init__(config)
        self.hub = hub

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.hub.close()
        await super().shutdown(sockets)
