"""Request bodies bounded before they are read, and JSON nesting bounded before it is parsed.

An ASGI middleware, so it runs before FastAPI reads anything: a ``Content-Length`` over the
limit is refused at once without reading a byte, and a streamed (chunked) body is counted
as it arrives and refused as soon as it passes the limit — the rest is never read. The body
is then checked for nesting depth by a scan of its brackets (outside strings), so a hostile
``[[[[…`` never reaches a recursive parser. Only then is it handed to the application.

The register upload (CSV or .xlsx) has its own, larger limit and is not JSON.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import sub

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATH = re.compile(r"/api/communities/[^/]+/register")
_NOT_JSON = (
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "text/csv",
    # a statement's lines as Excel (`web.api.statement_lines`): a zip, within the JSON body limit
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int = 256 * 1024  # any request body but the register upload
    upload_bytes: int = 10 * 1000 * 1000  # the register upload (CSV or .xlsx)
    json_depth: int = 32  # no gongzhi document nests deeper than a dozen levels


async def refuse(send: Send, status: int, zh: str, en: str, headers: dict[str, str]) -> None:
    """A bilingual JSON refusal in the shape `web.server.errors` answers with, sent from ASGI."""
    body = json.dumps(
        {"error": {"zh": zh, "en": en, "message": f"{zh} / {en}"}}, ensure_ascii=False
    ).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> tuple[str, str]:
    size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1024} KiB"
    return f"请求内容过大（上限 {size}）", f"request body too large ({size} at most)"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_PARENS = bytes.maketrans(b"[{]}", b"(())")  # a parser recurses alike whatever the kind


def json_too_deep(body: bytes, limit: int) -> bool:
    """Whether JSON text (UTF-8, or UTF-16/32 as `json.loads` accepts) nests deeper than
    `limit`, counting brackets outside strings. It runs on the event loop for every body, so
    every loop is in C (a 256 KiB body of brackets takes a few milliseconds). Other encodings
    are decoded first: their code units can hold the bytes of ``"`` or ``[``, which would
    throw a byte scan off."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case, votes and sign-ins: a few brackets
    encoding = json.detect_encoding(body)
    if encoding not in ("utf-8", "utf-8-sig"):
        body = codecs.decode(body, encoding, errors="replace").encode("utf-8", "surrogatepass")
    if b'"' in body:
        # Escapes go first (an escaped backslash, then an escaped quote); every quote left
        # opens or closes a string, so every other piece between quotes is outside strings.
        # (In JSON a backslash outside a string is an error anyway.)
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
        body = b"".join(body.split(b'"')[::2])
    brackets = body.translate(_PARENS, _NOT_BRACKET)
    # Between two closes, a run of opens: the depth after run i is the opens so far minus
    # the i closes before it, i.e. the running sum of (run length - 1), plus one.
    runs: Iterator[int] = map(sub, map(len, brackets.split(b")")), repeat(1))
    deepest: int = max(accumulate(runs)) + 1
    return deepest > limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is None and _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)  # no body (HTTP/1.1 §6.3)
            return
        upload = UPLOAD_PATH.fullmatch(scope.get("path", "")) is not None
        limit = self.limits.upload_bytes if upload else self.limits.json_bytes
        if length is not None:
            if not length.strip().isdigit():
                await refuse(send, 400, "Content-Length 无效", "invalid Content-Length", {})
                return
            if int(length) > limit:
                await refuse(send, 413, *_too_large(limit), {"Connection": "close"})
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # stop reading here: the rest of the stream is never taken in
                await refuse(send, 413, *_too_large(limit), {"Connection": "close"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = (_header(scope, b"content-type") or "").lower()
        json_body = not upload and not kind.startswith(_NOT_JSON)
        if json_body and json_too_deep(body, self.limits.json_depth):
            depth = self.limits.json_depth
            zh, en = f"JSON 嵌套超过 {depth} 层", f"JSON nested deeper than {depth} levels"
            await refuse(send, 400, zh, en, {})
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, as one message; after that, the client's own messages (disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
