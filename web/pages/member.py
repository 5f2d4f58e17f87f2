"""The committee member's signing page: a key made on this device, and the decisions waiting
for members' signatures, signed here.

Like the owner's pages it is a thin shell: the member's P-256 key is made, kept and used only
in the browser (web/pages/static/gongzhi.js, WebCrypto, non-extractable, IndexedDB); the server
renders the words and, for the street office to scan, a QR code of the device's public DID;
and, for the member to hold beside the street office's printed one, the QR code and the
fingerprint of the trust file this server publishes.
Listing and signing go through the public decisions API (web/api/decisions.py), which needs
no session: the signature itself is the member's authority.
"""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from identity.community.registry import get_community
from identity.errors import IdentityError
from identity.w3c.didkey import Did
from web.api.well_known import server_trust
from web.auth.sessions import RuntimeDep
from web.pages.member_text import text_for
from web.pages.owner import CSP, templates
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors, page_errors, text_errors
from web.server.errors import ApiError
from web.trust_qr import trust_qr_svg

router = APIRouter()


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


@router.get(
    "/communities/{slug}/committee/decisions",
    response_class=HTMLResponse,
    responses=page_errors(404),
)
def decisions_page(slug: str, request: Request, session: SessionDep) -> Response:
    community = get_community(session, slug)
    lang = _lang(request)
    return templates.TemplateResponse(
        request,
        "member_decisions.html",
        {"lang": lang, "t": text_for(lang), "page": "decisions", "c": community},
        headers={"Content-Security-Policy": CSP},
    )


@router.get("/committee/device-qr.svg", responses=errors(400))
def device_qr(did: Annotated[str, Query(max_length=200)]) -> Response:
    """A QR code of a device's public DID (nothing secret), for the street office to scan."""
    try:
        value = Did.parse(did).value
    except IdentityError as exc:
        raise ApiError(400, "不是有效的 did:key", "not a valid did:key") from exc
    buffer = io.BytesIO()
    # A standalone SVG document (with its xmlns): an <img> cannot show an inline fragment.
    segno.make(value, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return Response(content=buffer.getvalue(), media_type="image/svg+xml")


@router.get(
    "/committee/trust-qr.svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}},
        **text_errors(503),
    },
)
def trust_qr_image(services: ServicesDep, runtime: RuntimeDep) -> Response:
    """The QR code of the trust file this server publishes (``/.well-known/gongzhi-trust.json``),
    made as `gongzhi office trust --qr` makes the street office's: a member enrolling a device
    compares the two — the same code, and the same fingerprint, or the server is not the one
    the office set up. While the chain is down, a 503 (as the trust file itself)."""
    return Response(
        content=trust_qr_svg(server_trust(services, runtime)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-cache"},
    )
