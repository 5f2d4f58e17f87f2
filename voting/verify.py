"""The independent ballot verifier: re-checks an exported ballot record with pinned trust.

It is given the record and a `PinnedTrust` (chain id, anchoring contract, street-office
roots) and trusts nothing else in the file:

* the committee is derived from the root-signed registrations the record carries
  (``registrations``), checked as one chain against the pinned roots;
* every committee decision in the box — ``BallotOpened``, ``VoterKeyChanged``,
  ``BallotCancelled``, ``BallotResult`` — is the entry itself with a proof set, checked
  under the registration it names, which must be the one in force when it was signed
  (`identity.community.logged_decision`);
* the box's checkpoint key is the ``logKey`` the committee signed into ``BallotOpened``;
* the log id is SHA-256 of the origin (`log_id_of`), never the file's ``logId``;
* the anchored root is asked of the pinned contract on the pinned chain (the caller
  checks the chain id, through `AnchoredRoot`).

Each check appends a line to the `identity.report.Report`; the first failure raises
`RecordError` naming it, in Chinese and English.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.errors import ChainError
from identity.community.committee import (
    Decided,
    DecisionError,
    RegistrationChain,
    collect,
    proofs_of,
)
from identity.community.logged_decision import verify_logged_decision
from identity.community.trustfile import PinnedTrust
from identity.errors import IdentityError
from identity.report import ChainState, Report
from identity.w3c.credential import parse_credential
from identity.w3c.dataintegrity import (
    CanonicalForms,
    canonical_forms,
    verify_proof,
    verify_signed_json,
)
from identity.w3c.didkey import resolve_before_signature
from identity.w3c.jcs import canonical
from ledger.tlog.checkpoint import open_checkpoint
from ledger.tlog.errors import LedgerError
from ledger.tlog.merkle import leaf_hash, root_from_hashes
from ledger.tlog.note_keys import Ed25519Verifier, parse_vkey
from ledger.tlog.records import log_id_of
from voting.area import Area
from voting.box_state import (
    ANNOUNCED,
    CANCELLED,
    CLOSED,
    FINAL,
    OPEN,
    BoxState,
    parse_time,
)
from voting.census_check import check_census_areas
from voting.census_rows import census_root
from voting.errors import VotingError
from voting.schedule import result_due

RECORD_FORMAT = "gongzhi-ballot-record/1"
# (log id, tree size) → anchored root, or None if that size was never anchored; raises
# `ChainError` when the chain cannot be reached.
AnchoredRoot = Callable[[bytes, int], bytes | None]
DECISIONS = (
    "BallotOpened",
    "BallotCancelled",
    "VoterKeyChanged",
    "BallotResult",
    "ObjectionAnswered",
    "BallotFinal",
)
# Owners' documents, by the field naming who signed.
OWNER_SIGNED = {
    "Vote": "voter",
    "ProxyMandate": "owner",
    "ProxyWithdrawal": "owner",
    "Objection": "voter",
}

__all__ = [
    "RECORD_FORMAT",
    "AnchoredRoot",
    "CheckedBox",
    "RecordError",
    "Report",
    "check_box",
    "verify_record",
]


class RecordError(VotingError):
    """The ballot record does not verify; the message says which check failed."""


def _fail(zh: str, en: str) -> RecordError:
    return RecordError(zh, en)


def _canonical_text(entry: dict[str, Any], index: int, forms: dict[int, CanonicalForms]) -> bytes:
    """RFC 8785 of a parsed entry; of a signed one made with its unsecured form, which its
    proof is then checked against (`forms`): one canonicalisation per entry, not two."""
    if "proof" not in entry:
        return canonical(entry)
    forms[index] = made = canonical_forms(entry)
    return made.secured


def _entries(
    record: Mapping[str, Any],
) -> tuple[list[bytes], list[dict[str, Any]], dict[int, CanonicalForms]]:
    """Each entry's RFC 9162 leaf hash, and the entry parsed. While voting runs the public
    record serves a vote as its leaf hash only (``{"hidden": true, "index", "leafHash"}``,
    `web.record`): its hash still makes the tree, its content is checked once revealed."""
    raw = record.get("entries")
    if not isinstance(raw, list):
        raise _fail("记录缺少条目列表", "the record has no list of entries")
    hashes: list[bytes] = []
    parsed: list[dict[str, Any]] = []
    forms: dict[int, CanonicalForms] = {}
    for i, item in enumerate(raw):
        if isinstance(item, Mapping) and item.get("hidden") is True:
            digest = item.get("leafHash")
            if item.get("index") != i or not isinstance(digest, str) or len(digest) != 64:
                raise _fail(f"第 {i} 条隐藏条目格式有误", f"hidden entry {i} is malformed")
            try:
                hashes.append(bytes.fromhex(digest))
            except ValueError as exc:
                raise _fail(f"第 {i} 条隐藏条目格式有误", f"hidden entry {i} is malformed") from exc
            parsed.append({"type": item.get("type"), "hidden": True})
            continue
        try:
            if not isinstance(item, str):
                raise ValueError
            entry = json.loads(item)
            if not isinstance(entry, dict) or _canonical_text(entry, i, forms) != item.encode():
                raise ValueError
        except (ValueError, IdentityError) as exc:
            raise _fail(
                f"第 {i} 条记录不是规范 JSON 对象", f"entry {i} is not RFC 8785 canonical JSON"
            ) from exc
        hashes.append(leaf_hash(item.encode()))
        parsed.append(entry)
    return hashes, parsed, forms


def _community_of(origin: str, community: object) -> str:
    """The slug the box's origin names, which must be the one BallotOpened names."""
    head, _, ballot_id = origin.rpartition("/")
    if (
        not isinstance(community, str)
        or not ballot_id
        or not head.endswith(f"/c/{community}/ballots")
    ):
        raise _fail(
            "投票箱来源与开启条目中的小区不符",
            "the box's origin does not name the community of BallotOpened",
        )
    return community


class _Decisions:
    """Checks each decision entry against the registration chain, and says so in the report."""

    def __init__(self, chain: RegistrationChain, origin: str, report: Report) -> None:
        self.chain, self.origin, self.report = chain, origin, report

    def check(self, i: int, entry: Mapping[str, Any]) -> Decided:
        kind = entry.get("type")
        if entry.get("ballot") != self.origin:
            raise _fail(
                f"第 {i} 条：{kind} 属于另一表决", f"entry {i}: {kind} is for another ballot"
            )
        try:
            decided = verify_logged_decision(entry, self.chain)
        except DecisionError as exc:
            raise _fail(
                f"第 {i} 条 {kind}：{exc.zh}",
                f"entry {i} ({kind}) is not the committee's: {exc.en}",
            ) from exc
        reg = decided.registration
        self.report.ok(
            f"第 {i} 条 {kind}：{len(decided.signers)} 名委员签名（全体 {len(reg.members)} 名，"
            f"需 {reg.needed} 名），依第 {reg.sequence} 号备案，签署时在任",
            f"entry {i} {kind}: signed by {len(decided.signers)} of {len(reg.members)} members "
            f"({reg.needed} needed) under registration {reg.sequence}, in force when signed",
        )
        return decided


def _box_key(announced: Mapping[str, Any], origin: str) -> Ed25519Verifier:
    try:
        key = parse_vkey(str(announced.get("logKey")))
    except LedgerError as exc:
        raise _fail(
            "公告条目中的日志公钥无效", f"the logKey in BallotAnnounced is invalid: {exc}"
        ) from exc
    if not isinstance(key, Ed25519Verifier) or key.name != origin:
        raise _fail(
            "公告条目中的日志公钥须为以投票箱来源命名的 Ed25519 密钥",
            f"the logKey in BallotAnnounced must be an Ed25519 note key named {origin!r}",
        )
    return key


class _Owners:
    """The ownership credentials a record carries, checked on demand for each voter: signed,
    issued by a member of the registration in force at its validFrom (so by no key the
    server holds), to the voter's DID, for exactly the units and area the census gives.

    A census is drafted by the server from its register; without this, a key the operator
    put on an owner before a ballot was proposed would be in the census the members sign,
    and no verifier could tell. Revocation after the ballot opened does not unmake a
    census, so status is not asked here."""

    def __init__(self, credentials: object, chain: RegistrationChain) -> None:
        self.chain = chain
        self.by_did: dict[str, list[Mapping[str, Any]]] = {}
        for doc in credentials if isinstance(credentials, list) else []:
            subject = doc.get("credentialSubject") if isinstance(doc, Mapping) else None
            if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
                self.by_did.setdefault(subject["id"], []).append(doc)

    def check(self, index: int, did: str, row: Mapping[str, Any]) -> None:
        reasons = []
        for doc in self.by_did.get(did, []):
            try:
                self._one(doc, did, row)
                return
            except (IdentityError, VotingError, KeyError, TypeError, ValueError) as exc:
                reasons.append(str(exc))
        raise _fail(
            f"第 {index} 条：投票人没有业委会委员签发、与名册相符的所有权凭证",
            f"entry {index}: the voter holds no ownership credential issued by a registered "
            f"member for the units the census gives them{': ' + reasons[0] if reasons else ''}",
        )

    def _one(self, doc: Mapping[str, Any], did: str, row: Mapping[str, Any]) -> None:
        view = parse_credential(doc)
        if "OwnershipCredential" not in view.types or view.valid_from is None:
            raise _fail("不是所有权凭证", "not an ownership credential")
        if verify_proof(doc, expected_purpose="assertionMethod").controller != view.issuer:
            raise _fail("凭证不是由其签发者签名", "not signed by its issuer")
        registration = self.chain.in_force(view.valid_from)
        if registration is None or view.issuer not in registration.member_dids:
            raise _fail("签发者不是当时在任的委员", "its issuer was no registered member then")
        units = view.subject["units"]
        held = {str(u["unitId"]) for u in units}
        area = sum(int(u["area"]) for u in units)
        if held != set(row["units"]) or area != Area.parse(row["area"]).hundredths:
            raise _fail("凭证的房屋或面积与名册不符", "its units or area differ from the census")
        # A guardian's credential backs only the ward's row, an owner's only their own.
        if (view.subject.get("guardian") is True) != (row.get("guardian") is True):
            raise _fail(
                "凭证与名册的监护人标记不符", "its guardian mark differs from the census row"
            )


@dataclass(frozen=True)
class CheckedBox:
    """What a verified record establishes, for a caller that checks more against it (the
    election bundle, `voting.election`): the box replayed, and its entries' leaf hashes."""

    report: Report
    state: BoxState
    hashes: list[bytes]
    entries: list[dict[str, Any]]


def verify_record(
    record: Mapping[str, Any],
    *,
    trust: PinnedTrust,
    anchored_root: AnchoredRoot | None,
    offline: bool = False,
    report: Report | None = None,
) -> Report:
    """Check a ballot record end to end under `trust`.

    ``anchored_root`` None with ``offline`` False means the chain could not be reached (the
    report is then incomplete); ``offline`` means the caller chose not to ask it.
    """
    return check_box(
        record, trust=trust, anchored_root=anchored_root, offline=offline, report=report
    ).report


def check_box(
    record: Mapping[str, Any],
    *,
    trust: PinnedTrust,
    anchored_root: AnchoredRoot | None,
    offline: bool = False,
    report: Report | None = None,
) -> CheckedBox:
    """`verify_record`, returning the replayed box beside the report."""
    report = report or Report()
    if offline:
        report.chain = ChainState.OFFLINE
    if record.get("format") != RECORD_FORMAT:
        raise _fail("不是共治表决记录", f"not a gongzhi ballot record ({RECORD_FORMAT})")
    origin = record.get("origin")
    if not isinstance(origin, str) or not origin:
        raise _fail("记录缺少投票箱来源", "the record names no origin")
    report.subject_zh, report.subject_en = f"表决记录 {origin}", f"ballot record {origin}"
    hashes, entries, forms = _entries(record)
    if not entries or entries[0].get("type") != "BallotAnnounced":
        raise _fail("记录缺少表决公告条目", "the record does not start with BallotAnnounced")
    announced = entries[0]
    if announced.get("ballot") != origin:
        raise _fail("公告条目属于另一表决", "BallotAnnounced is for another ballot")
    community = _community_of(origin, announced.get("community"))

    registrations = record.get("registrations")
    if not isinstance(registrations, list):
        raise _fail("记录缺少业委会备案", "the record carries no committee registrations")
    try:
        chain = RegistrationChain.of(registrations, trust.roots, community)
    except DecisionError as exc:
        raise _fail(f"业委会备案：{exc.zh}", f"committee registrations: {exc.en}") from exc
    report.ok(
        f"{len(chain.registrations)} 份业委会备案均由受信任的街道办事处签发，前后衔接",
        f"{len(chain.registrations)} committee registrations, signed by a pinned root, "
        "chained by sequence and hash",
    )
    for reg in chain.registrations:
        report.detail(
            f"第 {reg.sequence} 号 {format(reg.valid_from, '%Y-%m-%d')}–"
            f"{format(reg.valid_until, '%Y-%m-%d')}，{len(reg.members)} 名委员，"
            f"签发 {reg.root}",
            f"no. {reg.sequence} {reg.valid_from:%Y-%m-%d}–{reg.valid_until:%Y-%m-%d}, "
            f"{len(reg.members)} members, by {reg.root}",
        )
    decisions = _Decisions(chain, origin, report)
    decisions.check(0, announced)
    box_key = _box_key(announced, origin)
    report.ok(
        "投票箱日志公钥取自业委会签署的公告条目",
        "the box's log key is the one the committee signed into the announcement",
    )
    try:
        state = BoxState.announce(announced)
    except (KeyError, TypeError, ValueError, VotingError) as exc:
        raise _fail(f"公告条目：{exc}", f"the announcement does not hold: {exc}") from exc
    rules = state.rules
    report.ok(
        f"公告 {len(state.items)} 个事项；公告期 {rules.notice_days} 天（不少于15天），"
        f"表决期在 {rules.min_window_days}–{rules.max_window_days} 天之内",
        f"{len(state.items)} items announced; {rules.notice_days} days' notice (15 at least), "
        f"a window of {rules.min_window_days}–{rules.max_window_days} days",
    )
    state.size = 1
    owners = _Owners(record.get("credentials"), chain)
    credentialed: set[str] = set()
    hidden: set[int] = set()
    for i, entry in enumerate(entries[1:], start=1):
        if entry.get("hidden"):
            hidden.add(i)  # a choice's leaf, its content served once the box is closed
            state.size += 1
            continue
        decided = _check_signatures(i, entry, origin, decisions, chain, forms.get(i))
        withdrawn = entry.get("mandate") if entry.get("type") == "ProxyWithdrawal" else None
        if isinstance(withdrawn, int) and withdrawn in hidden:
            # The withdrawn mandate carried instructions, so it is hidden while voting runs
            # and was never folded: its withdrawal has nothing to undo yet (the closed
            # record shows both, and then both are folded).
            state.size += 1
            continue
        try:
            state.apply_entry(entry)
        except (KeyError, TypeError, ValueError, VotingError) as exc:
            raise _fail(
                f"第 {i} 条 {entry.get('type')}：{exc}",
                f"entry {i} ({entry.get('type')}) breaks the box's rules: {exc}",
            ) from exc
        if entry["type"] == "BallotOpened":
            _report_census(entry, report)
        elif entry["type"] == "BallotResult" and decided is not None:
            _report_timeliness(entry, decided, state, report)
        elif entry["type"] == "Vote":
            key = _counted_key(state, i, entry)
            did = state.did_of.get(key)
            if did is not None and did not in credentialed:
                owners.check(i, did, state.rows[key])
                credentialed.add(did)
        state.size += 1
    report.ok(
        f"{len(state.votes)} 位业主的选票签名有效、均在名册、未重复计票"
        f"（纸质 {len(state.paper)}，代理 {len(state.used_mandates)}）",
        f"{len(state.votes)} owners' votes: signatures valid, voters in the census, none "
        f"counted twice ({len(state.paper)} on paper, {len(state.used_mandates)} by proxy)",
    )
    report.ok(
        "每位投票人均持有业委会委员签发、与名册房屋和面积相符的所有权凭证"
        f"（{len(credentialed)} 份）",
        "every voter holds an ownership credential issued by a registered member, for the "
        f"units and area the census gives them ({len(credentialed)} credentials)",
    )
    if hidden and state.phase in (CLOSED, FINAL, CANCELLED):
        raise _fail(
            "表决已结束，选票不应再隐藏", "the ballot is closed: no vote may be hidden any more"
        )
    if hidden:
        report.note(
            f"{len(hidden)} 张选票截止前不公开：只核对其哈希在签名日志中",
            f"{len(hidden)} votes hidden until close: only their hashes are checked in the "
            "signed log",
        )
    _report_phase(state, report)

    root = root_from_hashes(hashes)
    note = record.get("checkpoint")
    if not isinstance(note, str):
        raise _fail("记录缺少签名检查点", "the record has no signed checkpoint")
    try:
        cp = open_checkpoint(note, origin=origin, log_verifier=box_key).checkpoint
    except LedgerError as exc:
        raise _fail(
            "检查点不是由业委会认可的投票箱密钥签名",
            f"the checkpoint is not signed by the box key the committee signed: {exc}",
        ) from exc
    if cp.size != len(hashes) or cp.root != root:
        raise _fail(
            "签名检查点与记录的默克尔树不符",
            "the signed checkpoint does not match the record's Merkle tree",
        )
    report.ok(
        f"日志检查点签名有效，{cp.size} 条，根 {root.hex()[:16]}…",
        f"checkpoint signed by the box key; {cp.size} entries, root matches",
    )
    _check_anchor(record, origin, cp.size, root, trust, anchored_root, offline, report)
    return CheckedBox(report, state, hashes, entries)


def _check_signatures(
    i: int,
    entry: Mapping[str, Any],
    origin: str,
    decisions: _Decisions,
    chain: RegistrationChain,
    forms: CanonicalForms | None,
) -> Decided | None:
    """Who must have signed entry ``i``, by its kind: the committee, the owner, two members.
    Returns the committee's decision, if it is one."""
    kind = entry.get("type")
    if entry.get("ballot") != origin:
        raise _fail(f"第 {i} 条：{kind} 属于别的表决", f"entry {i}: {kind} is for another ballot")
    if kind in DECISIONS:
        return decisions.check(i, entry)
    if kind in OWNER_SIGNED:
        if _owner_signer(entry, forms) != entry.get(OWNER_SIGNED[str(kind)]):
            raise _fail(f"第 {i} 条：签名人不符", f"entry {i}: {kind} not signed by its owner")
    elif kind == "PaperBallot":
        _paper_signers(i, entry, chain)
    else:
        raise _fail(f"第 {i} 条：意外的条目 {kind}", f"entry {i}: unexpected entry {kind}")
    return None


def _owner_signer(entry: Mapping[str, Any], forms: CanonicalForms | None) -> str:
    """Who signed an owner's document: the fast path (the unsecured form already made, the
    key's point left to libsodium), and on any failure the full path, for its exact error."""
    try:
        return verify_signed_json(entry, resolve=resolve_before_signature, forms=forms).controller
    except IdentityError:
        return verify_signed_json(entry).controller


def _counted_key(state: BoxState, index: int, entry: Mapping[str, Any]) -> str:
    """The census entry the vote at ``index`` was just counted for: the one it names, or
    its signer's own (as `BoxState` reads it) — looked up, not searched for among all votes
    (a search made verifying a 10,000-vote box quadratic)."""
    named = entry.get("censusEntry")
    key = named if isinstance(named, str) else state.voter_of.get(str(entry.get("voter")), "")
    if state.cast_at.get(key) != index:
        raise _fail(f"第 {index} 条选票未计入", f"entry {index}: the vote was not counted")
    return key


def _report_timeliness(
    entry: Mapping[str, Any], decided: Decided, state: BoxState, report: Report
) -> None:
    """The result must be posted within the rules' days of the count (北京条例 §37: 3 days);
    the members' signatures are dated, so a late result is reported — it stays the result."""
    due = result_due(state.rules, parse_time(entry["closedAt"], "closedAt"))
    if decided.at is not None and decided.at > due:
        report.warn(
            f"结果在截止后 {state.rules.result_notice_days} 天内未签署公布（签署于 "
            f"{decided.at:%Y-%m-%d %H:%M} UTC）",
            f"the result was not signed within {state.rules.result_notice_days} days of the "
            f"close (signed {decided.at:%Y-%m-%d %H:%M} UTC)",
        )


def _report_census(entry: Mapping[str, Any], report: Report) -> None:
    census = entry["census"]
    if census_root(census["voters"]).hex() != census.get("root"):
        raise _fail("名册根哈希不符", "census root does not match the census rows")
    try:
        check_census_areas(census["voters"])
    except VotingError as exc:
        zh, en = exc.bilingual()
        raise _fail(f"名册面积：{zh}", f"census areas: {en}") from exc
    report.ok(
        f"名册 {len(census['voters'])} 人，根哈希 {str(census['root'])[:16]}… 相符",
        f"census of {len(census['voters'])} voting persons matches its root",
    )


def _paper_signers(i: int, entry: Mapping[str, Any], chain: RegistrationChain) -> None:
    """A paper ballot counts on two distinct registered members' signatures: the one who
    entered it and the one who confirmed it (four eyes)."""
    try:
        registration = chain.by_hash(str(entry.get("registration", "")))
        shares = collect(entry, proofs_of(entry), registration)
    except DecisionError as exc:
        raise _fail(f"第 {i} 条纸质选票：{exc.zh}", f"entry {i} (paper ballot): {exc.en}") from exc
    signers = {s.signer for s in shares}
    if len(signers) != 2 or signers != {entry.get("enteredBy"), entry.get("confirmedBy")}:
        raise _fail(
            f"第 {i} 条纸质选票须由录入和确认的两名委员签名",
            f"entry {i}: a paper ballot needs the signatures of the member who entered it "
            "and of another who confirmed it",
        )


def _report_phase(state: BoxState, report: Report) -> None:
    phase = state.phase
    if phase == ANNOUNCED:
        report.note("表决已公告，尚未开始投票", "the ballot is announced; voting has not opened")
    elif phase == OPEN:
        # An open ballot's record is checked as far as it goes (residents are invited to
        # verify while it runs); it simply has no result yet, and the report says so.
        report.note(
            "表决仍在进行：至今的记录完整，尚无结果", "the ballot is still open: no result yet"
        )
    elif phase == CANCELLED:
        report.ok("表决已由业委会决定取消", "the ballot was cancelled by a committee decision")
    else:
        items = state.tally()
        passed = sum(1 for i in items if item_passed(i["outcome"]))
        report.ok(
            f"按民法典第278条逐项重新计票，与公布结果相符：{passed}/{len(items)} 项通过",
            "recount of each item under Civil Code Art. 278 matches the published result: "
            f"{passed} of {len(items)} passed",
        )
        if phase == FINAL:
            report.ok(
                f"异议期届满、{len(state.objections)} 条异议均已答复，结果已最终确认",
                f"the objection window ended, all {len(state.objections)} objections were "
                "answered, and the result is final",
            )
        else:
            report.note(
                "初步结果：异议期尚未结束或尚未最终确认",
                "preliminary result: the objection window runs or the result is not final yet",
            )


def item_passed(outcome: Mapping[str, Any]) -> bool:
    """A motion passed, or an election filled at least one seat."""
    if "elected" in outcome:
        return bool(outcome["elected"])
    return bool(outcome.get("passed"))


def _check_anchor(
    record: Mapping[str, Any],
    origin: str,
    size: int,
    root: bytes,
    trust: PinnedTrust,
    anchored_root: AnchoredRoot | None,
    offline: bool,
    report: Report,
) -> None:
    log_id = log_id_of(origin)
    stated = record.get("logId")
    if stated is not None and stated != log_id.hex():
        report.warn(
            "记录所写的 logId 不是来源的 SHA-256（已忽略，按来源计算）",
            "the record's logId is not SHA-256 of the origin (ignored: computed from the origin)",
        )
    if offline:
        return
    if anchored_root is None:
        report.chain = ChainState.UNREACHABLE  # the caller's chain_error says why
        return
    try:
        on_chain = anchored_root(log_id, size)
    except ChainError as exc:
        report.chain, report.chain_error = ChainState.UNREACHABLE, str(exc)
        return
    if on_chain is None:
        raise _fail(
            f"链 {trust.chain_id} 的合约 {trust.contract} 上没有大小为 {size} 的锚定",
            f"no anchor of this box for size {size} on chain {trust.chain_id}, contract "
            f"{trust.contract}",
        )
    if on_chain != root:
        raise _fail("链上锚定的根与记录不符", "the root anchored on chain differs from the record")
    report.chain = ChainState.CHECKED
    tx = (record.get("anchor") or {}).get("tx")
    report.ok(
        f"链上锚定相符（链 {trust.chain_id}，合约 {trust.contract}，交易 {tx}）",
        f"root anchored on chain matches (chain {trust.chain_id}, contract {trust.contract})",
    )
