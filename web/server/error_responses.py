"""The error answers in the OpenAPI document: one bilingual body, and which statuses a route
really gives (``responses=errors(404, 409)``), so a client (or schemathesis) can rely on it.

Every error the app sends is ``{"error": {"zh", "en", "message"}}`` (`web.server.errors`), the 422
of a request that fails the schema included: FastAPI's default ``HTTPValidationError`` is
never sent, so it is never documented either.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    zh: str
    en: str
    message: str  # "zh / en", for clients that show one line


class ErrorBody(BaseModel):
    error: ErrorDetail


_WHY = {
    400: "请求无法执行 / the request cannot be carried out",
    401: "未登录或凭证无效 / not signed in, or the credentials are not valid",
    403: "没有所需的角色，或跨站请求 / the role needed is missing, or a cross-site request",
    404: "不存在 / not found",
    409: "与当前状态冲突 / conflicts with the current state",
    413: "请求体过大 / the request body is too large",
    422: "请求内容不符合格式 / the request does not match the schema",
    429: "请求过于频繁，请稍后再试 / too many requests; retry later",
    503: "暂时无法处理，请稍后再试 / temporarily unavailable; retry later",
}

# What any route may answer whatever it does: a request that fails the schema, a hostile or
# oversized one refused before it is read, a rush held back, a service (database pool,
# chain) that cannot answer now.
COMMON = (400, 413, 422, 429, 503)
# A route behind a sign-in or a role.
SIGNED_IN = (401, 403)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a JSON route answering `statuses` (besides its success)."""
    return {
        status: {"model": ErrorBody, "description": _WHY[status]}
        for status in sorted({*COMMON, *statuses})
    }


def page_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The same for a page: a browser (``Accept: text/html``) gets a readable error page,
    any other client the JSON body (`web.server.errors`)."""
    return _spelled_out(statuses, {"text/html": {"schema": {"type": "string"}}})


def text_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The same for a route whose success is not JSON (a signed note): errors still are."""
    return _spelled_out(statuses, {})


def _spelled_out(
    statuses: tuple[int, ...], beside: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    # FastAPI files a ``model`` under the route's own media type (text/html, text/plain),
    # so the content is spelled out; ``ErrorBody`` is in the document through the JSON
    # routes that name it as their model.
    json_body = {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
    return {
        status: {"description": _WHY[status], "content": {"application/json": json_body, **beside}}
        for status in sorted({*COMMON, *statuses})
    }
