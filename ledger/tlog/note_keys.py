"""Signer and verifier keys of C2SP signed notes: Ed25519 (type 0x01) and cosignature/v1 (0x04).

A verifier key ("vkey") is ``<name>+<hex key ID>+base64(type || public key)`` and a signer key
("skey", the golang.org/x/mod/sumdb/note encoding) is ``PRIVATE+KEY+<name>+<hex key ID>+
base64(type || 32-byte Ed25519 seed)``; the key ID is SHA-256(name || 0x0A || type || public
key)[:4] (C2SP signed-note §Signatures). Pure: no I/O except reading the clock when a witness
cosigns without an explicit timestamp.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.tlog.errors import NoteError, SignatureError

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
COSIGNATURE_V1_HEADER = b"cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty and hold no Unicode space and no '+' (C2SP signed-note §Format)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def decode_base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"{what} 不是合法的 base64", f"{what} is not valid base64") from exc


def cosigned_message(msg: bytes, timestamp: int) -> bytes:
    """What a cosignature/v1 signature covers (C2SP tlog-cosignature §Ed25519 signed message)."""
    return COSIGNATURE_V1_HEADER + f"time {timestamp}\n".encode() + msg


class Signer(Protocol):
    """Something that signs note text under a (name, key ID) pair."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    @property
    def vkey(self) -> str: ...
    def sign(self, msg: bytes) -> bytes: ...


class Verifier(Protocol):
    """Something that checks a signature made under a (name, key ID) pair; raises if it fails."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    @property
    def alg(self) -> int: ...
    @property
    def vkey(self) -> str: ...
    def verify(self, msg: bytes, sig: bytes) -> None: ...


def _vkey(name: str, kid: int, alg: int, public_key: bytes) -> str:
    return f"{name}+{kid:08x}+{base64.b64encode(bytes([alg]) + public_key).decode()}"


@dataclass(frozen=True)
class Ed25519Verifier:
    """Checks plain Ed25519 note signatures (C2SP signed-note §Ed25519 signatures)."""

    name: str
    public_key: bytes
    alg: int = field(default=ALG_ED25519, init=False)

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        return _vkey(self.name, self.key_id, self.alg, self.public_key)

    def verify(self, msg: bytes, sig: bytes) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(sig, msg)
        except (InvalidSignature, ValueError) as exc:
            raise SignatureError(
                f"密钥 {self.name} 的签名无效", f"signature by key {self.name} does not verify"
            ) from exc


@dataclass(frozen=True)
class CosignatureVerifier:
    """Checks timestamped witness cosignatures (C2SP tlog-cosignature, cosignature/v1)."""

    name: str
    public_key: bytes
    alg: int = field(default=ALG_COSIGNATURE_V1, init=False)

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        return _vkey(self.name, self.key_id, self.alg, self.public_key)

    @staticmethod
    def timestamp_of(sig: bytes) -> int:
        """The POSIX time of a ``timestamped_signature`` (u64 big-endian, then 64 bytes)."""
        if len(sig) != 8 + 64:
            raise NoteError(
                f"联署签名应为 72 字节，实为 {len(sig)}",
                f"a cosignature must be 72 bytes, got {len(sig)}",
            )
        (timestamp,) = struct.unpack(">Q", sig[:8])
        if timestamp > MAX_TIMESTAMP:
            raise NoteError("联署时间戳超出范围", "cosignature timestamp exceeds 2^63-1")
        return int(timestamp)

    def verify(self, msg: bytes, sig: bytes) -> None:
        timestamp = self.timestamp_of(sig)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                sig[8:], cosigned_message(msg, timestamp)
            )
        except (InvalidSignature, ValueError) as exc:
            raise SignatureError(
                f"见证人 {self.name} 的联署签名无效", f"cosignature by {self.name} does not verify"
            ) from exc


class _SeedKey:
    """What both signers derive from their name, seed and algorithm byte, once per signer
    (they are frozen, so it cannot go stale): a vote batch asks for the vkey and signs, and
    loading the key cost more than the signature."""

    name: str
    seed: bytes
    alg: int

    @functools.cached_property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @functools.cached_property
    def public_key(self) -> bytes:
        return _raw_public(self._private.public_key())

    @functools.cached_property
    def key_id(self) -> int:
        return key_id(self.name, self.alg, self.public_key)

    @functools.cached_property
    def vkey(self) -> str:
        return _vkey(self.name, self.key_id, self.alg, self.public_key)

    @property
    def skey(self) -> str:
        """The private key as golang.org/x/mod/sumdb/note writes it; keep it secret."""
        return _skey(self.name, self.key_id, self.alg, self.seed)


@dataclass(frozen=True)
class Ed25519Signer(_SeedKey):
    """Signs note text with Ed25519; deterministic, so a known key re-signs byte-identically."""

    name: str
    seed: bytes = field(repr=False)
    alg: int = field(default=ALG_ED25519, init=False)

    def __post_init__(self) -> None:
        _check_signer(self.name, self.seed)

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, msg: bytes) -> bytes:
        return self._private.sign(msg)


@dataclass(frozen=True)
class CosignatureSigner(_SeedKey):
    """A witness (the owners' committee, the street office) that cosigns checkpoints.

    ``clock`` gives the POSIX time put in each cosignature; tests pass a fixed one.
    """

    name: str
    seed: bytes = field(repr=False)
    clock: Callable[[], int] = field(default=lambda: int(time.time()), compare=False)
    alg: int = field(default=ALG_COSIGNATURE_V1, init=False)

    def __post_init__(self) -> None:
        _check_signer(self.name, self.seed)

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)

    def sign(self, msg: bytes) -> bytes:
        timestamp = self.clock()
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise NoteError("联署时间戳超出范围", "cosignature timestamp out of range")
        sig = self._private.sign(cosigned_message(msg, timestamp))
        return struct.pack(">Q", timestamp) + sig


def _check_signer(name: str, seed: bytes) -> None:
    if not is_valid_key_name(name):
        raise NoteError(f"密钥名不合法：{name!r}", f"invalid key name {name!r}")
    if len(seed) != 32:
        raise NoteError("Ed25519 私钥种子必须是 32 字节", "an Ed25519 seed must be 32 bytes")


def _skey(name: str, kid: int, alg: int, seed: bytes) -> str:
    return f"PRIVATE+KEY+{name}+{kid:08x}+{base64.b64encode(bytes([alg]) + seed).decode()}"


def _split_key(text: str, what: str) -> tuple[str, int, int, bytes]:
    """(name, key ID, type byte, key material) of ``name+hexid+base64(type||key)``."""
    parts = text.split("+", 2)  # base64 may itself contain "+"
    if len(parts) != 3 or not is_valid_key_name(parts[0]) or len(parts[1]) != 8:
        raise NoteError(f"{what} 格式不对", f"malformed {what}: {text[:80]!r}")
    name, hex_id, b64 = parts
    try:
        kid = int(hex_id, 16)
    except ValueError as exc:
        raise NoteError(f"{what} 的密钥编号不是十六进制", f"{what} key ID is not hex") from exc
    raw = decode_base64(b64, what)
    if len(raw) != 33:
        raise NoteError(f"{what} 的密钥长度不对", f"{what} has a key of the wrong length")
    return name, kid, raw[0], raw[1:]


def parse_vkey(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """A verifier from its vkey string; the key ID must match the key (C2SP signed-note)."""
    name, kid, alg, public_key = _split_key(vkey, "verifier key")
    verifier: Ed25519Verifier | CosignatureVerifier
    if alg == ALG_ED25519:
        verifier = Ed25519Verifier(name, public_key)
    elif alg == ALG_COSIGNATURE_V1:
        verifier = CosignatureVerifier(name, public_key)
    else:
        raise NoteError(f"不支持的签名类型 0x{alg:02x}", f"unsupported signature type 0x{alg:02x}")
    if verifier.key_id != kid:
        raise NoteError("验证密钥的编号与公钥不符", "verifier key ID does not match its public key")
    return verifier


def parse_skey(skey: str) -> Ed25519Signer | CosignatureSigner:
    """A signer from its ``PRIVATE+KEY+…`` string; the key ID must match the derived key."""
    prefix = "PRIVATE+KEY+"
    if not skey.startswith(prefix):
        raise NoteError("签名私钥格式不对", "malformed signer key")
    name, kid, alg, seed = _split_key(skey[len(prefix) :], "signer key")
    signer: Ed25519Signer | CosignatureSigner
    if alg == ALG_ED25519:
        signer = Ed25519Signer(name, seed)
    elif alg == ALG_COSIGNATURE_V1:
        signer = CosignatureSigner(name, seed)
    else:
        raise NoteError(f"不支持的签名类型 0x{alg:02x}", f"unsupported signature type 0x{alg:02x}")
    if signer.key_id != kid:
        raise NoteError("签名私钥的编号与密钥不符", "signer key ID does not match its key")
    return signer
