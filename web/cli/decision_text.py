"""A committee decision or a queued credential in plain words, for a member about to sign.

Each function returns lines, Chinese then English; the full document is always shown too,
so nothing the member signs is hidden behind a summary. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from identity.community.member_device import PendingDecision, QueuedOwnership


def _yuan(fen: object) -> str:
    if not isinstance(fen, int) or isinstance(fen, bool):
        return str(fen)[:40]
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _area(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d} m²"


def _s(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    return str(value)[:200] if value is not None else "—"


def _item_lines(document: Mapping[str, Any]) -> list[str]:
    items = document.get("items")
    lines = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        lines.append(
            f"  事项 {_s(item, 'id')} / item {_s(item, 'id')}: {_s(item, 'title')}"
            f"（第 {_s(item, 'matter')} 项 {_s(item, 'matterName')}）"
        )
        if "amountFen" in item:
            lines.append(f"    金额 / amount: ¥{_yuan(item.get('amountFen'))}")
        if item.get("kind") == "election":
            lines.append(f"    选举 {_s(item, 'seats')} 席 / elect {_s(item, 'seats')} seats")
    return lines


def _verdicts(document: Mapping[str, Any]) -> list[str]:
    items = document.get("items")
    lines = []
    for item in items if isinstance(items, list) else []:
        outcome = item.get("outcome") if isinstance(item, Mapping) else None
        if not isinstance(outcome, Mapping):
            continue
        if "elected" in outcome:
            verdict = f"当选 / elected: {', '.join(map(str, outcome['elected'])) or '—'}"
        else:
            verdict = "通过 / passed" if outcome.get("passed") else "未通过 / not passed"
        lines.append(f"  事项 {_s(item, 'id')} / item {_s(item, 'id')}: {verdict}")
    return lines


def what_it_decides(document: Mapping[str, Any]) -> list[str]:
    kind = document.get("type")
    ballot = _s(document, "ballot")
    if kind == "BallotAnnounced":
        return [
            f"公告表决「{_s(document, 'title')}」 / announce the ballot “{_s(document, 'title')}”",
            *_item_lines(document),
            f"  投票时间 / voting: {_s(document, 'opensAt')} – {_s(document, 'closesAt')}",
            f"  表决 / ballot: {ballot}",
        ]
    if kind == "BallotOpened":
        census = document.get("census")
        census = census if isinstance(census, Mapping) else {}
        voters = census.get("voters")
        # As listed, a census shows its size (voterCount); the document signed holds the rows.
        count = len(voters) if isinstance(voters, list) else census.get("voterCount", "—")
        return [
            f"开始投票并冻结名册 / open voting and freeze the census: {ballot}",
            f"  名册 / census: {str(count)[:20]} 名投票人 / voters",
        ]
    if kind == "BallotCancelled":
        return [
            f"取消表决 / cancel the ballot {ballot}",
            f"  理由 / reason: {_s(document, 'reason')}",
        ]
    if kind == "BallotResult":
        return [
            f"结束表决并公布初步结果 / close the ballot and publish its result: {ballot}",
            f"  截止 / closed at: {_s(document, 'closedAt')}",
            f"  选票 / votes: {_s(document, 'votes')}（票箱 / box size {_s(document, 'boxSize')}）",
            *_verdicts(document),
            f"  异议期至 / objections until: {_s(document, 'objectionsUntil')}",
        ]
    if kind == "ObjectionAnswered":
        return [
            f"答复第 {_s(document, 'objection')} 条异议 / answer objection "
            f"{_s(document, 'objection')}: {ballot}",
            f"  答复 / answer: {_s(document, 'answer')}",
        ]
    if kind == "BallotFinal":
        return [
            f"最终确认表决结果 / confirm the final result: {ballot}",
            f"  保存至 / kept until: {_s(document, 'retainUntil')}",
        ]
    if kind == "VoterKeyChanged":
        return [
            f"更换投票人 {_s(document, 'voter')} 的密钥 / re-key voter {_s(document, 'voter')}",
            f"  旧 / old: {_s(document, 'oldDid')}",
            f"  新 / new: {_s(document, 'newDid')}",
            f"  表决 / ballot: {ballot}",
        ]
    return [f"{str(kind)[:80]}：请阅读下方全文 / {str(kind)[:80]}: read the full text below"]


def summary(decision: PendingDecision) -> list[str]:
    """What the decision does, who has signed, how many more are needed."""
    signed = len(decision.signers)
    return [
        f"[{decision.id}] {decision.type}",
        *what_it_decides(decision.document),
        f"  已签 {signed} 人，共 {decision.members} 名委员，需 {decision.needed} 人，"
        f"还差 {decision.missing} 人 / signed by {signed} of {decision.members} members, "
        f"{decision.needed} needed, {decision.missing} more to go",
        *(f"    ✓ {did}" for did in decision.signers),
    ]


def credential_lines(queued: QueuedOwnership) -> list[str]:
    units = ", ".join(f"{u.unit_id} ({_area(u.area)})" for u in queued.units)
    total = _area(sum(u.area for u in queued.units))
    return [
        f"业主身份凭证 / ownership credential for {queued.owner}",
        f"  房屋 / units: {units}",
        f"  合计面积 / total area: {total}",
    ]
