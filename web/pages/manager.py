"""The property manager's desk (物业工作台): ``/communities/{slug}/manager``.

A thin shell over the disclosure API, as the committee console is: the server renders the
words; the page's script (web/pages/static/manager.js) keeps the manager's own P-256 key on this
device (non-extractable, IndexedDB), signs in with it, asks ``POST …/disclosures/check`` to
run every accounting check on the draft (errors shown beside their fields), and signs each
disclosure and reply on the device before ``POST …/disclosures/entries`` — the server never
holds the manager's key. The API checks the role credential on every call, so the page
itself is public.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from identity.community.origins import disclosure_origin
from identity.community.registry import get_community
from web.pages.manager_text import text_for
from web.pages.owner import CSP, lang_of, templates
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors

router = APIRouter()


@router.get("/communities/{slug}/manager", response_class=HTMLResponse, responses=page_errors(404))
def manager_page(
    slug: str, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    community = get_community(session, slug)
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "manager.html",
        {
            "lang": lang,
            "t": text_for(lang),
            "page": "manager",
            "c": community,
            "slug": slug,
            "origin": disclosure_origin(services.public_host, slug),
            # a refused sign-in points a demo visitor to /demo's "act as the manager" step
            "demo": bool(request.app.state.demo),
            "q": "?lang=en" if lang == "en" else "",
        },
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
    )
