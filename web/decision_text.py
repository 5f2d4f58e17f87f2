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


def what_it_decides(document: Mapping[str, Any]) -> list[str]:
    kind = document.get("type")
    ballot = _s(document, "ballot")
    if kind == "BallotOpened":
        census = document.get("census")
        census = census if isinstance(census, Mapping) else {}
        voters = census.get("voters")
        # As listed, a census shows its size (voterCount); the document signed holds the rows.
        count = len(voters) if isinstance(voters, list) else census.get("voterCount")
        lines = [
            f"开启表决「{_s(document, 'title')}」 / open the ballot “{_s(document, 'title')}”",
            f"  事项 / matter: {_s(document, 'matter')} {_s(document, 'matterName')}",
            f"  投票时间 / voting: {_s(document, 'opensAt')} – {_s(document, 'closesAt')}",
        ]
        if isinstance(count, int) and not isinstance(count, bool):
            lines.append(f"  名册 / census: {count} 名投票人 / voters")
        if "amountFen" in document:
            lines.append(f"  金额 / amount: ¥{_yuan(document.get('amountFen'))}")
        lines.append(f"  表决 / ballot: {ballot}")
        return lines
    if kind == "BallotCancelled":
        return [
            f"取消表决 / cancel the ballot {ballot}",
            f"  理由 / reason: {_s(document, 'reason')}",
        ]
    if kind == "BallotResult":
        outcome = document.get("outcome")
        passed = outcome.get("passed") if isinstance(outcome, Mapping) else None
        verdict = (
            "见全文 / see the full text"
            if not isinstance(passed, bool)
            else ("通过 / passed" if passed else "未通过 / not passed")
        )
        return [
            f"结束表决并公布结果 / close the ballot and publish its result: {ballot}",
            f"  截止 / closed at: {_s(document, 'closedAt')}",
            f"  选票 / votes: {_s(document, 'votes')}（票箱 / box size {_s(document, 'boxSize')}）",
            f"  结果 / outcome: {verdict}",
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
