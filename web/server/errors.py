"""One place that turns the project's errors into HTTP answers: clear, bilingual, never a 500."""

from __future__ import annotations

import html
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.errors import ChainError
from identity.community.committee import DecisionError, RegistrationError
from identity.community.decisions import DecisionClosed, DecisionNotFound
from identity.community.issuance import CredentialPending
from identity.community.registrations import NoCommittee
from identity.community.registry import CommunityExists, CommunityNotFound, RegistryError
from identity.errors import IdentityError
from ledger.disclosure.errors import AuthorityError, DuplicateEntryError
from ledger.tlog.errors import (
    ConsistencyError,
    LedgerError,
    LogExistsError,
    LogNotFoundError,
    RangeError,
)
from voting.ballots import BallotError, BallotNotFound, BallotSpecError
from voting.box_state import BallotIntegrityError
from voting.errors import VotingError
from web.pages.notice import NoticeError
from web.pages.public_text import own_text
from web.server.validation_text import describe

log = logging.getLogger("gongzhi.web")


class ApiError(Exception):
    """An error of the web layer itself (not signed in, not allowed, not found)."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · {site}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style>body{{font:20px/1.6 system-ui,sans-serif;margin:0;background:#f6f5f1}}
header{{background:#8b1a1a;color:#fff;padding:12px 16px;font-size:22px}}
main{{max-width:720px;margin:0 auto;padding:16px}}.card{{background:#fff;border-radius:12px;
padding:16px}}a{{display:block;text-align:center;font-size:22px;padding:14px;margin-top:16px;
background:#8b1a1a;color:#fff;border-radius:10px;text-decoration:none}}
.other{{color:#555;font-size:17px}}</style></head><body><header>{site}</header><main>
<div class="card"><p>{first}</p><p class="other" lang="{other_lang}">{second}</p>
<a href="/{q}">{home}</a></div>
</main></body></html>"""


def error_page(zh: str, en: str, lang: str) -> str:
    """The error page a browser gets: the page's language first (``?lang=en`` as on every
    page), the other beneath it, and the way home in the same language."""
    t = own_text(lang)
    first, second = (en, zh) if lang == "en" else (zh, en)
    return _PAGE.format(
        lang="en" if lang == "en" else "zh-CN",
        other_lang="zh-CN" if lang == "en" else "en",
        title=html.escape(t["error_title"]),
        site=html.escape(t["site_short"]),
        first=html.escape(first),
        second=html.escape(second),
        q="?lang=en" if lang == "en" else "",
        home=html.escape(t["error_home"]),
    )


def _wants_page(request: Request | None) -> bool:
    """A person's browser asking for a page (not an API client, not the chain's RPC)."""
    return (
        request is not None
        and not request.url.path.startswith(("/api/", "/chain/"))
        and "text/html" in request.headers.get("accept", "")
    )


def _body(zh: str, en: str, status: int, request: Request | None = None) -> Response:
    """JSON for API clients; a readable page for a person whose browser asked for a page."""
    if _wants_page(request) and request is not None:
        lang = "en" if request.query_params.get("lang") == "en" else "zh"
        return HTMLResponse(error_page(zh, en, lang), status)
    return JSONResponse(
        {"error": {"zh": zh, "en": en, "message": f"{zh} / {en}"}}, status_code=status
    )


# Each error class's HTTP status, said explicitly; an error takes the status of the most
# specific class in its ancestry that is listed (deriving it from class names once answered
# 400 to "no such community").
STATUS: dict[type[Exception], int] = {
    VotingError: 400,  # a malformed document, matter, area or vote
    BallotError: 409,  # the ballot's state forbids it: closed, not open yet, voted already
    BallotSpecError: 400,  # a ballot asked to open is malformed (title, window, amount)
    BallotNotFound: 404,
    BallotIntegrityError: 409,  # the stored box disagrees with its signed log
    IdentityError: 400,  # a malformed DID, credential, register row, code…
    CommunityNotFound: 404,
    CredentialPending: 403,  # a key whose ownership credential no member has signed yet
    DecisionError: 409,  # a signature that does not count: non-member, twice, another document
    RegistrationError: 400,  # a registration not signed by a trusted root, or malformed
    NoCommittee: 409,  # no registration in force: nobody can act as the committee now
    DecisionNotFound: 404,
    DecisionClosed: 409,
    CommunityExists: 409,
    RegistryError: 409,  # the register was imported already
    LedgerError: 400,  # a malformed entry, proof request or note
    LogNotFoundError: 404,
    RangeError: 404,  # no such entry or tree size (yet)
    LogExistsError: 409,
    DuplicateEntryError: 409,
    AuthorityError: 403,
    ConsistencyError: 409,
    ChainError: 503,  # the chain did not answer or refused: retry later
    NoticeError: 409,  # the box's entries make no result notice (never one that misstates)
}


def status_of(exc: Exception) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return _body(exc.zh, exc.en, exc.status, request=request)

    @app.exception_handler(VotingError)
    @app.exception_handler(IdentityError)
    @app.exception_handler(LedgerError)
    @app.exception_handler(ChainError)
    async def _domain(
        request: Request, exc: VotingError | IdentityError | LedgerError | ChainError
    ) -> Response:
        # Each project error carries its two halves apart (a Chinese half may hold " / ").
        return _body(*exc.bilingual(), status_of(exc), request=request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        # A page's address naming no such thing (/ballots/abc, /ballots/-1, a number past
        # any id) is a page that is not there, said as such: not a form's wording of which
        # field broke which rule. An API client still gets the 422 that says it.
        errors = exc.errors()
        in_path = all(e.get("loc", ("",))[0] == "path" for e in errors)
        if _wants_page(request) and errors and in_path:
            return _body("找不到该页面或资源", "not found", 404, request=request)
        zh, en = describe(errors)
        return _body(zh, en, 422, request=request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _body("找不到该页面或资源", "not found", 404, request=request)
        if exc.status_code == 405:
            return _body("不支持该请求方法", "method not allowed", 405, request=request)
        return _body("请求无法处理", str(exc.detail), exc.status_code, request=request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug of ours: say so plainly without leaking internals; the log keeps the type only.
        log.error("unexpected error %s", type(exc).__name__, exc_info=exc)
        return _body(
            "服务器内部错误，请稍后再试",
            "internal error, please try again later",
            500,
            request=request,
        )
