"""The items of a ballot's agenda, and how each one is decided on its own.

Design notes (issue 9, item 2; the ITEM shape of the ballot box format v2):

* An owners' general meeting decides several items at once; each is decided alone, with
  its own participation: an owner who leaves an item blank did not take part in *that*
  item (Civil Code Art. 278 ¶2 "参与表决" is read per item), so both the quorum and the
  approval denominators are that item's participants only.
* A **motion** is any of the nine matters (matter 3 too: replacing a single committee
  member is voted as a motion), decided by :func:`voting.rules.evaluate` with the matter's
  statutory threshold.
* An **election** (matter 3 only) fills ``seats`` from ``candidates``; each owner approves
  up to ``seats`` distinct candidates (an empty list takes part and approves nobody). A
  candidate is eligible when the item reached the 2/3 quorum and the candidate's approvals
  are more than half (过半数, strict) of the item's participating area AND headcount. Seats
  go to eligible candidates ranked by (area, headcount) or (headcount, area), as the
  community's 议事规则 sets; equal keys keep the notice's order. If the candidates that
  share the last seat's key cannot all be seated, none of them is: the tie is reported as
  ``unresolved_tie`` for a run-off rather than broken by list order or chance.
* Every share is an exact :class:`~fractions.Fraction` of integers; nothing here is a float.
* The agenda is locked: a choice for an item not on it, or for a candidate not standing,
  is refused, never ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import ParamSpec, Self, TypeVar

from voting.census import NOBODY, Census, Tally
from voting.errors import MatterError, VoteError, VotingError
from voting.matters import MAJORITY, QUORUM, Matter, Threshold
from voting.rules import (
    Choice,
    Outcome,
    evaluate,
    fraction_text,
    ratio,
    threshold_json,
    vote_location,
)

MAX_ITEMS = 20
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_NAME = 200
MAX_SEATS = 50
MAX_CANDIDATES = 100
MAX_LABEL = 100
MAX_AMOUNT_FEN = 10**15  # 10 trillion yuan: beyond any maintenance fund, keeps integers small

# Item and candidate ids are short ASCII tokens, so they fit a bytes8 on chain as they are.
_ID = re.compile(r"[A-Za-z0-9_-]{1,8}", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)

T = TypeVar("T")
P = ParamSpec("P")

#: What one voter chose on one item: an option of a motion, or the approved candidates.
ItemChoice = Choice | tuple[str, ...]


class ItemKind(StrEnum):
    MOTION = "motion"
    ELECTION = "election"


class Ranking(StrEnum):
    """The 议事规则's order among eligible candidates: which weight counts first."""

    AREA = "area"
    HEADCOUNT = "headcount"

    @classmethod
    def parse(cls, value: object) -> Ranking:
        if isinstance(value, str) and value in cls._value2member_map_:
            return cls(value)
        raise VoteError(
            f"排名规则须为 area（先面积）或 headcount（先人数），而不是 {value!r}",
            f"ranking must be area or headcount, not {value!r}",
        )


_COMMON_FIELDS = frozenset({"id", "kind", "matter", "matterName", "title", "text", "attachments"})
_MOTION_FIELDS = _COMMON_FIELDS | {"amountFen"}
_ELECTION_FIELDS = _COMMON_FIELDS | {"seats", "candidates"}


def _key(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ident(value: object, what_zh: str, what_en: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise VoteError(
            f"{what_zh}须为1至8个字母、数字、_ 或 -，而不是 {value!r}",
            f"{what_en} must be 1 to 8 letters, digits, _ or -, not {value!r}",
        )
    return value


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise VoteError("须为非空字符串", "must be a non-empty string")
    if len(value) > limit:
        raise VoteError(
            f"最长 {limit} 个字符，此处 {len(value)} 个",
            f"at most {limit} characters, got {len(value)}",
        )
    return value


def _count(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise VoteError(
            f"须为 {low} 至 {high} 的整数，而不是 {value!r}",
            f"must be an integer {low} to {high}, not {value!r}",
        )
    return value


def _array(value: object, limit: int, *, at_least_one: bool) -> list[object]:
    if not isinstance(value, list):
        raise VoteError("须为JSON数组", "must be a JSON array")
    if at_least_one and not value:
        raise VoteError("不能为空", "must not be empty")
    if len(value) > limit:
        raise VoteError(f"最多 {limit} 项", f"at most {limit} entries")
    return value


def _list_of(
    parse: Callable[[object], T], raw: object, limit: int, *, at_least_one: bool
) -> tuple[T, ...]:
    return tuple(
        _at(f"[{i}]", parse, entry)
        for i, entry in enumerate(_array(raw, limit, at_least_one=at_least_one))
    )


def _fields(raw: object, required: Sequence[str], allowed: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise VoteError("须为JSON对象", "must be a JSON object")
    for field in required:
        if field not in raw:
            raise VoteError(f"缺少字段 {field}", f"missing field {field}")
    for field in raw:
        if field not in allowed:
            raise VoteError(f"未知字段 {field!r}", f"unknown field {field!r}")
    return raw


def _at(where: str, parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``parse(*args, **kwargs)``, with any error it raises located at ``where``."""
    try:
        return parse(*args, **kwargs)
    except VotingError as e:
        raise e.at(where) from None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document the notice refers to, by name and SHA-256 of its bytes (hex, lowercase)."""

    name: str
    sha256: str

    @classmethod
    def parse(cls, raw: object) -> Self:
        obj = _fields(raw, ("name", "sha256"), frozenset({"name", "sha256"}))
        name = _at("name", _text, obj["name"], MAX_ATTACHMENT_NAME)
        digest = obj["sha256"]
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise VoteError(
                "须为64位小写十六进制SHA-256", "must be 64 lowercase hex digits (SHA-256)"
            ).at("sha256")
        return cls(name, digest)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate, by the public designation the committee's notice uses (never a
    name pulled from the register)."""

    id: str
    label: str

    @classmethod
    def parse(cls, raw: object) -> Self:
        obj = _fields(raw, ("id", "label"), frozenset({"id", "label"}))
        ident = _at("id", _ident, obj["id"], "候选人编号", "a candidate id")
        return cls(ident, _at("label", _text, obj["label"], MAX_LABEL))

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One item of the agenda, as the signed announcement states it.

    :meth:`parse` checks every field; building one directly checks only what ties the
    fields together (a motion has no candidates; an election's candidates and seats).
    """

    id: str
    kind: ItemKind
    matter: Matter
    title: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    #: motions on matter 5 only: the sum the owners are asked to release, in fen
    amount_fen: int | None = None
    #: elections only
    seats: int = 0
    candidates: tuple[Candidate, ...] = ()

    @classmethod
    def parse(cls, raw: object) -> Self:
        """An item from its JSON; errors say where (``candidates[2].id``, ``matter``)."""
        if not isinstance(raw, Mapping):
            raise VoteError("议题须为JSON对象", "an item must be a JSON object")
        raw_kind = raw.get("kind")
        if not isinstance(raw_kind, str) or raw_kind not in ItemKind._value2member_map_:
            raise VoteError(
                f"议题类型须为 motion（议案）或 election（选举），而不是 {raw_kind!r}",
                f"kind must be motion or election, not {raw_kind!r}",
                where="kind" if "kind" in raw else "",
            )
        kind = ItemKind(raw_kind)
        base = ("id", "kind", "matter", "title", "text")
        if kind is ItemKind.MOTION:
            obj = _fields(raw, base, _MOTION_FIELDS)
        else:
            obj = _fields(raw, (*base, "seats", "candidates"), _ELECTION_FIELDS)
        ident = _at("id", _ident, obj["id"], "议题编号", "an item id")
        matter = _at("matter", _matter, obj["matter"], kind)
        if "matterName" in obj and obj["matterName"] != matter.zh:
            raise MatterError(
                f"事项名称须为民法典第二百七十八条的原文「{matter.zh}」",
                f"matterName must be the wording of Civil Code Art. 278 for matter "
                f"{int(matter)}: {matter.zh}",
                where="matterName",
            )
        attachments = _at(
            "attachments",
            _list_of,
            Attachment.parse,
            obj.get("attachments", []),
            MAX_ATTACHMENTS,
            at_least_one=False,
        )
        amount: int | None = None
        if "amountFen" in obj:
            if matter is not Matter.USE_MAINTENANCE_FUND:
                raise VoteError(
                    "只有使用维修资金的议题（第五项）可写金额",
                    "only an item on matter 5 (using the maintenance fund) has an amount",
                    where="amountFen",
                )
            amount = _at("amountFen", _count, obj["amountFen"], 1, MAX_AMOUNT_FEN)
        seats = 0
        candidates: tuple[Candidate, ...] = ()
        if kind is ItemKind.ELECTION:
            seats = _at("seats", _count, obj["seats"], 1, MAX_SEATS)
            candidates = _at(
                "candidates",
                _list_of,
                Candidate.parse,
                obj["candidates"],
                MAX_CANDIDATES,
                at_least_one=True,
            )
        return cls(
            id=ident,
            kind=kind,
            matter=matter,
            title=_at("title", _text, obj["title"], MAX_TITLE),
            text=_at("text", _text, obj["text"], MAX_TEXT),
            attachments=attachments,
            amount_fen=amount,
            seats=seats,
            candidates=candidates,
        )

    def __post_init__(self) -> None:
        if self.kind is ItemKind.ELECTION:
            _check_candidates(self.candidates, self.seats)
        elif self.seats or self.candidates:
            raise VoteError("议案没有席位和候选人", "a motion has no seats or candidates")

    def candidate_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.candidates)

    def to_json(self) -> dict[str, object]:
        """The ITEM of the announcement; ``matterName`` is always the statutory wording."""
        out: dict[str, object] = {
            "id": self.id,
            "kind": str(self.kind),
            "matter": int(self.matter),
            "matterName": self.matter.zh,
            "title": self.title,
            "text": self.text,
            "attachments": [a.to_json() for a in self.attachments],
        }
        if self.amount_fen is not None:
            out["amountFen"] = self.amount_fen
        if self.kind is ItemKind.ELECTION:
            out["seats"] = self.seats
            out["candidates"] = [c.to_json() for c in self.candidates]
        return out


def _matter(value: object, kind: ItemKind) -> Matter:
    matter = Matter.parse(value)
    if kind is ItemKind.ELECTION and matter is not Matter.COMMITTEE:
        raise MatterError(
            "选举只能是第三项事项（选举业主委员会或者更换业主委员会成员）",
            "an election can only be matter 3 (electing the owners' committee)",
        )
    return matter


def _check_candidates(candidates: Sequence[Candidate], seats: int) -> None:
    seen_ids: dict[str, int] = {}
    seen_labels: dict[str, int] = {}
    for i, c in enumerate(candidates):
        if c.id in seen_ids:
            raise VoteError(
                f"候选人编号 {c.id!r} 与 candidates[{seen_ids[c.id]}] 重复",
                f"duplicate candidate id {c.id!r} (also candidates[{seen_ids[c.id]}])",
                where=f"candidates[{i}].id",
            )
        if c.label in seen_labels:
            raise VoteError(
                f"候选人名称 {c.label!r} 与 candidates[{seen_labels[c.label]}] 重复",
                f"duplicate candidate label {c.label!r} (also candidates[{seen_labels[c.label]}])",
                where=f"candidates[{i}].label",
            )
        seen_ids[c.id] = seen_labels[c.label] = i
    if not 1 <= seats <= min(len(candidates), MAX_SEATS):
        raise VoteError(
            f"席位数 {seats} 须在1与候选人数 {len(candidates)} 之间",
            f"seats ({seats}) must be between 1 and the number of candidates ({len(candidates)})",
            where="seats",
        )


def parse_items(raw: object) -> list[Item]:
    """The agenda from its JSON array: 1 to 20 items with distinct ids; errors at ``items[i]``."""
    entries = _at("items", _array, raw, MAX_ITEMS, at_least_one=True)
    items: list[Item] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        item = _at(f"items[{i}]", Item.parse, entry)
        if item.id in seen:
            raise VoteError(
                f"议题编号 {item.id!r} 与 items[{seen[item.id]}] 重复",
                f"duplicate item id {item.id!r} (also items[{seen[item.id]}])",
                where=f"items[{i}].id",
            )
        seen[item.id] = i
        items.append(item)
    return items


def _approvals(item: Item, raw: object) -> tuple[str, ...]:
    """An election choice: distinct standing candidates, at most one per seat."""
    if not isinstance(raw, list | tuple):
        raise VoteError(
            "选举的选择须为候选人编号的JSON数组",
            "an election choice must be an array of candidate ids",
        )
    standing = set(item.candidate_ids())
    seen: set[str] = set()
    for i, candidate in enumerate(raw):
        if not isinstance(candidate, str) or candidate not in standing:
            raise VoteError(
                f"{candidate!r} 不是本议题的候选人",
                f"{candidate!r} is not a candidate of this item",
                where=f"[{i}]",
            )
        if candidate in seen:
            raise VoteError(
                f"候选人 {candidate!r} 重复",
                f"candidate {candidate!r} is listed twice",
                where=f"[{i}]",
            )
        seen.add(candidate)
    if len(raw) > item.seats:
        raise VoteError(
            f"最多选 {item.seats} 人（席位数），此处选了 {len(raw)} 人",
            f"at most {item.seats} candidates (the seats), got {len(raw)}",
        )
    return tuple(raw)


def parse_choice(item: Item, raw: object) -> ItemChoice:
    """One voter's choice on ``item``; errors are located inside the choice (``[1]``)."""
    if item.kind is ItemKind.MOTION:
        return Choice.parse(raw)
    return _approvals(item, raw)


def parse_choices(items: Sequence[Item], raw: object) -> dict[str, ItemChoice]:
    """A vote's ``choices`` ``{item id: choice}``, in agenda order; an item left out is one
    the voter did not take part in. Refuses items not on the agenda and bad choices."""
    if not isinstance(raw, Mapping):
        raise VoteError("choices 须为JSON对象", "choices must be a JSON object")
    by_id = {item.id: item for item in items}
    for item_id in raw:
        if item_id not in by_id:
            raise VoteError(
                f"议题 {item_id!r} 不在已公告的议程中",
                f"item {item_id!r} is not on the announced agenda",
                where=f"[{_key(str(item_id))}]",
            )
    return {
        item.id: _at(f"[{_key(item.id)}]", parse_choice, item, raw[item.id])
        for item in items
        if item.id in raw
    }


@dataclass(frozen=True, slots=True)
class CandidateOutcome:
    """One candidate's support, as a share of the item's participants."""

    candidate: Candidate
    approvals: Tally
    area_share: Fraction | None
    headcount_share: Fraction | None
    majority_by_area: bool
    majority_by_headcount: bool
    eligible: bool

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.candidate.id,
            "label": self.candidate.label,
            "approvals": self.approvals.to_json(),
            "area_share": fraction_text(self.area_share),
            "headcount_share": fraction_text(self.headcount_share),
            "majority_by_area": self.majority_by_area,
            "majority_by_headcount": self.majority_by_headcount,
            "eligible": self.eligible,
        }


@dataclass(frozen=True, slots=True)
class ElectionOutcome:
    """Everything an election item's decision used, re-checkable by hand."""

    seats: int
    ranking: Ranking
    total: Tally
    participating: Tally
    quorum_rule: Threshold
    approval_rule: Threshold
    participation_area: Fraction | None
    participation_headcount: Fraction | None
    quorum_by_area: bool
    quorum_by_headcount: bool
    candidates: tuple[CandidateOutcome, ...]
    #: the seated candidates' ids, best first
    elected: tuple[str, ...]
    #: a tie for the last seat that the ranking rule cannot break (a run-off is needed)
    unresolved_tie: bool

    @property
    def matter(self) -> Matter:
        return Matter.COMMITTEE

    @property
    def quorum_met(self) -> bool:
        return self.quorum_by_area and self.quorum_by_headcount

    @property
    def passed(self) -> bool:
        """The election did what it was called for: every seat filled (so no unresolved tie)."""
        return self.quorum_met and len(self.elected) == self.seats

    def to_json(self) -> dict[str, object]:
        return {
            "matter": int(self.matter),
            "matter_name": {"zh": self.matter.zh, "en": self.matter.en},
            "seats": self.seats,
            "ranking": str(self.ranking),
            "total": self.total.to_json(),
            "participating": self.participating.to_json(),
            "quorum": threshold_json(
                self.quorum_rule,
                (self.participation_area, self.quorum_by_area),
                (self.participation_headcount, self.quorum_by_headcount),
            ),
            "quorum_met": self.quorum_met,
            "approval": {"threshold": str(self.approval_rule), "rule": self.approval_rule.zh},
            "candidates": [c.to_json() for c in self.candidates],
            "elected": list(self.elected),
            "unresolved_tie": self.unresolved_tie,
            "passed": self.passed,
        }


def _voter_of(census: Census, holder: object) -> Tally:
    if not isinstance(holder, str) or holder not in census.voters:
        raise VoteError(f"投票人 {holder!r} 不在名册中", f"voter {holder!r} is not in the census")
    return Tally(census.voters[holder].area, 1)


def _rank_key(tally: Tally, ranking: Ranking) -> tuple[int, int]:
    area, heads = tally.area.hundredths, tally.headcount
    return (area, heads) if ranking is Ranking.AREA else (heads, area)


def seat(
    eligible: Sequence[tuple[str, tuple[int, int]]], seats: int
) -> tuple[tuple[str, ...], bool]:
    """Seats for ``(id, key)`` pairs in notice order: best keys first; a group sharing the
    last seat's key that does not fit wholly is left out and reported as a tie."""
    ranked = sorted(eligible, key=lambda pair: pair[1], reverse=True)  # stable: notice order
    if len(ranked) <= seats:
        return tuple(i for i, _ in ranked), False
    last = ranked[seats - 1][1]
    if ranked[seats][1] != last:
        return tuple(i for i, _ in ranked[:seats]), False
    return tuple(i for i, key in ranked if key > last), True


def _evaluate_election(
    item: Item, census: Census, votes: Mapping[str, ItemChoice], ranking: Ranking
) -> ElectionOutcome:
    approvals = dict.fromkeys(item.candidate_ids(), NOBODY)
    participating = NOBODY
    for holder, raw in votes.items():
        try:
            weight = _voter_of(census, holder)
            chosen = _approvals(item, raw)
        except VoteError as e:
            raise e.at(vote_location(str(holder))) from None
        participating += weight
        for approved in chosen:
            approvals[approved] += weight
    total = census.total
    quorum_area = QUORUM.met(participating.area.hundredths, total.area.hundredths)
    quorum_heads = QUORUM.met(participating.headcount, total.headcount)
    results = []
    for candidate in item.candidates:
        got = approvals[candidate.id]
        by_area = MAJORITY.met(got.area.hundredths, participating.area.hundredths)
        by_heads = MAJORITY.met(got.headcount, participating.headcount)
        results.append(
            CandidateOutcome(
                candidate=candidate,
                approvals=got,
                area_share=ratio(got.area.hundredths, participating.area.hundredths),
                headcount_share=ratio(got.headcount, participating.headcount),
                majority_by_area=by_area,
                majority_by_headcount=by_heads,
                eligible=quorum_area and quorum_heads and by_area and by_heads,
            )
        )
    elected, tie = seat(
        [(r.candidate.id, _rank_key(r.approvals, ranking)) for r in results if r.eligible],
        item.seats,
    )
    return ElectionOutcome(
        seats=item.seats,
        ranking=ranking,
        total=total,
        participating=participating,
        quorum_rule=QUORUM,
        approval_rule=MAJORITY,
        participation_area=ratio(participating.area.hundredths, total.area.hundredths),
        participation_headcount=ratio(participating.headcount, total.headcount),
        quorum_by_area=quorum_area,
        quorum_by_headcount=quorum_heads,
        candidates=tuple(results),
        elected=elected,
        unresolved_tie=tie,
    )


def evaluate_item(
    item: Item,
    census: Census,
    votes: Mapping[str, ItemChoice],
    ranking: str = "area",
) -> Outcome | ElectionOutcome:
    """Decide ``item`` from ``votes``: census holder → that voter's choice on THIS item,
    for the voters who took part in it only. Errors are located at ``votes["holder"]``."""
    rule = Ranking.parse(ranking)
    if item.kind is ItemKind.ELECTION:
        return _evaluate_election(item, census, votes, rule)
    options: dict[str, Choice] = {}
    for holder, choice in votes.items():
        if not isinstance(choice, Choice):
            raise VoteError(
                "议案的选择须为 agree、oppose 或 abstain",
                "a motion's choice must be agree, oppose or abstain",
                where=vote_location(str(holder)),
            )
        options[holder] = choice
    return evaluate(item.matter, census, options)
