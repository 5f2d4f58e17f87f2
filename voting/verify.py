"""The independent ballot verifier: re-checks an exported ballot record, never the database.

It reads only the record (entries exactly as appended, the signed checkpoint, the anchor) and
asks the chain, through a callable, which root was anchored for the box at that size. Each
check appends a line saying what it checked; the first failure raises `RecordError` naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from identity.errors import IdentityError
from identity.w3c.jcs import canonical
from ledger.tlog.merkle import leaf_hash, root_from_hashes
from ledger.tlog.records import log_id_of
from voting.ballots import census_root, decide
from voting.errors import VotingError

RECORD_FORMAT = "gongzhi-ballot-record/1"
VerifySigned = Callable[[Mapping[str, Any]], str]
# (log id, tree size) → anchored root, or None if that size was never anchored.
AnchoredRoot = Callable[[bytes, int], bytes | None]


class RecordError(VotingError):
    """The ballot record does not verify; the message says which check failed."""


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def ok(self, zh: str, en: str) -> None:
        self.lines.append(f"✓ {zh} / {en}")


def _fail(zh: str, en: str) -> RecordError:
    return RecordError(zh, en)


# Checks a committee decision (an entry with its members' proof set) and says who signed;
# raises `VotingError` or `IdentityError` when it does not hold.
CheckDecision = Callable[[Mapping[str, Any]], str]


def _decision(check: CheckDecision, entry: Mapping[str, Any], index: int) -> str:
    try:
        return check(entry)
    except (VotingError, IdentityError) as exc:
        raise _fail(
            f"第 {index} 条不是有效的业委会决定",
            f"entry {index} is not a valid committee decision: {exc}",
        ) from exc


def verify_record(
    record: Mapping[str, Any],
    *,
    verify_signed: VerifySigned,
    check_decision: CheckDecision,
    verify_checkpoint: Callable[[str], tuple[str, int, bytes]],
    anchored_root: AnchoredRoot | None,
    report: Report | None = None,
) -> Report:
    """Check a ballot record end to end; `anchored_root` None means the chain is not reachable."""
    report = report or Report()
    if record.get("format") != RECORD_FORMAT:
        raise _fail("不是共治表决记录", f"not a gongzhi ballot record ({RECORD_FORMAT})")
    raw_entries: list[str] = record["entries"]
    entries = [json.loads(e) for e in raw_entries]
    for i, (raw, parsed) in enumerate(zip(raw_entries, entries, strict=True)):
        if canonical(parsed) != raw.encode():
            raise _fail(f"第 {i} 条记录不是规范 JSON", f"entry {i} is not RFC 8785 canonical JSON")
    if not entries or entries[0].get("type") != "BallotOpened":
        raise _fail("记录缺少开启表决条目", "the record does not start with BallotOpened")
    opened = entries[0]
    committee = _decision(check_decision, opened, 0)
    report.ok(
        f"开启条目为业委会决定（{committee}）",
        f"BallotOpened is a committee decision ({committee})",
    )
    # The checkpoint is checked with the record's logKey below: it must be the key the
    # committee signed into BallotOpened, or a server could sign a rewritten box with a key
    # of its own and hand that key out alongside.
    signed_key = opened.get("logKey")
    if not isinstance(signed_key, str) or record.get("logKey") != signed_key:
        raise _fail(
            "记录的日志公钥与业委会签名的开启条目中的不符",
            "the record's logKey is not the one in the committee-signed BallotOpened entry",
        )
    report.ok(
        "投票箱日志公钥与业委会签名的开启条目一致",
        "the box's log key is the one the committee signed into BallotOpened",
    )

    voters = opened["census"]["voters"]
    if census_root(voters).hex() != opened["census"]["root"]:
        raise _fail("名册根哈希不符", "census root does not match the census rows")
    report.ok(
        f"名册 {len(voters)} 人，根哈希 {opened['census']['root'][:16]}… 相符",
        f"census of {len(voters)} voting persons matches its root",
    )
    by_did = {v["did"]: v["voter"] for v in voters if v["did"]}
    did_of = {v["voter"]: v["did"] for v in voters}
    rekeyed = 0
    votes: dict[str, str] = {}
    closed: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    for i, entry in enumerate(entries[1:], start=1):
        kind = entry.get("type")
        if kind == "Vote":
            if closed is not None:
                raise _fail(f"第 {i} 条：截止后的选票", f"entry {i}: a vote after closing")
            if entry.get("ballot") != opened["ballot"]:
                raise _fail(f"第 {i} 条：选票属于别的表决", f"entry {i}: vote for another ballot")
            signer = verify_signed(entry)
            if signer != entry.get("voter") or signer not in by_did:
                raise _fail(f"第 {i} 条：投票人不在名册", f"entry {i}: voter not in the census")
            key = by_did[signer]
            if key in votes:
                raise _fail(f"第 {i} 条：重复投票", f"entry {i}: a second vote by {key}")
            votes[key] = entry["choice"]
        elif kind == "VoterKeyChanged" and closed is None:
            _decision(check_decision, entry, i)
            key, old, new = entry.get("voter"), entry.get("oldDid"), entry.get("newDid")
            if key not in did_of or did_of[key] != old or key in votes or new in by_did:
                raise _fail(
                    f"第 {i} 条：换钥条目与名册不符",
                    f"entry {i}: VoterKeyChanged does not "
                    "fit the census (unknown voter, wrong old key, already voted or key in use)",
                )
            by_did.pop(old, None)
            by_did[new] = key
            did_of[key] = new
            rekeyed += 1
        elif kind == "BallotResult" and closed is None:
            _decision(check_decision, entry, i)
            closed = result = entry
        else:
            raise _fail(f"第 {i} 条：意外的条目 {kind}", f"entry {i}: unexpected entry {kind}")
    report.ok(
        f"{len(votes)} 张选票签名有效、投票人均在名册、无重复",
        f"{len(votes)} votes: signatures valid, voters in the census, none twice",
    )
    if closed is None or result is None:
        raise _fail("表决尚未结束，记录没有结果", "the ballot is not closed: no result yet")
    if closed["votes"] != len(votes) or closed.get("boxSize") != len(entries) - 1:
        raise _fail(
            "结果条目的票数或投票箱大小与记录不符",
            "BallotResult counts a different number of votes or entries than the record holds",
        )
    outcome = decide(opened["matter"], voters, votes).to_json()
    if outcome != result["outcome"]:
        raise _fail(
            "按规则重新计票的结果与公布结果不符",
            "recounted outcome differs from the published result",
        )
    verdict = "通过" if outcome["passed"] else "未通过"
    report.ok(
        f"按民法典第278条重新计票，结果相符：{verdict}",
        f"recount under Civil Code Art. 278 matches the published result: "
        f"{'passed' if outcome['passed'] else 'not passed'}",
    )

    hashes = [leaf_hash(e.encode()) for e in raw_entries]
    root = root_from_hashes(hashes)
    origin, size, cp_root = verify_checkpoint(record["checkpoint"])
    if origin != opened["ballot"] or size != len(hashes) or cp_root != root:
        raise _fail(
            "签名检查点与记录的默克尔树不符",
            "the signed checkpoint does not match the record's Merkle tree",
        )
    report.ok(
        f"日志检查点签名有效，{size} 条，根 {root.hex()[:16]}…",
        f"checkpoint signed by the log; {size} entries, root matches",
    )
    log_id = log_id_of(opened["ballot"])  # by the fixed rule, never the record's say-so
    if anchored_root is None:
        report.lines.append(
            "! 无法连接区块链，未核对锚定 / chain not reachable: anchor not checked"
        )
        return report
    on_chain = anchored_root(log_id, size)
    if on_chain is None:
        raise _fail(f"链上没有大小为 {size} 的锚定", f"no anchor on chain for size {size}")
    if on_chain != root:
        raise _fail("链上锚定的根与记录不符", "the root anchored on chain differs from the record")
    anchor = record.get("anchor", {})
    report.ok(
        f"链上锚定相符（合约 {anchor.get('contract')}，交易 {anchor.get('tx')}）",
        f"root anchored on chain matches (contract {anchor.get('contract')})",
    )
    return report
