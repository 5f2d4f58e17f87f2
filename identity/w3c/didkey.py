"""did:key for Ed25519 (``z6Mk…``) and P-256 (``zDn…``): encode, decode, resolve (pure).

Format (W3C CCG did:key, "Format")::

    did:key:MULTIBASE(base58-btc, MULTICODEC(public-key-type, raw-public-key-bytes))

with multicodec ``0xed`` ed25519-pub (32 bytes) and ``0x1200`` p256-pub (33-byte SEC1
compressed point). Resolution follows the spec's "Document Creation Algorithm" with a
Multikey verification method (W3C Controlled Identifiers §2.2.2 Multikey) and the
``https://www.w3.org/ns/did/v1`` + ``https://w3id.org/security/multikey/v1`` contexts.
Decoding checks everything the "Decode Public Key Algorithm" asks: prefix, base58, known
multicodec, exact length, and that the bytes name a point on the curve.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from identity.w3c.failures import EncodingError, InvalidDid, UnsupportedDid
from identity.w3c.multibase import decode_base58btc, decode_varint, encode_base58btc, encode_varint

DID_KEY_PREFIX = "did:key:"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"
# Verification relationships (DID Core §5.3) that did:key grants its single key.
RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)

_DID_RE = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+")


class KeyType(enum.Enum):
    """Public key types gongzhi supports, with their multicodec and raw length."""

    ED25519 = "Ed25519"
    P256 = "P-256"

    @property
    def multicodec(self) -> int:
        return _MULTICODEC[self]

    @property
    def public_key_length(self) -> int:
        return 32 if self is KeyType.ED25519 else 33


_MULTICODEC = {KeyType.ED25519: 0xED, KeyType.P256: 0x1200}
_BY_MULTICODEC = {code: kind for kind, code in _MULTICODEC.items()}

# RFC 8032 §5.1: edwards25519 field prime and curve constant d.
_ED_P = 2**255 - 19
_ED_D = (-121665 * pow(121666, _ED_P - 2, _ED_P)) % _ED_P


# Cached: a vote checks its signer's key twice (the DID, then the verification key).
@functools.lru_cache(maxsize=4096)
def _ed25519_point_is_valid(raw: bytes) -> bool:
    """RFC 8032 §5.1.3 point decoding: y < p and x² = (y²-1)/(dy²+1) has a root."""
    encoded = int.from_bytes(raw, "little")
    sign = encoded >> 255
    y = encoded & ((1 << 255) - 1)
    if y >= _ED_P:
        return False
    y2 = y * y % _ED_P
    u = (y2 - 1) % _ED_P
    v = (_ED_D * y2 + 1) % _ED_P  # never 0: d is not a square mod p
    if u == 0:  # x² = 0
        return sign == 0  # x = 0 has no negative twin (step 4 of §5.1.3)
    # x² = u/v is a square exactly when u·v = (u/v)·v² is: one exponentiation (Euler's
    # criterion) instead of an inversion and then the criterion — this runs on every vote.
    return pow(u * v % _ED_P, (_ED_P - 1) // 2, _ED_P) == 1


def check_public_key(kind: KeyType, raw: bytes) -> None:
    """Raise `InvalidDid` unless `raw` is a valid public key of `kind` in multikey form."""
    if len(raw) != kind.public_key_length:
        raise InvalidDid(
            f"{kind.value} 公钥长度应为 {kind.public_key_length} 字节，实际 {len(raw)}",
            f"{kind.value} public key must be {kind.public_key_length} bytes, got {len(raw)}",
        )
    if kind is KeyType.ED25519:
        valid = _ed25519_point_is_valid(raw)
    else:
        valid = raw[0] in (2, 3)  # did:key requires the compressed form
        if valid:
            try:
                ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            except ValueError:
                valid = False
    if not valid:
        raise InvalidDid(
            f"公钥不是 {kind.value} 曲线上的点",
            f"public key is not a point on the {kind.value} curve",
        )


def encode_multikey(kind: KeyType, raw: bytes) -> str:
    """``publicKeyMultibase`` of a raw public key (Multikey: base58btc over multicodec+key)."""
    check_public_key(kind, raw)
    return encode_base58btc(encode_varint(kind.multicodec) + raw)


@functools.lru_cache(maxsize=4096)
def decode_multikey(value: str) -> tuple[KeyType, bytes]:
    """(key type, raw public key) of a ``z…`` Multikey value; raises `InvalidDid` subclasses."""
    try:
        data = decode_base58btc(value)
        code, raw = decode_varint(data)
    except EncodingError as exc:
        raise InvalidDid(
            f"公钥编码无效：{exc.zh}", f"invalid public key encoding: {exc.en}"
        ) from exc
    kind = _BY_MULTICODEC.get(code)
    if kind is None:
        raise UnsupportedDid(
            f"不支持的密钥类型（multicodec 0x{code:x}）",
            f"unsupported key type (multicodec 0x{code:x})",
        )
    check_public_key(kind, raw)
    return kind, raw


@dataclass(frozen=True, slots=True)
class Did:
    """A did:key DID, checked when built; compares and hashes by its string value."""

    value: str
    key_type: KeyType = field(init=False, compare=False, repr=False)
    public_key: bytes = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        kind, raw = _decode_did(self.value)
        object.__setattr__(self, "key_type", kind)
        object.__setattr__(self, "public_key", raw)

    @classmethod
    def parse(cls, text: str) -> Did:
        return cls(text)

    @classmethod
    def from_public_key(cls, kind: KeyType, raw: bytes) -> Did:
        return cls(DID_KEY_PREFIX + encode_multikey(kind, raw))

    def __str__(self) -> str:
        return self.value

    @property
    def multibase(self) -> str:
        """The method-specific id, which is also the key's ``publicKeyMultibase``."""
        return self.value[len(DID_KEY_PREFIX) :]

    @property
    def key_id(self) -> str:
        """The DID URL of the one verification method: ``did:key:z…#z…``."""
        return f"{self.value}#{self.multibase}"

    def document(self) -> dict[str, Any]:
        return resolve_did_key(self.value)


def _decode_did(text: object) -> tuple[KeyType, bytes]:
    if not isinstance(text, str) or _DID_RE.fullmatch(text) is None:
        raise InvalidDid("不是有效的 DID", f"not a valid DID: {str(text)[:120]!r}")
    if not text.startswith(DID_KEY_PREFIX):
        raise UnsupportedDid("仅支持 did:key", f"only did:key is supported: {text[:120]!r}")
    multibase = text[len(DID_KEY_PREFIX) :]
    if not multibase.startswith("z"):
        raise InvalidDid(
            "did:key 的标识必须以 z（base58btc）开头",
            f"did:key id must start with 'z': {text[:120]!r}",
        )
    return decode_multikey(multibase)


def resolve_did_key(did: str | Did) -> dict[str, Any]:
    """The DID document of a did:key (did:key "Document Creation Algorithm", Multikey form)."""
    parsed = did if isinstance(did, Did) else Did(did)
    key_id = parsed.key_id
    document: dict[str, Any] = {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": parsed.value,
        "verificationMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": parsed.value,
                "publicKeyMultibase": parsed.multibase,
            }
        ],
    }
    for relationship in RELATIONSHIPS:
        document[relationship] = [key_id]
    return document


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A resolved verification method (DID Core §5.2) with the relationships it may serve."""

    id: str
    controller: str
    key_type: KeyType
    public_key: bytes
    relationships: frozenset[str]


@functools.lru_cache(maxsize=4096)
def resolve_verification_method(did_url: str) -> VerificationMethod:
    """Dereference ``did:key:z…#z…`` to its key; other fragments or methods raise."""
    did, sep, fragment = did_url.partition("#")
    parsed = Did(did)
    if not sep or fragment != parsed.multibase:
        raise InvalidDid(
            f"did:key 中没有验证方法 #{fragment}", f"no verification method #{fragment} in {did}"
        )
    return VerificationMethod(
        id=parsed.key_id,
        controller=parsed.value,
        key_type=parsed.key_type,
        public_key=parsed.public_key,
        relationships=frozenset(RELATIONSHIPS),
    )


def resolve_before_signature(did_url: str) -> VerificationMethod:
    """`resolve_verification_method` for a verifier that checks a signature by this key next
    (`identity.w3c.keys.verify_signature`): an Ed25519 key's curve point is not decoded here
    but by libsodium, which refuses to verify under a key that is not a canonical point of
    the curve (RFC 8032 §5.1.3 decoding, and no small-order point). A signature that then
    verifies proves the key valid, without the 0.25 ms field exponentiation of
    `check_public_key` per distinct signer (a 10,000-vote record has 10,000). Any other key,
    and every failure, goes through `resolve_verification_method`, so errors are the same.
    """
    did, sep, fragment = did_url.partition("#")
    multibase = did[len(DID_KEY_PREFIX) :]
    if sep and fragment == multibase and did.startswith(DID_KEY_PREFIX + "z"):
        try:
            code, raw = decode_varint(decode_base58btc(multibase))
        except EncodingError:
            code, raw = -1, b""
        ed25519 = code == _MULTICODEC[KeyType.ED25519]
        if ed25519 and len(raw) == KeyType.ED25519.public_key_length and _DID_RE.fullmatch(did):
            return VerificationMethod(
                id=did_url,
                controller=did,
                key_type=KeyType.ED25519,
                public_key=raw,
                relationships=frozenset(RELATIONSHIPS),
            )
    return resolve_verification_method(did_url)
