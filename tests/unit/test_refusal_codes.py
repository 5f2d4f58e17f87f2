"""A refused vote's reason comes from the code its error carries, not from its wording."""

from __future__ import annotations

from typing import Any

import pytest

from voting.ballots import BallotError, check_signed_vote
from voting.box_state import EntryRefused
from web.server.refusals import reason_of

ORIGIN = "gongzhi.test/c/xianxia-demo/ballots/1"


def _never(_vote: Any) -> str:
    raise AssertionError("the shape is checked before the signature")


@pytest.mark.parametrize(
    "vote",
    [
        {"type": "Ballot", "ballot": ORIGIN, "choices": {"1": "agree"}},
        {"type": "Vote", "ballot": ORIGIN, "choices": 7},
        {"type": "Vote", "ballot": ORIGIN, "choices": {}},
        {"type": "Vote", "ballot": ORIGIN, "choices": {"1": "agree"}, "censusEntry": 3},
    ],
)
def test_a_malformed_vote_is_coded_malformed(vote: dict[str, Any]) -> None:
    with pytest.raises(BallotError) as refused:
        check_signed_vote(vote, _never)
    assert reason_of(refused.value) == "malformed"


def test_a_vote_signed_by_another_key_is_coded_wrong_signer() -> None:
    vote = {"type": "Vote", "ballot": ORIGIN, "voter": "did:key:z6MkA", "choices": {"1": "agree"}}
    with pytest.raises(BallotError) as refused:
        check_signed_vote(vote, lambda _v: "did:key:z6MkB")
    assert reason_of(refused.value) == "wrong_signer"


def test_the_code_wins_over_the_wording_and_survives_a_location() -> None:
    # words of another reason ("already voted") in the message: the code decides
    error = EntryRefused("", "who already voted is not in this ballot's census", code="busy")
    assert reason_of(error) == "busy"
    assert reason_of(error.at("votes[3]")) == "busy"
    assert reason_of(BallotError("", "something new", code="no such reason")) == "other"
