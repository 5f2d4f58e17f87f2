"""The committee's owner pages: who has enrolled, and a printable sheet of enrolment codes.

Both need a committee member's browser session (the HttpOnly cookie from DID sign-in).
The sheet is made by a POST, because making codes changes state and because the codes can
be shown only once (the server keeps their hashes): print it, or make new codes later —
each new code cancels the person's older one. Nothing personal is on the sheet: unit
numbers, a QR code of the enrolment URL, the code itself and when it expires.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from identity.community import enrolment
from identity.community.registry import get_community
from identity.community.signin import COMMITTEE
from web.api_identity import owners
from web.assets import TEMPLATES_DIR
from web.auth import PrincipalDep, RuntimeDep, require_role
from web.deps import SessionDep
from web.error_responses import page_errors
from web.errors import ApiError

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
BEIJING = timezone(timedelta(hours=8))
_UNIT_SPLIT = re.compile(r"[\s,，、;；]+")
_HEADERS = {"Cache-Control": "no-store"}  # the security headers come from web.headers


def _denied(request: Request, exc: ApiError) -> Response:
    return templates.TemplateResponse(
        request,
        "committee_denied.html",
        {"message": f"{exc.zh} / {exc.en}"},
        status_code=exc.status,
        headers=_HEADERS,
    )


@router.get(
    "/communities/{slug}/committee",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404),
)
def committee_page(
    slug: str, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Units, whether their holder has enrolled, and the form that prints codes."""
    try:
        member = require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _denied(request, exc)
    community = get_community(session, slug)
    rows = owners(slug, session, member)
    return templates.TemplateResponse(
        request,
        "committee_owners.html",
        {
            "c": community,
            "rows": rows,
            "waiting": sum(1 for r in rows if not r.enrolled),
        },
        headers=_HEADERS,
    )


@router.post(
    "/communities/{slug}/enrolment-sheet",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404, 409),
)
def enrolment_sheet(
    slug: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    units: str = Form(default="", max_length=100_000),
    valid_days: int = Form(default=30, ge=1, le=90),
) -> Response:
    """Make codes (for the units listed, or every holder not enrolled yet) and lay them out
    one card per owner, ready to print and hand over."""
    try:
        require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _denied(request, exc)
    community = get_community(session, slug)
    wanted = [u for u in _UNIT_SPLIT.split(units.strip()) if u] or None
    now = datetime.now(UTC)
    codes = enrolment.owner_codes(
        session,
        community=community,
        now=now,
        units=wanted,
        valid_for=timedelta(days=valid_days),
    )
    cards = []
    pin = runtime.enrolment_pin(session, community)
    for code in codes:
        url = runtime.enrol_url(code.code, pin)
        cards.append(
            {
                "code": code.code,
                "units": code.units,
                "expires": code.expires_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
                # segno writes the SVG itself: no user text in it, so it is safe to inline.
                "qr": Markup(enrolment_qr_svg(url)),
            }
        )
    return templates.TemplateResponse(
        request,
        "enrolment_sheet.html",
        {
            "c": community,
            "cards": cards,
            "enrol_page": f"{runtime.issuers.base_url}/owner/enrol",
            "made": now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        },
        headers=_HEADERS,
    )


def enrolment_qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2))
