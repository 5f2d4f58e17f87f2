"""RFC 8785 JSON Canonicalization Scheme (JCS), the one canonical form gongzhi signs and hashes.

A thin wrapper over the `rfc8785` library (ES6 number formatting per RFC 8785 §3.2.2.3,
UTF-16 code-unit key order per §3.2.3, no Unicode normalisation). Its errors (NaN/Infinity,
lone surrogates, non-JSON types) become `JcsError`.

Numbers (RFC 8785 §3.2.2.3): a JSON number is an IEEE-754 double, serialised as ECMAScript's
Number.prototype.toString would. Integers within ±(2^53-1) are exact either way and stay
Python ints (areas, fen, indexes). A larger integer — as `json` parses the text
``295147905179352830000`` — stands for its nearest double, 2^68, and is written as the RFC's
Appendix B writes it; so a document signed by an independent implementation with such numbers
verifies here. Only a signer asks for `exact_integers`: it refuses an integer that is no
double (2^53+1), since the signature would then pin another number than the document shows.
Also: a strict JSON reader, because what gets canonicalized must first be parsed without
ambiguity (duplicate keys and NaN are refused rather than silently resolved).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
import rfc8785

from identity.w3c.failures import JcsError

# No gongzhi document nests deeper than a dozen levels. Checking the depth ourselves, rather
# than waiting for RecursionError, keeps a hostile document from overflowing the C stack of a
# worker thread (whose stack is smaller than the main thread's).
MAX_DEPTH = 100
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def _too_deep() -> JcsError:
    return JcsError(f"JSON 嵌套超过 {MAX_DEPTH} 层", f"JSON nested deeper than {MAX_DEPTH} levels")


_MAX_SAFE = 2**53 - 1
# Key order: RFC 8785 sorts by UTF-16 code units, Python by code points; they agree unless a
# key holds a character beyond the BMP, which therefore takes the library path.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _walk(value: Any, depth: int = 0) -> bool:
    """Check the nesting depth; say whether `value` takes the fast path (no floats, safe ints,
    BMP-only keys), on which RFC 8785 output equals sorted compact `json.dumps`.

    Recursive with exact `type` tests: this runs on every entry a verifier reads."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_MAX_SAFE <= value <= _MAX_SAFE)
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise _too_deep()
        simple = True
        for key, child in value.items():
            if type(key) is not str or (not key.isascii() and _ASTRAL.search(key)):
                simple = False
            leaf = type(child)
            if leaf is str or leaf is bool or child is None:
                continue  # leaves decided here save a recursive call each: most nodes are
            if leaf is int and -_MAX_SAFE <= child <= _MAX_SAFE:
                continue
            if not _walk(child, depth + 1):
                simple = False
        return simple
    if kind is list:
        if depth >= MAX_DEPTH:
            raise _too_deep()
        simple = True
        for child in value:
            leaf = type(child)
            if leaf is str or leaf is bool or child is None:
                continue
            if leaf is int and -_MAX_SAFE <= child <= _MAX_SAFE:
                continue
            if not _walk(child, depth + 1):
                simple = False
        return simple
    return False  # floats, subclasses, anything else: the library decides


def _check_text_depth(data: bytes) -> None:
    depth, in_string, skip = 0, False, -1
    for match in _STRUCTURE.finditer(data):
        at = match.start()
        if at == skip:  # the character after a backslash is escaped, whatever it is
            continue
        char = data[at : at + 1]
        if in_string:
            if char == b"\\":
                skip = at + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep()
        elif char in (b"]", b"}"):
            depth -= 1


# Sorted compact JSON, ``ensure_ascii=False``: orjson writes exactly what `json.dumps` does
# with those arguments (the same escapes: the short ones, lowercase \u00XX for the other
# control characters, nothing else) several times faster, which counts when a verifier
# encodes several objects per entry of a million. Types beyond JSON's are refused, never
# converted (orjson would write a datetime, a dataclass, a subclass of str or int).
_SORTED = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _encode_sorted(obj: Any) -> bytes:
    """Compact sorted JSON in UTF-8; raises `TypeError` (orjson's JSONEncodeError is one) on
    what is not JSON, on a lone surrogate and on an integer beyond 64 bits."""
    return orjson.dumps(obj, option=_SORTED)


def _doubles(value: Any, *, exact: bool) -> Any:
    """`value` with every integer beyond ±(2^53-1) replaced by the double it stands for
    (RFC 8785 §3.2.2.3); `_walk` has bounded the depth already."""
    kind = type(value)
    if kind is int and not -_MAX_SAFE <= value <= _MAX_SAFE:
        try:
            double = float(value)  # correctly rounded, as a JSON reader rounds the digits
        except OverflowError as exc:
            raise JcsError(
                "整数超出 IEEE-754 双精度范围",
                f"integer beyond the IEEE-754 double range: {value}",
            ) from exc
        if exact and int(double) != value:
            raise JcsError(
                "整数不能精确表示为 IEEE-754 双精度数，签名将覆盖另一个数",
                f"integer {value} is not exactly an IEEE-754 double; a signature would cover "
                f"{int(double)} instead",
            )
        return double
    if kind is dict:
        return {key: _doubles(child, exact=exact) for key, child in value.items()}
    if kind is list:
        return [_doubles(child, exact=exact) for child in value]
    return value


def canonical(obj: Any, *, exact_integers: bool = False) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    With `exact_integers` (for a signer), an integer that is not exactly an IEEE-754 double
    is refused rather than rounded."""
    if _walk(obj):
        # Far faster than the pure-Python library, and verifying a million-entry log
        # canonicalizes every entry; a property test pins the equality.
        try:
            return _encode_sorted(obj)
        except TypeError:
            pass  # a lone surrogate: let the library refuse it with its own message
    try:
        return bytes(rfc8785.dumps(_doubles(obj, exact=exact_integers)))
    except rfc8785.CanonicalizationError as exc:
        raise JcsError("无法规范化 JSON", f"cannot canonicalize JSON (RFC 8785): {exc}") from exc
    except RecursionError as exc:
        raise JcsError("JSON 嵌套过深", "JSON nested too deeply") from exc


# What in sorted compact JSON can differ from RFC 8785, seen in the text: a number with a
# fraction or exponent, or of 16 digits or more (beyond 2^53-1 RFC 8785 writes the nearest
# double), and a character beyond the BMP (its key sorts by UTF-16 code units), whose UTF-8
# form starts with one of the bytes F0-F4. For numbers, one search of a view of the text in
# which digits and "-" become "0", the bytes a number follows (":", ",", "[") and whitespace
# become ":", and those a fraction or exponent starts with become "."; so every such number
# shows as ":" then a run of "0" then "." or 16 of them. (A "-" read as one more digit, and
# a "number" found inside a string, only cost the slow path.) The lead bytes of astral
# characters become FF, which UTF-8 never holds: one more byte search of the same view.
_VIEW_FROM = b"0123456789-,[ \t\n\r.eE\xf0\xf1\xf2\xf3\xf4"
_VIEW_TO = b"00000000000::::::...\xff\xff\xff\xff\xff"
_VIEW = bytes.maketrans(_VIEW_FROM, _VIEW_TO)
_ASTRAL_IN_VIEW = b"\xff"
# Written with the common prefix ":0" outside the alternation, so that the regex engine
# scans for that literal instead of trying both branches at every byte (a third the time).
_NOT_PLAIN_NUMBER = re.compile(rb":0(?:0{15}|0*\.)")


def plain_text(text: bytes) -> bool:
    """Whether JSON `text` holds nothing in which sorted compact JSON and RFC 8785 differ: no
    fraction, exponent or integer of 16 digits or more, no character beyond the BMP.

    A value whose `canonical_plain` encoding equals such a text holds none either (that
    encoder writes every number and character a value holds), so RFC 8785 writes the value,
    and every part of it, exactly as `canonical_plain` does. A value a JSON reader parsed from
    such a text may be encoded to find out (it is no deeper than `MAX_DEPTH`, checked here).
    False says only that this shortcut does not apply: `canonical` decides.

    For a verifier re-checking a million stored entries: a translation and a search of each
    entry's text instead of a walk of its parsed document in Python per canonical form."""
    if text.count(b"[") + text.count(b"{") > MAX_DEPTH:
        return False
    view = text.translate(_VIEW)
    return _ASTRAL_IN_VIEW not in view and _NOT_PLAIN_NUMBER.search(view) is None


def plain_numbers(text: bytes) -> bool:
    """Whether JSON `text` holds no number with a fraction or exponent and none of 16 digits
    or more (seen as `plain_text` sees them: a "number" found inside a string also says no)."""
    return _NOT_PLAIN_NUMBER.search(text.translate(_VIEW)) is None


def canonical_plain(value: Any) -> bytes:
    """Sorted compact JSON of `value`: its RFC 8785 form when `value`, or the value it is part
    of (a member, an item, the object less some members), encodes to a `plain_text`. Raises
    `ValueError` (which `UnicodeEncodeError` is) or `TypeError` on what is not JSON."""
    return _encode_sorted(value)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JcsError("JSON 对象有重复的键", f"duplicate key in JSON object: {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise JcsError(f"JSON 不允许 {name}", f"{name} is not JSON")


def loads(data: bytes | str) -> Any:
    """Parse strict JSON (RFC 8259): UTF-8, no duplicate keys, no NaN/Infinity."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    _check_text_depth(raw)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise JcsError("JSON 不是有效的 UTF-8", "JSON is not valid UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise JcsError(
            f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）",
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from exc
    except RecursionError as exc:
        raise JcsError("JSON 嵌套过深", "JSON nested too deeply") from exc
