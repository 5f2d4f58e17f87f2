"""W3C Bitstring Status List v1.0 (REC 2025-05-15): bitstrings, entries, list credentials.

* §2.1 BitstringStatusListEntry, §2.2 BitstringStatusListCredential (data model).
* §3.3 Bitstring Generation Algorithm: a list is at least 16 KiB = 131,072 entries (the
  minimum the spec sets for group privacy); GZIP, then multibase base64url without padding
  (``u…``) gives ``encodedList``. Bit index 0 is the left-most (most significant) bit of the
  first byte.
* §3.4 Bitstring Expansion: the reverse; a list shorter than the minimum is refused
  (STATUS_LIST_LENGTH_ERROR); §3.2 Validate Algorithm is in `identity.w3c.credential`.
* Privacy Considerations (§6) advise assigning indexes at random rather than in order,
  hence `allocate_index` with a `secrets`-backed generator that tests may replace.

Only ``statusSize`` 1 is supported (revocation and suspension need no more).
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from random import Random
from typing import Any

from identity.w3c.contexts import VC_V2_CONTEXT
from identity.w3c.failures import EncodingError, Malformed, StatusListError
from identity.w3c.multibase import decode_base64url, encode_base64url
from identity.w3c.xsdtime import format_utc

MIN_ENTRIES = 131_072
# Guards expansion against decompression bombs: 16 MiB is 128 Mi entries, far beyond need.
MAX_LIST_BYTES = 16 * 1024 * 1024
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION, "refresh", "message")
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusList"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"


# GZIP member header (RFC 1952 §2.3) with MTIME 0, XFL 0, OS 3 (Unix): fixed so the same
# bits always encode to the same string (and match the spec's example byte for byte).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_INDEX_RE = re.compile(r"0|[1-9][0-9]{0,9}")


def _check_index(index: int, length: int) -> None:
    if not 0 <= index < length:
        raise StatusListError(
            f"状态索引 {index} 超出范围 0..{length - 1}",
            f"status index {index} out of range 0..{length - 1}",
        )


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Bit `index` (0 = left-most bit of byte 0)."""
    _check_index(index, len(bits) * 8)
    return bool(bits[index >> 3] >> (7 - (index & 7)) & 1)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    _check_index(index, len(bits) * 8)
    mask = 1 << (7 - (index & 7))
    if value:
        bits[index >> 3] |= mask
    else:
        bits[index >> 3] &= ~mask & 0xFF


def new_bitstring(entries: int = MIN_ENTRIES) -> bytearray:
    """An all-zero list of `entries` bits (a multiple of 8, at least `MIN_ENTRIES`)."""
    if entries < MIN_ENTRIES or entries % 8:
        raise StatusListError(
            f"状态列表至少 {MIN_ENTRIES} 位且为 8 的倍数",
            f"a status list needs at least {MIN_ENTRIES} entries, a multiple of 8",
        )
    return bytearray(entries // 8)


def encode_list(bits: bytes | bytearray) -> str:
    """Bitstring Generation: GZIP then ``u`` + base64url, for ``encodedList``."""
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusListError(
            f"状态列表至少 {MIN_ENTRIES} 位", f"a status list needs at least {MIN_ENTRIES} entries"
        )
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = compressor.compress(bytes(bits)) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(bits), len(bits) & 0xFFFFFFFF)
    return encode_base64url(_GZIP_HEADER + body + trailer)


def decode_list(
    encoded: str, *, min_entries: int = MIN_ENTRIES, allow_unprefixed: bool = False
) -> bytes:
    """Bitstring Expansion: ``u…`` → bytes. `allow_unprefixed` accepts the pre-multibase form
    of older lists (a GZIP stream always starts ``H4sI`` in base64, so it is unambiguous)."""
    prefixed = not (allow_unprefixed and not encoded.startswith("u"))
    try:
        compressed = decode_base64url(encoded, prefixed=prefixed)
    except EncodingError as exc:
        raise StatusListError(
            f"encodedList 编码无效：{exc.zh}", f"invalid encodedList: {exc.en}"
        ) from exc
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        bits = decompressor.decompress(compressed, MAX_LIST_BYTES + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList 不是 GZIP", f"encodedList is not GZIP: {exc}") from exc
    if len(bits) > MAX_LIST_BYTES:
        raise StatusListError("状态列表过大", "status list too large")
    if not decompressor.eof or decompressor.unused_data:
        raise StatusListError(
            "encodedList 的 GZIP 数据不完整或有多余内容",
            "encodedList GZIP is truncated or has trailing data",
        )
    if len(bits) * 8 < min_entries:
        raise StatusListError(
            f"状态列表只有 {len(bits) * 8} 位，少于 {min_entries}",
            f"status list has "
            f"{len(bits) * 8} entries, fewer than {min_entries} (STATUS_LIST_LENGTH_ERROR)",
        )
    return bits


def allocate_index(used: Set[int], *, size: int = MIN_ENTRIES, rng: Random | None = None) -> int:
    """A uniformly random index in [0, size) not in `used` (§6: random, not sequential).

    `rng` defaults to `secrets.SystemRandom()`; tests pass a seeded `random.Random`.
    """
    generator = rng if rng is not None else secrets.SystemRandom()
    taken = sum(1 for index in used if 0 <= index < size)
    if taken >= size:
        raise StatusListError(f"状态列表已满（{size} 个）", f"status list is full ({size} entries)")
    # Rejection sampling is uniform; when the list is mostly taken, draw from what is left.
    if taken <= size // 2:
        while True:
            index = generator.randrange(size)
            if index not in used:
                return index
    free = [index for index in range(size) if index not in used]
    return free[generator.randrange(len(free))]


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A parsed ``BitstringStatusListEntry`` (statusSize 1)."""

    purpose: str
    index: int
    list_url: str


def status_entry(*, list_url: str, index: int, purpose: str = REVOCATION) -> dict[str, Any]:
    """A ``credentialStatus`` value (§2.1); ``statusListIndex`` is a decimal string."""
    if purpose not in PURPOSES:
        raise StatusListError("未知的状态用途", f"unknown status purpose {purpose!r}")
    if index < 0:
        raise StatusListError("状态索引不能为负", "status index must not be negative")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def parse_entry(entry: object) -> StatusEntry | None:
    """The entry, or None when it is not a ``BitstringStatusListEntry`` (other status types
    are not ours to judge). Malformed bitstring entries raise `Malformed`."""
    if not isinstance(entry, Mapping):
        raise Malformed("credentialStatus 必须是对象", "credentialStatus must be an object")
    if entry.get("type") != ENTRY_TYPE:
        return None
    purpose = entry.get("statusPurpose")
    index = entry.get("statusListIndex")
    url = entry.get("statusListCredential")
    size = entry.get("statusSize", 1)
    if purpose not in PURPOSES:
        raise Malformed("未知的 statusPurpose", f"unknown statusPurpose {str(purpose)[:40]!r}")
    if not isinstance(index, str) or _INDEX_RE.fullmatch(index) is None:
        raise Malformed(
            "statusListIndex 必须是十进制整数字符串", "statusListIndex must be a decimal string"
        )
    if not isinstance(url, str) or not url:
        raise Malformed("statusListCredential 缺失", "statusListCredential missing")
    if size != 1:
        raise Malformed("仅支持 statusSize 1", "only statusSize 1 is supported")
    return StatusEntry(purpose=str(purpose), index=int(index), list_url=url)


@dataclass(frozen=True, slots=True)
class StatusList:
    """A status list a verifier trusts: its URL, its signer and purpose, and its bits."""

    url: str
    issuer: str
    purpose: str
    bits: bytes

    def is_set(self, index: int) -> bool:
        return get_bit(self.bits, index)

    @property
    def entries(self) -> int:
        return len(self.bits) * 8


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: str,
    bits: bytes | bytearray,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (§2.2) for `issuer` to sign."""
    if purpose not in PURPOSES:
        raise StatusListError("未知的状态用途", f"unknown status purpose {purpose!r}")
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_utc(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_utc(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encode_list(bits),
    }
    return credential
