"""GET /ballots/{id}/notice and /notice.pdf: the result notice served from the entries the
notice source gives (a fake here, through ``dependency_overrides``, until the v2 box is
wired), with the QR code carrying the trust file the server publishes."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

import pytest
import segno
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from identity.community.trustfile import WELL_KNOWN_PATH, parse_trust, trust_link
from tests.e2e.support import running, settings_for
from tests.notice_support import entries
from web.pages.notice_source import NoticeEntries, notice_entries


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    settings = settings_for(tmp_path_factory.mktemp("data"), db_url=None, anvil_url=None)
    with running(settings, demo=True) as (client, app):
        yield client, app


@pytest.fixture
def decided(served: tuple[TestClient, FastAPI]) -> Iterator[TestClient]:
    client, app = served
    announced, result, final, _ = entries()

    def fake(ballot_id: int) -> NoticeEntries:
        return announced, result, final if ballot_id == 2 else None

    app.dependency_overrides[notice_entries] = fake
    try:
        yield client
    finally:
        app.dependency_overrides.pop(notice_entries)


def test_the_page_is_the_notice_with_the_trust_qr(decided: TestClient) -> None:
    answer = decided.get("/ballots/7/notice", headers={"accept": "text/html"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    # No script of the page's own making: only the large-text switch, from our origin.
    scripts = re.findall(r"<script[^>]*>", answer.text)
    assert "script-src 'self'" in policy and scripts == [
        '<script type="module" src="/static/text_size.js">'
    ]
    page = answer.text
    assert "仙霞示范小区（演示）业主共同决定事项表决结果公告" in page  # the community's name
    assert "初步结果（异议期内）" in page and 'href="/ballots/7/notice.pdf"' in page
    # The QR code is the link to this ballot's page carrying the served trust file.
    trust = parse_trust(decided.get(WELL_KNOWN_PATH).json())
    link = trust_link("https://gongzhi.test/ballots/7", trust)
    svg = io.BytesIO()
    segno.make(link, error="m", micro=False).save(
        svg, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, omitsize=True
    )
    assert svg.getvalue().decode() in page
    assert f"链 ID {trust.chain_id}" in page


def test_the_pdf_is_the_same_notice(decided: TestClient) -> None:
    answer = decided.get("/ballots/2/notice.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'inline; filename="notice-2.pdf"'
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    said = re.sub(r"\s", "", text)
    assert "最终结果" in said and "https://gongzhi.test/ballots/2" in said


def test_entries_that_make_no_notice_are_a_clear_409(
    served: tuple[TestClient, FastAPI],
) -> None:
    client, app = served
    announced, result, _, _ = entries()
    result["ballot"] = "gongzhi.test/ballot/8"
    app.dependency_overrides[notice_entries] = lambda: (announced, result, None)
    try:
        for path in ("/ballots/7/notice", "/ballots/7/notice.pdf"):
            answer = client.get(path)
            assert answer.status_code == 409
            assert "另一个表决" in answer.json()["error"]["zh"]
    finally:
        app.dependency_overrides.pop(notice_entries)


def test_until_the_box_is_wired_a_ballot_has_no_notice(
    served: tuple[TestClient, FastAPI],
) -> None:
    client, _ = served
    for path in ("/ballots/1/notice", "/ballots/1/notice.pdf"):
        assert client.get(path).status_code == 409
    for path in ("/ballots/999999/notice", "/ballots/999999/notice.pdf"):
        assert client.get(path).status_code == 404
    page = client.get("/ballots/1/notice", headers={"accept": "text/html"})
    assert "尚未公布表决结果" in page.text


def test_a_result_of_an_unknown_community_is_a_404(
    served: tuple[TestClient, FastAPI],
) -> None:
    client, app = served
    announced, result, _, _ = entries()
    for entry in (announced, result):
        entry["community"] = "nowhere"
    app.dependency_overrides[notice_entries] = lambda: (announced, result, None)
    try:
        assert client.get("/ballots/7/notice").status_code == 404
    finally:
        app.dependency_overrides.pop(notice_entries)


# What the committee wrote (community, ballot and item titles, candidates): shown as written
# on the English page too, so the only Chinese its body may hold.
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
NAME = "仙霞示范小区（演示）"


def body(page: str) -> str:
    """The notice's sheet (<main>) as a reader sees its text, without the markup."""
    found = re.search(r'<main class="sheet">(.*)</main>', page, re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>", " ", found[1]))


def committee_words() -> list[str]:
    announced, _, _, _ = entries()
    words = [NAME, announced["title"]]
    for item in announced["items"]:
        words += [item["title"], *(c["label"] for c in item.get("candidates", []))]
    return sorted(words, key=len, reverse=True)  # a longer one first, should it hold another


def test_the_english_page_is_the_notice_in_english(decided: TestClient) -> None:
    for ballot, stage, status in (
        (7, "Preliminary result (objections may still be made)", "may lodge an objection"),
        (2, "Final result", "The objection window ended on 22 April 2026, 18:05 (Beijing time)"),
    ):
        answer = decided.get(f"/ballots/{ballot}/notice?lang=en")
        assert answer.status_code == 200, answer.text
        page = answer.text
        assert page.startswith('<!doctype html>\n<html lang="en">')
        text = body(page)
        for said in (
            f"{NAME}: notice of the result of the owners' vote on joint decisions",
            stage,
            status,
            "Voting ran from 16 March 2026, 10:00 (Beijing time) to 15 April 2026, 18:00",
            "Item 1: 使用维修资金更换3号楼电梯",
            "Matter: Civil Code Art. 278, para. 1, item (5): using the maintenance fund",
            "Amount: ¥1,234,567.89",
            "Rule: owners holding two thirds or more of the total area",
            "Area (m²) Share Owners Share",
            "Did not vote",
            "Approving area",
            "This item passed.",
            "This item did not pass.",
            "each reaches two thirds or more",
            "Elected: 候选人乙（2-2-502）, 候选人甲（1-1-101） (seats filled: 2 of 2).",
            "Scan the QR code to open this ballot's verification page",
            "it carries no owner's name, ID number or phone number",
            f"Owners' committee of {NAME}",
        ):
            assert said in " ".join(text.split()), said
        if ballot == 2:
            assert "kept until at least 23 April 2027 (Civil Code Art. 280" in text
        for word in committee_words():
            text = text.replace(word, "")
        assert not CJK.search(text), CJK.findall(text)
        # The PDF link says what it leads to: the official Chinese document.
        assert f'<a href="/ballots/{ballot}/notice.pdf">download the official Chinese PDF</a>' in (
            page
        )


def test_the_english_page_links_the_official_chinese_notice(decided: TestClient) -> None:
    page = decided.get("/ballots/7/notice?lang=en&from=poster").text
    line = re.search(r'<p class="translation">(.*?)</p>', page, re.S)
    assert line, "no translation line"
    assert line[1].startswith("This English text is a translation for reference only.")
    assert page.index('class="translation"') < page.index("<h1>")  # above the body
    link = re.search(r'href="([^"]+)" hreflang="zh-CN">Chinese notice</a>', line[1])
    assert link and link[1] == "/ballots/7/notice?from=poster"  # the rest of the address kept
    official = decided.get(html.unescape(link[1]))
    assert official.status_code == 200
    assert official.text.startswith('<!doctype html>\n<html lang="zh-CN">')
    assert "初步结果（异议期内）" in official.text and 'class="translation"' not in official.text
    bare = decided.get("/ballots/7/notice?lang=en").text
    assert 'href="/ballots/7/notice" hreflang="zh-CN"' in bare


def test_the_pdf_stays_the_chinese_official_notice(decided: TestClient) -> None:
    chinese = decided.get("/ballots/7/notice.pdf")
    assert decided.get("/ballots/7/notice.pdf?lang=en").content == chinese.content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(chinese.content)).pages)
    assert "初步结果" in re.sub(r"\s", "", text)
