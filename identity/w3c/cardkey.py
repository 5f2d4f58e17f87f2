"""The printed voting card (投票卡): an owner's P-256 key sealed under a PIN, as QR text.

An owner without a smartphone takes a card instead of a phone key. The browser that enrols
them makes the key, seals it under the PIN the owner chose and prints the result as a QR
code; the server only ever sees the card's DID (enrolled like a phone's). This module reads
and writes the same format as ``web/pages/static/cardkey.js``, so tests and the committee's own
tools can open a card, and so each implementation is checked against the other.

The text is ``gzcard1.`` followed by base64url (RFC 4648 §5, no padding) of::

    offset  bytes  field
    0       1      version (1)
    1       1      log2 N   ┐
    2       1      r        ├ scrypt cost (RFC 7914)
    3       1      p        ┘
    4       16     salt
    20      12     AES-GCM nonce
    32      35     the DID: multicodec p256-pub (0x80 0x24) ‖ 33-byte compressed point,
                   exactly the bytes did:key base58-encodes
    67      1      length L of the community slug (2..64)
    68      L      the community slug (ASCII a-z 0-9 -)
    68+L    48     AES-256-GCM(key = scrypt(PIN, salt, N, r, p), 32-byte P-256 scalar) ‖ tag

Everything before the ciphertext is the cipher's associated data, so a card whose DID, slug
or cost was altered no longer opens; once opened, the scalar must also be the DID's key.
A wrong PIN and an altered card are told apart from nothing but the tag: both fail the same
way (`WrongPin`), which is what the owner can act on (try again, or ask the committee).

Cost: N = 2**17, r = 8, p = 4 uses 128 MiB and costs about one second of one PC core per
guess with OpenSSL's scrypt (`tests/bench/test_bench_cardkey.py` prints the figure; the
browser's pure-JS scrypt is slower still). A stolen card can be guessed offline at that
rate: a six-digit PIN falls in at most 10**6 seconds, about 11.6 days of one core. That is
why a lost card must be reported (it is revoked as a lost phone is) — README says so too.
Cheaper costs are read (down to 2**10, for tests) but never written by default.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from dataclasses import dataclass
from typing import ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from identity.errors import IdentityError
from identity.w3c.didkey import Did, KeyType
from identity.w3c.failures import EncodingError, InvalidDid, KeyFormatError
from identity.w3c.keys import KeyPair
from identity.w3c.multibase import decode_base64url, encode_base64url, encode_varint

PREFIX = "gzcard1."
VERSION = 1
SALT_BYTES, NONCE_BYTES, SCALAR_BYTES, TAG_BYTES = 16, 12, 32, 16
MIN_PIN, MAX_PIN = 6, 12
MAX_TEXT = 400  # a card's text is ~190 characters; anything much longer is not a card
_P256_DID = encode_varint(KeyType.P256.multicodec)  # 0x80 0x24
_DID_BYTES = len(_P256_DID) + KeyType.P256.public_key_length
_HEADER_FIXED = 4 + SALT_BYTES + NONCE_BYTES + _DID_BYTES + 1
_SLUG = re.compile(r"[a-z0-9-]{2,64}")
_PIN = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class CardCost:
    """scrypt's cost (RFC 7914 §2): N = 2**log_n, block size r, parallelisation p."""

    log_n: int
    r: int
    p: int

    MIN_LOG_N: ClassVar[int] = 10  # tests' cheapest
    MAX_MEMORY: ClassVar[int] = 2**28  # 256 MiB: a crafted card must not make us allocate more
    MAX_P: ClassVar[int] = 16  # bounds the time a crafted card can make one attempt take

    def __post_init__(self) -> None:
        if not (
            self.MIN_LOG_N <= self.log_n <= 24
            and 1 <= self.r <= 32
            and 1 <= self.p <= self.MAX_P
            and self.memory <= self.MAX_MEMORY
        ):
            raise CardError(
                f"投票卡的 scrypt 参数不在允许范围内（N=2^{self.log_n}, r={self.r}, p={self.p}）",
                f"the card's scrypt cost is out of bounds (N=2^{self.log_n}, r={self.r}, "
                f"p={self.p})",
            )

    @property
    def memory(self) -> int:
        """Bytes scrypt's ROMix needs: 128 · r · N."""
        return int(128 * self.r * 2**self.log_n)


DEFAULT_COST = CardCost(log_n=17, r=8, p=4)


class CardError(IdentityError):
    """Not a voting card this program reads, or one that cannot be made as asked."""

    reason: ClassVar[str] = "bad_card"


class WrongPin(CardError):
    """The PIN does not open the card (or the card was altered since it was printed)."""

    reason: ClassVar[str] = "wrong_pin"


@dataclass(frozen=True)
class Card:
    """A card as read from its text, still sealed: everything but the key is public."""

    did: Did
    community: str
    cost: CardCost
    salt: bytes
    nonce: bytes
    sealed: bytes  # ciphertext ‖ tag
    header: bytes  # the associated data: every byte before `sealed`

    def text(self) -> str:
        return PREFIX + encode_base64url(self.header + self.sealed)[1:]


def check_pin(pin: str) -> str:
    """A PIN fit for a new card: 6 to 12 digits, not one repeated digit nor a plain run
    (123456, 987654), which are the first an attacker tries."""
    if not isinstance(pin, str) or _PIN.fullmatch(pin) is None:
        raise CardError("PIN 只能由数字组成", "the PIN may hold digits only")
    if not MIN_PIN <= len(pin) <= MAX_PIN:
        raise CardError(
            f"PIN 须为 {MIN_PIN} 到 {MAX_PIN} 位数字",
            f"the PIN needs {MIN_PIN} to {MAX_PIN} digits",
        )
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {9}):
        raise CardError(
            "这个 PIN 太容易猜到（同一数字或连续数字），请换一个",
            "this PIN is too easy to guess (one digit repeated, or a run); choose another",
        )
    return pin


def _derive(pin: str, salt: bytes, cost: CardCost) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=2**cost.log_n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.memory + 2**24,  # ROMix's V plus p blocks and slack
        dklen=32,
    )


def _header(did: Did, community: str, cost: CardCost, salt: bytes, nonce: bytes) -> bytes:
    kind, public = did.key_type, did.public_key
    if kind is not KeyType.P256:
        raise CardError("投票卡只支持 P-256 密钥", "a voting card holds a P-256 key only")
    if _SLUG.fullmatch(community) is None:
        raise CardError("小区编号格式不对", "malformed community slug")
    return (
        bytes([VERSION, cost.log_n, cost.r, cost.p])
        + salt
        + nonce
        + _P256_DID
        + public
        + bytes([len(community)])
        + community.encode("ascii")
    )


def seal_card(
    keypair: KeyPair,
    pin: str,
    community: str,
    *,
    cost: CardCost = DEFAULT_COST,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> str:
    """The text of a card holding `keypair` under `pin` (fresh random salt and nonce unless
    a test passes them)."""
    check_pin(pin)
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    nonce = secrets.token_bytes(NONCE_BYTES) if nonce is None else nonce
    if len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES:
        raise CardError("盐或随机数长度不对", "salt or nonce has the wrong length")
    header = _header(keypair.did, community, cost, salt, nonce)
    sealed = AESGCM(_derive(pin, salt, cost)).encrypt(nonce, keypair.private_bytes(), header)
    return PREFIX + encode_base64url(header + sealed)[1:]


def _malformed(zh: str, en: str) -> CardError:
    return CardError(f"这不是有效的投票卡：{zh}", f"this is not a valid voting card: {en}")


def read_card(text: str) -> Card:
    """Parse a card's text (from its QR code or typed in) without opening it."""
    if not isinstance(text, str):
        raise _malformed("内容不是文本", "its content is not text")
    text = "".join(text.split())  # a card typed or pasted may carry spaces or line breaks
    if len(text) > MAX_TEXT:
        raise _malformed("内容过长", "it is too long")
    if not text.startswith(PREFIX):
        if text.startswith("gzcard"):
            raise CardError(
                "这张投票卡的版本不受支持，请使用最新版本的网页",
                "this card's version is not supported; use the newest version of the page",
            )
        raise _malformed(f"应以 {PREFIX} 开头", f"it must begin with {PREFIX}")
    try:
        raw = decode_base64url(text[len(PREFIX) :], prefixed=False)
    except EncodingError as exc:
        raise _malformed(
            "含有无效字符或缺了字符", "it holds invalid or missing characters"
        ) from exc
    if len(raw) < _HEADER_FIXED + SCALAR_BYTES + TAG_BYTES:
        raise _malformed("内容不全", "it is incomplete")
    if raw[0] != VERSION:
        raise CardError(f"投票卡版本 {raw[0]} 不受支持", f"card version {raw[0]} is not supported")
    cost = CardCost(log_n=raw[1], r=raw[2], p=raw[3])
    at = 4
    salt, at = raw[at : at + SALT_BYTES], at + SALT_BYTES
    nonce, at = raw[at : at + NONCE_BYTES], at + NONCE_BYTES
    did_bytes, at = raw[at : at + _DID_BYTES], at + _DID_BYTES
    if did_bytes[: len(_P256_DID)] != _P256_DID:
        raise _malformed("其中的密钥不是 P-256", "its key is not P-256")
    length, at = raw[at], at + 1
    slug_bytes, at = raw[at : at + length], at + length
    sealed = raw[at:]
    if len(sealed) != SCALAR_BYTES + TAG_BYTES:
        raise _malformed("长度不对", "it has the wrong length")
    try:
        community = slug_bytes.decode("ascii")
        did = Did.from_public_key(KeyType.P256, did_bytes[len(_P256_DID) :])
    except (UnicodeDecodeError, InvalidDid) as exc:
        raise _malformed("身份编号或小区编号损坏", "its DID or community is damaged") from exc
    if _SLUG.fullmatch(community) is None:
        raise _malformed("小区编号格式不对", "its community slug is malformed")
    return Card(
        did=did,
        community=community,
        cost=cost,
        salt=salt,
        nonce=nonce,
        sealed=sealed,
        header=raw[:at],
    )


def open_card(card: Card | str, pin: str) -> KeyPair:
    """The key a card holds, or `WrongPin`. Costs one scrypt of the card's cost."""
    card = read_card(card) if isinstance(card, str) else card
    if not isinstance(pin, str) or _PIN.fullmatch(pin) is None or len(pin) > MAX_PIN:
        raise WrongPin("PIN 不对", "wrong PIN")
    try:
        scalar = AESGCM(_derive(pin, card.salt, card.cost)).decrypt(
            card.nonce, card.sealed, card.header
        )
    except InvalidTag:
        raise WrongPin("PIN 不对（或投票卡已损坏）", "wrong PIN (or the card is damaged)") from None
    try:
        keypair = KeyPair.from_private_bytes(KeyType.P256, scalar)
    except KeyFormatError as exc:
        raise _malformed("其中的私钥无效", "its private key is invalid") from exc
    if keypair.did != card.did:
        raise _malformed("私钥与卡上的身份编号不符", "its private key is not its DID's")
    return keypair
