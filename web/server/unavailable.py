"""Answers for a server that is busy, not broken: 503 with Retry-After, in Chinese and English.

A rush of voters, a full queue, a database that is briefly locked or out of connections: the
client is told to try again in a moment, and nothing was changed. These never become a 500
and never keep a client waiting for long."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from web.server.db import DatabaseBusy
from web.server.sequencer import BatchFailed, Overloaded

log = logging.getLogger("gongzhi.web")
RETRY_AFTER_SECONDS = 2

_BUSY = (
    "服务器繁忙，您的请求未被处理，请稍后重试",
    "the server is busy and did not act on your request; please retry in a moment",
)
_UNSURE = (
    "服务器繁忙，暂未确认结果；请稍后重试或查看是否已记录",
    "the server is busy and could not confirm the outcome yet; retry, or check whether it "
    "was recorded",
)


def busy(zh: str, en: str) -> Response:
    return JSONResponse(
        {"error": {"zh": zh, "en": en, "message": f"{zh} / {en}", "retryable": True}},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(Overloaded)
    @app.exception_handler(BatchFailed)
    @app.exception_handler(DatabaseBusy)
    @app.exception_handler(PoolTimeout)
    async def _busy(_request: Request, exc: Exception) -> Response:
        log.warning("busy: %s %s", type(exc).__name__, exc)
        return busy(*_BUSY)

    @app.exception_handler(OperationalError)
    async def _db(_request: Request, exc: OperationalError) -> Response:
        # "database is locked", a lost connection…: transient; the transaction rolled back.
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        return busy(*_BUSY)

    @app.exception_handler(TimeoutError)
    async def _slow(_request: Request, _exc: TimeoutError) -> Response:
        # Only a wait for a vote's batch times out; that batch may still commit.
        return busy(*_UNSURE)
