"""Box entries (format v2) of a decided ballot on the demo community's register, for the
result notice's tests: BallotAnnounced, BallotResult and BallotFinal as parsed JSON.

The census is folded from the demo register the way the census freeze does it (a buyer of
several units once, all developer units as one, a co-owned unit through its designated
voter), with voter keys ``V0001``… and no names; the votes are drawn from a seeded
generator. Motions are decided by `voting.rules.evaluate`; the election's outcome is built
here in the shape ballot_v2 gives `ElectionOutcome.to_json()`.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from typing import Any

from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from voting.census import NOBODY, Census, Tally
from voting.matters import Matter
from voting.rules import Choice, evaluate
from web.demo.community import SLUG
from web.demo.register import demo_register_csv

ORIGIN = "gongzhi.test/ballot/7"
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TRUST_ROOT = KeyPair.from_private_bytes(KeyType.ED25519, bytes(32)).did.value
TRUST: dict[str, Any] = {
    "type": "GongzhiTrust",
    "version": 1,
    "chainId": 31337,
    "contract": CONTRACT,
    "roots": [TRUST_ROOT],
}
VERIFY_URL = "https://gongzhi.test/ballots/7"
CANDIDATES = [
    {"id": "c1", "label": "候选人甲（1-1-101）"},
    {"id": "c2", "label": "候选人乙（2-2-502）"},
    {"id": "c3", "label": "候选人丙（5-1-302）"},
]


@dataclass(frozen=True)
class Register:
    census: Census
    personal: frozenset[str]  # every name, ID number and phone number in the register


def demo_register() -> Register:
    rows = list(csv.DictReader(io.StringIO(demo_register_csv().decode())))
    holders: dict[str, str] = {}
    units = []
    personal: set[str] = set()
    for row in rows:
        personal |= {row["业主姓名"], row["证件号码"], row["手机号"]}
        if row["表决人"] != "是":
            continue
        who = "developer" if row["开发商持有"] == "是" else row["证件号码"]
        holder = holders.setdefault(who, f"V{len(holders) + 1:04d}")
        units.append(
            {
                "id": row["房号"],
                "area": row["专有部分面积"],
                "holder": holder,
                "developer": row["开发商持有"] == "是",
            }
        )
    return Register(Census.from_json(units), frozenset(personal))


def _sum(census: Census, holders: list[str]) -> Tally:
    total = NOBODY
    for h in holders:
        total = total + Tally(census.voter(h).area, 1)
    return total


def _election(census: Census, approvals: dict[str, list[str]], seats: int) -> dict[str, Any]:
    """An election outcome as ballot_v2 specifies `ElectionOutcome.to_json()`; `approvals`
    maps each voter who took part to the candidates they approved."""
    participating = _sum(census, list(approvals))
    total = census.total
    quorum = (
        3 * participating.area.hundredths >= 2 * total.area.hundredths
        and 3 * participating.headcount >= 2 * total.headcount
    )
    rows: list[dict[str, Any]] = []
    rank: dict[str, tuple[int, int]] = {}
    for c in CANDIDATES:
        t = _sum(census, [h for h, chosen in approvals.items() if c["id"] in chosen])
        by_area = 2 * t.area.hundredths > participating.area.hundredths
        by_heads = 2 * t.headcount > participating.headcount
        rows.append(
            {
                "id": c["id"],
                "label": c["label"],
                "approvals": t.to_json(),
                "area_share": f"{t.area.hundredths}/{participating.area.hundredths}",
                "headcount_share": f"{t.headcount}/{participating.headcount}",
                "majority_by_area": by_area,
                "majority_by_headcount": by_heads,
                "eligible": quorum and by_area and by_heads,
            }
        )
        rank[c["id"]] = (t.area.hundredths, t.headcount)
    eligible = sorted((r["id"] for r in rows if r["eligible"]), key=rank.__getitem__, reverse=True)
    return {
        "total": total.to_json(),
        "participating": participating.to_json(),
        "quorum": {"area_met": quorum, "headcount_met": quorum},
        "candidates": rows,
        "elected": eligible[:seats],
        "unresolved_tie": False,
    }


def entries(
    *, seed: int = 9, turnout: float = 0.8
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], Register]:
    """(announced, result, final, register) of a three-item ballot: a spending from the
    maintenance fund (matter 5), a rebuilding (matter 7, three quarters) and an election of
    two committee members among three candidates."""
    register = demo_register()
    census = register.census
    rng = random.Random(seed)
    holders = sorted(census.voters)
    voted = [h for h in holders if rng.random() < turnout]
    spend = {h: rng.choice([Choice.AGREE] * 6 + [Choice.OPPOSE, Choice.ABSTAIN]) for h in voted}
    rebuild = {h: rng.choice([Choice.AGREE, Choice.AGREE, Choice.OPPOSE]) for h in voted}
    # c1 and c2 drawn as often, c3 seldom kept: two win, one falls short of half.
    ballots = {
        h: [c for c in rng.sample(["c1", "c2", "c3"], 2) if c != "c3" or rng.random() < 0.4]
        for h in voted
    }
    common = {"ballot": ORIGIN, "community": SLUG, "registration": "ab" * 32}
    announced = {
        "type": "BallotAnnounced",
        **common,
        "title": "2026年度业主大会：维修资金、外立面改造与增补业委会委员",
        "text": "详见附件。",
        "items": [
            {
                "id": "1",
                "kind": "motion",
                "matter": 5,
                "matterName": Matter(5).zh,
                "title": "使用维修资金更换3号楼电梯",
                "text": "更换3号楼两部电梯。",
                "attachments": [{"name": "报价单.pdf", "sha256": "cd" * 32}],
                "amountFen": 123_456_789,
            },
            {
                "id": "2",
                "kind": "motion",
                "matter": 7,
                "matterName": Matter(7).zh,
                "title": "外立面改造",
                "text": "对1至6号楼外立面进行改造。",
                "attachments": [],
            },
            {
                "id": "3",
                "kind": "election",
                "matter": 3,
                "matterName": Matter(3).zh,
                "title": "增补业主委员会委员",
                "text": "增补两名委员。",
                "attachments": [],
                "seats": 2,
                "candidates": CANDIDATES,
            },
        ],
        "rules": {
            "noticeDays": 15,
            "objectionDays": 7,
            "minWindowDays": 5,
            "maxWindowDays": 60,
            "resultNoticeDays": 3,
            "revote": "final",
            "proxyCap": 1,
            "electionRanking": "area",
            "silentMajority": False,
        },
        "announcedAt": "2026-03-01T02:00:00Z",
        "opensAt": "2026-03-16T02:00:00Z",
        "closesAt": "2026-04-15T10:00:00Z",
        "logKey": "gongzhi.test/ballot/7+0a1b2c3d+AQ==",
    }
    result = {
        "type": "BallotResult",
        **common,
        "closedAt": "2026-04-15T10:05:00Z",
        "votes": len(voted),
        "boxSize": len(voted) + 3,
        "objectionsUntil": "2026-04-22T10:05:00Z",
        "items": [
            {"id": "1", "kind": "motion", "outcome": evaluate(Matter(5), census, spend).to_json()},
            {
                "id": "2",
                "kind": "motion",
                "outcome": evaluate(Matter(7), census, rebuild).to_json(),
            },
            {"id": "3", "kind": "election", "outcome": _election(census, ballots, 2)},
        ],
    }
    final = {
        "type": "BallotFinal",
        **common,
        "finalAt": "2026-04-23T01:30:00Z",
        "result": len(voted) + 2,
        "objections": [len(voted) + 3],
        "retainUntil": "2027-04-23T01:30:00Z",
    }
    return announced, result, final, register
