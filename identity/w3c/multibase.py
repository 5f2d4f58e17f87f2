"""Multibase (base58btc ``z``, base64url ``u``) and multicodec varint prefixes.

Multibase: draft-multiformats-multibase (the ``z`` and ``u`` prefixes are the only ones the
did:key, Multikey, Data Integrity and Bitstring Status List specs use). Multicodec headers
are unsigned LEB128 varints (multiformats unsigned-varint), e.g. ``0xed`` → ``ed 01``.
Decoders are strict: a value decodes only from its one canonical spelling, so no two strings
name the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import re

import base58
import gmpy2

from identity.w3c.failures import EncodingError

BASE58BTC = "z"
BASE64URL = "u"
# Long enough for any key, signature or DID we handle; bounds base58's quadratic decoding.
MAX_BASE58_CHARS = 512

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# The same digits as gmpy2 (GMP) writes base 58: 0-9, then A-Z, then a-v.
_B58_AS_GMP = bytes.maketrans(
    _B58_ALPHABET.encode("ascii"), b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
)
_B58_RE = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")


def encode_base58btc(data: bytes) -> str:
    """``z`` + base58btc (Bitcoin alphabet) of `data`."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def decode_base58btc(text: str) -> bytes:
    """Bytes of a ``z…`` multibase value; anything else raises `EncodingError`."""
    if not text.startswith(BASE58BTC):
        raise EncodingError(
            "多重编码值必须以 z（base58btc）开头", "multibase value must start with 'z' (base58btc)"
        )
    body = text[1:]
    if not body or len(body) > MAX_BASE58_CHARS or _B58_RE.fullmatch(body) is None:
        raise EncodingError(
            "base58btc 编码无效（含非法字符或长度不对）",
            "invalid base58btc (bad character or length)",
        )
    # Every string over the alphabet is the canonical encoding of exactly one byte string:
    # leading '1's are zero bytes, the rest is a big-endian base-58 number. GMP reads that
    # number in C once its digits are spelt as gmpy2 spells base 58 (0-9A-Za-v): about a
    # sixth of the time of a Python loop over the digits, on the verification path of a
    # million signatures a bundle. gmpy2 would also take a sign, spaces or underscores: the
    # alphabet check above has refused them.
    number = gmpy2.mpz(body.encode("ascii").translate(_B58_AS_GMP), 58)
    zeros = len(body) - len(body.lstrip("1"))
    digits: bytes = number.to_bytes((number.bit_length() + 7) // 8, "big")  # gmpy2 is untyped
    return b"\0" * zeros + digits


def encode_base64url(data: bytes) -> str:
    """``u`` + base64url without padding (RFC 4648 §5)."""
    return BASE64URL + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str, *, prefixed: bool = True) -> bytes:
    """Bytes of a ``u…`` value (or bare base64url when `prefixed` is false); no padding."""
    if prefixed:
        if not text.startswith(BASE64URL):
            raise EncodingError(
                "多重编码值必须以 u（base64url）开头",
                "multibase value must start with 'u' (base64url)",
            )
        text = text[1:]
    if _B64URL_RE.fullmatch(text) is None or len(text) % 4 == 1:
        raise EncodingError("base64url 编码无效", "invalid base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncodingError("base64url 编码无效", "invalid base64url") from exc
    # Reject non-zero padding bits: only the canonical spelling is accepted.
    if encode_base64url(data)[1:] != text:
        raise EncodingError("base64url 编码不规范", "non-canonical base64url")
    return data


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128 varint (multiformats unsigned-varint)."""
    if value < 0:
        raise EncodingError("varint 不能为负", "varint must not be negative")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes) -> tuple[int, bytes]:
    """(value, rest) of a leading unsigned varint; minimal encodings only, at most 9 bytes."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if byte == 0 and i > 0:
                raise EncodingError("varint 编码不是最短形式", "varint is not minimally encoded")
            return value, data[i + 1 :]
    raise EncodingError("varint 不完整", "truncated varint")
