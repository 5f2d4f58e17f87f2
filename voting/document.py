"""The input of ``gongzhi rules evaluate``: one matter (the first form) or a whole agenda.

Old form, one motion::

    {"matter": 1..9, "units": [UNIT...], "votes": {holder: "agree" | "oppose" | "abstain"}}

Agenda form, as the ballot box format v2 states items and choices::

    {"items": [ITEM...], "units": [UNIT...],
     "votes": {holder: {item id: choice}}, "ranking"?: "area" | "headcount"}

A holder's item left out did not take part in it. Errors name where they are
(``matter``, ``units[3].area``, ``votes["owner-17"]["2"][0]``, ``items[1].seats``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from voting.census import Census
from voting.errors import MatterError, VoteError
from voting.items import (
    ElectionOutcome,
    Item,
    ItemChoice,
    Ranking,
    evaluate_item,
    parse_choices,
    parse_items,
)
from voting.matters import Matter
from voting.rules import Outcome, evaluate, parse_votes, vote_location

_MATTER_FIELDS = ("matter", "units", "votes")
_AGENDA_FIELDS = ("items", "units", "votes")
_AGENDA_OPTIONAL = ("ranking",)


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """One item with how it was decided, as a BallotResult lists it."""

    item: Item
    outcome: Outcome | ElectionOutcome

    def to_json(self) -> dict[str, object]:
        return {"id": self.item.id, "kind": str(self.item.kind), "outcome": self.outcome.to_json()}


@dataclass(frozen=True, slots=True)
class AgendaOutcome:
    """Every item of an agenda, each decided on its own, in agenda order."""

    ranking: Ranking
    decisions: tuple[ItemDecision, ...]

    def to_json(self) -> dict[str, object]:
        return {"items": [d.to_json() for d in self.decisions]}


def _check_fields(
    document: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    for field in required:
        if field not in document:
            raise VoteError(f"缺少字段 {field}", f"missing field {field}")
    for field in document:
        if field not in required + optional:
            raise VoteError(f"未知字段 {field!r}", f"unknown field {field!r}")


def evaluate_document(document: object) -> Outcome | AgendaOutcome:
    """Decide a parsed JSON document in either form (the agenda form has ``items``)."""
    if not isinstance(document, Mapping):
        raise VoteError("输入须为JSON对象", "the input must be a JSON object")
    if "items" in document:
        return _evaluate_agenda(document)
    _check_fields(document, _MATTER_FIELDS)
    try:
        matter = Matter.parse(document["matter"])
    except MatterError as e:
        raise e.at("matter") from None
    census = Census.from_json(document["units"])
    return evaluate(matter, census, parse_votes(document["votes"]))


def _evaluate_agenda(document: Mapping[str, object]) -> AgendaOutcome:
    _check_fields(document, _AGENDA_FIELDS, _AGENDA_OPTIONAL)
    items = parse_items(document["items"])
    census = Census.from_json(document["units"])
    try:
        ranking = Ranking.parse(document.get("ranking", "area"))
    except VoteError as e:
        raise e.at("ranking") from None
    raw_votes = document["votes"]
    if not isinstance(raw_votes, Mapping):
        raise VoteError("votes 须为JSON对象", "votes must be a JSON object", where="votes")
    per_item: dict[str, dict[str, ItemChoice]] = {item.id: {} for item in items}
    for holder, raw_choices in raw_votes.items():
        where = vote_location(str(holder))
        if holder not in census.voters:
            raise VoteError(
                f"投票人 {holder!r} 不在名册中",
                f"voter {holder!r} is not in the census",
                where=where,
            )
        try:
            choices = parse_choices(items, raw_choices)
        except VoteError as e:
            raise e.at(where) from None
        for item_id, choice in choices.items():
            per_item[item_id][holder] = choice
    return AgendaOutcome(
        ranking=ranking,
        decisions=tuple(
            ItemDecision(item, evaluate_item(item, census, per_item[item.id], ranking))
            for item in items
        ),
    )
