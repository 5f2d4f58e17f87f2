"""identity.w3c.keys: generation, import/export, signing and verification for both key types."""

from __future__ import annotations

import pytest

from identity.w3c.didkey import Did, KeyType
from identity.w3c.failures import BadSignature, KeyFormatError
from identity.w3c.keys import KeyPair, verify_signature
from tests.identity_support import vector_json

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@pytest.mark.parametrize("kind", list(KeyType))
def test_sign_verify_and_tamper(kind: KeyType) -> None:
    key = KeyPair.generate(kind)
    signature = key.sign(b"gongzhi")
    assert len(signature) == 64
    key.verify(b"gongzhi", signature)
    verify_signature(kind, key.public_key, b"gongzhi", signature)
    with pytest.raises(BadSignature):
        key.verify(b"gongzhI", signature)
    with pytest.raises(BadSignature):
        key.verify(b"gongzhi", signature[:-1] + bytes([signature[-1] ^ 1]))
    with pytest.raises(BadSignature):
        key.verify(b"gongzhi", signature[:63])
    with pytest.raises(BadSignature):
        KeyPair.generate(kind).verify(b"gongzhi", signature)


@pytest.mark.parametrize("kind", list(KeyType))
def test_private_bytes_round_trip(kind: KeyType) -> None:
    key = KeyPair.generate(kind)
    again = KeyPair.from_private_bytes(kind, key.private_bytes())
    assert again.did == key.did
    assert again.public_multibase() == key.did.multibase
    assert KeyPair.from_secret_multibase(key.secret_multibase()).did == key.did
    assert key.verification_method == f"{key.did.value}#{key.did.multibase}"
    assert isinstance(key.did, Did) and key.did.key_type is kind


def test_vector_key_pairs_import() -> None:
    eddsa = vector_json("vc-di-eddsa/keyPair.json")
    key = KeyPair.from_secret_multibase(eddsa["privateKeyMultibase"])
    assert key.kind is KeyType.ED25519
    assert key.public_multibase() == eddsa["publicKeyMultibase"]
    assert key.secret_multibase() == eddsa["privateKeyMultibase"]
    ecdsa = vector_json("vc-di-ecdsa/p256KeyPair.json")
    key = KeyPair.from_secret_multibase(ecdsa["secretKeyMultibase"])
    assert key.kind is KeyType.P256
    assert key.public_multibase() == ecdsa["publicKeyMultibase"]
    assert key.secret_multibase() == ecdsa["secretKeyMultibase"]


def test_ed25519_signatures_are_deterministic_p256_randomised() -> None:
    ed = KeyPair.from_private_bytes(KeyType.ED25519, b"\x07" * 32)
    assert ed.sign(b"m") == ed.sign(b"m")
    p = KeyPair.from_private_bytes(KeyType.P256, b"\x07" * 32)
    assert p.sign(b"m") != p.sign(b"m")


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (KeyType.ED25519, b"\x01" * 31),
        (KeyType.P256, b"\x01" * 33),
        (KeyType.P256, b"\x00" * 32),
        (KeyType.P256, P256_N.to_bytes(32, "big")),
    ],
)
def test_bad_private_keys_raise(kind: KeyType, data: bytes) -> None:
    with pytest.raises(KeyFormatError):
        KeyPair.from_private_bytes(kind, data)


@pytest.mark.parametrize("value", ["z", "u123", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"])
def test_bad_secret_multibase_raises(value: str) -> None:
    with pytest.raises(KeyFormatError):
        KeyPair.from_secret_multibase(value)


def test_p256_out_of_range_r_s_is_bad_signature() -> None:
    key = KeyPair.generate(KeyType.P256)
    signature = key.sign(b"m")
    for forged in (bytes(32) + signature[32:], signature[:32] + P256_N.to_bytes(32, "big")):
        with pytest.raises(BadSignature):
            key.verify(b"m", forged)


def test_repr_hides_the_private_key() -> None:
    key = KeyPair.from_private_bytes(KeyType.ED25519, b"\x42" * 32)
    assert "42" * 4 not in repr(key) and key.did.value in repr(key)
    assert key.private_bytes() == b"\x42" * 32
