"""identity.w3c.didkey against the did:key vectors (tests/vectors/identity/did-key)."""

from __future__ import annotations

import dataclasses
from typing import Any

import base58
import pytest

from identity.errors import IdentityError
from identity.w3c.didkey import (
    DID_V1_CONTEXT,
    MULTIKEY_V1_CONTEXT,
    Did,
    KeyType,
    decode_multikey,
    encode_multikey,
    resolve_did_key,
    resolve_verification_method,
)
from identity.w3c.failures import InvalidDid, UnsupportedDid
from identity.w3c.keys import KeyPair
from tests.identity_support import vector_json

DECODED: list[dict[str, Any]] = vector_json("did-key/expected-decoded.json")
KIND = {"0xed": KeyType.ED25519, "0x1200": KeyType.P256}


@pytest.mark.parametrize("case", DECODED, ids=[c["did"][8:20] for c in DECODED])
def test_decode_matches_vector(case: dict[str, Any]) -> None:
    did = Did.parse(case["did"])
    assert did.key_type is KIND[case["multicodec"]]
    assert did.public_key.hex() == case["public_key_hex"]
    assert len(did.public_key) == case["public_key_len"]
    raw = base58.b58decode(did.multibase[1:])
    assert raw[:2].hex() == case["multicodec_varint_prefix_hex"]


@pytest.mark.parametrize("case", DECODED, ids=[c["did"][8:20] for c in DECODED])
def test_encode_round_trips(case: dict[str, Any]) -> None:
    kind = KIND[case["multicodec"]]
    assert Did.from_public_key(kind, bytes.fromhex(case["public_key_hex"])).value == case["did"]


@pytest.mark.parametrize(
    "case", [c for c in DECODED if "ed25519_seed_hex" in c or "p256_private_d_hex" in c]
)
def test_private_key_derives_the_did(case: dict[str, Any]) -> None:
    kind = KIND[case["multicodec"]]
    secret = case.get("ed25519_seed_hex") or case["p256_private_d_hex"]
    assert KeyPair.from_private_bytes(kind, bytes.fromhex(secret)).did.value == case["did"]


def test_ccg_vector_documents_name_the_same_key_ids() -> None:
    """The 2022 vectors use older VM types; their ids and relationships must match ours."""
    for did, entry in vector_json("did-key/ed25519-x25519.json").items():
        ours = resolve_did_key(did)
        theirs = entry["didDocument"]
        assert ours["id"] == theirs["id"]
        assert ours["assertionMethod"] == theirs["assertionMethod"]
        assert ours["authentication"] == theirs["authentication"]
    for did, entry in vector_json("did-key/nist-curves.json").items():
        if not did.startswith("did:key:zDn"):
            continue
        assert (
            resolve_did_key(did)["verificationMethod"][0]["id"]
            == (entry["didDocument"]["verificationMethod"][0]["id"])
        )


def test_document_is_multikey_form() -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    key_id = f"{did}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert resolve_did_key(did) == {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            }
        ],
        "authentication": [key_id],
        "assertionMethod": [key_id],
        "capabilityInvocation": [key_id],
        "capabilityDelegation": [key_id],
    }


def test_verification_method_resolution() -> None:
    did = Did("did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP")
    method = resolve_verification_method(did.key_id)
    assert method.controller == did.value
    assert method.key_type is KeyType.P256
    assert method.public_key == did.public_key
    assert "assertionMethod" in method.relationships
    assert "keyAgreement" not in method.relationships
    with pytest.raises(InvalidDid):
        resolve_verification_method(did.value)  # a DID is not a verification method
    with pytest.raises(InvalidDid):
        resolve_verification_method(f"{did.value}#keys-1")


def test_did_is_a_frozen_value() -> None:
    a = Did("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    b = Did.parse("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    assert a == b and hash(a) == hash(b) and str(a) == a.value
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.value = "did:key:x"  # type: ignore[misc]


def _did_from(prefix: bytes, key: bytes) -> str:
    return "did:key:z" + base58.b58encode(prefix + key).decode()


ED_KEY = bytes.fromhex("2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6")
P256_KEY = bytes.fromhex("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", InvalidDid),
        ("did:key", InvalidDid),
        ("DID:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", InvalidDid),
        ("did:web:example.com", UnsupportedDid),
        ("did:key:u7QE", InvalidDid),  # not base58btc
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0", InvalidDid),  # '0'
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x", InvalidDid),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK ", InvalidDid),
        ("did:key:z", InvalidDid),
        (_did_from(b"\xec\x01", ED_KEY), UnsupportedDid),  # x25519-pub
        (_did_from(b"\xe7\x01", P256_KEY), UnsupportedDid),  # secp256k1-pub
        (_did_from(b"\xed\x01", ED_KEY[:31]), InvalidDid),  # short
        (_did_from(b"\xed\x01", ED_KEY + b"\x00"), InvalidDid),  # long
        (_did_from(b"\x80\x24", P256_KEY[:32]), InvalidDid),
        (_did_from(b"\x80\x24", b"\x04" + P256_KEY[1:]), InvalidDid),  # wrong SEC1 tag
        (_did_from(b"\x80\x24", b"\x02" + b"\x00" * 31 + b"\x01"), InvalidDid),  # x off curve
        (_did_from(b"\xed\x81\x00", ED_KEY), InvalidDid),  # non-minimal varint
        (_did_from(b"\xed\x01", (2**255 - 19).to_bytes(32, "little")), InvalidDid),  # y >= p
        (_did_from(b"\xed\x01", (2).to_bytes(32, "little")), InvalidDid),  # y=2: no x
        (_did_from(b"\xed\x01", (1 | 1 << 255).to_bytes(32, "little")), InvalidDid),  # -0
    ],
)
def test_malformed_dids_raise_identity_errors(text: str, error: type[IdentityError]) -> None:
    with pytest.raises(error) as raised:
        Did(text)
    assert " / " in str(raised.value)  # bilingual message


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidDid):
        Did(42)  # type: ignore[arg-type]


def test_valid_edge_points_are_accepted() -> None:
    # y = 1 is the neutral point (x = 0, sign 0): decodes, even if useless as a key.
    assert decode_multikey(encode_multikey(KeyType.ED25519, (1).to_bytes(32, "little")))
    with pytest.raises(InvalidDid):
        encode_multikey(KeyType.ED25519, b"\x00" * 31)
