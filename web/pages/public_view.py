"""What the public pages say about a ballot, worked out without I/O: its status in words and
each item's matter and rule (a ballot's items may be of different matters, so no one
item's matter stands for the whole ballot)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voting.ballots import DRAFT, RETIRED
from voting.matters import Matter

# Drafts await the committee's signatures: until more than half the members have signed,
# the announcement is not a public act, nothing is in the box and it may never be. Listing
# one publicly would show a matter the committee has not decided to put to the owners
# (the console lists it for the members). A retired box is archived and has no page.
NOT_PUBLIC = frozenset({DRAFT, RETIRED})


def status_key(status: str) -> str:
    """The text key (`web.pages.public_text`) of a public ballot's status."""
    return f"pub_status_{status}"


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One item as the public pages summarise it: its title, matter and rule, in words."""

    number: int
    title: str
    matter: str
    rule: str


def item_lines(items: list[dict[str, Any]], t: dict[str, str], lang: str) -> list[ItemLine]:
    """Each item's matter (Art. 278 ¶1) and the rule that decides it, in agenda order."""
    out = []
    for number, item in enumerate(items, start=1):
        matter = Matter(int(item["matter"]))
        if item.get("kind") == "election":
            rule = t["rule_election"]
        elif 6 <= matter <= 8:
            rule = t["rule_three_quarters"]
        else:
            rule = t["rule_majority"]
        name = matter.en if lang == "en" else matter.zh
        out.append(
            ItemLine(
                number=number,
                title=str(item.get("title", "")),
                matter=t["matter_line"].format(n=int(matter), name=name),
                rule=t["item_rule"].format(rule=rule),
            )
        )
    return out


def matters_summary(items: list[dict[str, Any]], t: dict[str, str], lang: str) -> str:
    """One line true of every item: the matter when all items share it, else how many items
    (each item's matter is on the ballot's own page)."""
    matters = {int(i["matter"]) for i in items}
    if len(matters) == 1:
        matter = Matter(matters.pop())
        return t["matter_line"].format(n=int(matter), name=matter.en if lang == "en" else matter.zh)
    return t["items_count"].format(n=len(items))
