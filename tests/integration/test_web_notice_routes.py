"""GET /ballots/{id}/notice and /notice.pdf: the result notice served from the entries the
notice source gives (a fake here, through ``dependency_overrides``, until the v2 box is
wired), with the QR code carrying the trust file the server publishes."""

from __future__ import annotations

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
