"""The ``/demo`` page (演示): try every role of the demo community in one place.

DEMO ONLY, and only on a server started with ``demo=True`` (elsewhere every route here is
a 404). The server holds the demo members' keys (`web.demo.community`), so it can do what on a real
server only members do on their own devices: issue an enrolment code for a demo unit whose
holder has no key yet (the committee's own code path), and add the second member's
signature to a pending decision that has exactly one (never a first or a third, so a
visitor alone never makes a decision). It holds the demo street office's key too, so it can
do what only the office does: register a committee whose chair is the visitor's device key
(`POST /demo/member`) and name a device key the property manager (`POST /demo/manager`);
the device makes its key itself (web/pages/static/demo_roles.js). Nothing personal is
shown: unit numbers, codes and what the decisions do, never a name, an ID number or a phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import decisions
from identity.community.registry import get_community
from voting.models import Ballot
from web.auth.sessions import RuntimeDep
from web.demo.community import (
    SLUG,
    free_unit_code,
    name_visitor_manager,
    register_visitor_chair,
    sign_as_second_member,
)
from web.pages import member_text
from web.pages.assets import TEMPLATES_DIR
from web.pages.public_view import NOT_PUBLIC
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors, page_errors
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
    "member_text": "委员页面需用街道办事处登记过的委员设备登录。演示中，"
    "您可以让本设备成为演示业委会的主任（另有两位演示委员），"
    "到表决管理登录并提议，在本设备签署，再由第二位演示委员签署，决定即生效。",
    "member_act": "在本设备扮演委员",
    "member_busy": "正在生成本设备的委员密钥并登记……",
    "member_done": "本设备已登记为演示业委会主任（共三位委员，两人签署即生效）。",
    "member_go": "去表决管理登录",
    "member_note": "演示：服务器以其持有的演示街道办事处密钥登记新一届业委会（换届）；"
    "真实服务器上由街道办事处在自己的电脑上登记。演示服务器由访客共用：之后另一位访客"
    "扮演委员时会再次换届，本设备随即不再是委员（再点一次即可重新登记）。",
    "member_page": "业委会页面",
    "decisions_page": "待签署的决定",
    "pending_none": "暂无待签署的决定。委员提议开始、结束表决等事项后会出现在这里。",
    "signed": "已签",
    "sign": "以第二位演示委员身份签署",
    "sign_first": "须先由一位委员在自己的设备上签署，演示委员才签第二个。",
    "sign_enough": "已有两个以上签名。",
    "signed_now": "已签署第 {id} 号决定（{kind}）：",
    "applied": "已生效",
    "still_pending": "仍待其他委员签署",
    "manager": "我是物业",
    "manager_desk": "物业工作台",
    "manager_text": "物业公开的收费标准、月度收支和维修资金在账目公开页；"
    "演示物业的公开已预先签发。您也可以让本设备成为演示小区的物业，在物业工作台发布。",
    "manager_act": "在本设备扮演物业",
    "manager_busy": "正在生成本设备的物业密钥并登记……",
    "manager_done": "本设备已被演示街道办事处登记为本小区的物业服务人。",
    "manager_go": "去物业工作台",
    "manager_note": "演示：服务器以演示街道办事处的密钥签发物业身份凭证；"
    "真实服务器上由街道办事处签发。",
    "error": "出错了：",
    "no_crypto": "此浏览器无法安全地保存密钥。请用手机自带的浏览器或较新的 Chrome 打开本页。",
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
    "site": "共治 · 业主共同决定",
    "site_short": "共治",
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
    "member_text": "The committee pages need a member's device the street office "
    "registered. In the demo, make this device the chair of the demo committee (beside two "
    "demo members), sign in to the console and propose, sign on this device, then let the "
    "second demo member sign: the decision takes effect.",
    "member_act": "Act as a committee member on this device",
    "member_busy": "Making this device's member key and registering it…",
    "member_done": "This device is now the chair of the demo committee (three members: two "
    "signatures make a decision).",
    "member_go": "Sign in to the console",
    "member_note": "Demo: the server registers the new committee with the demo street "
    "office's key it holds; on a real server the street office does it on its own computer. "
    "Visitors share the demo server: when another visitor acts as a member later, a new "
    "committee is registered again and this device is no longer a member (tap again to "
    "register it anew).",
    "member_page": "Committee page",
    "decisions_page": "Decisions to sign",
    "pending_none": "No decision awaits signatures. Proposals (opening or closing a ballot, "
    "…) appear here.",
    "signed": "signed",
    "sign": "Sign as a second demo member",
    "sign_first": "A member must sign first on their own device; the demo member signs second.",
    "sign_enough": "Two or more have signed.",
    "signed_now": "Signed decision {id} ({kind}): ",
    "applied": "now in effect",
    "still_pending": "still awaits other members",
    "manager": "I am the property manager",
    "manager_desk": "Property manager's desk",
    "manager_text": "The fee standard, monthly statements and maintenance fund are on the "
    "public accounts page; the demo manager's disclosures were signed in advance. You can "
    "also make this device the demo estate's property manager and publish from the desk.",
    "manager_act": "Act as the property manager on this device",
    "manager_busy": "Making this device's manager key and registering it…",
    "manager_done": "The demo street office has named this device the estate's property manager.",
    "manager_go": "Open the manager's desk",
    "manager_note": "Demo: the server signs the role credential with the demo street "
    "office's key; on a real server the street office signs it.",
    "error": "Something went wrong: ",
    "no_crypto": "This browser cannot keep keys safely. Open this page in the phone's own "
    "browser or a recent Chrome.",
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
    "site": "Gongzhi · owners decide together",
    "site_short": "Gongzhi",
}

# The words web/pages/static/demo_roles.js says (the page carries its own language's only).
_JS_WORDS = ("member_busy", "member_done", "manager_busy", "manager_done", "error", "no_crypto")


def decision_words(kind: str, body: Mapping[str, Any], lang: str) -> str:
    """What a decision of `kind` does, in the words the member's signing page uses for it
    (`web.pages.member_text`), never its type name."""
    words = member_text.text_for(lang)

    def field(name: str, size: int = 100) -> str:
        return str(body.get(name, "—"))[:size]

    match kind:
        case "BallotAnnounced":
            return words["announce_ballot"].format(title=field("title"))
        case "BallotOpened":
            return words["open_voting"]
        case "BallotResult":
            return words["close_ballot"]
        case "BallotCancelled":
            return words["cancel_ballot"]
        case "BallotFinal":
            return words["final"].format(until=field("retainUntil", 10))
        case "ObjectionAnswered":
            return words["answer"].format(index=field("objection", 20), answer=field("answer", 60))
        case "VoterKeyChanged":
            return words["rekey"].format(voter=field("voter", 40))
    return words["other_kind"].format(kind=kind[:80])


class DeviceDid(BaseModel):
    """The DID of the key this device made (did:key), for the demo office to register."""

    did: str = Field(max_length=200)


class DemoChair(BaseModel):
    """The registration in force with this device as chair: for the device to pin, and the
    console to sign in at."""

    chair: str
    sequence: int
    root: str
    registration: str
    needed: int
    members: int
    console: str


class DemoManager(BaseModel):
    """This device named the property manager (``issued`` false: it was already)."""

    manager: str
    issued: bool
    desk: str


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
        (view, decision_words(view.kind, view.body, lang))
        for view in (
            decisions.view(session, row, None)
            for row in decisions.listed(session, community, decisions.PENDING)
        )
    ]
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "t": EN if lang == "en" else ZH,
            "js_words": {k: (EN if lang == "en" else ZH)[k] for k in _JS_WORDS},
            "lang": lang,
            "html_lang": "en" if lang == "en" else "zh-CN",
            "q": "?lang=en" if lang == "en" else "",
            # Absolute: the answers to this page's forms are at /demo/owner and
            # /demo/decisions/…/sign, which only take a POST, so a switch relative to them
            # would open a 405; the other language of /demo is what the visitor wants.
            "lang_switch": "/demo" if lang == "en" else "/demo?lang=en",
            "c": community,
            "ballots": ballots,
            "pending": sorted(pending, key=lambda p: p[0].id),
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
    row = sign_as_second_member(services, session, community, decision_id)
    kind = decision_words(row.kind, decisions.body_of(row), _lang(request))
    return _render(request, session, signed=row, signed_kind=kind)


@router.post("/demo/member", response_model=DemoChair, responses=errors(400, 404, 409))
def demo_member(
    device: DeviceDid, request: Request, session: SessionDep, services: ServicesDep
) -> DemoChair:
    """DEMO ONLY: the demo office registers a committee (换届) whose chair is this device's
    member key, beside two demo members; asking again for the chair in force changes
    nothing. The answer names the registration, for the device to pin, and the console."""
    _demo_only(request)
    community = get_community(session, SLUG)
    reg = register_visitor_chair(services, session, community, device.did)
    return DemoChair(
        chair=device.did,
        sequence=reg.sequence,
        root=reg.root,
        registration=reg.hash,
        needed=reg.needed,
        members=len(reg.members),
        console=f"/communities/{SLUG}/committee/ballots",
    )


@router.post("/demo/manager", response_model=DemoManager, responses=errors(400, 404))
def demo_manager(
    device: DeviceDid, request: Request, session: SessionDep, services: ServicesDep
) -> DemoManager:
    """DEMO ONLY: the demo office names this device's manager key the property manager (a
    CommunityRoleCredential); a DID that holds the role already gets no second one."""
    _demo_only(request)
    community = get_community(session, SLUG)
    issued = name_visitor_manager(services, session, community, device.did)
    return DemoManager(manager=device.did, issued=issued, desk=f"/communities/{SLUG}/manager")
