"""The JSON API, versioned: every ``/api/…`` route also answers at ``/api/v1/…``.

One set of routes, two prefixes. The versioned one is rewritten to the other before
anything else sees the request (body limits, rate limits and routing all see ``/api/…``),
so the two can never answer differently, and the OpenAPI document names each operation
once, under ``/api/v1`` — the prefix a client should pin. The unversioned ``/api/…`` stays
for the clients that already use it (the owner's pages, ``gongzhi member``/``office``/
``witness``); a future ``/api/v2`` would get its own routers, and this alias would then mean
v1. Not versioned: pages, ``/.well-known/…`` (fixed by their convention) and ``/chain/rpc``
(a JSON-RPC endpoint for wallets, not part of this API).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

UNVERSIONED = "/api/"
V1 = "/api/v1/"


def unversioned(path: str) -> str:
    """``/api/v1/x`` → ``/api/x``; any other path unchanged."""
    return UNVERSIONED + path.removeprefix(V1) if path.startswith(V1) else path


class ApiVersionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(V1):
            path = unversioned(scope["path"])
            raw = scope.get("raw_path")
            scope = {
                **scope,
                "path": path,
                "raw_path": unversioned(raw.decode("latin-1")).encode("latin-1")
                if isinstance(raw, bytes)
                else raw,
            }
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """The OpenAPI document with the JSON operations under ``/api/v1``."""
    plain = app.openapi

    def versioned() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = plain()
            document["paths"] = {
                (V1 + path.removeprefix(UNVERSIONED) if path.startswith(UNVERSIONED) else path): ops
                for path, ops in document["paths"].items()
            }
            document["info"]["description"] = (
                "JSON API under /api/v1 (every path is also served without the version, "
                "at /api/…, for existing clients). 所有 JSON 接口位于 /api/v1 之下。"
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = versioned  # type: ignore[method-assign]
