"""The signed entries of a disclosure log: disclosures and the 质疑 loop around them.

Every entry is one RFC 8785 JSON object with a W3C Data Integrity proof (eddsa-jcs-2022 or
ecdsa-jcs-2019) by the DID named in it, and ``log`` set to the log's origin so it cannot be
replayed into another community's log:

* ``Disclosure`` — ``{type, log, kind, publisher, body, proof}``, by the property manager or
  the owners' committee (说 — what is made public).
* ``Objection`` — ``{type, log, objector, target: {index, leafHash}, text, proof}``, by an
  owner: which entry is questioned and why (议). No personal data: the DID only.
* ``ObjectionReply`` — ``{type, log, publisher, objection: {index, leafHash}, action, text}``,
  by whoever published the questioned entry (办).
* ``ObjectionReview`` — ``{type, log, objector, objection, reply, satisfied, [text]}``, by the
  objector: whether the reply settles it (评).

Pure: parsing and the signature check (`read_entry`) do no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from identity.errors import IdentityError
from identity.w3c.dataintegrity import CanonicalForms, canonical_forms
from identity.w3c.jcs import canonical, plain_numbers, plain_text
from identity.w3c.jcs import loads as strict_loads
from ledger.disclosure import fields as f
from ledger.disclosure.errors import AuthorityError, SchemaError
from ledger.disclosure.kinds import Body, Kind, parse_body, parse_kind
from ledger.disclosure.structs import read_body

DISCLOSURE = "Disclosure"
OBJECTION = "Objection"
REPLY = "ObjectionReply"
REVIEW = "ObjectionReview"
ENTRY_TYPES = {
    DISCLOSURE: "公开信息",
    OBJECTION: "质疑",
    REPLY: "答复",
    REVIEW: "评价",
}
#: 办: what the publisher did about an objection.
REPLY_ACTIONS = {
    "explained": "已解释说明",
    "corrected": "已更正（另行发布更正后的公开信息）",
    "rejected": "不予采纳",
}
MAX_ENTRY_BYTES = 256 * 1024

# A signed JSON document → the DID that signed it; raises if the proof does not verify.
VerifySigned = Callable[[Mapping[str, Any]], str]
# The same, handed the entry's canonical forms so the unsecured document is not
# canonicalized a second time (`identity.w3c.dataintegrity.canonical_forms`).
VerifyCanonical = Callable[[Mapping[str, Any], CanonicalForms], str]

# Free text is public for ever: refuse what looks like a mainland mobile or ID-card number.
_PERSONAL = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


@dataclass(frozen=True)
class EntryRef:
    """An earlier entry of the same log: its index and RFC 9162 leaf hash."""

    index: int
    leaf_hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "leafHash": self.leaf_hash.hex()}


@dataclass(frozen=True)
class Disclosure:
    log: str
    publisher: str
    kind: Kind
    body: Body

    @property
    def signer(self) -> str:
        return self.publisher


@dataclass(frozen=True)
class Objection:
    log: str
    objector: str
    target: EntryRef
    text: str

    @property
    def signer(self) -> str:
        return self.objector


@dataclass(frozen=True)
class ObjectionReply:
    log: str
    publisher: str
    objection: EntryRef
    action: str
    text: str

    @property
    def signer(self) -> str:
        return self.publisher


@dataclass(frozen=True)
class ObjectionReview:
    log: str
    objector: str
    objection: EntryRef
    reply: EntryRef
    satisfied: bool
    text: str | None

    @property
    def signer(self) -> str:
        return self.objector


Entry = Disclosure | Objection | ObjectionReply | ObjectionReview


def _ref(value: object, where: str) -> EntryRef:
    ref = f.obj(value, where, required=("index", "leafHash"))
    return EntryRef(
        index=f.count(ref["index"], f"{where}.index"),
        leaf_hash=f.hex32(ref["leafHash"], f"{where}.leafHash"),
    )


def _public_text(value: object, where: str) -> str:
    """Free text that will be public: no phone or ID-card numbers (personal data)."""
    text = f.text(value, where, max_len=f.MAX_TEXT)
    if _PERSONAL.search(text):
        raise SchemaError(
            "内容疑似含有手机号或身份证号；公开日志中不得出现个人信息",
            "the text seems to hold a phone or ID-card number; no personal data in a public log",
            where=where,
        )
    return text


def parse_entry(doc: Mapping[str, Any]) -> Entry:
    """The typed entry of a JSON document (schema only; the proof is checked by `read_entry`)."""
    if not isinstance(doc, Mapping):
        raise SchemaError("条目必须是 JSON 对象", "an entry must be a JSON object")
    kind = f.choice(doc.get("type"), "type", ENTRY_TYPES)
    if kind == DISCLOSURE:
        d = f.obj(doc, "entry", required=("type", "log", "kind", "publisher", "body", "proof"))
        k = parse_kind(d["kind"])
        return Disclosure(
            log=f.text(d["log"], "log", max_len=255),
            publisher=f.did(d["publisher"], "publisher"),
            kind=k,
            body=parse_body(k, d["body"]),
        )
    if kind == OBJECTION:
        d = f.obj(doc, "entry", required=("type", "log", "objector", "target", "text", "proof"))
        return Objection(
            log=f.text(d["log"], "log", max_len=255),
            objector=f.did(d["objector"], "objector"),
            target=_ref(d["target"], "target"),
            text=_public_text(d["text"], "text"),
        )
    if kind == REPLY:
        d = f.obj(
            doc,
            "entry",
            required=("type", "log", "publisher", "objection", "action", "text", "proof"),
        )
        return ObjectionReply(
            log=f.text(d["log"], "log", max_len=255),
            publisher=f.did(d["publisher"], "publisher"),
            objection=_ref(d["objection"], "objection"),
            action=f.choice(d["action"], "action", REPLY_ACTIONS),
            text=_public_text(d["text"], "text"),
        )
    d = f.obj(
        doc,
        "entry",
        required=("type", "log", "objector", "objection", "reply", "satisfied", "proof"),
        optional=("text",),
    )
    return ObjectionReview(
        log=f.text(d["log"], "log", max_len=255),
        objector=f.did(d["objector"], "objector"),
        objection=_ref(d["objection"], "objection"),
        reply=_ref(d["reply"], "reply"),
        satisfied=f.flag(d["satisfied"], "satisfied"),
        text=_public_text(d["text"], "text") if "text" in d else None,
    )


_DISCLOSURE_KEYS = frozenset({"type", "log", "kind", "publisher", "body", "proof"})


def _read_disclosure(doc: dict[str, Any]) -> Disclosure | None:
    """`parse_entry`'s `Disclosure` of a document a JSON reader made, through the Structs of
    `ledger.disclosure.structs` (in C) for a statement or a new account; None for anything
    else, and for any fault: `parse_entry` then decides, and words the refusal."""
    if doc.keys() != _DISCLOSURE_KEYS or doc["type"] != DISCLOSURE:
        return None
    read = read_body(doc["kind"], doc["body"])
    if read is None:
        return None
    try:
        log = f.text(doc["log"], "log", max_len=255)
        publisher = f.did(doc["publisher"], "publisher")
    except SchemaError:
        return None
    return Disclosure(log=log, publisher=publisher, kind=read[0], body=read[1])


def is_canonical(raw: bytes, doc: Any) -> bool:
    """Whether ``raw`` is the RFC 8785 form of ``doc`` (already parsed from it)."""
    try:
        return canonical(doc) == raw  # identity.w3c.jcs takes its C-encoder fast path here
    except IdentityError:
        return False


def _fast_loads(raw: bytes | str) -> Any | None:
    """An object or array as orjson reads it, several times faster than `json.loads`; None
    when orjson's reading could differ from `json.loads`'s (it reads a long integer as a
    float and has no hook for fractions, so no such number may appear) or it refuses the
    text (a lone surrogate, a byte-order mark, bad JSON: `json.loads` then decides)."""
    try:
        data = raw if isinstance(raw, bytes) else raw.encode()
    except UnicodeEncodeError:
        return None
    if data.lstrip()[:1] not in (b"{", b"[") or not plain_numbers(data):
        return None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


class _FloatSeen(Exception):
    pass


def _no_float(_text: str) -> Any:
    raise _FloatSeen


_FAST_BRACKETS = 100  # at most this many "[" or "{" bounds the nesting depth the same way


def safe_loads(raw: bytes | str) -> Any:
    """Parse JSON without ever recursing deeply in C (a deep enough document crashes the
    interpreter instead of raising). With few brackets the C reader is safe and fast; a
    number with a fraction, NaN or Infinity, or many brackets, go to `identity.w3c.jcs.loads`,
    which checks the depth first and refuses duplicate keys, NaN and Infinity.

    The fast path keeps the last of duplicate keys: callers compare with the canonical form
    (`is_canonical`), which no document with a duplicate key can match.
    """
    if isinstance(raw, bytes):
        brackets = raw.count(b"[") + raw.count(b"{")
    else:
        brackets = raw.count("[") + raw.count("{")
    if brackets <= _FAST_BRACKETS:
        fast = _fast_loads(raw)
        if fast is not None:
            return fast
        try:
            return json.loads(raw, parse_float=_no_float, parse_constant=_no_float)
        except _FloatSeen:
            pass
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            raise SchemaError("不是合法的 JSON", f"not valid JSON: {exc}") from exc
    try:
        return strict_loads(raw)
    except IdentityError as exc:
        raise SchemaError(f"不是合法的 JSON：{exc.zh}", f"not valid JSON: {exc.en}") from exc


def _load(raw: bytes, plain: bool) -> Any:
    """`safe_loads`, told whether ``raw`` is a `plain_text` (asked once for this and for the
    canonical forms): such a text has few brackets and plain numbers, so `safe_loads` would
    read an object through orjson, which is then asked at once."""
    if plain and raw[:1] == b"{":
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # `safe_loads` decides, and words the refusal
    try:
        return safe_loads(raw)
    except SchemaError as exc:
        raise SchemaError(f"条目{exc.zh}", f"entry is {exc.en}") from exc


@dataclass(frozen=True)
class ReadEntry:
    """An entry as read from the log: the document, its typed form, and who signed it."""

    doc: Mapping[str, Any]
    entry: Entry
    signer: str


def _forms(raw: bytes, doc: dict[str, Any], plain: bool) -> CanonicalForms | None:
    """The entry's canonical forms when it has a proof (None when it has none: the schema or
    the signature check then refuses it); raises unless ``raw`` is the RFC 8785 form."""
    if "proof" in doc:
        try:
            forms = canonical_forms(doc, raw, plain=plain)
        except IdentityError:
            forms = None
        if forms is not None and forms.secured == raw:
            return forms
    elif is_canonical(raw, doc):
        return None
    raise SchemaError("条目不是规范 JSON（RFC 8785）", "entry is not RFC 8785 canonical JSON")


def read_entry(
    raw: bytes,
    *,
    origin: str,
    verify: VerifySigned,
    verify_canonical: VerifyCanonical | None = None,
) -> ReadEntry:
    """Parse, check and verify one entry exactly as stored (bytes of RFC 8785 JSON).

    Refuses bytes that are not canonical JSON, an entry of another log, and a proof that does
    not verify or was made by someone other than the DID the entry names. With
    ``verify_canonical`` the proof is checked by it, given the canonical forms already made
    for the canonicity check (`verify` then serves only an entry without a proof).
    """
    if len(raw) > MAX_ENTRY_BYTES:
        raise SchemaError(
            f"条目超过 {MAX_ENTRY_BYTES // 1024} KB", f"entry larger than {MAX_ENTRY_BYTES} bytes"
        )
    plain = plain_text(raw)
    doc = _load(raw, plain)
    if not isinstance(doc, dict):
        raise SchemaError("条目必须是 JSON 对象", "an entry must be a JSON object")
    forms = _forms(raw, doc, plain)
    entry = _read_disclosure(doc) or parse_entry(doc)
    if verify_canonical is not None and forms is not None:
        canonical_verify = verify_canonical
        known = forms

        def verify_with_forms(signed: Mapping[str, Any]) -> str:
            return canonical_verify(signed, known)

        verify = verify_with_forms
    return ReadEntry(doc, entry, check_signed(doc, entry, origin=origin, verify=verify))


def check_signed(doc: Mapping[str, Any], entry: Entry, *, origin: str, verify: VerifySigned) -> str:
    """The entry belongs to this log and is signed by the DID it names; returns that DID."""
    if entry.log != origin:
        raise SchemaError(
            f"条目属于日志 {entry.log}，不是 {origin}",
            f"the entry is for log {entry.log}, not {origin}",
            where="log",
        )
    try:
        signer = verify(doc)
    except IdentityError as exc:
        raise AuthorityError(
            f"签名无效：{exc.zh}", f"the signature does not verify: {exc.en}"
        ) from exc
    if signer != entry.signer:
        raise AuthorityError(
            f"条目由 {signer} 签名，而不是其所写的 {entry.signer}",
            f"the entry is signed by {signer}, not by {entry.signer} whom it names",
        )
    return signer
