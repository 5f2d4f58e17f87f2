"""Client of the `BallotRegistry` contract (contracts/src/BallotRegistry.sol) on any `Chain`.

The caller sends a ballot's totals; the contract decides every item itself (Civil Code
Art. 278 ¶2, thresholds fixed by the matter number) and records the verdicts once, keyed by
the ballot box's log id (SHA-256 of its origin, as `LogAnchor` keys logs) with the census
root. Areas are integers in 0.01 m². Item and candidate ids are 1-8 ASCII characters
``[A-Za-z0-9_-]``, carried as a left-aligned bytes8. A refusal by the contract raises
`RegistryRejected` naming the contract's custom error, in Chinese and English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.chain import Chain
from contracts.client import ContractClient, Messages, TxReceipt
from contracts.errors import ChainError, RegistryRejected

CONTRACT = "BallotRegistry"
MAX_WEIGHT = 2**128 - 1  # the contract takes areas and headcounts as uint128
KIND_MOTION, KIND_ELECTION = 0, 1
RANKINGS = ("area", "headcount")  # index = the contract's ranking code
_ID = re.compile(r"[A-Za-z0-9_-]{1,8}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Weight:
    """An area in 0.01 m² and a headcount."""

    area: int
    headcount: int


@dataclass(frozen=True, slots=True)
class MotionTotals:
    id: str
    matter: int
    participating: Weight
    agree: Weight


@dataclass(frozen=True, slots=True)
class ElectionTotals:
    id: str
    seats: int
    participating: Weight
    #: (candidate id, approvals), in the notice's order
    approvals: tuple[tuple[str, Weight], ...]


ItemTotals = MotionTotals | ElectionTotals


@dataclass(frozen=True, slots=True)
class Verdict:
    """How the contract decided one item."""

    id: str
    kind: str  # "motion" | "election"
    matter: int
    seats: int
    #: the approval threshold the contract applied: (numerator, denominator, inclusive)
    approval: tuple[int, int, bool]
    quorum_by_area: bool
    quorum_by_headcount: bool
    approved_by_area: bool
    approved_by_headcount: bool
    #: per candidate, in the notice's order (elections; empty for a motion)
    majority_by_area: tuple[bool, ...]
    majority_by_headcount: tuple[bool, ...]
    elected: tuple[str, ...]
    unresolved_tie: bool
    passed: bool


@dataclass(frozen=True, slots=True)
class RecordedResult:
    census_root: bytes
    total: Weight
    ranking: str
    recorded_at_block: int
    items: tuple[Verdict, ...]


_MESSAGES: Messages = {
    "BallotRegistryUnauthorizedRecorder": lambda caller: (
        f"账户 {caller} 无权记录表决结果",
        f"account {caller} may not record results",
    ),
    "BallotRegistryInvalidRecorder": lambda: (
        "记录人不能是零地址",
        "the recorder cannot be the zero address",
    ),
    "BallotRegistryAlreadyRecorded": lambda log_id: (
        "该表决的结果已经记录，不能覆盖",
        "this ballot's result is already recorded and cannot be overwritten",
    ),
    "BallotRegistryMissingKey": lambda: (
        "日志编号和名册根都不能为零",
        "neither the log id nor the census root may be zero",
    ),
    "BallotRegistryInvalidTotal": lambda: (
        "名册总数为空或面积与人数不相称",
        "the census total is empty, or its area and headcount do not match",
    ),
    "BallotRegistryInvalidRanking": lambda ranking: (
        f"排名规则 {ranking} 无效",
        f"ranking {ranking} is not valid",
    ),
    "BallotRegistryItemCount": lambda count: (
        f"一次表决须有1至20个议题，而不是 {count} 个",
        f"a ballot has 1 to 20 items, not {count}",
    ),
    "BallotRegistryInvalidItemId": lambda index: (
        f"第 {index} 个议题的编号为空或重复",
        f"item {index} has an empty or repeated id",
    ),
    "BallotRegistryInvalidItem": lambda index: (
        f"第 {index} 个议题的类型、事项、席位或候选人不合规定",
        f"item {index} has a kind, matter, seats or candidates that do not fit",
    ),
    "BallotRegistryInconsistentTotals": lambda index: (
        f"第 {index} 个议题的计数自相矛盾（部分大于整体）",
        f"item {index} counts more than can be (a part above its whole)",
    ),
}


def _id_bytes(value: str, what: str) -> bytes:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ChainError(
            f"{what} {value!r} 须为1至8个字母、数字、_ 或 -",
            f"{what} {value!r} must be 1 to 8 letters, digits, _ or -",
        )
    return value.encode("ascii").ljust(8, b"\0")


def _id_text(value: bytes) -> str:
    return bytes(value).rstrip(b"\0").decode("ascii")


def _weight(value: Weight) -> tuple[int, int]:
    for part in (value.area, value.headcount):
        if isinstance(part, bool) or not isinstance(part, int) or not 0 <= part <= MAX_WEIGHT:
            raise ChainError(f"计数 {part!r} 超出范围", f"count {part!r} is out of range")
    return (value.area, value.headcount)


def _small(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise ChainError(f"{what} {value!r} 超出范围", f"{what} {value!r} is out of range")
    return value


def _encode_item(item: ItemTotals) -> tuple[Any, ...]:
    ident = _id_bytes(item.id, "item id")
    participating = _weight(item.participating)
    if isinstance(item, MotionTotals):
        return (
            ident,
            KIND_MOTION,
            _small(item.matter, "matter"),
            0,
            participating,
            _weight(item.agree),
            [],
        )
    candidates = [(_id_bytes(c, "candidate id"), _weight(w)) for c, w in item.approvals]
    return (ident, KIND_ELECTION, 3, _small(item.seats, "seats"), participating, (0, 0), candidates)


def _ranking(ranking: str) -> int:
    if ranking not in RANKINGS:
        raise ChainError(f"排名规则 {ranking!r} 无效", f"ranking {ranking!r} is not valid")
    return RANKINGS.index(ranking)


def _mask(value: int, count: int) -> tuple[bool, ...]:
    return tuple(bool(value >> i & 1) for i in range(count))


def _verdict(raw: Sequence[Any]) -> Verdict:
    (ident, kind, matter, seats, count, numerator, denominator, inclusive) = raw[:8]
    (q_area, q_heads, a_area, a_heads, tie, passed, m_area, m_heads, elected) = raw[8:]
    return Verdict(
        id=_id_text(ident),
        kind="motion" if kind == KIND_MOTION else "election",
        matter=matter,
        seats=seats,
        approval=(numerator, denominator, bool(inclusive)),
        quorum_by_area=bool(q_area),
        quorum_by_headcount=bool(q_heads),
        approved_by_area=bool(a_area),
        approved_by_headcount=bool(a_heads),
        majority_by_area=_mask(m_area, count),
        majority_by_headcount=_mask(m_heads, count),
        elected=tuple(_id_text(e) for e in elected),
        unresolved_tie=bool(tie),
        passed=bool(passed),
    )


def _check_bytes32(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ChainError(f"{what} 必须是 32 字节", f"{what} must be 32 bytes")


class RegistryContract(ContractClient):
    """A deployed `BallotRegistry` at `address` on `chain`."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, CONTRACT, _MESSAGES, RegistryRejected)

    def record_result(
        self,
        *,
        log_id: bytes,
        census_root: bytes,
        total: Weight,
        ranking: str,
        items: Sequence[ItemTotals],
    ) -> TxReceipt:
        """Have the contract decide ballot `log_id` from its totals and record the verdicts
        (the recorder only; once per ballot)."""
        _check_bytes32(log_id, "log id")
        _check_bytes32(census_root, "census root")
        args = [log_id, census_root, _weight(total), _ranking(ranking)]
        return self._transact("record", [*args, [_encode_item(i) for i in items]])

    def decide(self, *, total: Weight, ranking: str, items: Sequence[ItemTotals]) -> list[Verdict]:
        """How the contract decides these totals, without recording anything."""
        args = [_weight(total), _ranking(ranking), [_encode_item(i) for i in items]]
        (results,) = self._call("decide", args)
        return [_verdict(r) for r in results]

    def read_result(self, log_id: bytes) -> RecordedResult | None:
        """The recorded result of ballot `log_id`, or None if none was recorded."""
        _check_bytes32(log_id, "log id")
        census_root, total, ranking, block, items = self._call("result", [log_id])
        if block == 0:
            return None
        return RecordedResult(
            census_root=bytes(census_root),
            total=Weight(*total),
            ranking=RANKINGS[ranking],
            recorded_at_block=block,
            items=tuple(_verdict(r) for r in items),
        )

    def recorder(self) -> str:
        (account,) = self._call("recorder", [])
        return str(account)
