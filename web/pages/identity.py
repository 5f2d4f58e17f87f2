"""The committee's owner pages: who has enrolled, a printable sheet of enrolment codes, and
the forms for a lost phone (挂失补办), a new designated holder of a co-owned unit and a new
guardian (监护人) — each one the same act as its API route (`web.api.identity`), answered
with the new enrolment code to print when the act issued one.

Both need a committee member's browser session (the HttpOnly cookie from DID sign-in).
The sheet is made by a POST, because making codes changes state and because the codes can
be shown only once (the server keeps their hashes): print it, or make new codes later —
each new code cancels the person's older one. Nothing personal is on the sheet: unit
numbers, a QR code of the enrolment URL, the code itself and when it expires.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from identity.community import enrolment, revocation
from identity.community.enrolment import EnrolmentError, IssuedCode
from identity.community.models import Community
from identity.community.register import Owner
from identity.community.registry import get_community
from identity.community.revocation import OwnershipChange
from identity.community.signin import COMMITTEE
from identity.community.typed import typed as typed_form
from identity.errors import IdentityError
from web.api.identity import OwnerRow, owners
from web.api.turnout import building_of
from web.auth.sessions import IdentityRuntime, Principal, PrincipalDep, RuntimeDep, require_role
from web.pages import owners_text
from web.pages.assets import TEMPLATES_DIR
from web.pages.owner import CSP, lang_of
from web.pages.public import page_words
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors
from web.server.errors import ApiError

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
BEIJING = timezone(timedelta(hours=8))
_UNIT_SPLIT = re.compile(r"[\s,，、;；]+")
_HEADERS = {"Cache-Control": "no-store"}  # the security headers come from web.server.headers
# The owners page has no inline style or script: the owner pages' strict policy holds.
_OWNERS_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


def _denied(request: Request, exc: ApiError, slug: str) -> Response:
    """The refusal, with a link to the committee console's sign-in (the member's device key;
    the owner's sign-in would never make anyone a member)."""
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "committee_denied.html",
        {**page_words(lang), "message": exc.en if lang == "en" else exc.zh, "slug": slug},
        status_code=exc.status,
        headers=_HEADERS,
    )


@router.get(
    "/communities/{slug}/committee",
    response_class=HTMLResponse,
    responses=page_errors(401, 403, 404),
)
def committee_page(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    find: str = "",
    show: str = "",
) -> Response:
    """Units by building in natural order, whether their holder has enrolled (`find`: the
    units whose number holds that text, typed as on a phone; `show=waiting`: only those not
    enrolled), the form that prints codes, and the forms for a lost phone, a new designated
    holder and a new guardian."""
    try:
        member = require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _denied(request, exc, slug)
    # Anything else in the address lists every unit: a page, never a validation error.
    return _owners_page(request, session, slug, member, find=find[:64], show=show)


@dataclass(frozen=True)
class _Building:
    """One building's rows on the owners page, and how many of all its units wait."""

    name: str
    rows: list[OwnerRow]
    units: int
    waiting: int


def _buildings(rows: list[OwnerRow], find: str, waiting_only: bool) -> list[_Building]:
    """`rows` (in natural order) grouped by building, each keeping the rows that match."""
    wanted = typed_form(find)
    grouped: dict[str, list[OwnerRow]] = {}
    for row in rows:
        grouped.setdefault(building_of(row.unit), []).append(row)
    return [
        _Building(
            name,
            [r for r in units if wanted in r.unit and not (waiting_only and r.enrolled)],
            len(units),
            sum(1 for r in units if not r.enrolled),
        )
        for name, units in grouped.items()
    ]


def _owners_page(
    request: Request,
    session: SessionDep,
    slug: str,
    member: Principal,
    *,
    error: IdentityError | None = None,
    failed: str = "",
    typed: dict[str, str] | None = None,
    find: str = "",
    show: str = "",
) -> Response:
    """The owners page; after a refusal, `error` is shown on the form `failed` ("sheet",
    "recovery", "holder", "guardian"), which keeps what was `typed` in it (never an ID number
    or a name: those are typed again, so the page never repeats personal data)."""
    community = get_community(session, slug)
    rows = owners(slug, session, member)
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "committee_owners.html",
        {
            "lang": lang,
            "t": owners_text.text_for(lang),
            "page": "owners",
            "c": community,
            "rows": rows,
            "buildings": _buildings(rows, find, show == "waiting"),
            "find": find,
            "show": show,
            "waiting": sum(1 for r in rows if not r.enrolled),
            "error": error,
            "failed": failed if error is not None else "",
            "typed": typed or {},
        },
        status_code=200 if error is None else 400,
        headers=_OWNERS_HEADERS,
    )


def _valid_days(text: str) -> int:
    """The sheet's 有效天数 as typed (full-width digits too): a whole number of days, 1 to 90."""
    days = typed_form(text)
    if not days.isascii() or not days.isdigit() or not 1 <= int(days) <= 90:
        raise EnrolmentError(
            "有效天数应为 1 到 90 之间的整数",
            "the number of days must be a whole number from 1 to 90",
        )
    return int(days)


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
    valid_days: str = Form(default="30", max_length=20),
) -> Response:
    """Make codes (for the units listed, or every holder not enrolled yet) and lay them out
    one card per owner, ready to print and hand over. A refusal (a unit not in the register,
    a holder enrolled already, a number of days out of range) is said on the form, which
    keeps what was typed, and makes no code."""
    try:
        member = require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _denied(request, exc, slug)
    community = get_community(session, slug)
    # Full-width commas and spaces separate too: NFKC first, then split (`typed` per unit).
    wanted = [u for u in _UNIT_SPLIT.split(unicodedata.normalize("NFKC", units).strip()) if u]
    now = datetime.now(UTC)
    try:
        with session.begin_nested():
            codes = enrolment.owner_codes(
                session,
                community=community,
                now=now,
                units=[u for u in (typed_form(w) for w in wanted) if u] or None,
                valid_for=timedelta(days=_valid_days(valid_days)),
            )
    except IdentityError as exc:
        kept = {"units": units, "valid_days": valid_days}
        return _owners_page(request, session, slug, member, error=exc, failed="sheet", typed=kept)
    return _sheet(request, session, runtime, community, codes, now)


def _sheet(
    request: Request,
    session: SessionDep,
    runtime: IdentityRuntime,
    community: Community,
    codes: list[IssuedCode],
    now: datetime,
    summary: str = "",
) -> Response:
    """The printable cards of `codes`, with what the committee's act did above them."""
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
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "enrolment_sheet.html",
        {
            "t": owners_text.EN if lang == "en" else owners_text.ZH,
            "html_lang": "en" if lang == "en" else "zh-CN",
            "unit_sep": ", " if lang == "en" else "、",
            "c": community,
            "cards": cards,
            "summary": summary,
            "enrol_page": f"{runtime.issuers.base_url}/owner/enrol",
            "made": now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        },
        headers=_HEADERS,
    )


def _act(
    request: Request,
    session: SessionDep,
    runtime: IdentityRuntime,
    principal: PrincipalDep,
    slug: str,
    kind: str,
    unit: str,
    change: Callable[[Community], OwnershipChange],
) -> Response:
    """Run one owner act for a signed-in member; a refusal re-shows the owners page with the
    reason in both languages and changes nothing (the act ran in a savepoint)."""
    try:
        member = require_role(principal, slug, COMMITTEE)
    except ApiError as exc:
        return _denied(request, exc, slug)
    community = get_community(session, slug)
    try:
        with session.begin_nested():
            done = change(community)
    except IdentityError as exc:
        return _owners_page(
            request, session, slug, member, error=exc, failed=kind, typed={"unit": unit}
        )
    words = owners_text.EN if lang_of(request) == "en" else owners_text.ZH
    summary = words[f"done_{kind}"].format(
        unit=done.unit, revoked=len(done.revoked), issued=len(done.issued)
    )
    codes = [done.enrolment] if done.enrolment is not None else []
    return _sheet(request, session, runtime, community, codes, datetime.now(UTC), summary)


@router.post(
    "/communities/{slug}/committee/recovery",
    response_class=HTMLResponse,
    responses=page_errors(400, 401, 403, 404),
)
def recovery_form(
    slug: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    unit: str = Form(max_length=32),
    id_number: str = Form(max_length=40),
) -> Response:
    """A lost phone (挂失补办): the ID number of whoever votes for the unit — its holder, or
    the holder's guardian — re-checked in person; the old key is revoked, a new code printed."""
    return _act(
        request,
        session,
        runtime,
        principal,
        slug,
        "recovery",
        unit,
        lambda community: revocation.recover_owner(
            session,
            community=community,
            unit_no=unit.strip(),
            id_number=id_number,
            cipher=services.cipher,
            issuers=runtime.issuers,
            now=datetime.now(UTC),
        ),
    )


@router.post(
    "/communities/{slug}/committee/holder",
    response_class=HTMLResponse,
    responses=page_errors(400, 401, 403, 404),
)
def holder_form(
    slug: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    unit: str = Form(max_length=32),
    id_number: str = Form(max_length=40),
) -> Response:
    """The co-owners named another of them (by ID number) to vote for the unit."""
    return _act(
        request,
        session,
        runtime,
        principal,
        slug,
        "holder",
        unit,
        lambda community: revocation.designate_holder(
            session,
            community=community,
            unit_no=unit.strip(),
            id_number=id_number,
            cipher=services.cipher,
            issuers=runtime.issuers,
            now=datetime.now(UTC),
        ),
    )


@router.post(
    "/communities/{slug}/committee/guardian",
    response_class=HTMLResponse,
    responses=page_errors(400, 401, 403, 404),
)
def guardian_form(
    slug: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    unit: str = Form(max_length=32),
    guardian_name: str = Form(default="", max_length=100),
    guardian_id_number: str = Form(default="", max_length=40),
    guardian_phone: str = Form(default="", max_length=40),
    no_guardian: bool = Form(default=False),
) -> Response:
    """The unit's owner has a new guardian (a court's appointment), or none any more."""
    guardian = (
        None
        if no_guardian
        else Owner(name=guardian_name, id_number=guardian_id_number, phone=guardian_phone)
    )
    return _act(
        request,
        session,
        runtime,
        principal,
        slug,
        "guardian",
        unit,
        lambda community: revocation.change_guardian(
            session,
            community=community,
            unit_no=unit.strip(),
            guardian=guardian,
            cipher=services.cipher,
            issuers=runtime.issuers,
            now=datetime.now(UTC),
        ),
    )


def enrolment_qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2))
