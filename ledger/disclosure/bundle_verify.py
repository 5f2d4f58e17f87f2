"""Verify a disclosure bundle (`ledger.disclosure.bundle_export`) offline, reading it as a stream.

What is checked, in one pass and in bounded memory (the tree's subtree hashes go to files):

* every entry: RFC 8785 canonical JSON, its stated leaf hash, its Data Integrity proof by the
  DID it names, for disclosures and replies a publisher backed by signed data (a member of a
  registration, or the holder of a property-manager ``CommunityRoleCredential`` a pinned
  root signed, which the header carries), its schema, and every accounting check
  (`ledger.disclosure.accounting`) against the entries before it; a publisher the header
  lists beyond those is a forgery and the bundle is refused;
* the committee: the root-signed registrations the header carries (``registrations``),
  checked as one chain against the pinned roots (`identity.community.trustfile`); the log's
  key is the registration's ``server.disclosureLogKey`` and its id SHA-256 of the origin —
  neither is read from the header;
* every cited ballot result: BallotOpened and BallotResult each a committee decision (a proof
  set under the registration in force when signed), both included in a checkpoint signed by
  the box key the committee signed into BallotOpened, passed, on matter 5, with the approved
  amount;
* every checkpoint: the log's signature, the cosignatures of the witnesses the registrations
  name (``witnesses``; any other the header lists earns a warning and counts for nothing),
  its root recomputed from the entries, and its consistency with the previous checkpoint
  (the proof computed from the entries and checked as RFC 9162 §2.1.4.2 says);
* every anchor: its root recomputed from the entries, and — unless offline, when the pinned
  chain is reachable — the root the pinned contract holds for that size and its latest head.

Entries may be parsed and checked in worker processes (``jobs``), each reading its own byte
range of the file; everything that depends on order (the tree, the accounts) runs in the
calling process, in log order. Any failure raises
`BundleError` naming the line, the entry and the check.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from contracts.errors import ChainError
from identity.community.committee import DecisionError, RegistrationChain
from identity.community.logged_decision import verify_logged_decision
from identity.community.trustfile import PinnedTrust
from identity.errors import IdentityError
from identity.report import ChainState, Report
from identity.w3c.clockskew import DEFAULT_CLOCK_SKEW, shifted
from identity.w3c.dataintegrity import CanonicalForms, verify_signed_json
from identity.w3c.jcs import loads as strict_loads
from identity.w3c.xsdtime import format_utc
from identity.w3c.xsdtime import parse as parse_time
from ledger.disclosure.accounting import Posting, check_entry, prepared
from ledger.disclosure.approval import (
    ApprovedSpending,
    BallotReader,
    BallotRef,
    approved_spending,
    check_same_community,
    parse_ballot_ref,
)
from ledger.disclosure.bundle_export import BUNDLE_FORMAT
from ledger.disclosure.bundle_line import entry_fields
from ledger.disclosure.entries import (
    DISCLOSURE,
    Disclosure,
    Entry,
    ObjectionReply,
    ObjectionReview,
    read_entry,
    safe_loads,
)
from ledger.disclosure.fields import yuan
from ledger.disclosure.in_force import Publishers, terms_text, witness_in_force
from ledger.disclosure.state import MemoryState
from ledger.tlog.checkpoint import Checkpoint, check_extends, open_checkpoint
from ledger.tlog.errors import LedgerError
from ledger.tlog.merkle import leaf_hash, verify_inclusion
from ledger.tlog.note_keys import CosignatureVerifier, Ed25519Verifier, parse_vkey
from ledger.tlog.records import log_id_of
from ledger.tlog.treefile import TreeFiles

_BATCH = 256
# An entry's ``created`` is its signer's clock, a cosignature's timestamp the witness's, a
# term's ends the office's: three clocks, which may disagree by this much and still agree.
CLOCKS_APART = DEFAULT_CLOCK_SKEW


class BundleError(LedgerError):
    """The bundle does not verify; the message names the line, the entry and the check."""


class BundleUnreadable(BundleError):
    """The input is not a disclosure bundle at all."""


class AnchoredHeadLike(Protocol):
    @property
    def tree_size(self) -> int: ...
    @property
    def root(self) -> bytes: ...


class AnchorView(Protocol):
    """Read access to the anchoring contract (`contracts.anchor.AnchorContract` is one)."""

    def root_at(self, log_id: bytes, tree_size: int) -> bytes | None: ...
    def head(self, log_id: bytes) -> AnchoredHeadLike | None: ...


@dataclass
class BundleReport(Report):
    """The verifiers' one `Report`, with the bundle's counts beside its lines."""

    origin: str = ""
    entries: int = 0
    checkpoints: int = 0
    anchored_size: int = 0


def _halves(exc: Exception) -> tuple[str, str]:
    """An error's message in both languages: its own halves when it is one of ours."""
    if isinstance(exc, LedgerError | IdentityError):
        return exc.zh, exc.en
    return str(exc), str(exc)


def _where(lineno: int, index: int) -> tuple[str, str]:
    """Where an entry is, in both languages: made only for a refusal (never per entry)."""
    return f"第 {lineno} 行（第 {index} 条）", f"line {lineno} (entry {index})"


def _fail(where_zh: str, where_en: str, cause: Exception) -> BundleError:
    zh, en = _halves(cause)
    return BundleError(f"{where_zh}：{zh}", f"{where_en}: {en}")


def _b64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise BundleError(f"{what} 不是 base64 文本", f"{what} is not base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise BundleError(f"{what} 不是合法的 base64", f"{what} is not valid base64") from exc


def _verify_did(doc: Mapping[str, Any]) -> str:
    return verify_signed_json(doc).controller


def _verify_did_canonical(doc: Mapping[str, Any], forms: CanonicalForms) -> str:
    return verify_signed_json(doc, forms=forms).controller


# --- the per-entry work, in a worker process or inline ------------------------------------------


class _Entry(NamedTuple):
    lineno: int
    at: int  # the entry's index ("index" would shadow tuple.index)
    leaf: bytes
    entry: Entry | Posting  # a statement as its Posting: its own checks done in the worker
    signer: str
    created: datetime | None  # the proof's ``created``: when its signer says they signed


class _Other(NamedTuple):
    """A line that is not an entry (``failed`` False), or why an entry line failed."""

    lineno: int
    text: str  # the line; or, when it failed, why in Chinese
    failed: bool
    en: str = ""  # why it failed, in English
    at: int | None = None  # the entry's index, when the failure is the entry's own check


Checked = _Entry | _Other


def _check_line(origin: str, lineno: int, text: str) -> Checked:
    start = text.lstrip()[:12]
    if not start.startswith('{"entry"'):
        return _Other(lineno, text, failed=False)
    try:
        fields = entry_fields(text)
        if fields is None:
            item = safe_loads(text)["entry"]
            fields = item["index"], item["data"], item["leafHash"]
        index, data, stated = fields
        if not isinstance(index, int) or not isinstance(data, str) or not isinstance(stated, str):
            raise BundleError("条目行的字段类型不对", "entry line has fields of the wrong type")
        raw = data.encode("utf-8")
        leaf = leaf_hash(raw)
        if stated != leaf.hex():
            raise BundleError(
                "所列叶哈希与条目内容不符", "the stated leaf hash does not match the entry"
            )
        read = read_entry(
            raw, origin=origin, verify=_verify_did, verify_canonical=_verify_did_canonical
        )
    except (LedgerError, ValueError, KeyError, TypeError) as exc:
        zh, en = _halves(exc)
        return _Other(lineno, zh, failed=True, en=en)
    try:
        entry = prepared(read.entry, origin)
    except LedgerError as exc:
        zh, en = _halves(exc)
        return _Other(lineno, zh, failed=True, en=en, at=index)
    return _Entry(lineno, index, leaf, entry, read.signer, _created(read.doc))


def _created(doc: Mapping[str, Any]) -> datetime | None:
    """The verified proof's ``created`` (signed with the proof's options), if it has one."""
    proof = doc.get("proof")
    text = proof.get("created") if isinstance(proof, dict) else None
    return None if text is None else parse_time(text, field="proof.created")


def _check_batch(origin: str, batch: list[tuple[int, str]]) -> list[Checked]:
    return [_check_line(origin, lineno, text) for lineno, text in batch]


def _read_range(path: str, start: int, end: int) -> list[bytes]:
    """The lines of the file whose first byte lies in [start, end), each whole.

    Chunks cut at arbitrary byte offsets thus share out the lines exactly: a line that
    begins before ``start`` belongs to the chunk before, whatever its length.
    """
    out: list[bytes] = []
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                f.readline()  # the tail of a line that began in the chunk before
        at = f.tell()
        while at < end:
            line = f.readline()
            if not line:
                break
            out.append(line)
            at += len(line)
    return out


def _check_range(origin: str, path: str, start: int, end: int) -> tuple[int, list[Checked]]:
    """Read and check one chunk of the file in a worker: (number of lines, results).

    Only the byte range crosses the process boundary on the way in, and line numbers in the
    results count from 0 within the chunk (the caller, who knows how many lines came before,
    makes them absolute): the calling process neither reads nor pickles the entries' text.
    """
    lines = _read_range(path, start, end)
    out: list[Checked] = []
    for k, raw in enumerate(lines):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append(
                _Other(k, f"不是 UTF-8 文本：{exc}", failed=True, en=f"not UTF-8 text: {exc}")
            )
            continue
        text = text.rstrip("\n").rstrip("\r")
        if text.strip():
            out.append(_check_line(origin, k, text))
    return len(lines), out


_CHUNK_BYTES = 2 << 20  # a worker's share of the file at a time: about 2,000 entries


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from this process: no re-import (as "spawn" would: ~1.8 s of CPU each
    for the web stack `gongzhi` imports) and no helper processes (a fork server and the
    resource tracker outlived the command). The verifier starts no threads of its own
    before the pool exists; "spawn" where fork is not offered."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Checker:
    """Runs `_check_batch` / `_check_range` inline or in a process pool, keeping order and a
    bounded backlog; `close` ends and reaps every worker."""

    def __init__(self, origin: str, jobs: int) -> None:
        self.origin = origin
        self._pool = _context().Pool(jobs) if jobs > 1 else None
        self._pending: deque[Any] = deque()
        self._limit = 2 * max(jobs, 1)

    def submit(self, batch: list[tuple[int, str]]) -> Iterator[Checked]:
        """Queue a batch; yield the results that must be consumed now to bound the backlog."""
        if self._pool is None:
            yield from _check_batch(self.origin, batch)
            return
        self._pending.append(self._pool.apply_async(_check_batch, (self.origin, batch)))
        while len(self._pending) > self._limit:
            yield from self._pending.popleft().get()

    def drain(self) -> Iterator[Checked]:
        while self._pending:
            yield from self._pending.popleft().get()

    def ranges(self, path: str, start: int, size: int) -> Iterator[tuple[int, list[Checked]]]:
        """(lines, results) of each chunk of the file from ``start``, in file order."""
        chunks = ((at, min(size, at + _CHUNK_BYTES)) for at in range(start, size, _CHUNK_BYTES))
        if self._pool is None:
            for at, end in chunks:
                yield _check_range(self.origin, path, at, end)
            return
        pending: deque[Any] = deque()
        for at, end in chunks:
            pending.append(self._pool.apply_async(_check_range, (self.origin, path, at, end)))
            if len(pending) > self._limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        """Stop the workers and wait for each to exit (none outlives the verification)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


# --- the verifier ------------------------------------------------------------------------------


class _Verifier:
    def __init__(
        self,
        header: Mapping[str, Any],
        *,
        workdir: Path,
        trust: PinnedTrust,
        anchor: AnchorView | None,
        report: BundleReport,
        read_ballot: BallotReader,
        skew: timedelta = CLOCKS_APART,
    ) -> None:
        self.report = report
        self.skew = skew
        self.read_ballot = read_ballot
        self.origin = _str(header.get("origin"), "origin")
        self.size = header.get("size")
        if not isinstance(self.size, int) or self.size < 0:
            raise BundleUnreadable("文件头缺少条目数", "the header lacks the entry count")
        # The log id is derived, never read: the file's own only earns a warning.
        self.log_id = log_id_of(self.origin)
        if header.get("logId") not in (None, self.log_id.hex()):
            report.warn(
                "文件所写的 logId 不是来源的 SHA-256（已忽略，按来源计算）",
                "the bundle's logId is not SHA-256 of the origin (ignored: computed from it)",
            )
        self.registrations = _registration_chain(header, self.origin, trust)
        latest = self.registrations.registrations[-1]
        key = parse_vkey(latest.server.disclosure_log_key)
        if not isinstance(key, Ed25519Verifier) or key.name != self.origin:
            raise BundleError(
                "备案所登记的公开日志公钥须为以来源命名的 Ed25519 密钥",
                "the disclosure log key "
                "the registration names must be an Ed25519 key named by the origin",
            )
        stated = header.get("logKey")
        if stated is not None and stated != key.vkey:
            raise BundleError(
                f"文件的日志公钥不是第 {latest.sequence} 号业委会备案所登记的",
                f"the bundle's log key is not the one registration {latest.sequence} names",
            )
        self.log_key = key
        report.ok(
            f"{len(self.registrations.registrations)} 份业委会备案均由受信任的街道办事处签发、"
            f"前后衔接；日志公钥取自第 {latest.sequence} 号备案",
            f"{len(self.registrations.registrations)} committee registrations signed by a "
            f"pinned root, chained; the log key is the one registration {latest.sequence} names",
        )
        self.witnesses, self.witness_roles = _registered_witnesses(self.registrations)
        for w in _list(header.get("witnesses"), "witnesses"):
            if w.get("vkey") not in {v.vkey for v in self.witnesses}:
                report.warn(
                    f"文件头所列见证人 {str(w.get('vkey'))[:120]} 未经业委会备案登记：其联署不计",
                    f"the header's witness {str(w.get('vkey'))[:120]} is named by no committee "
                    "registration: its cosignatures do not count",
                )
        self.terms = _publisher_terms(self.registrations, header, trust)
        self.publishers = _backed_publishers(self.terms, header)
        # Publishers' entries a witness has not yet seen: the latest ``created`` among them
        # (with its index), and the signers of those without one (with their first index).
        # The next cosigned checkpoint bounds their time: none can be younger than it.
        self.unseen_latest: tuple[datetime, int] | None = None
        self.unseen_undated: dict[str, int] = {}
        self.undated = 0  # publishers' entries without a ``created``
        self.undated_unseen = 0  # … of which no witness has seen yet
        self.chain = header.get("chain")
        self.trust = trust
        self.anchor = anchor
        self.tree = TreeFiles(workdir)
        self.state = MemoryState(leaf_at=self.tree.leaf)
        self.approvals: dict[BallotRef, ApprovedSpending] = {}
        self.last_cp: Checkpoint | None = None
        self.cosigned: Counter[str] = Counter()
        self.anchors: list[tuple[int, bytes, str]] = []
        self.kinds: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.signers: Counter[str] = Counter()
        self.satisfied = 0
        self.ended = False
        self.ballot_report = Report()  # shown after the accounts

    # entries

    def entry(
        self,
        lineno: int,
        index: int,
        leaf: bytes,
        entry: Entry | Posting,
        signer: str,
        created: datetime | None = None,
    ) -> None:
        if self.ended:
            where = _where(lineno, index)
            raise BundleError(f"{where[0]}：结束行之后还有条目", f"{where[1]}: entry after the end")
        if index != self.tree.size:
            where = _where(lineno, index)
            raise BundleError(
                f"{where[0]}：应为第 {self.tree.size} 条",
                f"{where[1]}: expected entry "
                f"{self.tree.size} (entries missing, repeated or out of order)",
            )
        published = isinstance(entry, Disclosure | Posting | ObjectionReply)
        if published and signer not in self.publishers:
            where = _where(lineno, index)
            raise BundleError(
                f"{where[0]}：签名人 {signer} 不是发布人（备案所登记的委员或持街道办事处签发的物业"
                "角色凭证者）",
                f"{where[1]}: signer {signer} is not a publisher (a registered member, or the "
                "holder of a property-manager role credential the street office signed)",
            )
        if published:
            self._in_term(lineno, index, signer, created)
        try:
            effects = check_entry(
                entry,
                origin=self.origin,
                index=index,
                leaf_hash=leaf,
                signer=signer,
                state=self.state,
                approved=self.approvals.get,
            )
        except LedgerError as exc:
            raise _fail(*_where(lineno, index), exc) from exc
        self.tree.add(leaf)
        self.state.apply(effects)
        self.types[effects.info.type] += 1
        self.signers[signer] += 1
        if isinstance(entry, Disclosure | Posting):
            self.kinds[entry.kind.zh] += 1
        if isinstance(entry, ObjectionReview) and entry.satisfied:
            self.satisfied += 1

    def _in_term(self, lineno: int, index: int, signer: str, created: datetime | None) -> None:
        """A publisher's entry was signed while its signer held a term: at its ``created``
        when it has one; otherwise no later than a witness saw it (checked at the next
        cosigned checkpoint, `_witnessed`)."""
        if created is None:
            self.undated += 1
            self.undated_unseen += 1
            self.unseen_undated.setdefault(signer, index)
            return
        if self.terms.role_at(signer, created, self.skew) is None:
            zh, en = terms_text(self.terms.terms(signer))
            where = _where(lineno, index)
            raise BundleError(
                f"{where[0]}：签名人 {signer} 于 {format_utc(created)} 签署时不在发布人任期内"
                f"（{zh}）",
                f"{where[1]}: signer {signer} held no publisher's term when it signed at "
                f"{format_utc(created)} ({en})",
            )
        if self.unseen_latest is None or created > self.unseen_latest[0]:
            self.unseen_latest = (created, index)

    def _witnessed(self, size: int, seen: datetime) -> None:
        """The entries before `size`, which a registered witness saw at `seen`, were all
        signed by then: none is dated later, and an undated one's signer had begun a term."""
        latest = self.unseen_latest
        if latest is not None and latest[0] > shifted(seen, self.skew):
            raise BundleError(
                f"第 {latest[1]} 条签署时间 {format_utc(latest[0])} 晚于见证人联署覆盖它的"
                f"检查点 {size} 的时间 {format_utc(seen)}",
                f"entry {latest[1]} is dated {format_utc(latest[0])}, after a witness cosigned "
                f"checkpoint {size}, which holds it, at {format_utc(seen)}",
            )
        for signer, index in sorted(self.unseen_undated.items(), key=lambda item: item[1]):
            if not self.terms.began_by(signer, seen, self.skew):
                zh, en = terms_text(self.terms.terms(signer))
                raise BundleError(
                    f"第 {index} 条：签名人 {signer} 的任期在见证人 {format_utc(seen)} 联署"
                    f"覆盖它的检查点 {size} 之后才开始（{zh}）",
                    f"entry {index}: signer {signer}'s term began only after a witness "
                    f"cosigned checkpoint {size}, which holds it, at {format_utc(seen)} ({en})",
                )
        self.unseen_latest = None
        self.unseen_undated.clear()
        self.undated_unseen = 0

    # other lines

    def line(self, lineno: int, text: str) -> None:
        try:
            obj = safe_loads(text)
        except LedgerError as exc:
            raise BundleError(f"第 {lineno} 行不是 JSON", f"line {lineno} is not JSON") from exc
        if not isinstance(obj, dict) or len(obj) != 1:
            raise BundleError(f"第 {lineno} 行格式不对", f"line {lineno} is malformed")
        ((kind, body),) = obj.items()
        handler = {
            "ballot": self.ballot,
            "checkpoint": self.checkpoint,
            "anchor": self.anchor_line,
            "end": self.end,
        }.get(kind)
        if handler is None or not isinstance(body, dict):
            raise BundleError(
                f"第 {lineno} 行：未知的行 {kind!r}", f"line {lineno}: unknown {kind!r}"
            )
        if self.ended:
            raise BundleError(f"第 {lineno} 行在结束行之后", f"line {lineno} follows the end line")
        try:
            handler(body)
        except BundleError as exc:
            raise _fail(f"第 {lineno} 行", f"line {lineno}", exc) from exc
        except (LedgerError, IdentityError, KeyError, TypeError, ValueError) as exc:
            raise _fail(f"第 {lineno} 行", f"line {lineno}", exc) from exc

    def ballot(self, body: Mapping[str, Any]) -> None:
        if self.tree.size:
            raise BundleError("表决证据须在条目之前", "ballot evidence must precede the entries")
        ref = parse_ballot_ref(body.get("ref"), "ref")
        check_same_community(self.origin, ref, "ref")
        items = []
        for name, want in (("opened", 0), ("result", ref.index)):
            item = body.get(name)
            if not isinstance(item, dict) or item.get("index") != want:
                raise BundleError(f"表决证据缺少 {name}", f"ballot evidence lacks {name}")
            raw = _str(item.get("data"), name).encode()
            proof = [_b64(p, "proof") for p in _list_of(item.get("proof"), "proof")]
            items.append((raw, want, proof, strict_loads(raw)))
        docs = [doc for *_, doc in items]
        decided = [self._decision(doc, ref.ballot, want) for _, want, _, doc in items]
        # Voting's reader of its own entries (the layout is voting's); the box's key is the one
        # the committee signed into the opening, not the header's.
        decision = self.read_ballot(docs[0], docs[1])
        approved = approved_spending(ref, decision)
        box_key = None if decision is None else decision.box_key  # None was refused above
        key = parse_vkey(_str(box_key, "the opening's box key"))
        if not isinstance(key, Ed25519Verifier) or key.name != ref.ballot:
            raise BundleError(
                "开启条目中的投票箱公钥须为以投票箱来源命名的 Ed25519 密钥",
                "the box key in the opening must be an Ed25519 key named by the ballot's origin",
            )
        cp = open_checkpoint(
            _str(body.get("checkpoint"), "checkpoint"), origin=ref.ballot, log_verifier=key
        ).checkpoint
        for raw, want, proof, _ in items:
            verify_inclusion(leaf_hash(raw), want, cp.size, proof, cp.root)
        if leaf_hash(items[1][0]) != ref.leaf_hash:
            raise BundleError("表决结果的叶哈希不符", "ballot result leaf hash differs")
        self.approvals[ref] = approved
        result = decided[1]
        self.ballot_report.ok(
            f"表决“{approved.title}”（{ref.ballot}）已通过，批准使用维修资金 "
            f"{yuan(approved.amount)}；开启与结果均经 {len(result.signers)} 名委员签署"
            f"（第 {result.registration.sequence} 号备案，签署时在任）",
            f"ballot {ref.ballot} passed and approved {approved.amount} fen of maintenance fund; "
            f"opening and result signed by {len(result.signers)} members under registration "
            f"{result.registration.sequence}, in force when signed",
        )

    def _decision(self, doc: Mapping[str, Any], ballot: str, index: int) -> Any:
        if doc.get("ballot") != ballot:
            raise BundleError(
                f"表决第 {index} 条属于另一表决", f"ballot entry {index} is for another ballot"
            )
        try:
            return verify_logged_decision(doc, self.registrations)
        except DecisionError as exc:
            raise BundleError(
                f"表决第 {index} 条不是业委会的决定：{exc.zh}",
                f"ballot entry {index} is not a decision of the committee: {exc.en}",
            ) from exc

    def checkpoint(self, body: Mapping[str, Any]) -> None:
        size = body.get("size")
        if size != self.tree.size:
            raise BundleError(
                f"检查点大小 {size} 出现在 {self.tree.size} 条之后",
                f"checkpoint of size {size} after {self.tree.size} entries",
            )
        if self.last_cp is not None and size <= self.last_cp.size:
            raise BundleError("检查点的大小须递增", "checkpoint sizes must increase")
        opened = open_checkpoint(
            _str(body.get("note"), "note"),
            origin=self.origin,
            log_verifier=self.log_key,
            witnesses=self.witnesses,
        )
        cp = opened.checkpoint
        if cp.size != size or cp.root.hex() != body.get("root") or cp.root != self.tree.root():
            raise BundleError(
                f"检查点 {size} 的根与条目算出的不同",
                f"checkpoint {size}'s root differs from the root of the entries",
            )
        if self.last_cp is not None:
            proof = (
                self.tree.consistency_proof(self.last_cp.size, cp.size) if self.last_cp.size else []
            )
            check_extends(self.last_cp, cp, proof)
        vkeys = {(w.name, w.key_id): w.vkey for w in self.witnesses}
        # Only registered witnesses' cosignatures count; the others' lines are not checked.
        stated = {
            (str(c.get("witness")), str(c.get("vkey")), c.get("timestamp"))
            for c in _list(body.get("cosigners"), "cosigners")
            if c.get("vkey") in vkeys.values()
        }
        verified = {(c.name, vkeys[(c.name, c.key_id)], c.timestamp) for c in opened.cosignatures}
        if stated != verified:
            raise BundleError(
                f"检查点 {size} 所列联署人与有效签名不符",
                f"checkpoint {size}'s listed cosigners differ from the valid cosignatures",
            )
        # A cosignature counts only when the registration in force at its timestamp names
        # its witness: a witness the office dropped (or had not yet named) counts for nothing.
        counted: list[datetime] = []
        for c in opened.cosignatures:
            # cosignature/v1 (the only kind a registration names) always carries a time.
            at = _moment(c.timestamp if c.timestamp is not None else 0)
            vkey = vkeys[(c.name, c.key_id)]
            if c.timestamp is not None and witness_in_force(self.registrations, vkey, at):
                counted.append(at)
                self.cosigned[c.name] += 1
            else:
                self.report.warn(
                    f"检查点 {size} 上见证人 {c.name} 于 {format_utc(at)} 的联署不计："
                    "当时在任的业委会备案未登记该见证人",
                    f"checkpoint {size}: witness {c.name}'s cosignature at {format_utc(at)} "
                    "does not count: the registration in force then names no such witness",
                )
        if counted:
            self._witnessed(size, min(counted))
        self.last_cp = cp
        self.report.checkpoints += 1

    def anchor_line(self, body: Mapping[str, Any]) -> None:
        size, root_hex = body.get("treeSize"), body.get("root")
        if not isinstance(size, int) or not isinstance(root_hex, str):
            raise BundleError("锚定行格式不对", "malformed anchor line")
        previous = self.anchors[-1][0] if self.anchors else 0
        if body.get("previousSize") != previous or size <= previous:
            raise BundleError(
                f"锚定 {size} 不接续上一个锚定 {previous}",
                f"anchor {size} does not follow the previous anchor {previous}",
            )
        if size > self.tree.size or self.tree.root(size).hex() != root_hex:
            raise BundleError(
                f"锚定的大小 {size} 的根与条目算出的不同",
                f"the root anchored for size {size} differs from the entries",
            )
        self.anchors.append((size, bytes.fromhex(root_hex), str(body.get("txHash"))))

    def end(self, body: Mapping[str, Any]) -> None:
        if body.get("entries") != self.tree.size or self.size != self.tree.size:
            raise BundleError(
                f"条目数不符：文件头 {self.size}，结束行 {body.get('entries')}，实有 "
                f"{self.tree.size}",
                f"entry count differs: header {self.size}, end "
                f"{body.get('entries')}, found {self.tree.size}",
            )
        if body.get("checkpoints") != self.report.checkpoints:
            raise BundleError("检查点数量不符", "checkpoint count differs")
        if body.get("anchors") is not None and body.get("anchors") != len(self.anchors):
            raise BundleError("锚定数量不符", "anchor count differs")
        if body.get("ballots") != len(self.approvals):
            raise BundleError("表决证据数量不符", "ballot evidence count differs")
        self.ended = True

    # the end

    def finish(self) -> None:
        r = self.report
        if not self.ended:
            raise BundleError("文件不完整：缺少结束行", "the bundle is truncated: no end line")
        n = self.tree.size
        if n and (self.last_cp is None or self.last_cp.size != n):
            raise BundleError(
                "最后的检查点未覆盖全部条目",
                "the last signed checkpoint does not cover every entry",
            )
        r.entries = n
        r.ok(f"日志 {self.origin}，公钥 {self.log_key.vkey}", f"log {self.origin}")
        r.ok(
            f"{n} 条条目均为规范 JSON，签名有效，叶哈希相符",
            f"{n} entries: canonical JSON, valid signatures, leaf hashes match",
        )
        for did, count in self.signers.most_common():
            role = self.publishers.get(did, "业主 owner")
            r.detail(f"{did} [{role}]: {count}")
        kinds = "，".join(f"{k} {c} 条" for k, c in self.kinds.items()) or "无"
        r.ok(f"公开信息：{kinds}", f"disclosures by kind checked: {sum(self.kinds.values())}")
        accounts = self.state.accounts
        r.ok(
            f"账目核对通过：{len(accounts)} 个账户（均经“新开账户”开立，按编号衔接），"
            "各期明细合计、期初+收入−支出=期末、逐月衔接均无误",
            f"accounts reconcile: {len(accounts)} accounts (each opened by an AccountOpened "
            "entry, followed by its id), lines add up, opening + in − out = closing, each "
            "period opens at the last closing",
        )
        for account_id, account in sorted(accounts.items()):
            b = self.state.balances.get((account.kind, account_id)) or account.start
            r.detail(
                f"{account.kind.zh}“{account.name}”（{account_id}） {b.period} 期末 "
                f"{yuan(b.closing)}"
            )
        r.extend(self.ballot_report)
        for ref, spent in self.state.spending.items():
            approved = self.approvals[ref].amount
            r.ok(
                f"维修资金按表决使用：{yuan(spent)} / 批准 {yuan(approved)}（{ref.ballot}）",
                f"maintenance fund spent {spent} of {approved} fen approved by {ref.ballot}",
            )
        t = self.types
        r.ok(
            f"质疑 {t['Objection']} 条，答复 {t['ObjectionReply']} 条，评价 "
            f"{t['ObjectionReview']} 条（满意 {self.satisfied}）",
            f"objections {t['Objection']}, replies {t['ObjectionReply']}, reviews "
            f"{t['ObjectionReview']} ({self.satisfied} satisfied)",
        )
        r.ok(
            f"{r.checkpoints} 个检查点签名有效，每个都由条目算出的一致性证明延续上一个",
            f"{r.checkpoints} checkpoints: signed by the log, each consistent with the one "
            "before (proofs computed from the entries)",
        )
        if self.undated:
            r.note(
                f"{self.undated} 条发布人条目未注明签署时间：其签名人的任期按见证人联署时间核对"
                f"（其中 {self.undated_unseen} 条尚无见证人联署，只核对签名人曾经在任）",
                f"{self.undated} publishers' entries carry no signing time: their signers' terms "
                f"are checked against the witnesses' cosignature times ({self.undated_unseen} "
                "not cosigned yet: only that their signer held a term at some time)",
            )
        for w in self.witnesses:
            r.detail(
                f"见证 witness {w.name} [{self.witness_roles.get(w.name)}]: "
                f"{self.cosigned[w.name]} 个检查点联署 checkpoints cosigned — {w.vkey}"
            )
        self._finish_anchors()

    def _finish_anchors(self) -> None:
        r = self.report
        if self.anchors:
            r.anchored_size = self.anchors[-1][0]
            r.ok(
                f"{len(self.anchors)} 笔锚定交易的根均与条目相符，已锚定至第 {r.anchored_size} 条",
                f"{len(self.anchors)} anchor transactions match the entries, anchored up to "
                f"size {r.anchored_size}",
            )
        elif self.chain is None:
            r.note("导出时未读取区块链，锚定未列出", "the export could not read the chain")
        if r.chain is ChainState.OFFLINE:
            return
        if self.anchor is None:
            r.chain = ChainState.UNREACHABLE
            return
        try:
            self._check_on_chain(self.anchor)
        except ChainError as exc:
            r.chain, r.chain_error = ChainState.UNREACHABLE, str(exc)

    def _check_on_chain(self, anchor: AnchorView) -> None:
        r = self.report
        n = self.tree.size
        for size, root, tx in self.anchors:
            if anchor.root_at(self.log_id, size) != root:
                raise BundleError(
                    f"链上没有大小 {size} 的该根（交易 {tx}）",
                    f"the chain holds no such root for size {size} (tx {tx})",
                )
        head = anchor.head(self.log_id)
        if head is None:
            if self.anchors:
                raise BundleError("链上没有该日志的锚定", "the chain holds no anchor of this log")
            r.note("该日志尚未在链上锚定", "this log is not anchored on the chain yet")
        elif head.tree_size <= n:
            if head.root != self.tree.root(head.tree_size):
                raise BundleError(
                    f"链上最新锚定（大小 {head.tree_size}）的根与条目不符：历史被改写",
                    f"the "
                    f"chain's latest head (size {head.tree_size}) differs: history was rewritten",
                )
            r.anchored_size = max(r.anchored_size, head.tree_size)
        else:
            r.note(
                f"链上已有更新的锚定（大小 {head.tree_size}），本文件只有 {n} 条",
                f"the chain holds a newer head (size {head.tree_size}) than this bundle ({n})",
            )
        r.chain = ChainState.CHECKED
        r.ok(
            f"链 {self.trust.chain_id} 的合约 {self.trust.contract} 上的锚定核对一致："
            f"已锚定 {r.anchored_size} / {n} 条",
            f"anchors checked on chain {self.trust.chain_id}, contract {self.trust.contract}: "
            f"{r.anchored_size} of {n} entries anchored",
        )


def _moment(timestamp: int) -> datetime:
    """A cosignature's POSIX timestamp as a moment (one past the calendar's end is its end)."""
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, ValueError, OSError):
        return datetime.max.replace(tzinfo=UTC)


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BundleError(f"{what} 缺失或不是文字", f"{what} missing or not a string")
    return value


def _list(value: object, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BundleError(f"{what} 必须是对象数组", f"{what} must be an array of objects")
    return value


def _list_of(value: object, what: str) -> list[object]:
    if not isinstance(value, list):
        raise BundleError(f"{what} 必须是数组", f"{what} must be an array")
    return value


def read_header(first: str) -> dict[str, Any]:
    try:
        header = safe_loads(first)
    except LedgerError as exc:
        raise BundleUnreadable("第一行不是 JSON", "the first line is not JSON") from exc
    if not isinstance(header, dict) or header.get("format") != BUNDLE_FORMAT:
        raise BundleUnreadable(
            f"不是共治公开信息文件（{BUNDLE_FORMAT}）",
            f"not a gongzhi disclosure bundle ({BUNDLE_FORMAT})",
        )
    return header


def _registered_witnesses(
    chain: RegistrationChain,
) -> tuple[list[CosignatureVerifier], dict[str, str]]:
    """The disclosure log's witnesses as the street office registered them (any registration
    of the chain: a checkpoint is cosigned by whoever witnessed then), with their roles."""
    witnesses: dict[str, CosignatureVerifier] = {}
    roles: dict[str, str] = {}
    for reg in chain.registrations:
        for w in reg.witnesses:
            v = parse_vkey(w.vkey)
            if not isinstance(v, CosignatureVerifier):
                raise BundleError(
                    f"第 {reg.sequence} 号备案所登记的见证人密钥须为 cosignature/v1",
                    f"the witness keys registration {reg.sequence} names must be cosignature/v1",
                )
            witnesses[v.vkey] = v
            roles[v.name] = w.role
    return list(witnesses.values()), roles


def _publisher_terms(
    chain: RegistrationChain, header: Mapping[str, Any], trust: PinnedTrust
) -> Publishers:
    """The publishers' terms from what the pinned roots signed: the registrations, and the
    street office's role credentials the header carries (each checked against the roots)."""
    try:
        return Publishers.of(chain, _list(header.get("roles", []), "roles"), trust.roots)
    except LedgerError as exc:
        raise BundleError(f"文件头的{exc.zh}", f"the header's {exc.en}") from exc


def _backed_publishers(terms: Publishers, header: Mapping[str, Any]) -> dict[str, str]:
    """Who could ever publish (the committee's members, the property managers), with their
    roles. A publisher the header lists beyond them is a forgery (the bundle is refused),
    not merely ignored."""
    publishers = terms.ever()
    for p in _list(header.get("publishers"), "publishers"):
        did = _str(p.get("did"), "publisher did")
        if did not in publishers:
            raise BundleError(
                f"文件头所列发布人 {did} 既非备案所登记的委员，也无街道办事处签发的物业角色凭证",
                f"the header's publisher {did} is neither a member of a registration nor "
                "holds a property-manager role credential the street office signed",
            )
    return publishers


def _registration_chain(
    header: Mapping[str, Any], origin: str, trust: PinnedTrust
) -> RegistrationChain:
    head, _, tail = origin.rpartition("/")
    community = head.rpartition("/c/")[2] if tail == "disclosures" and "/c/" in head else ""
    if not community:
        raise BundleError(
            "来源不是小区的公开信息日志", "the origin is not a community's disclosure log"
        )
    registrations = header.get("registrations")
    if not isinstance(registrations, list):
        raise BundleError("文件头缺少业委会备案", "the header carries no committee registrations")
    try:
        return RegistrationChain.of(registrations, trust.roots, community)
    except DecisionError as exc:
        raise BundleError(f"业委会备案：{exc.zh}", f"committee registrations: {exc.en}") from exc


def verify_bundle(
    lines: Iterable[str],
    *,
    workdir: Path,
    trust: PinnedTrust,
    anchor: AnchorView | None,
    offline: bool = False,
    read_ballot: BallotReader,
    jobs: int = 1,
    source: Path | None = None,
    report: BundleReport | None = None,
    skew: timedelta = CLOCKS_APART,
) -> BundleReport:
    """Verify the bundle read line by line under pinned `trust`; raise `BundleError` at the
    first failure.

    ``workdir`` holds the tree's node files (about 64 bytes per entry) and must be empty;
    ``anchor`` is the pinned contract on the pinned chain (the caller checked the chain id):
    None means the chain is not reachable, or — with ``offline`` — not to be asked;
    ``read_ballot`` reads the cited ballots' entries (voting's format:
    `voting.spending.ballot_decision`); ``jobs`` > 1 checks entries in that many worker
    processes. ``source``, the regular file ``lines`` are read from, lets the workers read
    their share of it themselves: then only the first line is taken from ``lines``.
    ``skew`` is how far the signers', the witnesses' and the office's clocks may disagree
    when a publisher's term is checked at an entry's time.
    """
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None:
        raise BundleUnreadable("文件为空", "the bundle is empty")
    report = report if report is not None else BundleReport()
    if offline:
        report.chain = ChainState.OFFLINE
    header = read_header(first[1])
    origin = _str(header.get("origin"), "origin")
    report.origin = origin
    report.subject_zh, report.subject_en = f"公开信息文件 {origin}", f"disclosure bundle {origin}"
    v = _Verifier(
        header,
        workdir=workdir,
        trust=trust,
        anchor=anchor,
        report=report,
        read_ballot=read_ballot,
        skew=skew,
    )
    checker = _Checker(v.origin, jobs if (v.size or 0) >= 4 * _BATCH else 1)
    try:

        def consume(results: Iterable[Checked], base: int = 0) -> None:
            for item in results:
                lineno = base + item.lineno
                if isinstance(item, _Entry):
                    v.entry(lineno, item.at, item.leaf, item.entry, item.signer, item.created)
                elif not item.failed:
                    v.line(lineno, item.text)
                elif item.at is None:
                    raise BundleError(f"第 {lineno} 行：{item.text}", f"line {lineno}: {item.en}")
                else:
                    raise BundleError(
                        f"第 {lineno} 行（第 {item.at} 条）：{item.text}",
                        f"line {lineno} (entry {item.at}): {item.en}",
                    )

        if source is not None:
            with source.open("rb") as f:
                f.readline()  # the header, read above
                start, size = f.tell(), os.fstat(f.fileno()).st_size
            base = 2  # the first chunk's first line is line 2
            for count, results in checker.ranges(str(source), start, size):
                consume(results, base)
                base += count
        else:
            batch: list[tuple[int, str]] = []
            for lineno, text in numbered:
                if not text.strip():
                    continue
                batch.append((lineno, text))
                if len(batch) >= _BATCH:
                    consume(checker.submit(batch))
                    batch = []
            if batch:
                consume(checker.submit(batch))
            consume(checker.drain())
        v.finish()
    finally:
        checker.close()
        v.tree.close()
    return report


__all__ = [
    "DISCLOSURE",
    "AnchorView",
    "BundleError",
    "BundleReport",
    "BundleUnreadable",
    "verify_bundle",
]
