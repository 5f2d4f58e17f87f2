"""HEAD answered as GET without its body (RFC 9110 §9.3.2).

FastAPI's routes answer only the methods they name, so ``HEAD /ballots/1`` was a 405 while
``GET`` worked: uptime monitors and link checkers ask with HEAD and would report the site
down. This ASGI middleware runs the GET and sends its status and headers (Content-Length
included, as a GET would have it) with no body. An event stream is left out: its GET never
ends, and a HEAD of it has nothing to say, so it keeps its 405.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or str(scope.get("path", "")).endswith("/events")
        ):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
