"""What a ballot box says, folded from its log entries — the one reading of the box that
the server's cast path, the pages and the independent verifier share.

    0      BallotAnnounced   the notice: items (the locked agenda), rules, timetable, logKey
           BallotCancelled   only before BallotOpened
    1      BallotOpened      the census, frozen and signed
           Vote              one owner's (or their proxy's) choices per item
           ProxyMandate      an owner authorises a proxy for this ballot
           ProxyWithdrawal   ... and takes it back, until the proxy has voted
           PaperBallot       a paper ballot, entered by one member and confirmed by another
           VoterKeyChanged   an owner's new key (a committee decision)
           BallotResult      the close and the preliminary result (recounted here)
           Objection         an owner's objection, during the objection window
           ObjectionAnswered the committee's answer
           BallotFinal       the final result, after the window, every objection answered

The fold enforces the box's state machine and every rule that needs no clock and no
signature: census membership, one counted vote per voting person (or the last one, if the
rules say so), the agenda, proxies and their cap, paper against online, the recount. It
trusts that signatures were checked (on append, and again by `voting.verify`, which also
checks each entry's signer against what the fold reports). Pure: no database, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ledger.tlog.merkle import leaf_hash, node_hash
from ledger.tlog.subtrees import fold
from voting.area import Area
from voting.census import Census
from voting.census_rows import census_of
from voting.errors import VotingError
from voting.items import (
    ElectionOutcome,
    Item,
    ItemChoice,
    evaluate_item,
    parse_choices,
    parse_items,
)
from voting.rules import Outcome
from voting.schedule import RETENTION, Rules, Timetable, check_timetable, objections_until

ANNOUNCED, OPEN, CLOSED, FINAL, CANCELLED = "announced", "open", "closed", "final", "cancelled"


class BallotIntegrityError(VotingError):
    """The stored box disagrees with its own signed log: an edit, not a different answer."""


class EntryRefused(VotingError):
    """An entry the box's rules do not allow where it stands (told to the one who sent it;
    found in a stored box it is an integrity error, see `BoxState.apply`)."""


@dataclass
class CompactRange:
    """The perfect subtrees of a growing log, so its RFC 9162 root costs O(log n)."""

    peaks: list[tuple[int, bytes]] = field(default_factory=list)  # (height, hash), left first

    def append(self, leaf: bytes) -> None:
        height, h = 0, leaf
        while self.peaks and self.peaks[-1][0] == height:
            _, left = self.peaks.pop()
            height, h = height + 1, node_hash(left, h)
        self.peaks.append((height, h))

    def root(self) -> bytes:
        return fold([h for _, h in self.peaks])


@dataclass(frozen=True)
class Mandate:
    index: int
    voter: str  # census entry represented
    owner: str
    proxy: str
    choices: Mapping[str, ItemChoice] | None  # the owner's instructions, if any


def parse_time(value: object, what: str) -> datetime:
    try:
        if not isinstance(value, str) or not value.endswith("Z"):
            raise ValueError
        return datetime.fromisoformat(value)
    except ValueError:
        raise EntryRefused(f"{what} 时间格式无效", f"{what} is not a UTC time") from None


@dataclass
class BoxState:
    announced: dict[str, Any]
    items: list[Item]
    rules: Rules
    timetable: Timetable
    opened: dict[str, Any] | None = None
    census: Census | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # voter key → census row
    did_of: dict[str, str | None] = field(default_factory=dict)  # voter key → DID (re-keyed)
    voter_of: dict[str, str] = field(default_factory=dict)  # DID → voter key
    total_area: int = 0
    total_heads: int = 0
    votes: dict[str, dict[str, ItemChoice]] = field(default_factory=dict)  # counted, per voter
    cast_at: dict[str, int] = field(default_factory=dict)  # voter → index of counted vote
    paper: set[str] = field(default_factory=set)  # voters who voted on paper
    mandates: dict[int, Mandate] = field(default_factory=dict)  # by index, active and unused
    mandate_of: dict[str, int] = field(default_factory=dict)  # voter → active mandate index
    used_mandates: set[int] = field(default_factory=set)
    result: dict[str, Any] | None = None
    result_index: int | None = None
    objections: dict[int, dict[str, Any]] = field(default_factory=dict)
    answered: set[int] = field(default_factory=set)
    final: dict[str, Any] | None = None
    cancelled: dict[str, Any] | None = None
    size: int = 0
    tree: CompactRange = field(default_factory=CompactRange)

    # --- building --------------------------------------------------------------------

    @classmethod
    def of_announcement(cls, data: bytes) -> BoxState:
        entry = _parse(data, 0)
        if entry.get("type") != "BallotAnnounced":
            raise broken_entry(0, "the box does not start with BallotAnnounced")
        try:
            state = cls.announce(entry)
        except (KeyError, TypeError, ValueError, VotingError) as exc:
            raise broken_entry(0, f"malformed announcement: {exc}") from exc
        state.tree.append(leaf_hash(data))
        state.size = 1
        return state

    @classmethod
    def announce(cls, entry: Mapping[str, Any]) -> BoxState:
        """The state an announcement starts (its checks are the ones a draft must pass)."""
        rules = Rules.parse(entry["rules"])
        timetable = Timetable(
            announced_at=parse_time(entry["announcedAt"], "announcedAt"),
            opens_at=parse_time(entry["opensAt"], "opensAt"),
            closes_at=parse_time(entry["closesAt"], "closesAt"),
        )
        check_timetable(rules, timetable)
        return cls(
            announced=dict(entry),
            items=parse_items(entry["items"]),
            rules=rules,
            timetable=timetable,
        )

    def apply(self, data: bytes) -> None:
        """Fold stored entry number `size` in; a refusal here means the box was edited."""
        try:
            self.apply_entry(_parse(data, self.size))
        except (KeyError, TypeError, ValueError, VotingError) as exc:
            raise broken_entry(self.size, f"{exc}") from exc
        self.tree.append(leaf_hash(data))
        self.size += 1

    def accept(self, entry: Mapping[str, Any], data: bytes) -> None:
        """Fold a new entry in (raises `EntryRefused` and changes nothing if not allowed)."""
        try:
            self.apply_entry(entry)
        except (KeyError, TypeError, ValueError) as exc:
            raise EntryRefused("条目格式有误", f"malformed entry: {type(exc).__name__}") from exc
        self.tree.append(leaf_hash(data))
        self.size += 1

    def copy(self) -> BoxState:
        """A state to extend without touching this one (the census and announcement are
        shared: they never change once folded)."""
        grown = replace(
            self,
            did_of=dict(self.did_of),
            voter_of=dict(self.voter_of),
            votes=dict(self.votes),
            cast_at=dict(self.cast_at),
            paper=set(self.paper),
            mandates=dict(self.mandates),
            mandate_of=dict(self.mandate_of),
            used_mandates=set(self.used_mandates),
            objections=dict(self.objections),
            answered=set(self.answered),
        )
        grown.tree = CompactRange(list(self.tree.peaks))
        return grown

    # --- where the box stands ----------------------------------------------------------

    @property
    def phase(self) -> str:
        if self.cancelled is not None:
            return CANCELLED
        if self.final is not None:
            return FINAL
        if self.result is not None:
            return CLOSED
        return OPEN if self.opened is not None else ANNOUNCED

    @property
    def revote_last(self) -> bool:
        return self.rules.revote == "last"

    def objections_until(self) -> datetime | None:
        if self.result is None:
            return None
        return parse_time(self.result["objectionsUntil"], "objectionsUntil")

    # --- the fold ------------------------------------------------------------------------

    def apply_entry(self, e: Mapping[str, Any]) -> None:
        kind = e.get("type")
        handler = _HANDLERS.get(str(kind))
        if handler is None or (e.get("ballot") != self.announced["ballot"]):
            raise EntryRefused(
                "这不是本次表决的条目", f"entry {kind!r} does not belong in this ballot box"
            )
        handler(self, e)

    def _need(self, phase: str, zh: str, en: str) -> None:
        if self.phase != phase:
            raise EntryRefused(zh, en)

    def _opened(self, e: Mapping[str, Any]) -> None:
        self._need(ANNOUNCED, "表决已开启、已取消或已结束", "the ballot is not awaiting opening")
        census = e["census"]
        voters = census["voters"]
        built = census_of(voters)
        total = census["total"]
        if (
            Area.parse(total["area"]).hundredths != built.total.area.hundredths
            or int(total["headcount"]) != built.total.headcount
        ):
            raise EntryRefused("名册合计与各行不符", "the census total differs from its rows")
        self.opened, self.census = dict(e), built
        self.rows = {str(v["voter"]): v for v in voters}
        self.did_of = {str(v["voter"]): v["did"] for v in voters}
        self.voter_of = {str(v["did"]): str(v["voter"]) for v in voters if v["did"]}
        self.total_area, self.total_heads = built.total.area.hundredths, built.total.headcount

    def _cancelled(self, e: Mapping[str, Any]) -> None:
        self._need(ANNOUNCED, "表决开启后不能取消", "a ballot cannot be cancelled once opened")
        self.cancelled = dict(e)

    def proxy_for(self, key: str, did: str) -> bool:
        """Whether ``did`` holds a mandate in force for census entry ``key``."""
        mandate = self.mandates.get(self.mandate_of.get(key, -1))
        return mandate is not None and mandate.proxy == did

    def voter_key(self, e: Mapping[str, Any]) -> str:
        key = e.get("censusEntry")
        if not isinstance(key, str) or key not in self.rows:
            raise EntryRefused("该名册条目不在本次表决的名册中", "no such entry in the census")
        return key

    def _check_can_vote(self, key: str) -> None:
        if key in self.paper:
            raise EntryRefused(
                "该业主已以纸质选票投票，不能再在线投票",
                "this owner has voted on paper and cannot vote online",
            )
        if key in self.votes and not self.revote_last:
            raise EntryRefused("您已投过票，不能重复投票", "you have already voted", code="twice")

    def _vote(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中，不能投票", "the ballot is not open for votes")
        signer = str(e["voter"])
        # A vote that names no census entry is the signer's own (its key is in the census).
        key = self.voter_key(e) if "censusEntry" in e else self.voter_of.get(signer, "")
        if key not in self.rows:
            raise EntryRefused(
                "您不在本次表决的业主名册中",
                "you are not in this ballot's census",
                code="not_in_census",
            )
        choices = parse_choices(self.items, e["choices"])
        own = self.did_of.get(key)
        if signer != own:
            mandate = self.mandates.get(self.mandate_of.get(key, -1))
            if mandate is None or mandate.proxy != signer:
                raise EntryRefused(
                    "您不是该业主，也未获其有效委托", "you are not this owner nor their proxy"
                )
            if mandate.choices is not None and dict(mandate.choices) != choices:
                raise EntryRefused(
                    "代理人须按委托书写明的意见投票",
                    "a proxy must vote exactly as the mandate instructs",
                )
            self._check_can_vote(key)
            self.used_mandates.add(mandate.index)
        else:
            self._check_can_vote(key)
        self.votes[key] = choices
        self.cast_at[key] = self.size

    def _mandate(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中，不能委托", "the ballot is not open for proxies")
        key = self.voter_key(e)
        owner, proxy = str(e["owner"]), str(e["proxy"])
        if owner != self.did_of.get(key):
            raise EntryRefused("只有业主本人可以委托", "only the owner can appoint a proxy")
        if proxy == owner or not proxy.startswith("did:"):
            raise EntryRefused("受托人须为他人的身份标识", "the proxy must be another person's DID")
        if key in self.votes or key in self.paper:
            raise EntryRefused("您已投票，不能再委托", "you have voted already: no proxy now")
        if key in self.mandate_of:
            raise EntryRefused(
                "您已有一份有效委托，请先撤回", "you have a mandate in force: withdraw it first"
            )
        load = sum(1 for m in self.mandates.values() if m.proxy == proxy)
        if load >= self.rules.proxy_cap:
            raise EntryRefused(
                f"该受托人代理的业主已达上限（{self.rules.proxy_cap} 户）",
                f"this proxy already represents the most owners allowed ({self.rules.proxy_cap})",
            )
        raw = e.get("choices")
        choices = None if raw is None else parse_choices(self.items, raw)
        self.mandates[self.size] = Mandate(self.size, key, owner, proxy, choices)
        self.mandate_of[key] = self.size

    def _withdrawal(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中", "the ballot is not open")
        key = self.voter_key(e)
        index = e["mandate"]
        mandate = self.mandates.get(index) if isinstance(index, int) else None
        if mandate is None or mandate.voter != key or self.mandate_of.get(key) != index:
            raise EntryRefused("没有可撤回的委托", "no mandate in force to withdraw")
        if str(e["owner"]) != mandate.owner:
            raise EntryRefused("只有委托人可以撤回", "only the owner who gave it can withdraw")
        if index in self.used_mandates:
            raise EntryRefused(
                "受托人已投票，委托不能再撤回", "the proxy has voted: the mandate is used"
            )
        del self.mandates[index]
        del self.mandate_of[key]

    def _paper(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中", "the ballot is not open")
        key = self.voter_key(e)
        if key in self.votes or key in self.paper:
            raise EntryRefused(
                "该业主已投票（在线或纸质），纸质选票不能再计入",
                "this owner has voted already (online or on paper)",
            )
        entered, confirmed = e["enteredBy"], e["confirmedBy"]
        if not isinstance(entered, str) or entered == confirmed:
            raise EntryRefused(
                "纸质选票须由另一名委员确认", "a paper ballot needs a second member to confirm"
            )
        scan = e["scanSha256"]
        if not isinstance(scan, str) or len(scan) != 64 or set(scan) - set("0123456789abcdef"):
            raise EntryRefused("扫描件哈希须为64位十六进制", "scanSha256 must be 64 hex digits")
        self.votes[key] = parse_choices(self.items, e["choices"])
        self.cast_at[key] = self.size
        self.paper.add(key)

    def _key_changed(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中，不能更换密钥", "the ballot is not open: no key changes")
        key, old, new = str(e["voter"]), e.get("oldDid"), str(e["newDid"])
        if key not in self.rows or self.did_of.get(key) != old:
            raise EntryRefused("换钥条目与名册不符", "the key change does not fit the census")
        if key in self.votes or new in self.voter_of:
            raise EntryRefused(
                "该业主已投票或新密钥已在使用", "this owner has voted, or the new key is in use"
            )
        if old is not None:
            self.voter_of.pop(old, None)
        self.voter_of[new] = key
        self.did_of[key] = new

    def _result(self, e: Mapping[str, Any]) -> None:
        self._need(OPEN, "表决不在进行中，不能结束", "the ballot is not open, so it cannot close")
        if e["votes"] != len(self.votes) or e["boxSize"] != self.size:
            raise EntryRefused(
                "结果所述票数或投票箱大小与记录不符",
                "the result's vote count or box size differs from the box",
            )
        closed = parse_time(e["closedAt"], "closedAt")
        if closed > self.timetable.closes_at or closed < self.timetable.opens_at:
            raise EntryRefused("结束时间不在表决期内", "closedAt is outside the voting window")
        if parse_time(e["objectionsUntil"], "objectionsUntil") != objections_until(
            self.rules, closed
        ):
            raise EntryRefused(
                "异议期与议事规则不符", "the objection window differs from the rules"
            )
        if e["items"] != self.tally():
            raise EntryRefused(
                "按规则重新计票的结果与公布结果不符",
                "the recounted outcome differs from the published result",
            )
        self.result, self.result_index = dict(e), self.size

    def _objection(self, e: Mapping[str, Any]) -> None:
        self._need(
            CLOSED, "只能在结果公布后、最终确认前提出异议", "objections only after the result"
        )
        key = self.voter_key(e)
        if self.did_of.get(key) != e["voter"]:
            raise EntryRefused(
                "只有名册中的业主可以提出异议", "only an owner in the census may object"
            )
        text = e["text"]
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 2000:
            raise EntryRefused("异议内容须为1至2000字", "an objection must be 1–2000 characters")
        self.objections[self.size] = dict(e)

    def _answer(self, e: Mapping[str, Any]) -> None:
        self._need(CLOSED, "只能在最终确认前答复异议", "answers only before the final result")
        index = e["objection"]
        if index not in self.objections or index in self.answered:
            raise EntryRefused("没有待答复的该条异议", "no such unanswered objection")
        answer = e["answer"]
        if not isinstance(answer, str) or not answer.strip():
            raise EntryRefused("答复不能为空", "the answer must not be empty")
        self.answered.add(index)

    def _final(self, e: Mapping[str, Any]) -> None:
        self._need(CLOSED, "结果尚未公布或已确认", "no preliminary result to confirm")
        until = self.objections_until()
        final_at = parse_time(e["finalAt"], "finalAt")
        if until is None or final_at < until:
            raise EntryRefused("异议期尚未届满", "the objection window has not ended")
        if set(self.objections) != self.answered:
            raise EntryRefused("仍有异议未答复", "some objections are not answered yet")
        if e["result"] != self.result_index or e["objections"] != sorted(self.objections):
            raise EntryRefused(
                "最终确认所引用的结果或异议与记录不符",
                "the final entry cites another result or other objections",
            )
        if parse_time(e["retainUntil"], "retainUntil") < final_at + RETENTION:
            raise EntryRefused(
                "记录须保存至少一年（民法典第二百八十条）",
                "the record must be kept at least one year (Civil Code §280)",
            )
        self.final = dict(e)

    # --- counts --------------------------------------------------------------------------

    def outcomes(self) -> list[tuple[Item, Outcome | ElectionOutcome]]:
        """Each item decided on its own over the votes counted so far."""
        census = self.census
        if census is None:
            return []
        out = []
        for item in self.items:
            votes = {k: c[item.id] for k, c in self.votes.items() if item.id in c}
            out.append((item, evaluate_item(item, census, votes, self.rules.election_ranking)))
        return out

    def tally(self) -> list[dict[str, Any]]:
        """The outcomes as the result entry states them."""
        return [
            {"id": item.id, "kind": str(item.kind), "outcome": outcome.to_json()}
            for item, outcome in self.outcomes()
        ]

    def participation(self) -> dict[str, Any]:
        """Turnout of the ballot as a whole (anyone who voted on any item) and per item."""
        area = sum(self.rows_area(k) for k in self.votes)
        whole = participation(area, len(self.votes), self.total_area, self.total_heads)
        whole["items"] = {
            item.id: participation(
                sum(self.rows_area(k) for k, c in self.votes.items() if item.id in c),
                sum(1 for c in self.votes.values() if item.id in c),
                self.total_area,
                self.total_heads,
            )
            for item in self.items
        }
        return whole

    def rows_area(self, key: str) -> int:
        return Area.parse(self.rows[key]["area"]).hundredths


_HANDLERS = {
    "BallotOpened": BoxState._opened,
    "BallotCancelled": BoxState._cancelled,
    "Vote": BoxState._vote,
    "ProxyMandate": BoxState._mandate,
    "ProxyWithdrawal": BoxState._withdrawal,
    "PaperBallot": BoxState._paper,
    "VoterKeyChanged": BoxState._key_changed,
    "BallotResult": BoxState._result,
    "Objection": BoxState._objection,
    "ObjectionAnswered": BoxState._answer,
    "BallotFinal": BoxState._final,
}


def participation(area: int, heads: int, total_area: int, total_heads: int) -> dict[str, Any]:
    """Turnout by area (0.01 m²) and by headcount against the 2/3 quorum (exact, no floats)."""
    return {
        "voted": {"area": str(Area(hundredths=area)), "headcount": heads},
        "total": {"area": str(Area(hundredths=total_area)), "headcount": total_heads},
        "quorum": "2/3",
        "area_met": total_area > 0 and 3 * area >= 2 * total_area,
        "headcount_met": total_heads > 0 and 3 * heads >= 2 * total_heads,
        # Basis points for progress bars only; the decision never reads them.
        "area_bp": area * 10000 // max(total_area, 1),
        "headcount_bp": heads * 10000 // max(total_heads, 1),
    }


def _parse(data: bytes, index: int) -> dict[str, Any]:
    try:
        entry = json.loads(data)
    except ValueError as exc:
        raise broken_entry(index, "not JSON") from exc
    if not isinstance(entry, dict):
        raise broken_entry(index, "not a JSON object")
    return entry


def broken_entry(index: int, why: str) -> BallotIntegrityError:
    return BallotIntegrityError(
        f"投票箱第 {index} 条记录与签名日志不符，已停止显示并需核查",
        f"entry {index} of the ballot box does not match its signed log ({why}); "
        "it is not shown until checked",
    )
