"""The result notice (表决结果公告): what it states, worked out from the signed box entries.

Pure: `notice_model` reads a ballot's BallotAnnounced, its BallotResult and, once there, its
BallotFinal (parsed JSON, box format v2) and returns every sentence and figure the notice
prints; the page (web/pages/templates/notice.html) and the PDF (`web.pages.notice_pdf`) only lay
them out, so both say the same. The words are `web.pages.notice_text`'s: Chinese, the official
text, or (``lang="en"``) an English translation of it with the very same figures. Beijing's
rules have it posted within 3 days of the close (北京条例 §37); the committee prints it, and
the QR code on it leads to the verification page.

What it never holds: names, ID or phone numbers. The entries carry unit numbers, areas and
counts, and an election's candidates only by the `label` the committee signed into the
announcement. Percentages are truncated to two decimals in integer arithmetic, as on every
page (`web.pages.result_view.percent_text`); the
outcome itself is the signed result's, and is refused (`NoticeError`) if the figures beside
it do not bear it out under Civil Code Art. 278 — a notice never states what its own numbers
contradict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import segno

from identity.community.trustfile import PinnedTrust, parse_trust, trust_link
from voting.area import Area
from voting.errors import VotingError
from voting.matters import MAJORITY, QUORUM, THREE_QUARTERS, Matter, Threshold
from web.pages.notice_text import notice_words
from web.pages.result_view import percent_text
from web.trust_qr import trust_qr

BEIJING = timezone(timedelta(hours=8))  # China keeps one zone and no summer time
_SUM = re.compile(r"([0-9]{1,15})\.([0-9]{2})", re.ASCII)


class NoticeError(VotingError):
    """The entries cannot make a notice: malformed, of another ballot, or a result whose
    figures do not bear out its outcome."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of an item's table: an area and a headcount, each with its share of `of`."""

    label: str  # 全体业主 / 参与表决 / 同意 … (All owners / Voted / Agree …)
    area: str  # "12,345.67" (m²)
    area_share: str  # "66.66%" (truncated), or "—" for a zero whole
    headcount: int
    headcount_share: str
    of: str  # what the shares are of: "" / "占全体业主" / "占参与表决" (in the notice's words)


@dataclass(frozen=True, slots=True)
class Candidate:
    label: str  # as the committee's announcement designates the candidate
    approvals: Figure  # shares of the participating area and headcount
    eligible: bool  # more than half of both, and the item's quorum met
    elected: bool
    verdict: str  # 当选 / 过半数，未当选 / 未当选, in the notice's words


@dataclass(frozen=True, slots=True)
class NoticeItem:
    number: int  # 1-based, in the announcement's order
    id: str
    kind: str  # motion | election
    title: str
    matter: str  # "民法典第二百七十八条第一款第（五）项：使用……维修资金"
    amount: str | None  # "¥12,345.67" for a matter-5 spending, when the announcement has one
    rule: str  # the rule in plain words
    figures: tuple[Figure, ...]  # totals, participation, and for a motion its three choices
    seats: int | None
    candidates: tuple[Candidate, ...]
    passed: bool  # a motion passed; an election filled at least one seat
    outcome: str  # the outcome in plain words
    reasons: tuple[str, ...]  # why, one sentence per bar


@dataclass(frozen=True, slots=True)
class NoticeModel:
    ballot: str  # the box's origin
    community: str
    title: str
    heading: str
    final: bool
    stage: str  # 初步结果（异议期内） / 最终结果, in the notice's words
    intro: str
    items: tuple[NoticeItem, ...]
    status: tuple[str, ...]  # the objection window, or how it ended
    verify_url: str
    verify_text: str
    published: str  # 2026年5月4日 (4 May 2026)
    signer: str  # who publishes it
    privacy: str
    trust: PinnedTrust
    words: Mapping[str, str]  # `web.pages.notice_text`'s, for the labels the page lays out

    def qr(self) -> segno.QRCode:
        """The QR code printed on the notice: the verification page, carrying the trust file."""
        return trust_qr(self.trust, verify_url=self.verify_url)


def percent(part: int, whole: int) -> str:
    """``part/whole`` as every page writes a share (`web.pages.result_view.percent_text`:
    two decimals, truncated, in integers only); "—" for a zero whole."""
    if whole <= 0:
        return "—"
    return percent_text(part, whole)


def area_text(area: Area) -> str:
    whole, frac = divmod(area.hundredths, 100)
    return f"{whole:,}.{frac:02d}"


def _when(w: Mapping[str, str], t: datetime, key: str = "at") -> str:
    """`t` in Beijing time as the notice writes it (`key` "date" for the day alone): the
    month from the words, never the locale's, so a server's settings cannot change it."""
    b = t.astimezone(BEIJING)
    month = w["months"].split()[b.month - 1]
    return w[key].format(year=b.year, month=month, day=b.day, hm=f"{b:%H:%M}")


# --- reading the entries ------------------------------------------------------------------


def _field(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise NoticeError(
            f"{where}.{key} 缺失或类型不对", f"{where}.{key} is missing or of the wrong type"
        )
    return value


def _entry(obj: object, kind: str, where: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping) or obj.get("type") != kind:
        raise NoticeError(f"{where} 不是 {kind} 记录", f"{where} is not a {kind} entry")
    return obj


def _time(obj: Mapping[str, Any], key: str, where: str) -> datetime:
    text = _field(obj, key, str, where)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        t = None
    if t is None or t.tzinfo is None or not text.endswith("Z"):
        raise NoticeError(
            f"{where}.{key} 不是 UTC 时间（…Z）", f"{where}.{key} is not a UTC time (...Z)"
        )
    return t


def _tally(obj: Mapping[str, Any], key: str, where: str) -> tuple[Area, int]:
    tally = _field(obj, key, Mapping, where)
    headcount = _field(tally, "headcount", int, f"{where}.{key}")
    # A sum, as `Tally.to_json` writes it ("0.00" included): exactly two decimals.
    match = _SUM.fullmatch(_field(tally, "area", str, f"{where}.{key}"))
    if match is None:
        raise NoticeError(
            f"{where}.{key}.area 不是两位小数的面积",
            f"{where}.{key}.area is not an area like 12.34",
        )
    area = Area(int(match[1]) * 100 + int(match[2]))
    if headcount < 0:
        raise NoticeError(f"{where}.{key} 人数为负", f"{where}.{key} has a negative headcount")
    return area, headcount


def _figure(label: str, part: tuple[Area, int], whole: tuple[Area, int], of: str) -> Figure:
    return Figure(
        label=label,
        area=area_text(part[0]),
        area_share=percent(part[0].hundredths, whole[0].hundredths) if of else "",
        headcount=part[1],
        headcount_share=percent(part[1], whole[1]) if of else "",
        of=of,
    )


def _met(threshold: Threshold, part: tuple[Area, int], whole: tuple[Area, int]) -> bool:
    return all(_each(threshold, part, whole))


def _each(
    threshold: Threshold, part: tuple[Area, int], whole: tuple[Area, int]
) -> tuple[bool, bool]:
    """Whether `part` reaches `threshold` of `whole` by area, and by headcount."""
    return (
        threshold.met(part[0].hundredths, whole[0].hundredths),
        threshold.met(part[1], whole[1]),
    )


# Each bar of Art. 278 by the name its words go by in `web.pages.notice_text`.
_BARS = {QUORUM: "two_thirds", THREE_QUARTERS: "three_quarters", MAJORITY: "majority"}


def _verdict(w: Mapping[str, str], threshold: Threshold, met: tuple[bool, bool]) -> str:
    """ "均达到三分之二以上" / "面积过半数，人数未过半数" …: which of the two bars are reached."""
    said = [w[("met_" if m else "unmet_") + _BARS[threshold]] for m in met]
    if met[0] == met[1]:
        return w["met_both"].format(verdict=said[0])
    return w["met_split"].format(area=said[0], headcount=said[1])


def _disagree(where: str, what: str, en: str) -> NoticeError:
    return NoticeError(
        f"{where}：签署的结果称{what}，但其数字并不支持",
        f"{where}: the signed result says {en}, which its own figures do not bear out",
    )


# --- the words ----------------------------------------------------------------------------


def _bar(w: Mapping[str, str], threshold: Threshold) -> str:
    return w["bar_" + _BARS[threshold]]


def _quorum_rule(w: Mapping[str, str]) -> str:
    return w["rule_quorum"].format(bar=_bar(w, QUORUM))


def _motion_rule(w: Mapping[str, str], matter: Matter) -> str:
    return w["rule_motion"].format(quorum=_quorum_rule(w), bar=_bar(w, matter.approval))


def _election_rule(w: Mapping[str, str], seats: int, ranking: str) -> str:
    return w["rule_election"].format(
        quorum=_quorum_rule(w), bar=_bar(w, MAJORITY), order=w[f"order_{ranking}"], seats=seats
    )


def _reason(
    w: Mapping[str, str],
    key: str,
    part: tuple[Area, int],
    whole: tuple[Area, int],
    threshold: Threshold,
) -> str:
    """Why a bar is met or not (`key`: reason_turnout | reason_agree), with both shares."""
    return w[key].format(
        area=percent(part[0].hundredths, whole[0].hundredths),
        headcount=percent(part[1], whole[1]),
        verdict=_verdict(w, threshold, _each(threshold, part, whole)),
    )


def _matter_text(lang: str, matter: Matter) -> str:
    w = notice_words(lang)
    return w["matter"].format(
        n=w["numerals"][matter], name=matter.en if lang == "en" else matter.zh
    )


def _amount(item: Mapping[str, Any], where: str) -> str | None:
    if "amountFen" not in item:
        return None
    fen = _field(item, "amountFen", int, where)
    if fen < 0:
        raise NoticeError(f"{where}.amountFen 为负", f"{where}.amountFen is negative")
    yuan, cents = divmod(fen, 100)
    return f"¥{yuan:,}.{cents:02d}"


def _common(
    w: Mapping[str, str], announced_item: Mapping[str, Any], outcome: Mapping[str, Any], where: str
) -> tuple[Matter, tuple[Area, int], tuple[Area, int], bool, list[Figure]]:
    try:
        matter = Matter.parse(announced_item.get("matter"))
    except VotingError as exc:
        raise NoticeError(exc.zh, exc.en, where=f"{where}.matter") from None
    total = _tally(outcome, "total", where)
    part = _tally(outcome, "participating", where)
    if part[0] > total[0] or part[1] > total[1]:
        raise NoticeError(
            f"{where}：参与表决多于全体业主", f"{where}: more took part than there are owners"
        )
    quorum = _met(QUORUM, part, total)
    absent = (Area(total[0].hundredths - part[0].hundredths), total[1] - part[1])
    figures = [
        _figure(w["row_total"], total, total, ""),
        _figure(w["row_voted"], part, total, w["of_total"]),
        _figure(w["row_absent"], absent, total, w["of_total"]),
    ]
    return matter, total, part, quorum, figures


def _motion(
    lang: str, number: int, item: Mapping[str, Any], outcome: Mapping[str, Any], where: str
) -> NoticeItem:
    w = notice_words(lang)
    matter, total, part, quorum, figures = _common(w, item, outcome, where)
    if matter is Matter.COMMITTEE:
        raise NoticeError(
            f"{where}：选举业主委员会须为选举事项",
            f"{where}: electing the committee must be an election item",
        )
    choices = {c: _tally(outcome, c, where) for c in ("agree", "oppose", "abstain")}
    for key in ("agree", "oppose", "abstain"):
        figures.append(_figure(w[f"row_{key}"], choices[key], part, w["of_voting"]))
    approved = _met(matter.approval, choices["agree"], part)
    passed = quorum and approved
    signed = _field(outcome, "passed", bool, where)
    if signed != passed:
        raise _disagree(where, "通过" if signed else "未通过", "passed" if signed else "failed")
    reasons = [_reason(w, "reason_turnout", part, total, QUORUM)]
    if quorum:
        reasons.append(_reason(w, "reason_agree", choices["agree"], part, matter.approval))
    return NoticeItem(
        number=number,
        id=item["id"],
        kind="motion",
        title=_field(item, "title", str, where),
        matter=_matter_text(lang, matter),
        amount=_amount(item, where) if matter is Matter.USE_MAINTENANCE_FUND else None,
        rule=_motion_rule(w, matter),
        figures=tuple(figures),
        seats=None,
        candidates=(),
        passed=passed,
        outcome=w["passed" if passed else "failed"],
        reasons=tuple(reasons),
    )


def _election(
    lang: str,
    number: int,
    item: Mapping[str, Any],
    outcome: Mapping[str, Any],
    ranking: str,
    where: str,
) -> NoticeItem:
    w = notice_words(lang)
    matter, total, part, quorum, figures = _common(w, item, outcome, where)
    if matter is not Matter.COMMITTEE:
        raise NoticeError(
            f"{where}：选举事项须为第（三）项", f"{where}: an election item must be matter 3"
        )
    seats = _field(item, "seats", int, where)
    labels = {
        _field(c, "id", str, f"{where}.candidates"): _field(c, "label", str, f"{where}.candidates")
        for c in _field(item, "candidates", list, where)
        if isinstance(c, Mapping)
    }
    rows = _field(outcome, "candidates", list, f"{where}.outcome")
    elected_ids: list[str] = _field(outcome, "elected", list, f"{where}.outcome")
    if not all(isinstance(c, str) for c in elected_ids) or len(set(elected_ids)) != len(
        elected_ids
    ):
        raise NoticeError(f"{where}：当选名单无效", f"{where}: the list of the elected is invalid")
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        at = f"{where}.outcome.candidates[{i}]"
        if not isinstance(row, Mapping):
            raise NoticeError(f"{at} 不是对象", f"{at} is not an object")
        cid = _field(row, "id", str, at)
        if cid not in labels or cid in seen:
            raise NoticeError(
                f"{at}：候选人 {cid} 不在公告的候选人中或重复",
                f"{at}: candidate {cid} is not on the announced list, or listed twice",
            )
        seen.add(cid)
        approvals = _tally(row, "approvals", at)
        eligible = quorum and _met(MAJORITY, approvals, part)
        if _field(row, "eligible", bool, at) != eligible:
            raise _disagree(at, "候选人符合当选条件与否", "whether the candidate is eligible")
        chosen = cid in elected_ids
        if chosen and not eligible:
            raise _disagree(at, "不符合条件的候选人当选", "an ineligible candidate is elected")
        share = _figure(w["row_approve"], approvals, part, w["of_voting"])
        said = "elected" if chosen else "eligible" if eligible else "not_elected"
        verdict = w[f"verdict_{said}"]
        candidates.append(Candidate(labels[cid], share, eligible, chosen, verdict))
    if seen != set(labels) or len(elected_ids) > seats or not set(elected_ids) <= seen:
        raise NoticeError(
            f"{where}：结果的候选人或当选人与公告不符",
            f"{where}: the result's candidates or elected do not match the announcement",
        )
    # In seat order, as the signed result lists them.
    elected = [labels[cid] for cid in elected_ids]
    tie = _field(outcome, "unresolved_tie", bool, f"{where}.outcome")
    reasons = [_reason(w, "reason_turnout", part, total, QUORUM)]
    if not quorum:
        text = w["no_quorum_nobody"]
    elif elected:
        names = w["names_sep"].join(elected)
        text = w["elected"].format(names=names, seats=seats, count=len(elected))
    else:
        text = w["nobody_elected"]
    if quorum and len(elected) < seats:
        reasons.append(w["seats_unfilled"].format(seats=seats - len(elected)))
    if tie:
        reasons.append(w["tie"])
    return NoticeItem(
        number=number,
        id=item["id"],
        kind="election",
        title=_field(item, "title", str, where),
        matter=_matter_text(lang, matter),
        amount=None,
        rule=_election_rule(w, seats, ranking),
        figures=tuple(figures),
        seats=seats,
        candidates=tuple(candidates),
        passed=bool(elected),
        outcome=text,
        reasons=tuple(reasons),
    )


def _items(
    lang: str, announced: Mapping[str, Any], result: Mapping[str, Any], ranking: str
) -> tuple[NoticeItem, ...]:
    agenda = _field(announced, "items", list, "BallotAnnounced")
    decided: dict[str, Mapping[str, Any]] = {}
    for i, row in enumerate(_field(result, "items", list, "BallotResult")):
        if isinstance(row, Mapping) and isinstance(row.get("id"), str):
            decided[row["id"]] = row
        else:
            raise NoticeError(
                f"BallotResult.items[{i}] 无效", f"BallotResult.items[{i}] is invalid"
            )
    out: list[NoticeItem] = []
    for n, item in enumerate(agenda, start=1):
        where = f"items[{n - 1}]"
        if not isinstance(item, Mapping):
            raise NoticeError(f"{where} 不是对象", f"{where} is not an object")
        item_id = _field(item, "id", str, where)
        row = decided.pop(item_id, None)
        kind = item.get("kind")
        if row is None or row.get("kind") != kind or kind not in ("motion", "election"):
            raise NoticeError(
                f"{where}：结果中没有第 {item_id} 项或类型不符",
                f"{where}: the result has no item {item_id} of that kind",
            )
        outcome = _field(row, "outcome", Mapping, where)
        if kind == "election":
            out.append(_election(lang, n, item, outcome, ranking, where))
        else:
            out.append(_motion(lang, n, item, outcome, where))
    if decided or not out:
        raise NoticeError(
            f"结果含公告议程以外的事项：{sorted(decided)}",
            f"the result decides items outside the announced agenda: {sorted(decided)}",
        )
    return tuple(out)


def _same_ballot(announced: Mapping[str, Any], other: Mapping[str, Any], where: str) -> None:
    for key in ("ballot", "community"):
        if other.get(key) != announced.get(key):
            raise NoticeError(
                f"{where} 属于另一个表决（{key} 不同）",
                f"{where} belongs to another ballot (its {key} differs)",
            )


def notice_model(
    announced: dict[str, Any],
    result: dict[str, Any],
    final: dict[str, Any] | None,
    *,
    verify_url: str,
    trust: dict[str, Any],
    community_name: str | None = None,
    lang: str = "zh",
) -> NoticeModel:
    """What the result notice states, from the box's BallotAnnounced, BallotResult and (after
    the objection window) BallotFinal; `trust` is the pinned trust file's JSON the QR code
    carries beside `verify_url`. In Chinese, the official text, or with ``lang="en"`` in
    English: the same checks and figures, other words. Raises `NoticeError` (or
    `TrustFileError`) on bad input."""
    w = notice_words(lang)
    a = _entry(announced, "BallotAnnounced", "BallotAnnounced")
    r = _entry(result, "BallotResult", "BallotResult")
    _same_ballot(a, r, "BallotResult")
    f = None if final is None else _entry(final, "BallotFinal", "BallotFinal")
    if f is not None:
        _same_ballot(a, f, "BallotFinal")
    pinned = parse_trust(trust)
    trust_link(verify_url, pinned)  # a bad page address is refused here, not when printing
    rules = _field(a, "rules", Mapping, "BallotAnnounced")
    ranking = rules.get("electionRanking", "area")
    if ranking not in ("area", "headcount"):
        raise NoticeError("rules.electionRanking 无效", "rules.electionRanking is invalid")
    slug = _field(a, "community", str, "BallotAnnounced")
    community = community_name or slug
    title = _field(a, "title", str, "BallotAnnounced")
    opens = _time(a, "opensAt", "BallotAnnounced")
    closes = _time(a, "closesAt", "BallotAnnounced")
    closed = _time(r, "closedAt", "BallotResult")
    until = _time(r, "objectionsUntil", "BallotResult")
    votes = _field(r, "votes", int, "BallotResult")
    items = _items(lang, a, r, ranking)
    # A ballot the committee closed early did not run to its announced end: say so.
    window = w["window_on_time" if closed >= closes else "window_early"].format(
        opens=_when(w, opens), closes=_when(w, closes), closed=_when(w, closed)
    )
    intro = w["intro"].format(community=community, title=title, window=window, votes=votes)
    if f is None:
        stage = w["stage_preliminary"]
        published = closed
        status: tuple[str, ...] = (
            w["status_preliminary"],
            w["status_objections"].format(until=_when(w, until)),
        )
    else:
        final_at = _time(f, "finalAt", "BallotFinal")
        if final_at < until:
            raise NoticeError(
                "最终结果早于异议期届满",
                "the final result predates the end of the objection window",
            )
        answered = len(_field(f, "objections", list, "BallotFinal"))
        retain = _time(f, "retainUntil", "BallotFinal")
        stage = w["stage_final"]
        published = final_at
        objections = (
            w["objections_answered"].format(count=answered) if answered else w["no_objections"]
        )
        status = (
            w["status_final"],
            w["status_window_over"].format(until=_when(w, until), objections=objections),
            w["retention"].format(day=_when(w, retain, "date")),
        )
    return NoticeModel(
        ballot=_field(a, "ballot", str, "BallotAnnounced"),
        community=community,
        title=title,
        heading=w["heading"].format(community=community),
        final=f is not None,
        stage=stage,
        intro=intro,
        items=items,
        status=status,
        verify_url=verify_url,
        verify_text=w["verify"].format(
            url=verify_url, chain=pinned.chain_id, contract=pinned.contract
        ),
        published=_when(w, published, "date"),
        signer=w["signer"].format(community=community),
        privacy=w["privacy"],
        trust=pinned,
        words=w,
    )
