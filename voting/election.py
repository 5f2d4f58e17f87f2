"""An election record (issue 9 §9): one bundle holding a closed ballot's whole story, and
its independent check.

The bundle is the ballot record (`web.record.export_record`, checked by
`voting.verify.check_box`) with, beside it, what an auditor reads first and what the record
alone cannot show: the specification (the signed announcement), the census, each committee
decision with who signed it, the tally and the result, every head of the box anchored on the
chain (size, root, transaction), and the verdicts the `BallotRegistry` recorded. Every one of
those is a claim checked against the verified log: the specification, census, decisions and
result must be the log's entries, the tally the verifier's own recount, each anchored root
the Merkle root of that many entries of the log, and the registry's verdicts the recount
decided once more (`voting.onchain.matches_recount`). When the chain is asked, the anchors
and the verdicts are read from the pinned chain too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contracts.errors import ChainError
from contracts.registry import RecordedResult
from identity.community.trustfile import PinnedTrust
from identity.report import ChainState, Report
from ledger.tlog.merkle import root_from_hashes
from ledger.tlog.records import log_id_of
from voting.box_state import CLOSED, FINAL, BoxState
from voting.errors import VotingError
from voting.onchain import matches_recount, recorded_from_json
from voting.verify import DECISIONS, AnchoredRoot, RecordError, check_box

ELECTION_FORMAT = "gongzhi-election-record/1"
# log id → the registry's recorded result on the pinned chain (None: nothing recorded);
# raises `ChainError` when the chain cannot be reached.
RecordedOnChain = Callable[[bytes], RecordedResult | None]

__all__ = ["ELECTION_FORMAT", "RecordedOnChain", "election_summary", "verify_election"]


def _fail(zh: str, en: str) -> RecordError:
    return RecordError(zh, en)


def _signers(entry: Mapping[str, Any]) -> list[str]:
    proofs = entry.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return sorted(
        str(p.get("verificationMethod", "")).partition("#")[0]
        for p in proofs
        if isinstance(p, Mapping)
    )


def _decisions(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    kinds = {"BallotAnnounced", *DECISIONS}
    return [
        {"index": i, "type": e["type"], "signers": _signers(e)}
        for i, e in enumerate(entries)
        if e.get("type") in kinds
    ]


def _entry_of(entries: Sequence[Mapping[str, Any]], kind: str) -> dict[str, Any] | None:
    found = [dict(e) for e in entries if e.get("type") == kind]
    return found[-1] if found else None


def election_summary(entries: Sequence[Mapping[str, Any]], state: BoxState) -> dict[str, Any]:
    """What the bundle states beside the record, read from the box (the exporter's and the
    verifier's one definition, so "the bundle says what the log says" is one comparison)."""
    opened = state.opened or {}
    return {
        "specification": dict(entries[0]),
        "census": opened.get("census"),
        "decisions": _decisions(entries),
        "tally": state.tally(),
        "result": _entry_of(entries, "BallotResult"),
        "final": _entry_of(entries, "BallotFinal"),
    }


_PARTS = {
    "specification": ("表决公告（议题与规则）", "the specification (announcement)"),
    "census": ("名册", "the census"),
    "decisions": ("业委会决定及签名人", "the committee decisions and their signers"),
    "tally": ("计票", "the tally"),
    "result": ("表决结果", "the result"),
    "final": ("最终确认", "the final confirmation"),
}


def verify_election(
    bundle: Mapping[str, Any],
    *,
    trust: PinnedTrust,
    anchored_root: AnchoredRoot | None,
    recorded_on_chain: RecordedOnChain | None,
    offline: bool = False,
    report: Report | None = None,
) -> Report:
    """Check an election bundle under `trust`; the first failure raises `RecordError`.
    ``anchored_root`` / ``recorded_on_chain`` None with ``offline`` False: the chain could
    not be reached (the report is then incomplete)."""
    report = report or Report()
    if bundle.get("format") != ELECTION_FORMAT:
        raise _fail("不是共治选举记录", f"not a gongzhi election record ({ELECTION_FORMAT})")
    record = bundle.get("record")
    if not isinstance(record, Mapping):
        raise _fail("选举记录缺少表决记录", "the election record holds no ballot record")
    box = check_box(
        record, trust=trust, anchored_root=anchored_root, offline=offline, report=report
    )
    state, entries = box.state, box.entries
    report.subject_zh, report.subject_en = (
        f"选举记录 {record.get('origin')}",
        f"election record {record.get('origin')}",
    )
    if state.phase not in (CLOSED, FINAL):
        raise _fail(
            "选举记录只收已结束的表决（须有表决结果）",
            "an election record is of a closed ballot (one with its result)",
        )
    if bundle.get("origin") != record.get("origin"):
        raise _fail("选举记录与表决记录的来源不同", "the bundle names another box than its record")
    stated = election_summary(entries, state)
    for name, (zh, en) in _PARTS.items():
        if bundle.get(name) != stated[name]:
            raise _fail(
                f"选举记录中的{zh}与签名日志不符", f"{en} in the bundle differs from the signed log"
            )
    report.ok(
        "选举记录中的公告、名册、业委会决定、计票与结果均与签名日志逐字相符，计票为本机重新计算",
        "the bundle's specification, census, committee decisions, tally and result are the "
        "signed log's, word for word; the tally is this verifier's own recount",
    )
    _check_anchors(bundle, box.hashes, str(record["origin"]), anchored_root, offline, report)
    _check_registry(bundle, state, str(record["origin"]), recorded_on_chain, offline, report)
    return report


def _anchors(bundle: Mapping[str, Any]) -> list[tuple[int, bytes, object]]:
    raw = bundle.get("anchors")
    if not isinstance(raw, list):
        raise _fail("选举记录缺少锚定列表", "the bundle has no list of anchors")
    out = []
    for i, a in enumerate(raw):
        try:
            size, root = int(a["treeSize"]), bytes.fromhex(str(a["root"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(f"第 {i} 个锚定格式有误", f"anchor {i} is malformed") from exc
        out.append((size, root, a.get("tx")))
    return out


def _check_anchors(
    bundle: Mapping[str, Any],
    hashes: list[bytes],
    origin: str,
    anchored_root: AnchoredRoot | None,
    offline: bool,
    report: Report,
) -> None:
    """Each anchored head is a prefix of this log (its root recomputed from the entries), and,
    asked of the pinned chain, the root the contract holds for that size."""
    anchors = _anchors(bundle)
    for size, root, _tx in anchors:
        if not 0 < size <= len(hashes) or root_from_hashes(hashes[:size]) != root:
            raise _fail(
                f"大小为 {size} 的锚定不是本日志前 {size} 条的根",
                f"the anchor of size {size} is not the root of this log's first {size} entries",
            )
    if not anchors:
        report.warn("选举记录没有链上锚定", "the bundle lists no anchor on chain")
        return
    report.ok(
        f"{len(anchors)} 次锚定（大小 {', '.join(str(a[0]) for a in anchors)}）均为本日志的前缀",
        f"{len(anchors)} anchored heads (sizes {', '.join(str(a[0]) for a in anchors)}) are "
        "prefixes of this log",
    )
    if offline or anchored_root is None:
        return
    log_id = log_id_of(origin)
    try:
        on_chain = [anchored_root(log_id, size) for size, _root, _tx in anchors]
    except ChainError as exc:
        report.chain, report.chain_error = ChainState.UNREACHABLE, str(exc)
        return
    for (size, root, tx), held in zip(anchors, on_chain, strict=True):
        if held != root:
            raise _fail(
                f"链上没有交易 {tx} 所称的大小 {size} 的锚定",
                f"the pinned chain does not hold the anchor of size {size} (tx {tx})",
            )
    report.ok(
        "每次锚定的根均与受信任链上合约所存的相同",
        "every anchored root is the one the pinned chain's contract holds",
    )


def _check_registry(
    bundle: Mapping[str, Any],
    state: BoxState,
    origin: str,
    recorded_on_chain: RecordedOnChain | None,
    offline: bool,
    report: Report,
) -> None:
    decisions = [(item.id, outcome) for item, outcome in state.outcomes()]
    census_root = bytes.fromhex(str((state.opened or {})["census"]["root"]))
    section = bundle.get("registry")
    stated = None
    if isinstance(section, Mapping) and section.get("recorded") is not None:
        try:
            stated = recorded_from_json(section["recorded"])
        except VotingError as exc:
            raise _fail(exc.zh, exc.en) from exc
        _agrees(stated, census_root, decisions, "选举记录所载", "the bundle's")
    if not offline and recorded_on_chain is not None:
        try:
            held = recorded_on_chain(log_id_of(origin))
        except ChainError as exc:
            report.chain, report.chain_error = ChainState.UNREACHABLE, str(exc)
            return
        if held is None:
            raise _fail(
                "链上表决结果登记合约中没有本表决的结果",
                "the ballot registry on the pinned chain holds no result for this ballot",
            )
        _agrees(held, census_root, decisions, "链上合约登记的", "the pinned chain's")
        if stated is not None and stated != held:
            raise _fail(
                "选举记录所载的链上裁决与链上合约不同",
                "the verdicts in the bundle differ from the ones on the pinned chain",
            )
        report.ok(
            f"链上表决结果登记合约（区块 {held.recorded_at_block}）以整数重新裁决各议题，"
            "与本机重新计票逐项一致",
            f"the BallotRegistry on the pinned chain (block {held.recorded_at_block}) decided "
            "every item again in integers, and agrees with this recount on each",
        )
        return
    if stated is None:
        report.warn(
            "选举记录未载链上裁决（或未指明登记合约、未连接区块链）：未核对链上裁决",
            "the bundle carries no on-chain verdicts (or names no registry, or the chain was "
            "not asked): the verdicts were not checked",
        )
        return
    report.ok(
        "选举记录所载的链上裁决与本机重新计票逐项一致（离线：未向链核对）",
        "the on-chain verdicts the bundle carries agree with this recount on every item "
        "(offline: not read from the chain)",
    )


def _agrees(
    recorded: RecordedResult,
    census_root: bytes,
    decisions: Sequence[tuple[str, Any]],
    whose_zh: str,
    whose_en: str,
) -> None:
    differences = matches_recount(recorded, census_root, decisions)
    if differences:
        raise _fail(
            f"{whose_zh}链上裁决与重新计票不符：{', '.join(differences)}",
            f"{whose_en} on-chain verdicts differ from the recount: {', '.join(differences)}",
        )
