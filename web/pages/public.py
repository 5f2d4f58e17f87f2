"""Server-rendered pages: Chinese first, mobile first, big targets for one thumb."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.models import Community, Unit
from identity.community.origins import ballot_page_url
from identity.community.registry import get_community
from identity.errors import IdentityError
from identity.w3c.dataintegrity import sign_json
from voting import ballots
from voting.errors import VotingError
from voting.matters import Matter
from voting.models import Ballot
from web.api.ballots import cast_signed_vote
from web.api.well_known import server_trust
from web.auth.sessions import IdentityRuntime, RuntimeDep
from web.demo.community import demo_keys
from web.pages.assets import STATIC_DIR, TEMPLATES_DIR
from web.pages.notice import NoticeModel, notice_model
from web.pages.notice_pdf import notice_pdf
from web.pages.notice_source import NoticeEntries, NoticeEntriesDep
from web.pages.owner import beijing, lang_of
from web.pages.public_text import text_for
from web.pages.public_view import NOT_PUBLIC, item_lines, matters_summary, status_key
from web.pages.result_view import item_results, participation_bars
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors
from web.server.errors import ApiError
from web.server.services import Services

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# Times on public pages in Beijing time, as on the owner's pages (a reader in China should
# never see one ballot at two different hours).
templates.env.filters["beijing"] = beijing


def _ballot_view(session: Session, services: Services, ballot: Ballot) -> dict[str, Any]:
    shown = services.views.shown(session, ballot)  # from the signed log, not the table row
    return {"b": shown, "matter": Matter(shown.matter), "p": shown.participation}


def page_words(lang: str) -> dict[str, Any]:
    """What every public template is given: the language, its words, the switch's query."""
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "t": text_for(lang),
        "q": "?lang=en" if lang == "en" else "",
        "status_key": status_key,
    }


def _public_ballot(session: Session, ballot_id: int) -> Ballot:
    """A ballot the public may see: a draft still awaiting the committee's signatures is
    not announced, so it has no public page (the same answer as no ballot at all)."""
    ballot = ballots.get_ballot(session, ballot_id)
    if ballot.status in NOT_PUBLIC:
        raise ApiError(
            404, f"第 {ballot_id} 号表决不存在或尚未公告", f"ballot {ballot_id} is not announced"
        )
    return ballot


def _ballot_page(request: Request, view: dict[str, Any], message: str | None) -> Response:
    """The public ballot page, in Chinese or (``?lang=en``) English: each item's turnout
    while it is open, each item's result with its bars once it is closed."""
    lang = lang_of(request)
    b = view["b"]
    words = page_words(lang)
    return templates.TemplateResponse(
        request,
        "ballot.html",
        {
            **view,
            **words,
            "demo": request.app.state.demo,
            "message": message,
            "lines": item_lines(b.items, words["t"], lang),
            "results": item_results(b.result, b.items),
            "item_bars": participation_bars,
            "objections_until": None
            if b.objections_until is None or b.status == "final"
            else beijing(b.objections_until),
        },
    )


# Browsers ask for /favicon.ico on every page whatever the page links: answered with the
# site's SVG icon (the pages link /static/favicon.svg), never a 404 in every page's log.
_FAVICON = (STATIC_DIR / "favicon.svg").read_bytes()


@router.get(
    "/favicon.ico",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
    include_in_schema=False,
)
def favicon() -> Response:
    return Response(
        _FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/", response_class=HTMLResponse, responses=page_errors(409))
def index(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    lang = lang_of(request)
    words = page_words(lang)
    communities = []
    for c in session.scalars(select(Community).order_by(Community.id)):
        rows = session.scalars(
            select(Ballot)
            .where(Ballot.community_slug == c.slug, Ballot.status.not_in(NOT_PUBLIC))
            .order_by(Ballot.id.desc())
        )
        views = [_ballot_view(session, services, b) for b in rows]
        for v in views:
            v["summary"] = matters_summary(v["b"].items, words["t"], lang)
        communities.append({"c": c, "ballots": views})
    return templates.TemplateResponse(request, "index.html", {**words, "communities": communities})


@router.get("/ballots/{ballot_id}", response_class=HTMLResponse, responses=page_errors(404, 409))
def ballot_page(
    ballot_id: IdPath, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    view = _ballot_view(session, services, _public_ballot(session, ballot_id))
    return _ballot_page(request, view, None)


async def _demo_choices(request: Request) -> dict[str, str]:
    """The demo form's choice on each item: a field ``item-<id>`` per item (an item left
    blank is one not taken part in); the cast path checks them against the agenda."""
    form = await request.form()
    return {
        k.removeprefix("item-"): v
        for k, v in form.items()
        if k.startswith("item-") and isinstance(v, str)
    }


DemoChoices = Annotated[dict[str, str], Depends(_demo_choices)]


def _is_unit(session: Session, slug: str, unit: str) -> bool:
    return (
        session.scalar(
            select(Unit.id).join(Community).where(Community.slug == slug, Unit.unit_no == unit)
        )
        is not None
    )


@router.post(
    "/demo/ballots/{ballot_id}/vote",
    response_class=HTMLResponse,
    responses=page_errors(403, 404, 409),
)
def demo_vote(
    ballot_id: IdPath,
    request: Request,
    services: ServicesDep,
    choices: DemoChoices,
    unit: str = Form(...),
) -> Response:
    """Demo only: vote as the owner of a unit with the server-held demo key.

    The vote goes through the sequencer like any other, so this route holds no database
    session of its own while it waits for the batch (on SQLite that would block the batch)."""
    if not request.app.state.demo:
        raise ApiError(404, "演示功能未开启", "demo mode is off")
    lang = lang_of(request)
    t = text_for(lang)
    unit = unit.strip()
    key = demo_keys(services).get(unit)
    with services.db.session(write=False) as session:
        ballot = _public_ballot(session, ballot_id)
        origin = ballot.log_origin
        known = key is not None or _is_unit(session, ballot.community_slug, unit)
    message: str
    if key is None and known:
        # A visitor enrolled this unit on their own phone: its key never reached the server.
        message = t["demo_own_phone"].format(unit=unit)
    elif key is None:
        message = t["demo_no_unit"].format(unit=unit)
    else:
        vote = sign_json(
            {"type": "Vote", "ballot": origin, "voter": str(key.did), "choices": choices}, key
        )
        try:
            receipt = cast_signed_vote(services, ballot_id, vote)
            message = t["demo_voted"].format(index=receipt.index, leaf=receipt.leaf_hash[:16])
        except (VotingError, IdentityError) as exc:  # IdentityError: e.g. a key reported lost
            message = exc.en if lang == "en" else exc.zh
    if request.headers.get("accept", "").startswith("application/json"):
        return RedirectResponse(f"/api/ballots/{ballot_id}", status_code=303)
    with services.db.session(write=False) as session:
        view = _ballot_view(session, services, ballots.get_ballot(session, ballot_id))
    return _ballot_page(request, view, message)


def _notice(
    ballot_id: int,
    entries: NoticeEntries,
    session: Session,
    services: Services,
    runtime: IdentityRuntime,
    lang: str = "zh",
) -> NoticeModel:
    """The result notice of a ballot, from its box entries (`web.pages.notice_source`); the QR code
    leads to the ballot's page and carries the trust file this server publishes. Chinese, the
    official text, unless `lang` is "en"."""
    announced, result, final = entries
    slug = announced.get("community")
    name = get_community(session, slug).name if isinstance(slug, str) else None
    return notice_model(
        announced,
        result,
        final,
        verify_url=ballot_page_url(runtime.issuers.base_url, ballot_id),
        trust=server_trust(services, runtime).to_json(),
        community_name=name,
        lang=lang,
    )


@router.get(
    "/ballots/{ballot_id}/notice", response_class=HTMLResponse, responses=page_errors(404, 409, 503)
)
def notice_page(
    ballot_id: IdPath,
    request: Request,
    entries: NoticeEntriesDep,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
) -> Response:
    """表决结果公告, printable on A4 (no script: the page's CSS has the print layout); with
    ``?lang=en`` an English translation, which links the official Chinese page (the same
    address without the language)."""
    lang = lang_of(request)
    model = _notice(ballot_id, entries, session, services, runtime, lang)
    official = request.url.remove_query_params("lang")
    svg = io.BytesIO()
    model.qr().save(svg, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, omitsize=True)
    return templates.TemplateResponse(
        request,
        "notice.html",
        # segno writes the SVG from the link alone (no user text in it): safe to inline.
        {
            **page_words(lang),
            "n": model,
            "n_id": ballot_id,
            "qr": Markup(svg.getvalue().decode()),
            "pdf": f"/ballots/{ballot_id}/notice.pdf",
            "official": official.path + (f"?{official.query}" if official.query else ""),
        },
    )


_PDF_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}
_PDF_RESPONSES |= page_errors(404, 409, 503)


@router.get(
    "/ballots/{ballot_id}/notice.pdf",
    response_class=Response,
    responses=_PDF_RESPONSES,
)
def notice_pdf_file(
    ballot_id: IdPath,
    entries: NoticeEntriesDep,
    session: SessionDep,
    services: ServicesDep,
    runtime: RuntimeDep,
) -> Response:
    """The same notice as an A4 PDF."""
    model = _notice(ballot_id, entries, session, services, runtime)
    return Response(
        content=notice_pdf(model),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{ballot_id}.pdf"'},
    )
