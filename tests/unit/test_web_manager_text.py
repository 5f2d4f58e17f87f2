"""The desk's words (`web.pages.manager_text`): both languages have the same keys and the same
placeholders, and every word the page and its script ask for exists — a missing one would
show as "undefined" beside a field."""

from __future__ import annotations

import re

from web.pages.assets import STATIC_DIR, TEMPLATES_DIR
from web.pages.manager_text import EN, ZH


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert set(re.findall(r"\{(\w+)\}", ZH[key])) == set(re.findall(r"\{(\w+)\}", EN[key])), key


def test_every_word_the_desk_uses_exists() -> None:
    script = "".join(
        (STATIC_DIR / name).read_text(encoding="utf-8") for name in ("manager.js", "reply_form.js")
    )
    page = (TEMPLATES_DIR / "manager.html").read_text(encoding="utf-8")
    used = set(re.findall(r"\bT\.(\w+)", script)) | set(re.findall(r"\bt\.(\w+)", page))
    # keys built from a prefix: T[`kind_${…}`], T[`action_${a}`], t["per_" + k], …
    prefixes = set(re.findall(r"\bT\[`(\w+)_\$\{", script)) | set(
        re.findall(r"\bt\[\"(\w+)_\" [+~]", page)
    )
    assert used and prefixes >= {"kind", "action", "per", "pricing", "st"}
    assert used <= ZH.keys(), used - ZH.keys()
    for prefix in prefixes:
        assert any(k.startswith(f"{prefix}_") for k in ZH), prefix
    for kind in ("IncomeExpense", "MaintenanceFund", "CommonAreaIncome", "FeeStandard"):
        assert f"kind_{kind}" in ZH
