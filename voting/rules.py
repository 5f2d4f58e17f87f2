"""The Civil Code Art. 278 ¶2 decision: participation first, then approval, both doubled.

    业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的
    业主参与表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上
    的业主且参与表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分
    面积过半数的业主且参与表决人数过半数的业主同意。

"参与表决" is read as casting any choice, so an abstention (弃权) counts toward
participation and toward the denominator of approval, but never as agreement.
Every comparison is between exact fractions of integers (see :mod:`voting.matters`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from voting.census import NOBODY, Census, Tally
from voting.errors import VoteError
from voting.matters import QUORUM, Matter, Threshold


class Choice(StrEnum):
    """The three options of a ballot on an Art. 278 matter."""

    AGREE = "agree"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"

    @property
    def zh(self) -> str:
        return {"agree": "同意", "oppose": "反对", "abstain": "弃权"}[self.value]

    @classmethod
    def parse(cls, value: object) -> Choice:
        if isinstance(value, str) and value in cls._value2member_map_:
            return cls(value)
        raise VoteError(
            f"未知选项 {value!r}，应为 agree（同意）、oppose（反对）或 abstain（弃权）",
            f"unknown choice {value!r}: expected agree, oppose or abstain",
        )


def vote_location(holder: str) -> str:
    return f"votes[{json.dumps(holder, ensure_ascii=False)}]"


def parse_votes(raw: object) -> dict[str, Choice]:
    """Votes from the JSON object ``{holder: "agree" | "oppose" | "abstain"}``."""
    if not isinstance(raw, Mapping):
        raise VoteError("votes 须为JSON对象", "votes must be a JSON object", where="votes")
    votes: dict[str, Choice] = {}
    for holder, choice in raw.items():
        try:
            votes[holder] = Choice.parse(choice)
        except VoteError as e:
            raise e.at(vote_location(holder)) from None
    return votes


def ratio(part: int, whole: int) -> Fraction | None:
    """``part/whole`` exactly, or None when the whole is zero (nobody to share among)."""
    return Fraction(part, whole) if whole > 0 else None


def fraction_text(value: Fraction | None) -> str | None:
    """``"n/d"`` in lowest terms (``"1/1"`` for one), or None."""
    return None if value is None else f"{value.numerator}/{value.denominator}"


def threshold_json(
    rule: Threshold, area: tuple[Fraction | None, bool], headcount: tuple[Fraction | None, bool]
) -> dict[str, object]:
    """One doubled test of a transcript: the rule, and each share with whether it was met."""
    return {
        "threshold": str(rule),
        "rule": rule.zh,
        "area": fraction_text(area[0]),
        "headcount": fraction_text(headcount[0]),
        "area_met": area[1],
        "headcount_met": headcount[1],
    }


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything the decision used, so that a transcript can be re-checked by hand."""

    matter: Matter
    total: Tally
    participating: Tally
    agree: Tally
    oppose: Tally
    abstain: Tally
    quorum_rule: Threshold
    approval_rule: Threshold
    #: participating / total, by area and by headcount (None when the whole is zero)
    participation_area: Fraction | None
    participation_headcount: Fraction | None
    #: agree / participating, by area and by headcount (None when nobody took part)
    agreement_area: Fraction | None
    agreement_headcount: Fraction | None
    quorum_by_area: bool
    quorum_by_headcount: bool
    approved_by_area: bool
    approved_by_headcount: bool

    @property
    def quorum_met(self) -> bool:
        return self.quorum_by_area and self.quorum_by_headcount

    @property
    def approved(self) -> bool:
        return self.approved_by_area and self.approved_by_headcount

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.approved

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict: tallies with two-decimal areas, ratios and thresholds as "n/d"."""
        return {
            "matter": int(self.matter),
            "matter_name": {"zh": self.matter.zh, "en": self.matter.en},
            "total": self.total.to_json(),
            "participating": self.participating.to_json(),
            "agree": self.agree.to_json(),
            "oppose": self.oppose.to_json(),
            "abstain": self.abstain.to_json(),
            "quorum": threshold_json(
                self.quorum_rule,
                (self.participation_area, self.quorum_by_area),
                (self.participation_headcount, self.quorum_by_headcount),
            ),
            "approval": threshold_json(
                self.approval_rule,
                (self.agreement_area, self.approved_by_area),
                (self.agreement_headcount, self.approved_by_headcount),
            ),
            "quorum_met": self.quorum_met,
            "approved": self.approved,
            "passed": self.passed,
        }


def evaluate(matter: Matter, census: Census, votes: Mapping[str, Choice]) -> Outcome:
    """Decide ``matter`` from one choice per voting person (holder) of ``census``.

    Raises :class:`VoteError` for a vote by a holder outside the census or an unknown choice.
    """
    matter = Matter.parse(matter)
    by_choice = dict.fromkeys(Choice, NOBODY)
    for holder, raw_choice in votes.items():
        try:
            choice = Choice.parse(raw_choice)
            if not isinstance(holder, str) or holder not in census.voters:
                raise VoteError(
                    f"投票人 {holder!r} 不在名册中", f"voter {holder!r} is not in the census"
                )
        except VoteError as e:
            raise e.at(vote_location(str(holder))) from None
        voter = census.voters[holder]
        by_choice[choice] += Tally(voter.area, 1)
    agree, oppose, abstain = (
        by_choice[Choice.AGREE],
        by_choice[Choice.OPPOSE],
        by_choice[Choice.ABSTAIN],
    )
    participating = agree + oppose + abstain
    total = census.total
    rule = matter.approval
    return Outcome(
        matter=matter,
        total=total,
        participating=participating,
        agree=agree,
        oppose=oppose,
        abstain=abstain,
        quorum_rule=QUORUM,
        approval_rule=rule,
        participation_area=ratio(participating.area.hundredths, total.area.hundredths),
        participation_headcount=ratio(participating.headcount, total.headcount),
        agreement_area=ratio(agree.area.hundredths, participating.area.hundredths),
        agreement_headcount=ratio(agree.headcount, participating.headcount),
        quorum_by_area=QUORUM.met(participating.area.hundredths, total.area.hundredths),
        quorum_by_headcount=QUORUM.met(participating.headcount, total.headcount),
        approved_by_area=rule.met(agree.area.hundredths, participating.area.hundredths),
        approved_by_headcount=rule.met(agree.headcount, participating.headcount),
    )
