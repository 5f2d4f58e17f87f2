"""Security headers on every response: pages, the API, static files, errors and refusals.

An ASGI middleware wrapped around everything, so nothing answers without them. A response
that sets its own Content-Security-Policy keeps it (the owner's pages, which run the owner's
key, allow no inline style at all); the rest get a policy that runs only our own scripts and
allows the inline styles the server-rendered pages use.

Permissions-Policy lets only our own pages ask for the camera (the voting card's and the
verification page's QR scanning, `web/pages/static/qrscan.js`) and no page, nor anything framed,
for the microphone, location, payment or USB: none needs them, so a script that got in
could not either.

Referrer-Policy is ``same-origin``: our own pages get a referrer, no other site ever does.
(``no-referrer`` made Chromium send ``Origin: null`` on the pages' own form posts and
fetches, which the same-origin check in `web.auth.sessions` then refused.)
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.api.version import ApiVersionMiddleware

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(k).lower() for k, _ in headers}
                headers.extend((k, v) for k, v in HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadedFastAPI(FastAPI):
    """FastAPI with the headers outside even Starlette's last-resort error middleware, so an
    unexpected 500 carries them too (`add_middleware` would put them inside it); inside them,
    ``/api/v1/…`` becomes ``/api/…`` before any other middleware looks (`web.api.version`)."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(ApiVersionMiddleware(super().build_middleware_stack()))
