"""The one report every gongzhi verifier gives: each check in Chinese and English, and
whether the chain was checked — said at the top and again at the end.

The ballot verifier (`voting.verify`), the disclosure bundle verifier
(`ledger.disclosure.bundle_verify`) and the credential verifier (`gongzhi vc verify`) all
fill a `Report`; the commands print `Report.render()`. It lives here, in the lowest layer,
so that all three can import it. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Mark(Enum):
    """How a line of the report reads: checked, a detail under a check, a note, a warning."""

    OK = "✓"
    DETAIL = "·"
    NOTE = "!"
    WARN = "⚠"


class ChainState(Enum):
    """What became of the on-chain part of the verification."""

    CHECKED = "checked"  # the anchors were compared with the chain: they hold
    OFFLINE = "offline"  # the verifier was told not to ask the chain (--offline)
    UNREACHABLE = "unreachable"  # the chain could not be reached: the result is incomplete
    NOT_NEEDED = "not-needed"  # nothing to check on chain (a credential)
    NOT_CHECKED = "not-checked"  # not (yet) asked: the verification stopped before it


@dataclass(frozen=True, slots=True)
class Line:
    mark: Mark
    zh: str
    en: str

    def text(self) -> str:
        if self.mark is Mark.DETAIL:
            return f"  · {self.zh}" if self.zh == self.en else f"  · {self.zh} / {self.en}"
        return f"{self.mark.value} {self.zh} / {self.en}"


_STATE_TEXT = {
    ChainState.CHECKED: ("已与区块链上的锚定核对", "checked against the anchors on chain"),
    ChainState.OFFLINE: (
        "离线核验（--offline）：未与区块链核对",
        "verified OFFLINE (--offline): NOT checked against the chain",
    ),
    ChainState.UNREACHABLE: (
        "无法连接区块链：未与链上锚定核对，核验不完整",
        "the chain could not be reached: NOT checked on chain, the verification is INCOMPLETE",
    ),
    ChainState.NOT_NEEDED: ("无需核对区块链", "nothing to check on chain"),
    ChainState.NOT_CHECKED: ("未与区块链核对", "NOT checked against the chain"),
}


@dataclass
class Report:
    """What a verifier checked, in order; `chain` says whether the chain was asked.

    ``subject_zh``/``subject_en`` name what is verified ("表决记录 …" / "ballot record …").
    ``chain`` starts NOT_CHECKED; a verifier sets CHECKED only once the chain has answered
    for every anchor, UNREACHABLE when it could not ask, OFFLINE when told not to.
    """

    subject_zh: str = ""
    subject_en: str = ""
    chain: ChainState = ChainState.NOT_CHECKED
    chain_error: str | None = None
    items: list[Line] = field(default_factory=list)
    warnings: list[Line] = field(default_factory=list)

    def ok(self, zh: str, en: str) -> None:
        self.items.append(Line(Mark.OK, zh, en))

    def detail(self, zh: str, en: str | None = None) -> None:
        self.items.append(Line(Mark.DETAIL, zh, zh if en is None else en))

    def note(self, zh: str, en: str) -> None:
        self.items.append(Line(Mark.NOTE, zh, en))

    def warn(self, zh: str, en: str) -> None:
        """Something the user must see that does not make the input invalid (shown at the
        top and the end, like the chain's state)."""
        line = Line(Mark.WARN, zh, en)
        self.warnings.append(line)
        self.items.append(line)

    def extend(self, other: Report) -> None:
        self.items += other.items
        self.warnings += other.warnings

    @property
    def chain_checked(self) -> bool:
        return self.chain is ChainState.CHECKED

    @property
    def complete(self) -> bool:
        """False when the chain should have been asked and was not."""
        return self.chain in (ChainState.CHECKED, ChainState.OFFLINE, ChainState.NOT_NEEDED)

    @property
    def lines(self) -> tuple[str, ...]:
        """The checks as printed (a tuple: lines are added through ok/detail/note/warn)."""
        return tuple(item.text() for item in self.items)

    def state_line(self) -> str:
        zh, en = _STATE_TEXT[self.chain]
        if self.chain is ChainState.UNREACHABLE and self.chain_error:
            return f"链 chain: {zh} / {en} — {self.chain_error}"
        return f"链 chain: {zh} / {en}"

    def render(self, *, valid: bool, verdict_zh: str, verdict_en: str) -> list[str]:
        """The report as printed: subject and chain state, the checks, the warnings again,
        the verdict with the chain state."""
        head = [f"核验 verifying: {self.subject_zh} / {self.subject_en}", self.state_line()]
        head += [w.text() for w in self.warnings]
        if not valid:
            tail_zh, tail_en = "无效", "INVALID"
        elif not self.complete:
            tail_zh, tail_en = "不完整", "INCOMPLETE"
        else:
            tail_zh, tail_en = "有效", "VALID"
        tail = [w.text() for w in self.warnings]
        tail += [
            self.state_line(),
            f"结论：{verdict_zh}（{tail_zh}） / verdict: {verdict_en} ({tail_en})",
        ]
        return [*head, *self.lines, *tail]
