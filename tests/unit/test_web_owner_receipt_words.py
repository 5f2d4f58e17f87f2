"""The receipt's words on the owner's ballot page (`web.pages.owner_text`): the index is the
entry's place in the ballot box's log, which also holds the announcement, the opening and key
changes, so it is never called a vote's number, lest the only voter think others voted."""

from __future__ import annotations

from web.pages import owner_text


def test_the_receipt_index_is_an_entry_of_the_box_not_a_vote_number() -> None:
    zh, en = owner_text.text_for("zh"), owner_text.text_for("en")
    said = zh["receipt_index"].format(index=3)
    assert said == "投票箱记录：第 3 条（投票箱也记有公告、开启等记录）"
    assert "选票编号" not in zh["receipt_index"] + zh["card_receipt_note"]
    assert "Vote number" not in en["receipt_index"] and "vote number" not in en["card_receipt_note"]
    assert "entry 3" in en["receipt_index"].format(index=3).lower()
    for words, said in ((zh, "公告"), (en, "announcement")):
        assert said in words["receipt_index"] and said in words["check_ok"]
        assert "{index}" in words["check_ok"] and "{size}" in words["check_ok"]
