"""Properties of identity/: any single changed byte of a signed credential fails
verification; encodings round-trip; signatures bind every JSON value they cover."""

from __future__ import annotations

import json
from typing import Any

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.community.vc import verify_credential
from identity.errors import IdentityError
from identity.w3c import statuslist
from identity.w3c.dataintegrity import sign_json, verify_proof
from identity.w3c.didkey import Did, KeyType, decode_multikey, encode_multikey
from identity.w3c.failures import EncodingError
from identity.w3c.jcs import canonical, loads
from identity.w3c.keys import KeyPair
from identity.w3c.multibase import (
    decode_base58btc,
    decode_base64url,
    decode_varint,
    encode_base58btc,
    encode_base64url,
    encode_varint,
)
from tests.identity_support import NOW, make_world, vector_json

WORLD = make_world()
ED_WORLD = make_world(KeyType.ED25519)
LOOKUPS = {id(WORLD): WORLD.lookup(), id(ED_WORLD): ED_WORLD.lookup()}
SIGNED = {
    "p256-ownership": (WORLD, WORLD.ownership),
    "ed25519-ownership": (ED_WORLD, ED_WORLD.ownership),
    "ed25519-registration": (WORLD, WORLD.registration),
}


def _bytes(credential: dict[str, Any]) -> bytes:
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()


def test_unchanged_credentials_verify() -> None:
    for world, credential in SIGNED.values():
        verify_credential(
            loads(_bytes(credential)),
            now=NOW,
            trusted_roots=world.roots,
            status_lookup=LOOKUPS[id(world)],
            chain=[world.registration],
        )


def _rejected(data: bytes, verify: Any) -> bool:
    try:
        document = loads(data)
    except IdentityError:
        return True  # no longer JSON (or ambiguous JSON): refused before verification
    try:
        verify(document)
    except IdentityError:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(sorted(SIGNED)), position=st.data(), delta=st.integers(1, 255))
def test_any_single_changed_byte_fails(name: str, position: st.DataObject, delta: int) -> None:
    world, credential = SIGNED[name]
    data = bytearray(_bytes(credential))
    index = position.draw(st.integers(0, len(data) - 1), label="index")
    data[index] = (data[index] + delta) % 256

    def verify(document: Any) -> None:
        verify_credential(
            document,
            now=NOW,
            trusted_roots=world.roots,
            status_lookup=LOOKUPS[id(world)],
            chain=[world.registration],
        )

    assert _rejected(bytes(data), verify)


W3C_SIGNED = _bytes(vector_json("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"))


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(W3C_SIGNED) - 1), delta=st.integers(1, 255))
def test_any_single_changed_byte_fails_w3c_vector(index: int, delta: int) -> None:
    data = bytearray(W3C_SIGNED)
    data[index] = (data[index] + delta) % 256
    assert _rejected(bytes(data), verify_proof)


def _json_values(integers: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | integers
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
    )
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )


# Beyond ±(2^53-1) an integer stands for its double (RFC 8785 §3.2.2.3), and integral doubles
# that large canonicalize to digits that read back as integers: both must be fixed points.
JSON_VALUES = _json_values(st.integers(-(2**70), 2**70))
# A signer refuses integers that are no double (2^53+1): what it signs keeps exact integers.
OBJECTS = st.dictionaries(
    st.text(max_size=8), _json_values(st.integers(-(2**53) + 1, 2**53 - 1)), max_size=5
).filter(lambda d: "proof" not in d)


@settings(max_examples=100, deadline=None)
@given(value=JSON_VALUES)
def test_canonical_form_is_a_fixed_point(value: Any) -> None:
    once = canonical(value)
    assert canonical(loads(once)) == once


@settings(max_examples=60, deadline=None)
@given(obj=OBJECTS, kind=st.sampled_from(list(KeyType)), extra=st.text(min_size=1, max_size=5))
def test_signed_json_binds_its_content(obj: dict[str, Any], kind: KeyType, extra: str) -> None:
    key = KeyPair.from_private_bytes(kind, b"\x11" * 32)
    signed = sign_json(obj, key)
    assert verify_proof(signed).controller == key.did.value
    changed = dict(signed)
    changed["x" + extra] = None  # a new member the signature never covered
    try:
        verify_proof(changed)
    except IdentityError:
        pass
    else:
        raise AssertionError("an added member went unnoticed")


@given(data=st.binary(min_size=1, max_size=300))
def test_multibase_round_trips(data: bytes) -> None:
    assert decode_base58btc(encode_base58btc(data)) == data
    assert decode_base64url(encode_base64url(data)) == data


@given(
    text=st.text(
        alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
        min_size=1,
        max_size=120,
    )
)
def test_base58_decoding_agrees_with_the_base58_library(text: str) -> None:
    assert decode_base58btc("z" + text) == base58.b58decode(text)
    assert encode_base58btc(decode_base58btc("z" + text)) == "z" + text


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@given(
    text=st.text(alphabet=st.sampled_from(_B58) | st.sampled_from(" +-_0OIl\n\t\u0661z"))
    | st.text(max_size=8),
    extra=st.sampled_from(["", "1" * 512, "2" * 512]),
)
def test_base58_decoding_refuses_what_the_library_would_not_spell(text: str, extra: str) -> None:
    # GMP, which decodes the number, would take a sign, spaces and underscores: only the
    # alphabet's own spelling, of 1 to 512 characters, may decode.
    body = text + extra
    if body and len(body) <= 512 and all(c in _B58 for c in body):
        assert decode_base58btc("z" + body) == base58.b58decode(body)
    else:
        with pytest.raises(EncodingError):
            decode_base58btc("z" + body)


@given(value=st.integers(0, 2**63 - 1), rest=st.binary(max_size=4))
def test_varint_round_trips(value: int, rest: bytes) -> None:
    assert decode_varint(encode_varint(value) + rest) == (value, rest)


@settings(max_examples=30, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), kind=st.sampled_from(list(KeyType)))
def test_keys_round_trip_through_did_key(seed: bytes, kind: KeyType) -> None:
    try:
        key = KeyPair.from_private_bytes(kind, seed)
    except IdentityError:
        return  # a P-256 scalar out of range: refused, as tested elsewhere
    did = Did.parse(key.did.value)
    assert did.public_key == key.public_key
    assert decode_multikey(encode_multikey(kind, key.public_key)) == (kind, key.public_key)


@settings(max_examples=25, deadline=None)
@given(indexes=st.sets(st.integers(0, statuslist.MIN_ENTRIES - 1), max_size=40))
def test_status_bits_survive_encoding(indexes: set[int]) -> None:
    bits = statuslist.new_bitstring()
    for index in indexes:
        statuslist.set_bit(bits, index)
    decoded = statuslist.decode_list(statuslist.encode_list(bits))
    assert {i for i in range(len(decoded) * 8) if statuslist.get_bit(decoded, i)} == indexes


_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P


def _rfc8032_decodes(raw: bytes) -> bool:
    """RFC 8032 §5.1.3 steps 1–4 as written: x² = u/v by inversion, then Euler's criterion."""
    encoded = int.from_bytes(raw, "little")
    y = encoded & ((1 << 255) - 1)
    if y >= _P:
        return False
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x2 = u * pow(v, _P - 2, _P) % _P
    if x2 == 0:
        return encoded >> 255 == 0
    return pow(x2, (_P - 1) // 2, _P) == 1


@given(
    st.one_of(
        st.binary(min_size=32, max_size=32),
        # the edges: y near 0, 1 and p (either sign), where the shortcuts could go wrong
        st.builds(
            lambda y, sign: ((sign << 255) | y).to_bytes(32, "little"),
            st.one_of(st.integers(0, 64), st.integers(_P - 64, 2**255 - 1)),
            st.integers(0, 1),
        ),
    )
)
@settings(max_examples=2000)
def test_ed25519_key_check_is_rfc8032_decoding(raw: bytes) -> None:
    """The one-exponentiation point check (u·v a square) accepts exactly what RFC 8032's
    decoding does; a did:key is refused exactly when the point does not decode."""
    expected = _rfc8032_decodes(raw)
    try:
        decode_multikey(encode_multikey(KeyType.ED25519, raw))
        accepted = True
    except IdentityError:
        accepted = False
    assert accepted == expected
