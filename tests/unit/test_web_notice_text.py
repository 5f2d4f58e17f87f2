"""The result notice's words (`web.pages.notice_text`): both languages have the same keys and
placeholders, English uses ASCII punctuation and the Chinese no English, the bars are named as
`voting.matters` names them, and every word the notice's template asks for exists."""

from __future__ import annotations

import re

from voting.matters import MAJORITY, QUORUM, THREE_QUARTERS
from web.pages.assets import TEMPLATES_DIR
from web.pages.notice_text import EN, ZH, notice_words

FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert set(re.findall(r"\{(\w+)\}", ZH[key])) == set(re.findall(r"\{(\w+)\}", EN[key])), key
    assert len(ZH["months"].split()) == len(EN["months"].split()) == 12
    assert len(ZH["numerals"]) == len(EN["numerals"]) == 10


def test_english_is_english_and_chinese_is_chinese() -> None:
    for key, text in EN.items():
        assert not FULL_WIDTH.search(text) and not CJK.search(text), (key, text)
    for key, text in ZH.items():
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", text)), key


def test_the_bars_are_named_as_the_civil_code_names_them() -> None:
    assert (ZH["bar_two_thirds"], ZH["bar_three_quarters"], ZH["bar_majority"]) == (
        QUORUM.zh,
        THREE_QUARTERS.zh,
        MAJORITY.zh,
    )


def test_every_word_the_notice_template_uses_exists() -> None:
    page = (TEMPLATES_DIR / "notice.html").read_text(encoding="utf-8")
    used = set(re.findall(r"\bw\.(\w+)", page))
    assert {"item_heading", "th_area", "th_verdict"} <= used, "the pattern is wrong"
    assert used <= ZH.keys()
    assert notice_words("en") is EN and notice_words("zh") is notice_words("fr") is ZH
