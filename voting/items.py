"""The items of a ballot (an owners' general meeting decides several at once), each decided
on its own: its own participation and its own threshold. Pure.

(Interim: the motion path; the election item type and its counting land with their tests.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voting.census import Census
from voting.errors import VoteError
from voting.matters import Matter
from voting.rules import Choice, Outcome, evaluate

ItemChoice = Choice | tuple[str, ...]


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    matter: Matter
    title: str
    text: str
    raw: Mapping[str, Any]

    @classmethod
    def parse(cls, raw: object) -> Item:
        if not isinstance(raw, Mapping):
            raise VoteError("表决事项须为JSON对象", "an item must be a JSON object")
        item_id, kind = raw.get("id"), raw.get("kind", "motion")
        if not isinstance(item_id, str) or not 1 <= len(item_id) <= 8:
            raise VoteError("事项编号须为1至8个字符", "an item id must be 1–8 characters")
        if kind != "motion":
            raise VoteError("未知的事项类型", f"unknown item kind {kind!r}")
        title, text = raw.get("title"), raw.get("text")
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
            raise VoteError(
                "事项标题不能为空且不超过200字", "an item title must be 1–200 characters"
            )
        if not isinstance(text, str) or not text.strip():
            raise VoteError("事项说明不能为空", "an item's text must not be empty")
        return cls(item_id, kind, Matter.parse(raw.get("matter")), title, text, raw)

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)


def parse_items(raw: object) -> list[Item]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= 20:
        raise VoteError("须有1至20个表决事项", "a ballot needs 1 to 20 items")
    items = [Item.parse(r) for r in raw]
    if len({i.id for i in items}) != len(items):
        raise VoteError("事项编号重复", "item ids must be unique")
    return items


def parse_choices(items: Sequence[Item], raw: object) -> dict[str, ItemChoice]:
    if not isinstance(raw, Mapping) or not raw:
        raise VoteError("选票须至少对一个事项作出选择", "a vote must choose on at least one item")
    by_id = {i.id: i for i in items}
    out: dict[str, ItemChoice] = {}
    for item_id, choice in raw.items():
        if item_id not in by_id:
            raise VoteError(
                f"事项 {item_id!r} 不在公告的议程中", f"item {item_id!r} is not on the agenda"
            )
        out[item_id] = Choice.parse(choice)
    return out


def evaluate_item(
    item: Item, census: Census, votes: Mapping[str, ItemChoice], ranking: str = "area"
) -> Outcome:
    return evaluate(item.matter, census, {k: Choice.parse(v) for k, v in votes.items()})
