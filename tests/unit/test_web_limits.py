"""The body-limit middleware (web.server.limits) driven as ASGI: what it reads, what it refuses."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from web.server.limits import BodyLimitMiddleware, BodyLimits, json_too_deep

LIMITS = BodyLimits(json_bytes=1024, upload_bytes=10_000, json_depth=8)


class Client:
    """Feeds a body in chunks and counts how many the server pulled."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks, self.pulled = chunks, 0

    async def receive(self) -> Message:
        if self.pulled >= len(self.chunks):
            return {"type": "http.disconnect"}
        self.pulled += 1
        more = self.pulled < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.pulled - 1], "more_body": more}


class App:
    """Records the body the application got, and answers 200."""

    def __init__(self) -> None:
        self.body: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.body = b"".join(parts)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run(
    chunks: list[bytes],
    *,
    path: str = "/api/auth/sign-in",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any] | None, App, Client]:
    app, client, sent = App(), Client(chunks), []
    head = headers if headers is not None else {"transfer-encoding": "chunked"}
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in head.items()],
    }

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(BodyLimitMiddleware(app, LIMITS)(scope, client.receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, (json.loads(body) if status != 200 else None), app, client


def test_a_declared_length_over_the_limit_is_refused_without_reading() -> None:
    status, answer, app, client = run([b"x" * 2000], headers={"content-length": "2000"})
    assert status == 413 and client.pulled == 0 and app.body is None
    assert answer is not None
    assert "请求内容过大" in answer["error"]["zh"] and "too large" in answer["error"]["en"]


def test_a_streamed_body_stops_being_read_once_past_the_limit() -> None:
    chunks = [b"[" + b" " * 299] + [b" " * 300] * 1000  # 300 KB offered in 300-byte chunks
    status, _, app, client = run(chunks)
    assert status == 413 and app.body is None
    assert client.pulled == 4  # 1,200 bytes read: the first chunk past 1,024, nothing more


def test_a_body_within_the_limit_reaches_the_app_whole() -> None:
    body = json.dumps({"a": [1, 2, {"b": "[[[[[[[[[[[[[[[[[[]"}]}).encode()
    status, _, app, _ = run([body[:10], body[10:]])
    assert status == 200 and app.body == body  # brackets inside strings do not count


def test_json_nested_too_deep_is_refused_before_parsing() -> None:
    status, answer, app, _ = run([b"[" * 9 + b"]" * 9], headers={"content-length": "18"})
    assert status == 400 and app.body is None and answer is not None
    assert answer["error"]["en"] == "JSON nested deeper than 8 levels"
    assert "嵌套" in answer["error"]["zh"]
    assert run([b"[" * 8 + b"]" * 8])[0] == 200


def test_the_register_upload_has_its_own_limit_and_is_not_json() -> None:
    path = "/api/communities/lianhua/register"
    csv = b"[" * 50 + b"x" * 5000
    assert run([csv], path=path, headers={"content-type": "text/csv"})[0] == 200
    assert run([b"x" * 10_001], path=path)[0] == 413
    assert run([csv], path="/api/communities/lianhua/ballots")[0] == 413  # 5 KB > 1 KiB


def test_a_request_without_a_body_passes_untouched() -> None:
    status, _, app, _ = run([b""], headers={})
    assert status == 200 and app.body == b""


def test_an_invalid_content_length_is_a_clear_400() -> None:
    status, answer, _, _ = run([b"{}"], headers={"content-length": "12, 12"})
    assert status == 400 and answer is not None and "Content-Length" in answer["error"]["en"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_other_encodings_json_accepts_are_scanned_after_decoding(encoding: str) -> None:
    # U+2200 holds one byte 22 (a quote) in each of these: a byte scan would take the rest
    # for a string and miss the nesting.
    text = '["\u2200", ' + "[" * 40 + "]" * 40 + "]"
    body = text.encode(encoding)
    assert json.loads(body)  # what FastAPI would parse
    assert json_too_deep(body, 32)
    assert not json_too_deep('["\u2200", [[1]]]'.encode(encoding), 32)


def _depth(text: str) -> int:
    """The nesting depth of JSON text, counted the slow, obvious way."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _nested(rnd: random.Random, depth: int) -> Any:
    if depth == 0:
        return rnd.choice([1, None, '[{"\\', '\\"[[', "\\\\", "]]}"])
    inner = _nested(rnd, depth - 1)
    shallow = _nested(rnd, rnd.randrange(depth))
    return rnd.choice([[inner], {'k"[\\': inner}, [shallow, inner], {"a": shallow, "b": [inner]}])


def test_the_depth_scan_agrees_with_a_parser_on_json_of_every_shape() -> None:
    rnd = random.Random(7)  # fixed: the same 2,000 documents on every run
    for _ in range(2000):
        text = json.dumps(_nested(rnd, rnd.randrange(12)), ensure_ascii=rnd.random() < 0.5)
        assert json_too_deep(text.encode(), 6) == (_depth(text) > 6), text


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 33,  # cut off: a parser still recurses into every open bracket
        b'["' + b'\\"' * 10 + b'", ' + b"[" * 33 + b"]" * 33 + b"]",  # quotes escaped in a string
        b'{"a\\\\": ' + b"[" * 33 + b"]" * 33 + b"}",  # an escaped backslash closes nothing
        (b"[" * 20 + b"]" * 20) * 50 + b"{" * 33 + b"}" * 33,
    ],
)
def test_deep_bodies_of_tricky_shapes_are_caught(body: bytes) -> None:
    assert json_too_deep(body, 32)
