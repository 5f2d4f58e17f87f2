"""The committee console (表决管理): the ballot wizard and list, one ballot's live
dashboard, and the answers to objections (质疑答复) on disclosures the members published,
for the community's committee members only.

Thin shells over the JSON API, as the member's signing page is: the server renders the
words and checks who is asking (the DID sign-in session, cookie or bearer); the page's
script (web/pages/static/console.js, console_ballot.js) reads and posts through the API, which
checks every act again — a committee act only drafts a decision the members sign on their
own devices. Someone not signed in gets the sign-in with this device's member key
(web/pages/static/committee.js); someone signed in without the committee role, a refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from identity.community.origins import disclosure_origin
from identity.community.registry import get_community
from identity.community.signin import COMMITTEE
from voting.ballots import get_ballot
from web.auth.sessions import PrincipalDep, require_role
from web.pages.console_text import text_for
from web.pages.owner import CSP, lang_of, templates
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors
from web.server.errors import ApiError

router = APIRouter()
_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": text_for(lang), **context},
        status_code=status,
        headers=_HEADERS,
    )


def _member_or_page(
    request: Request, slug: str, principal: PrincipalDep, **context: Any
) -> Response | None:
    """None for a committee member; else the page that says why not (401 offers sign-in)."""
    try:
        require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _render(
            request,
            "console_signin.html",
            exc.status,
            page="signin",
            slug=slug,
            signed_in=principal is not None,
            message=exc.en if lang_of(request) == "en" else exc.zh,
            **context,
        )
    return None


@router.get(
    "/communities/{slug}/committee/ballots",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404),
)
def ballots_page(
    slug: str, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The ballot wizard and the list of the community's ballots."""
    community = get_community(session, slug)
    refused = _member_or_page(request, slug, principal, c=community)
    if refused is not None:
        return refused
    return _render(request, "console_ballots.html", page="ballots", c=community, slug=slug)


@router.get(
    "/communities/{slug}/committee/ballots/{ballot_id}",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404),
)
def ballot_page(
    slug: str,
    ballot_id: IdPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """One ballot's dashboard: turnout, who has not voted, refusals, the committee's acts."""
    community = get_community(session, slug)
    ballot = get_ballot(session, ballot_id)
    if ballot.community_slug != slug:
        raise ApiError(404, f"本小区没有第 {ballot_id} 号表决", f"no ballot {ballot_id} here")
    refused = _member_or_page(request, slug, principal, c=community)
    if refused is not None:
        return refused
    return _render(
        request, "console_ballot.html", page="ballot", c=community, slug=slug, ballot_id=ballot.id
    )


@router.get(
    "/communities/{slug}/committee/objections",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404),
)
def objections_page(
    slug: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    principal: PrincipalDep,
) -> Response:
    """Objections to disclosures committee members published, each answered by its publisher:
    the reply is signed on that member's own device (the ledger accepts no one else's)."""
    community = get_community(session, slug)
    refused = _member_or_page(request, slug, principal, c=community)
    if refused is not None:
        return refused
    return _render(
        request,
        "console_objections.html",
        page="objections",
        c=community,
        slug=slug,
        origin=disclosure_origin(services.public_host, slug),
    )
