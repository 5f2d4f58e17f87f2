"""A witness's memory and its one rule: cosign only what extends what it cosigned before.

C2SP tlog-witness: a witness keeps, per log, the log's key and the latest checkpoint it
cosigned; it cosigns a new checkpoint only when the log signed it and an RFC 9162
consistency proof shows it extends that one (same size: the very same root). A smaller tree
or a failing proof is a fork or a rollback, never cosigned. The memory is a JSON document::

    {"type": "GongzhiWitnessState", "version": 1,
     "logs": {"<community>": {"logKey": "<vkey>", "size": 12, "root": "<hex>",
                              "note": "<the log-signed note last cosigned>"}}}

``size``/``root``/``note`` are absent until the first cosignature. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ledger.tlog.checkpoint import Checkpoint, SignedCheckpoint, check_extends, open_checkpoint
from ledger.tlog.errors import LedgerError, NoteError
from ledger.tlog.note_keys import Ed25519Verifier, parse_vkey

STATE_TYPE = "GongzhiWitnessState"
STATE_VERSION = 1


class WitnessStateError(LedgerError):
    """The witness's state file cannot be read: it is not one this program wrote."""


@dataclass(frozen=True)
class WitnessedLog:
    """What the witness remembers of one log."""

    log_key: str
    checkpoint: Checkpoint | None = None
    note: str | None = None

    @property
    def verifier(self) -> Ed25519Verifier:
        return log_verifier(self.log_key)

    def after(self, opened: SignedCheckpoint, note: str) -> WitnessedLog:
        """The memory once `opened` (whose signed note is `note`) is cosigned."""
        return replace(self, checkpoint=opened.checkpoint, note=note)


def log_verifier(vkey: str) -> Ed25519Verifier:
    """The log's key: an Ed25519 note key (type 0x01) whose name is the log's origin."""
    verifier = parse_vkey(vkey)
    if not isinstance(verifier, Ed25519Verifier):
        raise NoteError(
            "日志密钥必须是 Ed25519 笔记密钥（类型 0x01）",
            "a log key must be an Ed25519 note key (type 0x01)",
        )
    return verifier


def open_new(memory: WitnessedLog, note: str) -> SignedCheckpoint:
    """The log's new checkpoint, signed by the pinned key and of the log the key names."""
    verifier = memory.verifier
    return open_checkpoint(note, origin=verifier.name, log_verifier=verifier)


def needs_proof(memory: WitnessedLog, new: Checkpoint) -> int | None:
    """The old size a consistency proof must start at, or None when none is needed."""
    old = memory.checkpoint
    if old is None or old.size == 0 or new.size <= old.size:
        return None
    return old.size


def check_next(memory: WitnessedLog, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Refuse `new` unless it extends the checkpoint last cosigned (`ConsistencyError`)."""
    if memory.checkpoint is not None:
        check_extends(memory.checkpoint, new, proof)


# --- the state document -------------------------------------------------------------------------


def _bad(zh: str, en: str) -> WitnessStateError:
    return WitnessStateError(f"见证状态文件无效：{zh}", f"the witness state file is invalid: {en}")


def parse_state(data: bytes) -> dict[str, WitnessedLog]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad("不是 JSON", "not JSON") from exc
    if not isinstance(document, dict) or document.get("type") != STATE_TYPE:
        raise _bad(f"type 应为 {STATE_TYPE}", f"type must be {STATE_TYPE}")
    if document.get("version") != STATE_VERSION:
        raise _bad("版本不受支持", "unsupported version")
    logs = document.get("logs")
    if not isinstance(logs, dict):
        raise _bad("缺少 logs", "logs missing")
    return {str(slug): _parse_log(slug, item) for slug, item in logs.items()}


def _parse_log(slug: str, item: Any) -> WitnessedLog:
    if not isinstance(item, Mapping) or not isinstance(item.get("logKey"), str):
        raise _bad(f"{slug} 缺少 logKey", f"{slug} has no logKey")
    memory = WitnessedLog(log_key=item["logKey"])
    try:
        memory.verifier  # noqa: B018 - parsing the key is the check
        if "size" not in item:
            return memory
        size, root, note = item.get("size"), item.get("root"), item.get("note")
        if not isinstance(size, int) or not isinstance(root, str) or not isinstance(note, str):
            raise _bad(f"{slug} 的检查点字段不对", f"{slug} has malformed checkpoint fields")
        checkpoint = Checkpoint(memory.verifier.name, size, bytes.fromhex(root))
    except (LedgerError, ValueError) as exc:
        if isinstance(exc, WitnessStateError):
            raise
        raise _bad(f"{slug} 的记录无效", f"{slug} has an invalid record: {exc}") from exc
    opened = open_new(memory, note)
    if opened.checkpoint.size != size or opened.checkpoint.root != checkpoint.root:
        raise _bad(f"{slug} 的检查点与笔记不符", f"{slug}: checkpoint and note disagree")
    return replace(memory, checkpoint=opened.checkpoint, note=note)


def encode_state(logs: Mapping[str, WitnessedLog]) -> bytes:
    out: dict[str, Any] = {}
    for slug in sorted(logs):
        memory = logs[slug]
        item: dict[str, Any] = {"logKey": memory.log_key}
        if memory.checkpoint is not None and memory.note is not None:
            item.update(
                size=memory.checkpoint.size, root=memory.checkpoint.root.hex(), note=memory.note
            )
        out[slug] = item
    document = {"type": STATE_TYPE, "version": STATE_VERSION, "logs": out}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
