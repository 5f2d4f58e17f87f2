"""A ballot's timetable under the community's rules of procedure (议事规则), and the floors
the law puts under them. Pure: no clock is read here; callers pass ``now``.

    物业管理条例 §14   召开业主大会会议，应当于会议召开15日以前通知全体业主 — the notice
                       period is at least 15 days (a community may set more);
    杭州市物业管理条例  the written voting window lasts 5 to 60 days (the default bounds;
                       a community sets its own within 1–60);
    北京市物业管理条例 §37  the result is posted within 3 days of the count;
    民法典 §280         an owner may ask a court to annul a decision within one year, so the
                       record is kept at least that long.

The rules travel inside the committee-signed announcement, so a verifier checks a ballot's
timetable against the rules its own committee announced — and against the floors here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from voting.errors import VotingError

NOTICE_FLOOR_DAYS = 15
WINDOW_CEILING_DAYS = 60
RESULT_NOTICE_CEILING_DAYS = 3
RETENTION = timedelta(days=366)  # one year from the decision, leap day included
# How far in the past a drafted time may be: a committee member's clock runs a little off.
SKEW = timedelta(minutes=5)
# How far ahead a ballot may be announced to open: a notice older than a season is stale.
MAX_LEAD = timedelta(days=120)
REVOTE = ("final", "last")
RANKING = ("area", "headcount")


class ScheduleError(VotingError):
    """A timetable or a rule of procedure the law or the community's rules do not allow."""


def _days(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScheduleError(
            f"{name} 须为 {low} 至 {high} 之间的整数天数",
            f"{name} must be a whole number of days from {low} to {high}",
            where=name,
        )
    return value


@dataclass(frozen=True)
class Rules:
    """The parts of a community's rules of procedure that shape a ballot."""

    notice_days: int = NOTICE_FLOOR_DAYS
    objection_days: int = 7
    min_window_days: int = 5
    max_window_days: int = 60
    result_notice_days: int = RESULT_NOTICE_CEILING_DAYS
    revote: str = "final"  # once cast, final (as Chinese platforms do); or "last" counts
    proxy_cap: int = 1  # owners one person may represent in one ballot
    election_ranking: str = "area"  # seats by approving area, then headcount
    # "未投票视为同意多数": only where the rules say so and delivery was recorded
    # (沪02民初16号); this system does not count silence, so it must stay off.
    silent_majority: bool = False

    @classmethod
    def parse(cls, raw: object) -> Self:
        if not isinstance(raw, Mapping):
            raise ScheduleError("议事规则须为JSON对象", "the rules must be a JSON object")
        unknown = set(raw) - set(_SNAKE)
        if unknown:
            name = sorted(map(str, unknown))[0]
            raise ScheduleError(f"未知规则 {name}", f"unknown rule {name}", where=name)
        merged: dict[str, Any] = cls().to_json() | dict(raw)
        rules = cls(
            notice_days=_days(merged["noticeDays"], "noticeDays", NOTICE_FLOOR_DAYS, 90),
            objection_days=_days(merged["objectionDays"], "objectionDays", 1, 30),
            min_window_days=_days(merged["minWindowDays"], "minWindowDays", 1, WINDOW_CEILING_DAYS),
            max_window_days=_days(merged["maxWindowDays"], "maxWindowDays", 1, WINDOW_CEILING_DAYS),
            result_notice_days=_days(
                merged["resultNoticeDays"], "resultNoticeDays", 1, RESULT_NOTICE_CEILING_DAYS
            ),
            revote=merged["revote"],
            proxy_cap=_days(merged["proxyCap"], "proxyCap", 1, 20),
            election_ranking=merged["electionRanking"],
            silent_majority=merged["silentMajority"],
        )
        if rules.min_window_days > rules.max_window_days:
            raise ScheduleError(
                "最短表决期不能长于最长表决期",
                "the shortest window cannot be longer than the longest",
                where="minWindowDays",
            )
        if rules.revote not in REVOTE:
            raise ScheduleError(
                "revote 须为 final（投出即定）或 last（截止前以最后一次为准）",
                "revote must be final (a cast vote is final) or last (the last one counts)",
                where="revote",
            )
        if rules.election_ranking not in RANKING:
            raise ScheduleError(
                "electionRanking 须为 area（先比面积）或 headcount（先比人数）",
                "electionRanking must be area or headcount",
                where="electionRanking",
            )
        if rules.silent_majority is not False:
            raise ScheduleError(
                "本系统不把未投票视为同意：须有送达和提示记录的议事规则条款，当前不支持",
                "this system does not count silence as agreement (it needs recorded delivery "
                "and warning under the rules of procedure); silentMajority must be false",
                where="silentMajority",
            )
        return rules

    def to_json(self) -> dict[str, Any]:
        """As the signed announcement names them (camelCase, like every signed document)."""
        return {_CAMEL[k]: v for k, v in asdict(self).items()}


_CAMEL = {
    f: f.split("_")[0] + "".join(w.title() for w in f.split("_")[1:])
    for f in Rules.__dataclass_fields__
}
_SNAKE = {v: k for k, v in _CAMEL.items()}


@dataclass(frozen=True)
class Timetable:
    announced_at: datetime
    opens_at: datetime
    closes_at: datetime


def check_timetable(rules: Rules, t: Timetable) -> None:
    """What any verifier re-checks from the signed announcement alone (no clock)."""
    for when in (t.announced_at, t.opens_at, t.closes_at):
        if when.utcoffset() is None:
            raise ScheduleError("时间须带时区", "times need a time zone")
    if t.opens_at < t.announced_at + timedelta(days=rules.notice_days):
        raise ScheduleError(
            f"公告后须满 {rules.notice_days} 天才能开始投票（物业管理条例第十四条至少15日）",
            f"voting may open no sooner than {rules.notice_days} days after the notice "
            "(at least 15 days, Property Management Regulations §14)",
            where="opensAt",
        )
    window = t.closes_at - t.opens_at
    if window < timedelta(days=rules.min_window_days):
        raise ScheduleError(
            f"表决期至少 {rules.min_window_days} 天",
            f"the voting window must last at least {rules.min_window_days} days",
            where="closesAt",
        )
    if window > timedelta(days=rules.max_window_days):
        raise ScheduleError(
            f"表决期最长 {rules.max_window_days} 天",
            f"the voting window can last {rules.max_window_days} days at most",
            where="closesAt",
        )


def check_announcement(rules: Rules, t: Timetable, now: datetime) -> None:
    """What the server checks when the committee drafts an announcement at ``now``."""
    check_timetable(rules, t)
    if abs(t.announced_at - now) > SKEW:
        raise ScheduleError("公告时间须为现在", "the notice must be dated now", where="announcedAt")
    if t.opens_at > now + MAX_LEAD:
        raise ScheduleError(
            "开始时间最多安排在120天后",
            "a ballot can be announced to open at most 120 days ahead",
            where="opensAt",
        )


def objections_until(rules: Rules, closed_at: datetime) -> datetime:
    return closed_at + timedelta(days=rules.objection_days)


def result_due(rules: Rules, closed_at: datetime) -> datetime:
    """When the result must be posted at the latest (Beijing: within 3 days of the count)."""
    return closed_at + timedelta(days=rules.result_notice_days)
