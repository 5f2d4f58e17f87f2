"""The owner's pages: enrol once, sign in, vote in one tap, check the vote is in the box.

The pages are thin shells: the key pair is made, kept and used only in the browser
(web/pages/static/gongzhi.js, WebCrypto P-256, non-extractable, IndexedDB — or, for an owner
without a smartphone, sealed under a PIN on a printed voting card that only the browser ever
opens, web/pages/static/owner_card.js), so the server renders
what is public — the ballot's text and turnout — and the words of the page, in Simplified
Chinese by default and in English with ``?lang=en``. Times are shown in Beijing time.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.middleware.gzip import GZipMiddleware

from identity.community.models import Community
from voting import ballots
from voting.matters import Matter
from web.api import census as api_census
from web.api import receipts as api_receipts
from web.pages.assets import TEMPLATES_DIR, PageFiles
from web.pages.owner_text import text_for
from web.pages.result_view import item_results, participation_bars
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
BEIJING = timezone(timedelta(hours=8))  # China keeps one zone and no summer time
_GZIP_MIN = 1024  # smaller pages gain less than the header costs


# The pages run the device's key; nothing but our own scripts may run beside it.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def lang_of(request: Request) -> str:
    """The page language: English with ``?lang=en``, Chinese otherwise."""
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _page(request: Request, template: str, page: str, **context: Any) -> Response:
    lang = lang_of(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": text_for(lang), "page": page, **context},
        headers={"Content-Security-Policy": CSP},
    )
    return gzipped(request, response)


def gzipped(request: Request, response: Response) -> Response:
    """The page gzipped for a browser that asks: the ballot page's 27 KB (a third of it the
    page's words as JSON) is 6 KB, half a second less on a slow 4G phone (BENCHMARKS.md).

    Safe from BREACH, which needs a secret beside input an attacker chooses in one
    compressed answer: an owner page is the same for everyone who asks — no token, no
    session, nothing of the visitor's; what it reflects is only the choice of language."""
    body = bytes(response.body)
    accepted = request.headers.get("accept-encoding", "")
    if len(body) < _GZIP_MIN or "gzip" not in accepted.lower():
        return response
    packed = gzip.compress(body, compresslevel=6)
    response.body = packed
    response.headers["content-length"] = str(len(packed))
    response.headers["content-encoding"] = "gzip"
    response.headers["vary"] = "Accept-Encoding"
    return response


def beijing(t: datetime) -> str:
    aware = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _beijing_long(t: datetime, lang: str) -> str:
    """The deadline as people say it: 2026年12月1日 12:30."""
    b = (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).astimezone(BEIJING)
    if lang == "en":
        return b.strftime("%d %b %Y, %H:%M")
    return f"{b.year}年{b.month}月{b.day}日 {b:%H:%M}"


@router.get("/owner", response_class=HTMLResponse, responses=page_errors())
def owner_home(request: Request, session: SessionDep) -> Response:
    """The owner's home; it links to the public accounts of each community served here."""
    communities = session.scalars(select(Community).order_by(Community.id)).all()
    return _page(request, "owner_home.html", "home", communities=communities)


# /enrol is the address printed in enrolment QR codes
@router.get("/enrol", response_class=HTMLResponse, responses=page_errors())
@router.get("/owner/enrol", response_class=HTMLResponse, responses=page_errors())
def owner_enrol(request: Request) -> Response:
    return _page(request, "owner_enrol.html", "enrol")


@router.get("/owner/signin", response_class=HTMLResponse, responses=page_errors())
def owner_signin(request: Request) -> Response:
    return _page(request, "owner_signin.html", "signin")


@router.get("/owner/card", response_class=HTMLResponse, responses=page_errors())
def owner_card(request: Request) -> Response:
    """Vote with a printed voting card: scanned or typed, opened with its PIN in the browser;
    the key lives in that page's memory only (web/pages/static/owner_card.js)."""
    return _page(request, "owner_card.html", "card")


@router.get(
    "/owner/ballots/{ballot_id}", response_class=HTMLResponse, responses=page_errors(404, 409)
)
def owner_ballot(
    ballot_id: IdPath, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    ballot = services.views.shown(session, ballots.get_ballot(session, ballot_id))
    matter = Matter(ballot.matter)
    lang = lang_of(request)
    return _page(
        request,
        "owner_ballot.html",
        "ballot",
        b=ballot,
        matter=matter,
        matter_en=lambda m: Matter(m).en,
        opens=beijing(ballot.opens_at),
        closes=beijing(ballot.closes_at),
        deadline=_beijing_long(ballot.closes_at, lang),
        # closed early or on time, the page says when voting ended, not the planned deadline
        closed_at=None if ballot.closed_at is None else _beijing_long(ballot.closed_at, lang),
        objections_until=None
        if ballot.objections_until is None
        else _beijing_long(ballot.objections_until, lang),
        p=ballot.participation,
        item_bars=participation_bars,
        results=item_results(ballot.result, ballot.items),
    )


def install(app: FastAPI) -> None:
    """The owner's pages, the receipt-proof API and the static files (the browser client)."""
    app.include_router(api_receipts.router)
    app.include_router(api_census.router)
    app.include_router(router)
    # Minified where built, and gzipped when the browser asks: the ballot page's first load of
    # scripts and styles goes from 102 KB to 13 KB, a second less on a slow 4G phone
    # (BENCHMARKS.md). Only these
    # public files: a page or API answer carrying a secret beside reflected input is never
    # compressed (BREACH).
    # Even a 1 KB module halves; below a few hundred bytes the header would cost more.
    static = GZipMiddleware(PageFiles(), minimum_size=256)
    app.mount("/static", static, name="static")
