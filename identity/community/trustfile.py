"""Pinned trust: the one file a verifier is given, and everything it trusts.

    {"type": "GongzhiTrust", "version": 1, "chainId": 31337,
     "contract": "0x…", "roots": ["did:key:…"]}

Nothing more: the chain that holds the anchors, the LogAnchor contract on it, and the
street office's root DID(s). Everything else a verifier needs is derived from signed data
checked against these — the committee from root-signed registrations, a ballot box's key
from the committee-signed BallotOpened, a disclosure log's key from the registration, each
log id from its origin. The street office hands out its copy (printed as a QR code, alone
or, on a result notice, as a `trust_link` to the verification page); the server serves its
own at ``/.well-known/gongzhi-trust.json``; a verifier warns when the two differ. Parsing
is strict: an unknown field, a wrong type, a chain id that is not a positive integer, a
contract that is not a 20-byte address or a root that is not a did:key is refused, in
Chinese and English.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils.address import is_checksum_address, to_checksum_address

from identity.errors import IdentityError
from identity.w3c.didkey import Did

TRUST_TYPE = "GongzhiTrust"
TRUST_VERSION = 1
WELL_KNOWN_PATH = "/.well-known/gongzhi-trust.json"
MAX_ROOTS = 16
MAX_BYTES = 64 * 1024  # a trust file is a few hundred bytes; refuse anything huge unread
#: The fragment key of a `trust_link`: ``URL#gongzhi-trust=BASE64URL(trust file)``.
LINK_FRAGMENT = "gongzhi-trust"
_KEYS = ("type", "version", "chainId", "contract", "roots")
_HEX = frozenset("0123456789abcdefABCDEF")


class TrustFileError(IdentityError):
    """The trust file is unreadable or malformed; ``zh`` and ``en`` say why."""


@dataclass(frozen=True, slots=True)
class PinnedTrust:
    """What a verifier trusts: the chain id, the anchoring contract, the street offices."""

    chain_id: int
    contract: str  # EIP-55 checksummed
    roots: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": TRUST_TYPE,
            "version": TRUST_VERSION,
            "chainId": self.chain_id,
            "contract": self.contract,
            "roots": sorted(self.roots),
        }

    def differences(self, other: PinnedTrust) -> list[tuple[str, str]]:
        """(zh, en) for each field in which `other` differs from this trust; [] if none."""
        out: list[tuple[str, str]] = []
        if other.chain_id != self.chain_id:
            out.append(
                (
                    f"链 ID 为 {other.chain_id}，而非 {self.chain_id}",
                    f"chain id {other.chain_id}, not {self.chain_id}",
                )
            )
        if other.contract != self.contract:
            out.append(
                (
                    f"合约为 {other.contract}，而非 {self.contract}",
                    f"contract {other.contract}, not {self.contract}",
                )
            )
        if other.roots != self.roots:
            extra, missing = sorted(other.roots - self.roots), sorted(self.roots - other.roots)
            out.append(
                (
                    f"根不同：多出 {extra}，缺少 {missing}",
                    f"roots differ: {extra} added, {missing} missing",
                )
            )
        return out


def contract_address(value: object) -> str:
    """A 20-byte hex address ``0x`` + 40 hex digits, EIP-55 checksummed when mixed-case."""
    if not isinstance(value, str) or len(value) != 42 or value[:2] != "0x":
        raise TrustFileError(
            "contract 须为 0x 加40位十六进制的合约地址",
            "contract must be a 20-byte address: 0x and 40 hex digits",
        )
    digits = value[2:]
    if not set(digits) <= _HEX:
        raise TrustFileError(
            "contract 含非十六进制字符", "contract holds characters that are not hex digits"
        )
    mixed = digits != digits.lower() and digits != digits.upper()
    if mixed and not is_checksum_address(value):
        raise TrustFileError(
            "contract 的大小写校验（EIP-55）不符，地址可能抄错",
            "contract fails its EIP-55 checksum: the address may be mistyped",
        )
    return str(to_checksum_address(value))


def parse_trust(value: object) -> PinnedTrust:
    """The pinned trust in `value` (parsed JSON), or `TrustFileError` naming the fault."""
    if not isinstance(value, Mapping):
        raise TrustFileError("信任文件不是 JSON 对象", "the trust file is not a JSON object")
    unknown = sorted(str(k) for k in value if k not in _KEYS)
    if unknown:
        raise TrustFileError(
            f"信任文件含未知字段 {unknown}", f"the trust file has unknown fields {unknown}"
        )
    missing = [k for k in _KEYS if k not in value]
    if missing:
        raise TrustFileError(
            f"信任文件缺少字段 {missing}", f"the trust file lacks the fields {missing}"
        )
    if value["type"] != TRUST_TYPE:
        raise TrustFileError(
            f"信任文件的 type 须为 {TRUST_TYPE}", f"the trust file's type must be {TRUST_TYPE}"
        )
    version = value["version"]
    if isinstance(version, bool) or version != TRUST_VERSION or not isinstance(version, int):
        raise TrustFileError(
            f"不支持的信任文件版本 {version!r}（应为 {TRUST_VERSION}）",
            f"unsupported trust file version {version!r} (expected {TRUST_VERSION})",
        )
    chain_id = value["chainId"]
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or not 0 < chain_id < 2**64:
        raise TrustFileError(
            "chainId 须为正整数", f"chainId must be a positive integer, not {chain_id!r}"
        )
    contract = contract_address(value["contract"])
    roots = value["roots"]
    if not isinstance(roots, list) or not 1 <= len(roots) <= MAX_ROOTS:
        raise TrustFileError(
            f"roots 须列出1至{MAX_ROOTS}个街道办事处的 did:key",
            f"roots must list 1 to {MAX_ROOTS} street-office did:keys",
        )
    parsed: set[str] = set()
    for i, root in enumerate(roots):
        if not isinstance(root, str):
            raise TrustFileError(f"roots[{i}] 不是文字", f"roots[{i}] is not a string")
        try:
            parsed.add(Did.parse(root).value)
        except IdentityError as exc:
            raise TrustFileError(
                f"roots[{i}] 不是有效的 did:key", f"roots[{i}] is not a valid did:key: {exc}"
            ) from exc
    if len(parsed) != len(roots):
        raise TrustFileError("roots 中有重复的 DID", "roots lists a DID twice")
    return PinnedTrust(chain_id=chain_id, contract=contract, roots=frozenset(parsed))


def parse_trust_bytes(data: bytes) -> PinnedTrust:
    if len(data) > MAX_BYTES:
        raise TrustFileError("信任文件过大", f"the trust file is larger than {MAX_BYTES} bytes")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TrustFileError(
            "信任文件不是 UTF-8 JSON", f"the trust file is not UTF-8 JSON: {exc}"
        ) from exc
    return parse_trust(value)


def load_trust(path: Path) -> PinnedTrust:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TrustFileError(
            f"无法读取信任文件 {path}", f"cannot read the trust file {path}: {exc.strerror}"
        ) from exc
    return parse_trust_bytes(data)


def trust_bytes(trust: PinnedTrust) -> bytes:
    return (json.dumps(trust.to_json(), ensure_ascii=False, indent=2) + "\n").encode()


def fingerprint(document: bytes) -> str:
    """The first 128 bits of SHA-256 of a trust file's bytes, in groups of four hex digits:
    short enough to read aloud or compare by eye against the street office's printed copy
    (web/pages/static/member.js shows the same for the file this server publishes)."""
    digest = hashlib.sha256(document).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def write_trust(path: Path, trust: PinnedTrust) -> None:
    """Write atomically: a reader never sees half a trust file."""
    temp = path.with_name(path.name + ".part")
    temp.write_bytes(trust_bytes(trust))
    os.replace(temp, path)


def trust_link(url: str, trust: PinnedTrust) -> str:
    """`url` carrying the trust file: ``URL#gongzhi-trust=`` + the base64url (RFC 4648 §5,
    unpadded) of the very bytes `trust_bytes` gives, as a printed result notice's QR code
    holds it. A phone that scans it opens the verification page; the fragment never reaches
    the server (RFC 3986 §3.5), and whoever reads the link pins the same chain, contract and
    roots as the file the street office hands out."""
    if not url.startswith(("https://", "http://")) or "#" in url or len(url) > 2048:
        raise TrustFileError(
            "核验页面地址须为 http(s):// 开头、不含 # 的网址",
            f"the verification page must be an http(s) URL without a fragment: {url[:80]!r}",
        )
    encoded = base64.urlsafe_b64encode(trust_bytes(trust)).rstrip(b"=").decode()
    return f"{url}#{LINK_FRAGMENT}={encoded}"


def trust_from_link(link: str) -> tuple[str, PinnedTrust]:
    """The page address and the pinned trust a `trust_link` carries (`TrustFileError` when it
    carries none or a malformed one)."""
    url, _, fragment = link.partition("#")
    key, _, encoded = fragment.partition("=")
    if key != LINK_FRAGMENT or not encoded:
        raise TrustFileError(
            "该链接不带信任文件", f"the link carries no trust file (#{LINK_FRAGMENT}=...)"
        )
    try:
        data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TrustFileError(
            "链接中的信任文件不是 base64url", "the link's trust file is not base64url"
        ) from exc
    return url, parse_trust_bytes(data)
