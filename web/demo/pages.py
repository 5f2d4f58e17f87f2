"""The ``/demo`` page (演示): try every role of the demo community in one place.

DEMO ONLY, and only on a server started with ``demo=True`` (elsewhere every route here is
a 404). The server holds the demo members' keys (`web.demo.community`), so it can do what on a real
server only members do on their own devices: issue an enrolment code for a demo unit whose
holder has no key yet (the committee's own code path), and add a second member's
signature to a pending decision. Nothing personal is shown: unit numbers, codes and the
decisions' public kinds only, never a name, an ID number or a phone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import decisions
from identity.community.registry import get_community
from voting.models import Ballot
from web.auth.sessions import RuntimeDep
from web.demo.community import SLUG, free_unit_code, sign_as_next_member
from web.pages.assets import TEMPLATES_DIR
from web.pages.public_view import NOT_PUBLIC
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import page_errors
from web.server.errors import ApiError

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

ZH = {
    "title": "演示：体验每个角色",
    "banner": "演示 · 本页仅在演示服务器上提供，所有数据均为虚构",
    "intro": "仙霞示范小区是一个虚构的演示小区。您可以依次扮演新业主、业委会委员、物业和居民，"
    "体验整个流程。真实服务器上没有本页：登记码由业委会打印发放，委员在自己的设备上签名。",
    "owner": "我是新业主",
    "owner_text": "领取一个演示房屋的登记码，在本机登记后即可对演示表决投票。"
    "（演示：服务器以其持有的演示委员密钥代业委会发码；您登记后的新密钥也由演示委员自动确认。）",
    "owner_button": "领取演示登记码",
    "owner_none": "演示房屋已全部登记，暂无可领取的登记码。",
    "code_for": "演示房屋",
    "code": "登记码",
    "enrol": "去登记",
    "code_note": "登记码一次有效，24 小时内使用。登记后回到表决页即可投票。",
    "member": "我是业委会委员",
    "member_text": "委员页面需用已登记的委员设备登录；在这里可以查看待签署的决定，"
    "并以第二位演示委员的身份签署一项。",
    "member_page": "业委会页面",
    "decisions_page": "待签署的决定",
    "pending_none": "暂无待签署的决定。委员提议开始、结束表决等事项后会出现在这里。",
    "signed": "已签",
    "sign": "以第二位演示委员身份签署",
    "signed_now": "已签署第 {id} 号决定（{kind}）：",
    "applied": "已生效",
    "still_pending": "仍待其他委员签署",
    "manager": "我是物业",
    "manager_desk": "物业工作台",
    "manager_text": "物业公开的收费标准、月度收支和维修资金在账目公开页；"
    "演示物业的公开已预先签发。",
    "disclosures": "账目公开",
    "resident": "我是居民",
    "resident_text": "任何人都可以查看表决进度、结果和账目，无需登录。",
    "ballot": "表决",
    "home": "首页",
    "colon": "：",
    # the header's tools (base.html), as on the other public pages
    "text_large": "大字",
    "text_normal": "标准字号",
    "lang_name": "English",
    "lang": "English",
    "lang_href": "?lang=en",
}
EN = {
    "title": "Demo: try every role",
    "banner": "DEMO · this page exists only on a demo server; all data is invented",
    "intro": "Xianxia Demo Estate is an invented community. Play a new owner, a committee "
    "member, the property manager and a resident in turn. A real server has no such page: "
    "the committee prints and hands out codes, and members sign on their own devices.",
    "owner": "I am a new owner",
    "owner_text": "Take the enrolment code of a demo unit, enrol on this device, then vote on "
    "the demo ballot. (Demo: the server issues the code with the demo members' keys it "
    "holds, and the demo members confirm your new key at once.)",
    "owner_button": "Get a demo enrolment code",
    "owner_none": "Every demo unit has enrolled: no code is left to hand out.",
    "code_for": "Demo unit",
    "code": "Enrolment code",
    "enrol": "Enrol",
    "code_note": "The code works once, within 24 hours. After enrolling, open the ballot to vote.",
    "member": "I am a committee member",
    "member_text": "The committee pages need an enrolled member's device; here you can see "
    "the decisions awaiting signatures and sign one as a second demo member.",
    "member_page": "Committee page",
    "decisions_page": "Decisions to sign",
    "pending_none": "No decision awaits signatures. Proposals (opening or closing a ballot, "
    "…) appear here.",
    "signed": "signed",
    "sign": "Sign as a second demo member",
    "signed_now": "Signed decision {id} ({kind}): ",
    "applied": "now in effect",
    "still_pending": "still awaits other members",
    "manager": "I am the property manager",
    "manager_desk": "Property manager's desk",
    "manager_text": "The fee standard, monthly statements and maintenance fund are on the "
    "public accounts page; the demo manager's disclosures were signed in advance.",
    "disclosures": "Public accounts",
    "resident": "I am a resident",
    "resident_text": "Anyone can see a ballot's progress, its result and the accounts, "
    "without signing in.",
    "ballot": "Ballot",
    "home": "Home",
    "colon": ": ",
    "text_large": "Large text",
    "text_normal": "Normal text",
    "lang_name": "中文",
    "lang": "中文",
    "lang_href": "?",
}


def _demo_only(request: Request) -> None:
    if not request.app.state.demo:
        raise ApiError(404, "演示功能未开启", "demo mode is off")


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _render(request: Request, session: Session, status: int = 200, **extra: Any) -> Response:
    lang = _lang(request)
    community = get_community(session, SLUG)
    ballots = session.scalars(
        select(Ballot)
        .where(Ballot.community_slug == SLUG, Ballot.status.not_in(NOT_PUBLIC))
        .order_by(Ballot.id.desc())
    ).all()
    pending = [
        decisions.view(session, row, None)
        for row in decisions.listed(session, community, decisions.PENDING)
    ]
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "t": EN if lang == "en" else ZH,
            "lang": lang,
            "html_lang": "en" if lang == "en" else "zh-CN",
            "q": "?lang=en" if lang == "en" else "",
            "c": community,
            "ballots": ballots,
            "pending": sorted(pending, key=lambda v: v.id),
            **extra,
        },
        status_code=status,
    )


@router.get("/demo", response_class=HTMLResponse, responses=page_errors(404))
def demo_page(request: Request, session: SessionDep) -> Response:
    _demo_only(request)
    return _render(request, session)


@router.post("/demo/owner", response_class=HTMLResponse, responses=page_errors(404, 409))
def demo_owner_code(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    """DEMO ONLY: a code for a free demo unit, and the link that enrols with it (the code
    and the trust pin ride in the fragment, as on a printed code)."""
    _demo_only(request)
    community = get_community(session, SLUG)
    code = free_unit_code(session, community, datetime.now(UTC))
    if code is None:
        return _render(request, session, none_left=True)
    url = runtime.enrol_url(code.code, runtime.enrolment_pin(session, community))
    # Relative, so the link works at whatever address the visitor reached this demo.
    link = url.removeprefix(runtime.issuers.base_url)
    if _lang(request) == "en":
        link = link.replace("/owner/enrol#", "/owner/enrol?lang=en#", 1)
    return _render(request, session, issued=code, enrol_link=link)


@router.post(
    "/demo/decisions/{decision_id}/sign",
    response_class=HTMLResponse,
    responses=page_errors(404, 409),
)
def demo_sign(
    decision_id: IdPath, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    """DEMO ONLY: a demo member who has not signed this pending decision signs it."""
    _demo_only(request)
    community = get_community(session, SLUG)
    row = sign_as_next_member(services, session, community, decision_id)
    return _render(request, session, signed=row)
