"""The public pages (home, ballot page, the demo vote, the notice's error page) as a new
visitor meets them: every word in English with ``?lang=en`` and the switch staying on the
page; drafts awaiting the committee's signatures not shown; each status in its own words,
never a raw None; each item's own matter; a favicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.e2e.support import running, settings_for
from tests.identity_web import announce_ballot, announced_body, clock_at, committee_headers
from web.pages.assets import TEMPLATES_DIR

PAGE = {"accept": "text/html,*/*"}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
DRAFT_TITLE = "尚待签署的草案（测试）"
ANNOUNCED_TITLE = "已公告未开始的表决（测试）"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI, int]]:
    """The demo (ballot 1 open, two items of matters 4 and 2), an announced ballot and a
    draft that no second member has signed."""
    data = tmp_path_factory.mktemp("data")
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        announced = announce_ballot(
            client, app, {"title": ANNOUNCED_TITLE, "text": "是否同意？", "matter": 4}
        )
        past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=16)
        with clock_at(app, past):
            draft = client.post(
                "/api/communities/xianxia-demo/ballots",
                json=announced_body({"title": DRAFT_TITLE, "text": "草案", "matter": 4}, past),
                headers=committee_headers(app),
            )
        assert draft.status_code == 202, draft.text
        assert draft.json()["ballot"]["status"] == "draft"
        yield client, app, int(announced["id"])


def _text(html: str) -> str:
    """What a reader sees: the page without its tags, styles and the community's own data
    (names and titles the committee wrote, in Chinese whatever the page's language)."""
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _attr(html: str, element_id: str, name: str) -> str:
    tag = re.search(rf'<[^>]*\bid="{element_id}"[^>]*>', html)
    assert tag, element_id
    value = re.search(rf'\b{name}="([^"]*)"', tag.group(0))
    assert value, (element_id, name)
    return value.group(1)


def _chinese_outside_data(html: str, data: list[str]) -> list[str]:
    text = _text(html)
    for d in sorted(data, key=len, reverse=True):
        text = text.replace(d, "")
    return CJK.findall(text)


def _data(client: TestClient, ballot_ids: list[int]) -> list[str]:
    """The community's own words (names, titles, texts), which no switch translates."""
    out = ["仙霞示范小区（演示）", "中文"]
    community = client.get("/api/communities/xianxia-demo").json()
    out += [str(community.get("name", "")), str(community.get("street_office", ""))]
    for n in ballot_ids:
        b: dict[str, Any] = client.get(f"/api/ballots/{n}").json()
        out += [b["title"], b["text"]]
        out += [str(i.get("title", "")) for i in b.get("items", [])]
        out += [str(i.get("text", "")) for i in b.get("items", [])]
    return [d for d in out if d]


def test_the_home_page_is_english_with_lang_en_and_its_links_keep_it(
    site: tuple[TestClient, FastAPI, int],
) -> None:
    client, _, announced = site
    zh = client.get("/").text
    assert "业主入口" in zh and "账目公开" in zh and "按人数" in zh and 'lang="zh-CN"' in zh
    assert _attr(zh, "lang-switch", "href") == "?lang=en"  # this page, not /owner
    en = client.get("/?lang=en").text
    assert '<html lang="en">' in en
    for word in ("业主入口", "账目公开", "按人数", "按专有面积", "进行中", "已结束"):
        assert word not in en, word
    assert "For owners: enrol, sign in, vote" in en and "By headcount" in en
    assert _attr(en, "lang-switch", "href") == "?lang=zh"
    assert _attr(en, "owner-entry", "href") == "/owner?lang=en"
    assert 'href="/ballots/1?lang=en"' in en
    leftover = _chinese_outside_data(en, _data(client, [1, announced]))
    assert not leftover, leftover


MEMBER_SECTION = r'<section class="card" id="role-member">.*?</section>'


def test_drafts_are_not_public_and_every_status_has_its_own_words(
    site: tuple[TestClient, FastAPI, int],
) -> None:
    client, _, announced = site
    for path in ("/", "/?lang=en", "/demo"):
        page = client.get(path).text
        # /demo lets a visitor sign pending decisions as a member: the draft may be named
        # there, among them, and nowhere else (not as a ballot).
        shown = re.sub(
            r'<section class="card" id="role-member">.*?</section>', "", page, flags=re.S
        )
        assert DRAFT_TITLE not in shown, path
        assert ANNOUNCED_TITLE in shown, path
    home = client.get("/").text
    statuses = dict(
        re.findall(r'data-status="(\w+)".*?<strong class="status">([^<]+)<', home, re.S)
    )
    assert statuses == {"open": "进行中", "announced": "未开始"}
    english = client.get("/?lang=en").text
    statuses = dict(
        re.findall(r'data-status="(\w+)".*?<strong class="status">([^<]+)<', english, re.S)
    )
    assert statuses == {"open": "Voting now", "announced": "Not started"}
    draft_id = max(b["id"] for b in client.get("/api/communities/xianxia-demo/ballots").json())
    assert draft_id > announced
    refused = client.get(f"/ballots/{draft_id}", headers=PAGE)
    assert refused.status_code == 404 and DRAFT_TITLE not in refused.text


def test_a_ballot_not_yet_opened_says_its_census_is_not_frozen(
    site: tuple[TestClient, FastAPI, int],
) -> None:
    client, _, announced = site
    zh = client.get(f"/ballots/{announced}").text
    en = client.get(f"/ballots/{announced}?lang=en").text
    assert "None" not in _text(zh) and "None" not in _text(en)
    assert "名册尚未冻结" in zh and "the census is not frozen yet" in en


def test_each_item_of_the_ballot_says_its_own_matter(site: tuple[TestClient, FastAPI, int]) -> None:
    client, _, _ = site
    page = client.get("/ballots/1").text
    lines = re.findall(r'<li data-item="\d+">(.*?)</li>', page, re.S)
    assert len(lines) == 2
    assert "第4项：选聘和解聘物业服务企业或者其他管理人" in lines[0]
    assert "第2项：制定和修改管理规约" in lines[1]
    home = client.get("/").text
    card = re.search(r'data-ballot="1".*?</p>', home, re.S)
    assert card and "共 2 个事项" in card.group(0) and "第4项" not in card.group(0)


def test_the_ballot_page_and_the_demo_vote_stay_in_english(
    site: tuple[TestClient, FastAPI, int],
) -> None:
    client, _, _ = site
    en = client.get("/ballots/1?lang=en").text
    assert _attr(en, "demo-vote", "action") == "/demo/ballots/1/vote?lang=en"
    assert _attr(en, "lang-switch", "href") == "?lang=zh"
    for choice in ("Agree", "Oppose", "Abstain"):
        assert re.search(rf'value="{choice.lower()}"> {choice}</label>', en, re.I), choice
    assert "Unit number (e.g. 1-1-101)" in en and ">Vote</button>" in en
    assert "(Beijing time)" in en and "（Beijing" not in en
    leftover = _chinese_outside_data(en, _data(client, [1]))
    assert not leftover, leftover
    answer = client.post(
        "/demo/ballots/1/vote?lang=en", data={"unit": "9-9-999", "item-1": "agree"}
    )
    assert answer.status_code == 200 and '<html lang="en">' in answer.text
    assert "unit 9-9-999 is not in the demo community" in answer.text
    assert "不在演示小区" not in answer.text


def test_error_pages_speak_the_pages_language(site: tuple[TestClient, FastAPI, int]) -> None:
    client, _, _ = site
    zh = client.get("/ballots/1/notice", headers=PAGE)
    assert zh.status_code == 409 and '<html lang="zh-CN">' in zh.text
    assert zh.text.index("该表决尚未公布表决结果") < zh.text.index("this ballot has no")
    assert '<a href="/">返回首页</a>' in zh.text
    en = client.get("/ballots/1/notice?lang=en", headers=PAGE)
    assert en.status_code == 409 and '<html lang="en">' in en.text
    assert en.text.index("this ballot has no") < en.text.index("该表决尚未公布表决结果")
    assert '<a href="/?lang=en">Back to the home page</a>' in en.text
    assert "<title>Something went wrong · Gongzhi</title>" in en.text
    # an API client still gets the JSON body with both halves
    api = client.get("/ballots/1/notice?lang=en", headers={"accept": "application/json"})
    assert api.status_code == 409 and api.json()["error"]["zh"] == "该表决尚未公布表决结果"


def test_a_favicon_is_served_and_linked(site: tuple[TestClient, FastAPI, int]) -> None:
    client, _, _ = site
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.content == client.get("/static/favicon.svg").content
    assert icon.content.startswith(b"<svg")
    for path in ("/", "/ballots/1?lang=en"):
        assert '<link rel="icon" href="/static/favicon.svg"' in client.get(path).text, path


def test_the_notice_reads_at_16px_on_a_screen() -> None:
    """The notice's screen styles (print has its own, in pt): no text under 16 px, the
    table included, in rem of a 16 px root (20 px in large-text mode), and its links a
    thumb's target."""
    page = (TEMPLATES_DIR / "notice.html").read_text(encoding="utf-8")
    screen = page[page.index("<style>") : page.index("@media print")]
    assert "html { font-size: 16px; } html.large { font-size: 20px; }" in screen
    assert not re.search(r"font-size:\s*[\d.]+px", screen.split("font-size: 20px; }", 1)[1])
    sizes = [float(rem) for rem in re.findall(r"font-size:\s*([\d.]+)rem", screen)]
    assert sizes and min(sizes) >= 1, sizes
    assert re.search(r"\.bar a \{[^}]*min-height: 44px", screen)
