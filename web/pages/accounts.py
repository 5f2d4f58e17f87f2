"""The public accounts page (账目公开) of a community: ``/c/{slug}/disclosures``.

What it shows is read from the community's disclosure log through `DisclosureLogs.listing`,
which checks each entry against its leaf and the signed checkpoint before anything is shown
(a row edited behind the log's back answers 409, never a different figure);
`web.pages.accounts_view` turns those checked entries into cards and charts. Chinese by default,
English with ``?lang=en``; Beijing time. The only script is ``objection.js`` (a module from
our own origin: the CSP allows no inline script or style), which lets an owner signed in on
this device raise a 质疑 on an entry; without it the page reads the same.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from identity.community.origins import disclosure_origin
from identity.community.registry import get_community
from ledger.disclosure.errors import IntegrityError
from ledger.disclosure.fields import MAX_TEXT
from ledger.disclosure.service import DisclosureLogs, EntryView
from ledger.tlog.errors import LogNotFoundError
from ledger.tlog.records import LogRef
from web.api.disclosures import MAX_PAGE, anchored_size, integrity_error
from web.pages import accounts_view
from web.pages.accounts_text import text_for
from web.pages.assets import TEMPLATES_DIR
from web.pages.money import money, unit_price
from web.pages.owner import CSP, lang_of
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["money"] = money
templates.env.filters["unit_price"] = unit_price
templates.env.filters["period"] = accounts_view.period_long


@router.get("/c/{slug}/disclosures", response_class=HTMLResponse, responses=page_errors(404, 409))
def disclosures_page(
    slug: str, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    community = get_community(session, slug)
    logs = DisclosureLogs(session)
    views: list[EntryView] = []
    anchored = size = None
    try:
        log: LogRef | None = logs.get(disclosure_origin(services.public_host, slug))
    except LogNotFoundError:  # nothing published yet: an empty page, not an error
        log = None
    if log is not None:
        size = logs.store.size(log)
        anchored = anchored_size(services, logs.store, log)
        try:  # the newest entries; the bundle holds them all
            views = logs.listing(log, start=max(0, size - MAX_PAGE), limit=MAX_PAGE)
        except IntegrityError as exc:
            raise integrity_error(exc) from exc
    lang = lang_of(request)
    t = text_for(lang)
    # the words objection.js says, in the page's language (a JSON block, not a script)
    raise_text = {k: v for k, v in t.items() if k.startswith("raise") or k == "no_reply"}
    raise_text["objection"] = t["objection"]
    return templates.TemplateResponse(
        request,
        "disclosures.html",
        {
            "community": community,
            "page": accounts_view.build(views, anchored, lang, t),
            "size": size,
            "anchored": anchored,
            "slug": slug,
            "log_origin": log.origin if log is not None else None,
            "max_text": MAX_TEXT,
            "raise_text": raise_text,
            "lang": lang,
            "t": t,
        },
        headers={"Content-Security-Policy": CSP},
    )
