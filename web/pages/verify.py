"""``/verify``: the public page where anyone checks a vote receipt in their own browser.

The server only hands out the page; ``web/pages/static/verify.js`` fetches the proofs and the
committee's registrations and checks them with gongzhi.js (`checkReceipt`) against the
trust file the reader brings in the link's fragment (``#gongzhi-trust=…``, the notice's
QR code), or else — with a warning that it is this server's own word — the one at
``/.well-known/gongzhi-trust.json``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from web.pages.assets import TEMPLATES_DIR
from web.pages.owner import CSP, lang_of
from web.pages.verify_text import text_for
from web.server.error_responses import page_errors

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

VERIFY_PATH = "/verify"


@router.get(VERIFY_PATH, response_class=HTMLResponse, responses=page_errors())
def verify_page(request: Request) -> Response:
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "verify.html",
        {"lang": lang, "t": text_for(lang), "page": "verify"},
        headers={"Content-Security-Policy": CSP},
    )
