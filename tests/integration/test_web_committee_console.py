"""The committee console's pages (web/pages/console.py): rendered for a committee member of
the community (cookie or bearer session), a sign-in page (401) for someone not signed in, a
refusal (403) for an owner signed in without the committee role; the words in both
languages have the same keys and say each matter's threshold in plain words."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG, demo_keys
from web.pages import owners_text
from web.pages.console_text import EN, ZH, text_for
from web.server.refusals import REASONS

PAGES = (
    f"/communities/{SLUG}/committee/ballots",
    f"/communities/{SLUG}/committee/ballots/1",
    f"/communities/{SLUG}/committee/objections",
)


def _words(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="owner-text">(.*?)</script>', html, re.S)
    assert found is not None
    words: dict[str, str] = json.loads(found.group(1))
    return words


def test_the_console_renders_for_the_committee_and_refuses_others(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        committee = identity_web.committee_headers(app)
        owner = identity_web.bearer(
            identity_web.sign_in(client, demo_keys(services_of(app))["3-1-101"])
        )
        for path in PAGES:
            shown = client.get(path, headers=committee)
            assert shown.status_code == 200, shown.text
            assert "script-src 'self'" in shown.headers["content-security-policy"]
            assert "unsafe-inline" not in shown.headers["content-security-policy"]
            assert "<script>" not in shown.text  # no inline script: modules only
            assert _words(shown.text)["status_draft"] == "草稿待签"
            english = client.get(f"{path}?lang=en", headers=committee)
            assert _words(english.text)["status_draft"] == "Draft, awaiting signatures"

            anonymous = client.get(path)
            assert anonymous.status_code == 401
            assert (
                "用本设备委员密钥登录" in anonymous.text and "console_signin.js" in anonymous.text
            )
            refused = client.get(path, headers=owner)
            assert refused.status_code == 403
            assert "没有所需角色" in refused.text and 'id="signin"' not in refused.text
            assert "console_ballot.js" not in refused.text and "console.js" not in refused.text
            assert "console_objections.js" not in refused.text

        page = client.get(PAGES[0], headers=committee).text
        assert "（6）筹集建筑物及其附属设施的维修资金" in page
        assert (
            client.get(f"/communities/{SLUG}/committee/ballots/99", headers=committee).status_code
            == 404
        )
        assert (
            client.get("/communities/nowhere/committee/ballots", headers=committee).status_code
            == 404
        )


def test_the_words_match_in_both_languages_and_say_the_thresholds() -> None:
    assert ZH.keys() == EN.keys()
    assert text_for("zh").keys() == text_for("en").keys()
    zh = text_for("zh")
    for matter in (1, 2, 3, 4, 5, 9):
        assert zh[f"threshold_{matter}"] == (
            "需参与表决的业主专有面积和人数均达到三分之二以上，且参与表决者中面积和人数均过半数同意"
        )
    for matter in (6, 7, 8):
        assert zh[f"threshold_{matter}"].endswith("面积和人数均达到四分之三以上同意")


def test_every_refusal_reason_has_words_for_rows_kept_in_english_only() -> None:
    zh = text_for("zh")
    for reason in REASONS:
        words = zh[f"refusal_reason_{reason}"]
        assert not re.search(r"[A-Za-z]", words), words  # a Chinese page says it in Chinese


def test_the_owners_page_words_match_in_both_languages() -> None:
    assert owners_text.ZH.keys() == owners_text.EN.keys()
    slots = re.compile(r"\{\w+\}")
    for key, words in owners_text.ZH.items():  # the same values to fill in, in both
        assert set(slots.findall(words)) == set(slots.findall(owners_text.EN[key]))
    assert owners_text.text_for("en")["title"] == "Owners' register"
