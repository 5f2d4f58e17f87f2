"""C2SP signed notes: sign a text, open a note with the verifiers one trusts.

A note is a text ending in a newline, a blank line, then signature lines
``— <key name> base64(4-byte key ID || signature)`` (C2SP signed-note §Format, as
golang.org/x/mod/sumdb/note implements it). Pure: no I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.tlog.errors import NoteError, SignatureError, UnknownKeyError
from ledger.tlog.note_keys import Signer, Verifier, decode_base64, is_valid_key_name

SIG_PREFIX = "— "
MAX_SIGNATURES = 100  # as golang.org/x/mod/sumdb/note; C2SP asks for at least 16


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID, and the signature bytes after the key ID."""

    name: str
    key_id: int
    sig: bytes

    def line(self) -> str:
        blob = self.key_id.to_bytes(4, "big") + self.sig
        return f"{SIG_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the signatures that verified, and those from unknown keys."""

    text: str
    sigs: tuple[Signature, ...]
    unverified: tuple[Signature, ...]

    def signed_by(self, verifier: Verifier) -> Signature | None:
        for s in self.sigs:
            if (s.name, s.key_id) == (verifier.name, verifier.key_id):
                return s
        return None


def _check_chars(msg: str) -> None:
    """Valid UTF-8 and no ASCII control character other than newline (C2SP signed-note)."""
    for c in msg:
        if c < " " and c != "\n":
            raise NoteError(
                f"签名笔记含控制字符 {ord(c):#04x}",
                f"note contains control character {ord(c):#04x}",
            )
    try:
        msg.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("签名笔记不是合法的 UTF-8", "note is not valid UTF-8") from exc


def _decode(msg: str | bytes) -> str:
    if isinstance(msg, str):
        return msg
    try:
        return msg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("签名笔记不是合法的 UTF-8", "note is not valid UTF-8") from exc


def sign_note(text: str, signers: Sequence[Signer], existing: Sequence[Signature] = ()) -> str:
    """The signed note of ``text`` (C2SP signed-note §Format).

    ``existing`` signatures (e.g. from an opened note) are kept after the new ones unless a
    new signer has the same name and key ID, as golang.org/x/mod/sumdb/note's Sign does.
    """
    if not text.endswith("\n"):
        raise NoteError("笔记正文必须以换行结尾", "note text must end with a newline")
    _check_chars(text)
    if not signers:
        raise NoteError("至少需要一个签名者", "at least one signer is needed")
    msg = text.encode()
    lines: list[str] = []
    have: set[tuple[str, int]] = set()
    for signer in signers:
        if not is_valid_key_name(signer.name):
            raise NoteError("签名者名称不合法", f"invalid signer name {signer.name!r}")
        have.add((signer.name, signer.key_id))
        lines.append(Signature(signer.name, signer.key_id, signer.sign(msg)).line())
    lines += [s.line() for s in existing if (s.name, s.key_id) not in have]
    return text + "\n" + "".join(lines)


def split_note(msg: str | bytes) -> tuple[str, list[Signature]]:
    """The text and the parsed signature lines of a note, before any verification."""
    note = _decode(msg)
    _check_chars(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("签名笔记缺少签名块", "note has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("签名块必须以换行结尾", "signature block must end with a newline")
    sigs: list[Signature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError("签名行格式不对", f"malformed signature line {line[:80]!r}")
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        if not is_valid_key_name(name) or not b64:
            raise NoteError("签名行格式不对", f"malformed signature line {line[:80]!r}")
        raw = decode_base64(b64, "signature")
        if len(raw) < 5:
            raise NoteError("签名太短", "signature is too short")
        sigs.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
        if len(sigs) > MAX_SIGNATURES:
            raise NoteError(
                f"签名超过 {MAX_SIGNATURES} 个", f"note has more than {MAX_SIGNATURES} signatures"
            )
    return text, sigs


def open_note(msg: str | bytes, known: Iterable[Verifier]) -> Note:
    """Open a signed note with the verifiers one trusts (C2SP signed-note §Signatures).

    Signatures from unknown keys are kept aside, unverified; a known key's signature that
    fails rejects the whole note (`SignatureError`); a note that no known key signed is
    refused (`UnknownKeyError`). Repeated signatures are dropped.
    """
    text, parsed = split_note(msg)
    verifiers = {(v.name, v.key_id): v for v in known}
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for sig in parsed:
        verifier = verifiers.get((sig.name, sig.key_id))
        if verifier is None:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if any((s.name, s.key_id) == (sig.name, sig.key_id) for s in verified):
            continue
        try:
            verifier.verify(text.encode(), sig.sig)
        except NoteError as exc:  # a cosignature of the wrong shape is a bad signature here
            raise SignatureError(exc.zh, exc.en) from exc
        verified.append(sig)
    if not verified:
        names = ", ".join(sorted({s.name for s in parsed}))
        raise UnknownKeyError(
            f"笔记没有可信密钥的签名（签名者：{names}）",
            f"note has no verifiable signatures (signed by: {names})",
        )
    return Note(text, tuple(verified), tuple(unverified))
