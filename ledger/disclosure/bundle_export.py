"""Export a disclosure log as a self-contained bundle that residents verify offline.

The bundle is JSON lines (format ``gongzhi-disclosure-bundle/1``), written as a stream so a
log of any length is exported in bounded memory:

1. ``{"format", "origin", "logId", "logKey", "size", "publishers", "witnesses",
   "registrations", "roles", "chain"}`` — the header: who published, who witnesses, the log's
   public key, the community's committee registrations and the property managers' role
   credentials as the street office signed them (from which a verifier with pinned trust
   derives the committee, the publishers, the witnesses and the log key: the header's own
   lists are only what the server says), the chain.
2. ``{"ballot": {...}}`` — for every ballot result that maintenance-fund spending cites: the
   ballot's opening and result entries with inclusion proofs to a signed checkpoint of the
   ballot's own log, so the approval is checked offline too.
3. ``{"entry": {"index", "data", "leafHash"}}`` in order, each followed by any
   ``{"checkpoint": {"size", "root", "note", "cosigners"}}`` of exactly that size.
4. ``{"anchor": {"txHash", "block", "treeSize", "root", "previousSize"}}`` — the chain's
   ``HeadAnchored`` events for this log.
5. ``{"end": {...counts}}`` — so a truncated bundle is noticed.

While streaming, the export also audits the database (the server's own consistency check):
each stored subtree hash against the hashes recomputed from the entries (leaf hashes are
not stored: they are always the entries' own), each checkpoint row against its signed note
and the tree, each cosignature against its witness key, and each anchored root against the
tree. A row
edited behind the log's back makes the export fail with a `LedgerError` naming it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.anchor import HeadAnchored
from ledger.disclosure.approval import BallotRef
from ledger.disclosure.models import DisclosureSpending
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.checkpoint import Checkpoint, add_signature_lines
from ledger.tlog.errors import LedgerError
from ledger.tlog.models import LogCheckpoint, LogCosignature, LogNode
from ledger.tlog.note import open_note, split_note
from ledger.tlog.note_keys import CosignatureVerifier, parse_vkey
from ledger.tlog.records import LogRef
from ledger.tlog.store import LogStore
from ledger.tlog.subtrees import flat_index, is_stored
from ledger.tlog.treefile import CompactRange

BUNDLE_FORMAT = "gongzhi-disclosure-bundle/1"
_PAGE = 1000


@dataclass(frozen=True)
class ChainAnchors:
    """Where the log is anchored; ``anchors`` None when the chain could not be read."""

    chain_id: int
    contract: str
    anchors: Sequence[HeadAnchored] | None


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def _tampered(zh: str, en: str) -> LedgerError:
    return LedgerError(f"数据库自检失败：{zh}", f"database self-check failed: {en}")


def _ballot_evidence(store: LogStore, ref: BallotRef) -> dict[str, Any]:
    log = store.get_log(ref.ballot)
    stored = store.latest_checkpoint(log)
    if stored is None or stored.checkpoint.size <= ref.index:
        raise LedgerError(
            f"表决日志 {ref.ballot} 没有覆盖第 {ref.index} 条的检查点",
            f"ballot log {ref.ballot} has no checkpoint covering entry {ref.index}",
        )
    size = stored.checkpoint.size

    def entry(index: int) -> dict[str, Any]:
        e = store.entry(log, index)
        proof = store.inclusion_proof(log, index, size)
        return {"index": index, "data": e.data.decode(), "proof": [_b64(p) for p in proof]}

    return {
        "origin": log.origin,
        "logKey": store.log_key(log),
        "checkpoint": stored.note,
        "ref": ref.to_json(),
        "opened": entry(0),
        "result": entry(ref.index),
    }


class _Checkpoints:
    """The log's checkpoints in size order, read a page at a time, each audited."""

    def __init__(self, session: Session, log: LogRef, *, self_check: bool) -> None:
        self.session, self.log, self.self_check = session, log, self_check
        self._page: list[LogCheckpoint] = []
        self._after = -1
        self._done = False
        self.count = 0

    def peek(self) -> LogCheckpoint | None:
        if not self._page and not self._done:
            self._page = list(
                self.session.scalars(
                    select(LogCheckpoint)
                    .where(LogCheckpoint.log_pk == self.log.pk, LogCheckpoint.size > self._after)
                    .order_by(LogCheckpoint.size)
                    .limit(_PAGE)
                ).all()
            )
            self._done = not self._page
        return self._page[0] if self._page else None

    def take(self, root: bytes) -> dict[str, Any]:
        """The next checkpoint as a bundle line; its row must match its note and ``root``."""
        row = self._page.pop(0)
        self._after = row.size
        self.count += 1
        cosigs = self.session.scalars(
            select(LogCosignature)
            .where(LogCosignature.checkpoint_id == row.id)
            .order_by(LogCosignature.id)
        ).all()
        if self.self_check:
            text, _sigs = split_note(row.note)
            body = Checkpoint.parse(text)
            if (body.origin, body.size, body.root) != (self.log.origin, row.size, row.root):
                raise _tampered(
                    f"检查点 {row.size} 的行与其签名笔记不符",
                    f"checkpoint row {row.size} differs from its signed note",
                )
            if row.root != root:
                raise _tampered(
                    f"检查点 {row.size} 的根与条目算出的不同",
                    f"checkpoint {row.size} root differs from the root of the stored entries",
                )
            for c in cosigs:
                verifier = parse_vkey(c.vkey)
                if not isinstance(verifier, CosignatureVerifier) or verifier.name != c.witness:
                    raise _tampered(
                        f"检查点 {row.size} 的见证人记录不符", f"checkpoint {row.size} witness row"
                    )
                opened = open_note(text + "\n" + c.signature_line, [verifier])
                if CosignatureVerifier.timestamp_of(opened.sigs[0].sig) != c.timestamp:
                    raise _tampered(
                        f"检查点 {row.size} 的联署时间不符",
                        f"checkpoint {row.size} cosignature time differs from its signature",
                    )
        note = add_signature_lines(row.note, [c.signature_line for c in cosigs])
        return {
            "checkpoint": {
                "size": row.size,
                "root": row.root.hex(),
                "note": note,
                "cosigners": [
                    {"witness": c.witness, "vkey": c.vkey, "timestamp": c.timestamp} for c in cosigs
                ],
            }
        }


def _audit_nodes(session: Session, log: LogRef, nodes: list[tuple[int, int, bytes]]) -> None:
    """Stored subtree hashes must equal those recomputed from the entries.

    Only the stored levels are read (`ledger.tlog.subtrees.is_stored`); a log written before the
    store skipped levels has the others too, but no read uses them."""
    nodes = [n for n in nodes if is_stored(n[0])]
    for at in range(0, len(nodes), _PAGE):
        part = {flat_index(lv, i): h for lv, i, h in nodes[at : at + _PAGE]}
        stored = {
            pos: h
            for pos, h in session.execute(
                select(LogNode.pos, LogNode.hash).where(
                    LogNode.log_pk == log.pk, LogNode.pos.in_(sorted(part))
                )
            )
        }
        for pos, h in part.items():
            if stored.get(pos) != h:
                raise _tampered(
                    f"存储的子树哈希（位置 {pos}）与条目算出的不同",
                    f"stored subtree hash at position {pos} differs from the entries",
                )


def export_bundle(
    session: Session,
    origin: str,
    *,
    chain: ChainAnchors | None,
    committee: Sequence[str] = (),
    registrations: Sequence[Mapping[str, Any]] = (),
    roles: Sequence[Mapping[str, Any]] = (),
    self_check: bool = True,
) -> Iterator[str]:
    """The bundle of the disclosure log ``origin``, line by line (see the module docstring).

    ``self_check`` False skips the database audit — only for showing that the offline
    verifier, on its own, catches what an edited database would put in the bundle.
    """
    logs = DisclosureLogs(session)
    store = logs.store
    log = logs.get(origin)
    size = store.size(log)
    log_key = store.log_key(log)
    if log_key is None:
        raise LedgerError(
            f"日志 {origin} 尚未签署检查点", f"log {origin} has no signed checkpoint yet"
        )
    publishers = [{"did": d, "role": r} for d, r in logs.publishers(log)]
    listed = {p["did"] for p in publishers}
    publishers += [{"did": d, "role": "committee"} for d in committee if d not in listed]
    refs = session.execute(
        select(
            DisclosureSpending.ballot,
            DisclosureSpending.ballot_index,
            DisclosureSpending.ballot_leaf,
        )
        .where(DisclosureSpending.log_pk == log.pk)
        .distinct()
    ).all()
    yield _line(
        {
            "format": BUNDLE_FORMAT,
            "origin": origin,
            "logId": log.log_id.hex(),
            "logKey": log_key,
            "size": size,
            "publishers": publishers,
            "witnesses": [
                {"vkey": w.vkey, "name": w.name, "role": w.role} for w in logs.witnesses(log)
            ],
            "registrations": [dict(r) for r in registrations],
            "roles": [dict(r) for r in roles],
            "chain": None
            if chain is None
            else {"chainId": chain.chain_id, "contract": chain.contract},
        }
    )
    for ballot, index, leaf in sorted(refs):
        yield _line({"ballot": _ballot_evidence(store, BallotRef(ballot, index, leaf))})

    checkpoints = _Checkpoints(session, log, self_check=self_check)
    tree = CompactRange()
    cp = checkpoints.peek()
    if cp is not None and cp.size == 0:
        yield _line(checkpoints.take(tree.root()))
    at = 0
    while at < size:
        out: list[str] = []
        nodes: list[tuple[int, int, bytes]] = []
        for e in store.iter_entries(log, at, min(size, at + _PAGE), chunk=_PAGE):
            nodes += tree.add(e.leaf_hash)  # the data's own hash: no stored one to disagree
            try:
                text = e.data.decode()
            except UnicodeDecodeError:  # never appended so (entries are JSON): edited
                raise _tampered(
                    f"第 {e.index} 条不是 UTF-8 文本", f"entry {e.index} is not UTF-8 text"
                ) from None
            out.append(
                _line(
                    {
                        "entry": {
                            "index": e.index,
                            "data": text,
                            "leafHash": e.leaf_hash.hex(),
                        }
                    }
                )
            )
            cp = checkpoints.peek()
            while cp is not None and cp.size == tree.size:
                out.append(_line(checkpoints.take(tree.root())))
                cp = checkpoints.peek()
        if self_check:
            _audit_nodes(session, log, nodes)
        at = tree.size
        yield from out
    if checkpoints.peek() is not None:  # not an audit: a checkpoint the bundle cannot place
        raise _tampered("检查点超出日志大小", "a checkpoint lies beyond the log's size")

    anchors = 0
    if chain is not None and chain.anchors is not None:
        for a in chain.anchors:
            if self_check and a.tree_size <= size and store.root(log, a.tree_size) != a.root:
                raise _tampered(
                    f"链上锚定的大小 {a.tree_size} 的根与存储的日志不同：历史被改写",
                    f"the root anchored for size {a.tree_size} differs from the stored log: "
                    "its history was rewritten",
                )
            anchors += 1
            yield _line(
                {
                    "anchor": {
                        "txHash": "0x" + a.tx_hash.hex(),
                        "block": a.block_number,
                        "treeSize": a.tree_size,
                        "root": a.root.hex(),
                        "previousSize": a.previous_size,
                    }
                }
            )
    yield _line(
        {
            "end": {
                "entries": size,
                "checkpoints": checkpoints.count,
                "anchors": anchors if chain is not None and chain.anchors is not None else None,
                "ballots": len(refs),
            }
        }
    )
