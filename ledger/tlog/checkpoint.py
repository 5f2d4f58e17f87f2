"""C2SP tlog-checkpoint bodies, their signatures, and witness cosignatures (tlog-cosignature).

A checkpoint body is ``<origin>\\n<decimal size>\\n<base64 root>\\n[extension lines]``
(C2SP tlog-checkpoint §Note text), signed as a C2SP signed note by the log; witnesses add
cosignature/v1 lines over the same body. Pure: no I/O.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.tlog.errors import ConsistencyError, NoteError, ProofError, UnknownKeyError
from ledger.tlog.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from ledger.tlog.note import Note, Signature, open_note, sign_note, split_note
from ledger.tlog.note_keys import (
    ALG_COSIGNATURE_V1,
    CosignatureVerifier,
    Signer,
    Verifier,
    decode_base64,
)

_SIZE = re.compile(r"0|[1-9][0-9]*")
MAX_SIZE = (1 << 63) - 1


def _check_line(line: str, what: str) -> None:
    if not line or any(c < " " for c in line):
        raise NoteError(
            f"检查点的{what}必须是非空的一行", f"checkpoint {what} must be one non-empty line"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size and RFC 9162 root hash, plus extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "来源 origin")
        if not 0 <= self.size <= MAX_SIZE:
            raise NoteError(f"树大小 {self.size} 不合法", f"invalid tree size {self.size}")
        if len(self.root) != HASH_SIZE:
            raise NoteError("根哈希必须是 32 字节", "root hash must be 32 bytes")
        for line in self.extensions:
            _check_line(line, "扩展行 extension line")

    def body(self) -> str:
        """The note text (C2SP tlog-checkpoint §Note text)."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(f"{line}\n" for line in (*lines, *self.extensions))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """A checkpoint from its note text; refuses anything but the exact C2SP form."""
        if not text.endswith("\n"):
            raise NoteError("检查点正文必须以换行结尾", "checkpoint body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("检查点至少需要三行", "a checkpoint needs at least three lines")
        origin, size, root_b64, *extensions = lines
        if not _SIZE.fullmatch(size) or int(size) > MAX_SIZE:
            raise NoteError(
                f"检查点树大小不合法：{size!r}", f"checkpoint tree size {size!r} invalid"
            )
        root = decode_base64(root_b64, "root hash")
        return cls(origin, int(size), root, tuple(extensions))


@dataclass(frozen=True)
class Cosignature:
    """Who cosigned a checkpoint, and when (None for a plain Ed25519 witness signature)."""

    name: str
    key_id: int
    timestamp: int | None


@dataclass(frozen=True)
class SignedCheckpoint:
    """An opened checkpoint: its body, the note (all signatures), and the verified cosigners."""

    checkpoint: Checkpoint
    note: Note
    cosignatures: tuple[Cosignature, ...]

    @property
    def cosigners(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cosignatures)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The log's signed note of a checkpoint; its key name SHOULD be the origin."""
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(
    msg: str | bytes,
    *,
    origin: str,
    log_verifier: Verifier,
    witnesses: Iterable[Verifier] = (),
) -> SignedCheckpoint:
    """Open a checkpoint the log signed, and collect the cosignatures of known witnesses.

    The log's own signature is required (`UnknownKeyError` otherwise); a known witness whose
    cosignature fails rejects the note; unknown witnesses' lines stay in ``note.unverified``.
    """
    witness_list = list(witnesses)
    note = open_note(msg, [log_verifier, *witness_list])
    if note.signed_by(log_verifier) is None:
        raise UnknownKeyError(
            f"检查点缺少日志 {log_verifier.name} 的签名",
            f"checkpoint is not signed by the log key {log_verifier.name}",
        )
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != origin:
        raise NoteError(
            f"检查点来源是 {checkpoint.origin!r}，应为 {origin!r}",
            f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}",
        )
    cosignatures: list[Cosignature] = []
    for w in witness_list:
        sig = note.signed_by(w)
        if sig is None or (w.name, w.key_id) == (log_verifier.name, log_verifier.key_id):
            continue
        stamp = CosignatureVerifier.timestamp_of(sig.sig) if w.alg == ALG_COSIGNATURE_V1 else None
        cosignatures.append(Cosignature(w.name, w.key_id, stamp))
    return SignedCheckpoint(checkpoint, note, tuple(cosignatures))


def cosign(msg: str | bytes, *, origin: str, log_verifier: Verifier, cosigner: Signer) -> str:
    """A witness's signature line for a checkpoint it has checked is signed by the log.

    Checking that the checkpoint extends the last one the witness saw is the witness's own
    duty (`check_extends`); this only refuses to cosign what the log did not sign.
    """
    opened = open_checkpoint(msg, origin=origin, log_verifier=log_verifier)
    body = opened.note.text.encode()
    return Signature(cosigner.name, cosigner.key_id, cosigner.sign(body)).line()


def add_signature_lines(msg: str | bytes, lines: Sequence[str]) -> str:
    """The note with extra signature lines appended (e.g. cosignatures collected later)."""
    text, sigs = split_note(msg)
    extra: list[Signature] = []
    for line in lines:
        _, parsed = split_note(text + "\n" + line)
        extra.extend(parsed)
    merged = [*sigs, *(s for s in extra if s not in sigs)]
    return text + "\n" + "".join(s.line() for s in merged)


def check_extends(older: Checkpoint, newer: Checkpoint, proof: Sequence[bytes]) -> None:
    """Refuse ``newer`` unless it extends ``older`` (RFC 9162 §2.1.4.2, C2SP tlog-checkpoint).

    The `ConsistencyError` carries both heads and the proof as evidence of a fork.
    """
    if older.origin != newer.origin:
        raise NoteError(
            f"两个检查点来自不同的日志：{older.origin!r} 与 {newer.origin!r}",
            f"checkpoints of different logs: {older.origin!r} and {newer.origin!r}",
        )

    def refuse(zh: str, en: str) -> ConsistencyError:
        return ConsistencyError(
            f"检查点 {newer.size} 不延续检查点 {older.size}：{zh}",
            f"checkpoint {newer.size} does not extend checkpoint {older.size}: {en}",
            older=older,
            newer=newer,
            proof=proof,
        )

    if newer.size < older.size:
        raise refuse("树变小了", "the tree shrank")
    if older.size == 0:
        if older.root != EMPTY_ROOT or (newer.size == 0 and newer.root != EMPTY_ROOT):
            raise refuse("空树的根不对", "the empty tree has a wrong root")
        if proof:
            raise refuse("空树不需要证明", "an empty tree needs no proof")
        return
    try:
        verify_consistency(older.size, newer.size, older.root, newer.root, proof)
    except ProofError as exc:
        raise refuse("一致性证明不成立", "the consistency proof fails") from exc
