"""Builders of disclosure-log entries for the ledger disclosure tests: bodies whose figures add
up (unless told otherwise), entries signed by fixed keys, and ballot-result evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from identity.dataintegrity import sign_json
from identity.didkey import KeyType
from identity.jcs import canonical
from identity.keys import KeyPair
from ledger.merkle import leaf_hash

HOST = "gongzhi.example"
SLUG = "xianxia"
ORIGIN = f"{HOST}/c/{SLUG}/disclosures"
BALLOT = f"{HOST}/c/{SLUG}/ballots/7"

MANAGER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
COMMITTEE = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(2, 34)))
OWNER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(3, 35)))
OTHER_OWNER = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(4, 36)))

Lines = Sequence[tuple[str, int]]


def lines(items: Lines) -> list[dict[str, Any]]:
    return [{"category": c, "amountFen": a} for c, a in items]


def income_expense(
    *,
    account: str = "物业服务费",
    period: str = "2026-01",
    opening: int = 0,
    income: Lines = (("物业服务费", 520_000), ("停车管理费", 80_000)),
    expense: Lines = (("保洁", 150_000), ("秩序维护", 200_000), ("公共水电", 45_678)),
) -> dict[str, Any]:
    ti, te = sum(a for _, a in income), sum(a for _, a in expense)
    return {
        "account": account,
        "period": period,
        "openingFen": opening,
        "income": lines(income),
        "expense": lines(expense),
        "totalIncomeFen": ti,
        "totalExpenseFen": te,
        "closingFen": opening + ti - te,
    }


def maintenance_fund(
    *,
    account: str = "全体业主维修资金",
    period: str = "2026-01",
    opening: int = 10_000_000,
    deposits: int = 300_000,
    interest: int = 12_345,
    spending: Sequence[tuple[str, int, dict[str, Any]]] = (),
) -> dict[str, Any]:
    total = sum(a for _, a, _ in spending)
    return {
        "account": account,
        "period": period,
        "openingFen": opening,
        "depositsFen": deposits,
        "interestFen": interest,
        "spending": [{"item": i, "amountFen": a, "approval": ref} for i, a, ref in spending],
        "totalSpendingFen": total,
        "closingFen": opening + deposits + interest - total,
    }


def common_area(
    *,
    account: str = "共有部分经营收益",
    period: str = "2026-01",
    opening: int = 0,
    income: Lines = (("电梯广告", 120_000), ("地面停车位租金", 300_000)),
    costs: Lines = (("代收管理成本", 42_000),),
    disbursements: Lines = (),
) -> dict[str, Any]:
    ti, tc, td = (sum(a for _, a in x) for x in (income, costs, disbursements))
    return {
        "account": account,
        "period": period,
        "openingFen": opening,
        "income": lines(income),
        "costs": lines(costs),
        "totalIncomeFen": ti,
        "totalCostFen": tc,
        "netFen": ti - tc,
        "ownersShareFen": ti - tc,
        "disbursements": lines(disbursements),
        "totalDisbursedFen": td,
        "closingFen": opening + ti - tc - td,
    }


def fee_standard() -> dict[str, Any]:
    return {
        "provider": "上海仙霞物业服务有限公司",
        "effective": "2026-01-01",
        "hotline": "12358",
        "items": [
            {
                "item": "物业服务费",
                "target": "住宅",
                "standardFen": 250,
                "per": "m2_month",
                "method": "按建筑面积按月计收",
                "basis": "物业服务合同第五条；沪发改价督〔2021〕1号",
                "pricing": "market",
            },
            {
                "item": "停车服务费",
                "target": "地下车位",
                "standardFen": 30_000,
                "per": "space_month",
                "method": "按车位按月计收",
                "basis": "业主大会决定（2025年第2次）",
                "pricing": "market",
            },
        ],
    }


def attachment(title: str = "2026年物业服务合同") -> dict[str, Any]:
    return {
        "category": "service_contract",
        "title": title,
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "size": 284_113,
        "date": "2026-01-01",
        "mediaType": "application/pdf",
    }


def disclosure(
    kind: str, body: dict[str, Any], *, key: KeyPair = MANAGER, origin: str = ORIGIN
) -> dict[str, Any]:
    doc = {"type": "Disclosure", "log": origin, "kind": kind, "publisher": str(key.did)}
    return sign_json(doc | {"body": body}, key)


def objection(
    index: int, leaf: bytes, text: str = "保洁费用明显偏高，请说明", *, key: KeyPair = OWNER
) -> dict[str, Any]:
    doc = {
        "type": "Objection",
        "log": ORIGIN,
        "objector": str(key.did),
        "target": {"index": index, "leafHash": leaf.hex()},
        "text": text,
    }
    return sign_json(doc, key)


def reply(
    index: int,
    leaf: bytes,
    text: str = "保洁合同价格见附件，已公示",
    *,
    key: KeyPair = MANAGER,
    action: str = "explained",
) -> dict[str, Any]:
    doc = {
        "type": "ObjectionReply",
        "log": ORIGIN,
        "publisher": str(key.did),
        "objection": {"index": index, "leafHash": leaf.hex()},
        "action": action,
        "text": text,
    }
    return sign_json(doc, key)


def review(
    objection_at: tuple[int, bytes],
    reply_at: tuple[int, bytes],
    *,
    satisfied: bool = True,
    key: KeyPair = OWNER,
) -> dict[str, Any]:
    doc = {
        "type": "ObjectionReview",
        "log": ORIGIN,
        "objector": str(key.did),
        "objection": {"index": objection_at[0], "leafHash": objection_at[1].hex()},
        "reply": {"index": reply_at[0], "leafHash": reply_at[1].hex()},
        "satisfied": satisfied,
    }
    return sign_json(doc, key)


def raw(doc: dict[str, Any]) -> bytes:
    return canonical(doc)


def leaf(doc: dict[str, Any]) -> bytes:
    return leaf_hash(canonical(doc))


def ballot_entries(
    *,
    ballot: str = BALLOT,
    matter: int = 5,
    amount: int | None = 5_000_000,
    passed: bool = True,
    key: KeyPair = COMMITTEE,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ballot's BallotOpened and BallotResult entries, trimmed to what approval reads."""
    opened: dict[str, Any] = {
        "type": "BallotOpened",
        "ballot": ballot,
        "matter": matter,
        "title": "更换3号楼电梯",
    }
    if amount is not None:
        opened["amountFen"] = amount
    result = {
        "type": "BallotResult",
        "ballot": ballot,
        "outcome": {"matter": matter, "passed": passed},
    }
    return sign_json(opened, key), sign_json(result, key)
