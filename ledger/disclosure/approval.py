"""What owners approved: maintenance-fund spending decided by a ballot (民法典 第278条 第5项).

A spending line cites the ballot's result entry: the ballot log's origin, the index of its
result entry and that entry's RFC 9162 leaf hash. Whoever checks the line (the server, or a
resident offline) looks the ballot up through an `ApprovedSpendingLookup`, which in the end
calls `approved_spending` on what a `BallotReader` read from the ballot log's opening and
result entries. The format of those entries is voting's and lives there only
(`voting.spending.ballot_decision`); `web` hands the reader in. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from identity.community.origins import same_community
from ledger.disclosure import fields as f
from ledger.disclosure.errors import ApprovalError

#: 民法典 第二百七十八条 第一款 第五项: 使用建筑物及其附属设施的维修资金.
MATTER_USE_MAINTENANCE_FUND = 5


@dataclass(frozen=True)
class BallotRef:
    """The result entry of a ballot log: origin, entry index, leaf hash."""

    ballot: str
    index: int
    leaf_hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {"ballot": self.ballot, "index": self.index, "leafHash": self.leaf_hash.hex()}


@dataclass(frozen=True)
class ApprovedSpending:
    """How much a passed ballot allowed to be spent from the maintenance fund, and on what."""

    ref: BallotRef
    amount: int
    title: str


@dataclass(frozen=True)
class BallotDecision:
    """What a ballot decided, as far as spending is concerned: the ballot's origin, its
    matter (1–9 of Art. 278), whether it passed (quorum and approval), the amount in fen it
    stated when it opened (None when it stated none), its title, and the ballot box's note
    key (a C2SP vkey) the committee signed into the opening (None when it states none): an
    offline verifier checks the box's checkpoints against that key, never a bundle's."""

    ballot: str
    matter: int
    passed: bool
    amount: int | None
    title: str
    box_key: str | None


class BallotReader(Protocol):
    """Reads a ballot log's opening entry and a result entry (signed documents, already
    trusted to be the committee's) into a `BallotDecision`; None when the two are not the
    opening and the result of one ballot. Never raises on malformed documents."""

    def __call__(
        self, opened: Mapping[str, Any], result: Mapping[str, Any], /
    ) -> BallotDecision | None: ...


#: Looks a cited ballot up; None when there is no such result entry. Raises `ApprovalError`
#: when the entry exists but approves no spending (not passed, another matter, no amount).
ApprovedSpendingLookup = Callable[[BallotRef], ApprovedSpending | None]


def parse_ballot_ref(value: object, where: str) -> BallotRef:
    ref = f.obj(value, where, required=("ballot", "index", "leafHash"))
    return BallotRef(
        ballot=f.text(ref["ballot"], f"{where}.ballot", max_len=255),
        index=f.count(ref["index"], f"{where}.index"),
        leaf_hash=f.hex32(ref["leafHash"], f"{where}.leafHash"),
    )


def _refuse(ref: BallotRef, zh: str, en: str) -> ApprovalError:
    return ApprovalError(
        f"所引表决 {ref.ballot} 第 {ref.index} 条{zh}",
        f"the cited ballot {ref.ballot} entry {ref.index} {en}",
    )


def approved_spending(ref: BallotRef, decision: BallotDecision | None) -> ApprovedSpending:
    """The spending a ballot approved, from what `BallotReader` read of its opening and
    result entries (already trusted to be entries 0 and ``ref.index`` of the ballot log,
    signed by the committee).

    The ballot must be on matter 5 (使用维修资金), must state an amount when it opened, and
    must have *passed*: quorum and approval both met (Art. 278 ¶2).
    """
    if decision is None or decision.ballot != ref.ballot:
        raise _refuse(
            ref,
            "：不是该表决格式正确的开启与结果条目",
            "is not a well-formed result of that ballot (no matching opening and result)",
        )
    if decision.matter != MATTER_USE_MAINTENANCE_FUND:
        raise _refuse(
            ref,
            "不是关于“使用维修资金”（民法典第278条第5项）的表决",
            "is not a ballot on using the maintenance fund (Civil Code Art. 278 item 5)",
        )
    if not decision.passed:
        raise _refuse(ref, "：表决未通过", "did not pass")
    if decision.amount is None:
        raise _refuse(ref, "：表决未写明批准使用的金额", "states no approved amount")
    amount = f.fen(decision.amount, f"{ref.ballot}#0.amount")
    return ApprovedSpending(ref=ref, amount=amount, title=decision.title)


def check_same_community(disclosure_origin: str, ref: BallotRef, where: str) -> None:
    """A ballot of another community approves nothing here."""
    if not same_community(disclosure_origin, ref.ballot):
        raise ApprovalError(
            f"所引表决 {ref.ballot} 不属于本小区",
            f"the cited ballot {ref.ballot} is not one of this community's",
            where=where,
        )
