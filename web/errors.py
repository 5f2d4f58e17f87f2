"""One place that turns the project's errors into HTTP answers: clear, bilingual, never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.errors import ChainError
from identity.errors import IdentityError
from ledger.errors import LedgerError
from voting.errors import VotingError

log = logging.getLogger("gongzhi.web")


class ApiError(Exception):
    """An error of the web layer itself (not signed in, not allowed, not found)."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


def _body(zh: str, en: str, status: int) -> JSONResponse:
    return JSONResponse(
        {"error": {"zh": zh, "en": en, "message": f"{zh} / {en}"}}, status_code=status
    )


def _split(message: str) -> tuple[str, str]:
    zh, sep, en = message.partition(" / ")
    return (zh, en) if sep else (message, message)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return _body(exc.zh, exc.en, exc.status)

    @app.exception_handler(VotingError)
    async def _voting(_: Request, exc: VotingError) -> JSONResponse:
        where = f"{exc.where}: " if exc.where else ""
        name = type(exc).__name__
        status = 404 if name.endswith("NotFound") else 409 if name.startswith("Ballot") else 400
        return _body(where + exc.zh, where + exc.en, status)

    @app.exception_handler(IdentityError)
    @app.exception_handler(LedgerError)
    async def _domain(_: Request, exc: Exception) -> JSONResponse:
        return _body(*_split(str(exc)), 400)

    @app.exception_handler(ChainError)
    async def _chain(_: Request, exc: ChainError) -> JSONResponse:
        return _body(*_split(str(exc)), 503)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        msg = first.get("msg", "invalid request")
        return _body(f"请求内容有误：{where} {msg}", f"invalid request: {where} {msg}", 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _body("找不到该页面或资源", "not found", 404)
        if exc.status_code == 405:
            return _body("不支持该请求方法", "method not allowed", 405)
        return _body("请求无法处理", str(exc.detail), exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug of ours: say so plainly without leaking internals; the log keeps the type only.
        log.error("unexpected error %s", type(exc).__name__, exc_info=exc)
        return _body("服务器内部错误，请稍后再试", "internal error, please try again later", 500)
