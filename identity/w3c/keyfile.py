"""Passphrase-protected key files: the street office's, a committee member's, a witness's key.

A key file is one JSON object, written with mode 0600 and never over an existing file::

    {"type": "GongzhiKeyFile", "version": 1, "did": "did:key:…",
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": "<base64url>"},
     "cipher": {"name": "AES-256-GCM", "nonce": "<base64url>"},
     "secret": "<base64url of AES-256-GCM(Multikey secretKeyMultibase)>"}

The key is scrypt(passphrase, salt, N, r, p) (RFC 7914); the secret is the Multikey
``secretKeyMultibase`` of the key pair, sealed with AES-256-GCM (NIST SP 800-38D). Every
other field of the file is the cipher's associated data (its RFC 8785 canonical form), so a
file whose DID, cost or name was edited no longer opens; after decrypting, the key must
also be the one the ``did`` field names. A witness's file adds ``"name"``: the note key
name its cosignatures are made under (C2SP signed-note).

Cost: N = 2**17, r = 8, p = 1 needs 128 MiB and took 0.32 s per guess on the 2-core test
machine (2**16: 0.17 s, 2**15: 0.09 s). That is at the top of what a person opening the
file once per command notices, and makes a guessing attack on a stolen file cost 0.3 CPU
seconds and 128 MiB per guess; it is also the cost RFC 7914 §2 and OWASP name for
interactive use. Tests pass a cheaper ``cost`` explicitly; the default is never lowered.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from identity.errors import IdentityError
from identity.w3c.didkey import Did
from identity.w3c.failures import EncodingError, InvalidDid, JcsError, KeyFormatError
from identity.w3c.jcs import canonical, loads
from identity.w3c.keys import KeyPair
from identity.w3c.multibase import decode_base64url, encode_base64url

KEY_FILE_TYPE = "GongzhiKeyFile"
VERSION = 1
DEFAULT_COST = 17  # N = 2**17
MIN_COST = 10  # the cheapest a test may ask for; files are read down to it
MAX_COST = 20  # 1 GiB at r = 8: a crafted file must not make us allocate more
SCRYPT_R, SCRYPT_P = 8, 1
SALT_BYTES, NONCE_BYTES, KEY_BYTES = 16, 12, 32
MIN_PASSPHRASE = 8
MAX_FILE_BYTES = 16_384
PASSPHRASE_ENV = "GONGZHI_PASSPHRASE"


class KeyFileError(IdentityError):
    """A key file cannot be written or opened; ``zh`` and ``en`` are kept apart."""

    reason: ClassVar[str] = "key_file"


class WrongPassphrase(KeyFileError):
    """The passphrase does not open the file (or the file was altered since it was written)."""

    reason: ClassVar[str] = "wrong_passphrase"


class CorruptKeyFile(KeyFileError):
    """Not a key file of a version we read: bad JSON, missing or malformed fields."""

    reason: ClassVar[str] = "corrupt_key_file"


class UnsafeKeyFile(KeyFileError):
    """The file may be read or written by other users (mode is not 0600 or stricter)."""

    reason: ClassVar[str] = "unsafe_key_file"


@dataclass(frozen=True)
class KeyFile:
    """An opened key file: the key pair, and the witness name when the file has one."""

    keypair: KeyPair
    name: str | None = None


def check_passphrase(passphrase: str) -> str:
    """A passphrase fit for a new key file (at least 8 characters), or `KeyFileError`."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyFileError(
            f"口令至少需要 {MIN_PASSPHRASE} 个字符",
            f"the passphrase needs at least {MIN_PASSPHRASE} characters",
        )
    return passphrase


def _derive(passphrase: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=KEY_BYTES, n=2**cost, r=r, p=p)
    return kdf.derive(passphrase.encode("utf-8"))


def _header(document: dict[str, Any]) -> bytes:
    """The associated data: the canonical form of every field but the secret itself."""
    return canonical({k: v for k, v in document.items() if k != "secret"})


def encode_key_file(
    keypair: KeyPair, passphrase: str, *, cost: int = DEFAULT_COST, name: str | None = None
) -> bytes:
    """The bytes of a key file holding `keypair` (pure but for the random salt and nonce)."""
    if not MIN_COST <= cost <= MAX_COST:
        raise KeyFileError(
            f"scrypt 代价须在 2^{MIN_COST} 到 2^{MAX_COST} 之间",
            f"the scrypt cost must lie between 2^{MIN_COST} and 2^{MAX_COST}",
        )
    check_passphrase(passphrase)
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    document: dict[str, Any] = {
        "type": KEY_FILE_TYPE,
        "version": VERSION,
        "did": keypair.did.value,
        "kdf": {
            "name": "scrypt",
            "n": 2**cost,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": encode_base64url(salt)[1:],
        },
        "cipher": {"name": "AES-256-GCM", "nonce": encode_base64url(nonce)[1:]},
    }
    if name is not None:
        document["name"] = name
    key = _derive(passphrase, salt, cost, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(key).encrypt(nonce, keypair.secret_multibase().encode(), _header(document))
    document["secret"] = encode_base64url(sealed)[1:]
    return canonical(document) + b"\n"


def write_key_file(
    path: Path,
    keypair: KeyPair,
    passphrase: str,
    *,
    cost: int = DEFAULT_COST,
    name: str | None = None,
) -> None:
    """Write a new key file, mode 0600; refuses to replace an existing file.

    The file appears whole or not at all: it is written beside its place, synced, then
    linked in (a link never replaces an existing name, unlike a rename)."""
    data = encode_key_file(keypair, passphrase, cost=cost, name=name)
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise KeyFileError(
            f"{path} 已存在，不会覆盖", f"{path} already exists and is not overwritten"
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gongzhi-key-")
    except OSError as exc:
        raise KeyFileError(
            f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}"
        ) from exc
    try:
        os.fchmod(fd, 0o600)  # mkstemp makes it 0600 already; be explicit about it
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)
    except FileExistsError as exc:
        raise KeyFileError(
            f"{path} 已存在，不会覆盖", f"{path} already exists and is not overwritten"
        ) from exc
    except OSError as exc:
        raise KeyFileError(
            f"无法写入 {path}：{exc.strerror}", f"cannot write {path}: {exc.strerror}"
        ) from exc
    finally:
        os.unlink(tmp)


def _corrupt(path: Path, zh: str, en: str) -> CorruptKeyFile:
    return CorruptKeyFile(
        f"{path} 不是有效的密钥文件：{zh}", f"{path} is not a valid key file: {en}"
    )


def _field(path: Path, value: Any, name: str, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _corrupt(path, f"字段 {name} 缺失或类型不对", f"field {name} is missing or mistyped")
    return value


def _b64(path: Path, value: Any, name: str, length: int | None = None) -> bytes:
    try:
        raw = decode_base64url(_field(path, value, name, str), prefixed=False)
    except EncodingError as exc:
        raise _corrupt(path, f"{name} 不是 base64url", f"{name} is not base64url") from exc
    if length is not None and len(raw) != length:
        raise _corrupt(path, f"{name} 长度不对", f"{name} has the wrong length")
    return raw


def decode_key_file(path: Path, data: bytes, passphrase: str) -> KeyFile:
    """Open the bytes of a key file (`path` only names it in messages)."""
    try:
        document = loads(data)
    except (JcsError, IdentityError) as exc:
        raise _corrupt(path, "不是 JSON", "not JSON") from exc
    if not isinstance(document, dict) or document.get("type") != KEY_FILE_TYPE:
        raise _corrupt(path, f"type 应为 {KEY_FILE_TYPE}", f"type must be {KEY_FILE_TYPE}")
    if document.get("version") != VERSION:
        raise CorruptKeyFile(
            f"{path} 的版本 {str(document.get('version'))[:20]} 不受支持（本程序读版本 {VERSION}）",
            f"{path} has version {str(document.get('version'))[:20]}, which this program "
            f"does not read (it reads version {VERSION})",
        )
    allowed = {"type", "version", "did", "kdf", "cipher", "secret", "name"}
    if not set(document) <= allowed:
        extra = ", ".join(sorted(set(document) - allowed))[:80]
        raise _corrupt(path, f"有未知字段 {extra}", f"unknown fields {extra}")
    try:
        did = Did(_field(path, document.get("did"), "did", str)).value
    except InvalidDid as exc:
        raise _corrupt(path, "did 无效", "invalid did") from exc
    name = document.get("name")
    if name is not None:
        _field(path, name, "name", str)
    kdf = _field(path, document.get("kdf"), "kdf", dict)
    cipher = _field(path, document.get("cipher"), "cipher", dict)
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise _corrupt(path, "只支持 scrypt 与 AES-256-GCM", "only scrypt and AES-256-GCM are read")
    n = _field(path, kdf.get("n"), "kdf.n", int)
    r = _field(path, kdf.get("r"), "kdf.r", int)
    p = _field(path, kdf.get("p"), "kdf.p", int)
    cost = n.bit_length() - 1
    if n != 2**cost or not MIN_COST <= cost <= MAX_COST or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise _corrupt(path, "scrypt 参数超出范围", "scrypt parameters out of range")
    if 128 * n * r > 128 * 2**MAX_COST * SCRYPT_R:
        raise _corrupt(path, "scrypt 参数需要的内存过大", "scrypt parameters need too much memory")
    salt = _b64(path, kdf.get("salt"), "kdf.salt")
    nonce = _b64(path, cipher.get("nonce"), "cipher.nonce", NONCE_BYTES)
    sealed = _b64(path, document.get("secret"), "secret")
    if len(salt) < 8 or len(sealed) <= 16:
        raise _corrupt(path, "salt 或 secret 过短", "salt or secret too short")
    key = _derive(passphrase, salt, cost, r, p)
    try:
        secret = AESGCM(key).decrypt(nonce, sealed, _header(document))
    except InvalidTag as exc:
        raise WrongPassphrase(
            f"口令错误，无法打开 {path}（或文件已被改动）",
            f"wrong passphrase: cannot open {path} (or the file was altered)",
        ) from exc
    try:
        keypair = KeyPair.from_secret_multibase(secret.decode("ascii"))
    except (UnicodeDecodeError, KeyFormatError) as exc:
        raise _corrupt(path, "密钥内容无效", "the sealed key is malformed") from exc
    if keypair.did.value != did:
        raise _corrupt(path, "密钥与 did 字段不符", "the key does not match its did field")
    return KeyFile(keypair, name)


def load_key_file(path: Path, passphrase: str) -> KeyPair:
    """The key pair of a key file (see `open_key_file` for the checks)."""
    return open_key_file(path, passphrase).keypair


def open_key_file(path: Path, passphrase: str) -> KeyFile:
    """Open a key file: refuses one other users may read or write (as ssh does), then
    derives the key from the passphrase and decrypts."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise KeyFileError(f"找不到密钥文件 {path}", f"no key file at {path}") from exc
    except OSError as exc:
        raise KeyFileError(
            f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}"
        ) from exc
    if not stat.S_ISREG(mode):
        raise _corrupt(path, "不是普通文件", "not a regular file")
    if mode & 0o077:
        raise UnsafeKeyFile(
            f"{path} 的权限为 {stat.S_IMODE(mode):04o}，其他用户可以访问；"
            f"请先执行 chmod 600 {path}",
            f"{path} has mode {stat.S_IMODE(mode):04o}, so other users can reach it; "
            f"run chmod 600 {path} first",
        )
    if len(data) > MAX_FILE_BYTES:
        raise _corrupt(path, "文件过大", "file too large")
    return decode_key_file(path, data, passphrase)
