"""The public pages' words (`web.pages.public_text`): both languages have the same keys and
placeholders, none shadows an owner's word, English uses ASCII punctuation, and every word
the public templates ask for exists in both languages."""

from __future__ import annotations

import re

from web.pages import owner_text
from web.pages.assets import TEMPLATES_DIR
from web.pages.public_text import EN, ZH, text_for

TEMPLATES = (
    "base.html",
    "index.html",
    "ballot.html",
    "_participation.html",
    "_results.html",
    "notice.html",
)
# Full-width punctuation a Chinese sentence uses and an English one must not.
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert set(re.findall(r"\{(\w+)\}", ZH[key])) == set(re.findall(r"\{(\w+)\}", EN[key])), key


def test_no_public_word_changes_an_owner_word() -> None:
    assert not ZH.keys() & owner_text.ZH.keys()


def test_english_words_use_ascii_punctuation() -> None:
    for key, text in text_for("en").items():
        assert not FULL_WIDTH.search(text), (key, text)
    # and the Chinese ones are Chinese: no English word left among them (but the switch's
    # own name, which names the other language, and "Ctrl+P")
    for key, text in ZH.items():
        if key != "lang_name":
            assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}|Ctrl", "", text)), key


def test_every_word_the_public_templates_use_exists() -> None:
    used: set[str] = set()
    for name in TEMPLATES:
        page = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\.(\w+)", page))
    used -= {"format"}
    assert used, "no word found: the pattern is wrong"
    for lang in ("zh", "en"):
        assert used <= text_for(lang).keys(), used - text_for(lang).keys()


def test_the_notices_print_hint_says_the_phones_way_too() -> None:
    # New-user trial: only Ctrl+P / ⌘P, which a phone has not.
    assert "Ctrl+P" in ZH["notice_print"] and "手机" in ZH["notice_print"]
    assert "打印" in ZH["notice_print"] and "分享" in ZH["notice_print"]
    assert "Ctrl+P" in EN["notice_print"] and "on a phone" in EN["notice_print"]
    assert "Share" in EN["notice_print"]
