"""What a ballot box says, folded from its log entries: the spec and census of entry 0, who
has voted (with key changes applied), the close and the result.

Pages and the API show turnout and results from this — the signed log — and never from
cached table rows, so a database edit cannot change what anyone is shown. The fold trusts
the entries' signatures (checked when they were appended, and re-checked by any verifier,
`voting.verify`); the caller checks the entries against a signed tree head
(`web.ballot_view`). Pure: no database, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from ledger.tlog.merkle import leaf_hash, node_hash
from ledger.tlog.subtrees import fold
from voting.area import Area
from voting.errors import VotingError


class BallotIntegrityError(VotingError):
    """The stored box disagrees with its own signed log: an edit, not a different answer."""


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


@dataclass
class BoxState:
    opened: dict[str, Any]
    area_of: dict[str, int]  # census voter key → area in 0.01 m²
    voter_of: dict[str, str]  # DID → census voter key, key changes applied
    total_area: int
    total_heads: int
    voted: dict[str, str] = field(default_factory=dict)  # voter key → choice
    closed: dict[str, Any] | None = None  # the BallotResult entry, once the box is closed
    result: dict[str, Any] | None = None
    size: int = 0
    tree: CompactRange = field(default_factory=CompactRange)

    @classmethod
    def of_opening(cls, data: bytes) -> BoxState:
        opened = _parse(data, 0)
        if opened.get("type") != "BallotOpened":
            raise broken_entry(0, "the box does not start with BallotOpened")
        try:
            return cls._opened(opened, data)
        except (KeyError, TypeError, ValueError, VotingError) as exc:
            raise broken_entry(0, f"malformed census: {type(exc).__name__}") from exc

    @classmethod
    def _opened(cls, opened: dict[str, Any], data: bytes) -> BoxState:
        voters = opened["census"]["voters"]
        total = opened["census"]["total"]
        state = cls(
            opened=opened,
            area_of={v["voter"]: Area.parse(v["area"]).hundredths for v in voters},
            voter_of={v["did"]: v["voter"] for v in voters if v["did"]},
            total_area=Area.parse(total["area"]).hundredths,
            total_heads=int(total["headcount"]),
        )
        state.tree.append(leaf_hash(data))
        state.size = 1
        return state

    def apply(self, data: bytes) -> None:
        """Fold entry number `size` into the state."""
        try:
            self._apply(_parse(data, self.size))
        except (KeyError, TypeError, ValueError) as exc:
            raise broken_entry(self.size, f"malformed entry: {type(exc).__name__}") from exc
        self.tree.append(leaf_hash(data))
        self.size += 1

    def _apply(self, entry: dict[str, Any]) -> None:
        i = self.size
        kind = entry.get("type")
        if kind == "Vote" and self.closed is None:
            key = self.voter_of.get(entry.get("voter", ""))
            if key is None or key in self.voted:
                raise broken_entry(i, "a vote by no one in the census, or a second vote")
            self.voted[key] = str(entry["choice"])
        elif kind == "VoterKeyChanged" and self.closed is None:
            self.voter_of.pop(entry.get("oldDid") or "", None)
            self.voter_of[str(entry["newDid"])] = str(entry["voter"])
        elif kind == "BallotResult" and self.closed is None:
            self.closed, self.result = entry, entry["outcome"]
        else:
            raise broken_entry(i, f"unexpected entry {kind}")

    def copy(self) -> BoxState:
        """A state to extend without touching this one (the census is shared: it never
        changes after entry 0)."""
        grown = replace(self, voter_of=dict(self.voter_of), voted=dict(self.voted))
        grown.tree = CompactRange(list(self.tree.peaks))
        return grown

    def participation(self) -> dict[str, Any]:
        area = sum(self.area_of[k] for k in self.voted)
        return participation(area, len(self.voted), self.total_area, self.total_heads)


def participation(area: int, heads: int, total_area: int, total_heads: int) -> dict[str, Any]:
    """Turnout by area (0.01 m²) and by headcount against the 2/3 quorum (exact, no floats)."""
    return {
        "voted": {"area": str(Area(hundredths=area)), "headcount": heads},
        "total": {"area": str(Area(hundredths=total_area)), "headcount": total_heads},
        "quorum": "2/3",
        "area_met": 3 * area >= 2 * total_area,
        "headcount_met": 3 * heads >= 2 * total_heads,
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
