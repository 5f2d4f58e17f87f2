"""What /demo says a decision does: the member page's words for each kind, in both
languages, never the document's type name."""

from __future__ import annotations

import re

import pytest

from web.demo.pages import decision_words

KINDS: dict[str, dict[str, object]] = {
    "BallotAnnounced": {"title": "更换电梯维保单位"},
    "BallotOpened": {},
    "BallotResult": {},
    "BallotCancelled": {"reason": "议题有误"},
    "BallotFinal": {"retainUntil": "2046-12-01T00:00:00Z"},
    "ObjectionAnswered": {"objection": 3, "answer": "已复核"},
    "VoterKeyChanged": {"voter": "v-12"},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_is_said_in_words(kind: str) -> None:
    zh, en = decision_words(kind, KINDS[kind], "zh"), decision_words(kind, KINDS[kind], "en")
    assert kind not in zh and kind not in en
    assert re.search(r"[\u4e00-\u9fff]", zh)
    for value in KINDS[kind].values():  # what the document says is quoted as it is
        en = en.replace(str(value), "")
    assert not re.search(r"[\u4e00-\u9fff]", en)
    assert zh != en


def test_the_announced_title_and_an_unknown_kind() -> None:
    assert "更换电梯维保单位" in decision_words("BallotAnnounced", KINDS["BallotAnnounced"], "zh")
    assert decision_words("Strange", {}, "en") == "Strange: read the full text below"
    assert decision_words("x" * 500, {}, "zh").startswith("x" * 80 + "：")
