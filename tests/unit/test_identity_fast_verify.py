"""The verifier's fast path (`didkey.resolve_before_signature`, libsodium first in
`keys.verify_signature`) accepts exactly what the checked path accepts: a key that is no
point of the curve never verifies, and its error is the checked path's."""

from __future__ import annotations

import pytest

from identity.errors import IdentityError
from identity.w3c.didkey import (
    DID_KEY_PREFIX,
    KeyType,
    resolve_before_signature,
    resolve_verification_method,
)
from identity.w3c.failures import KeyFormatError
from identity.w3c.keys import KeyPair, verify_signature
from identity.w3c.multibase import encode_base58btc

P = 2**255 - 19
NOT_POINTS = [
    P.to_bytes(32, "little"),  # y >= p
    (2).to_bytes(32, "little"),  # y = 2: x² has no root
    (1 | 1 << 255).to_bytes(32, "little"),  # "-0"
]
NEUTRAL = (1).to_bytes(32, "little")  # decodes (a point), but of small order


def _url(raw: bytes) -> str:
    multibase = encode_base58btc(b"\xed\x01" + raw)
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def test_a_valid_key_resolves_as_the_checked_resolver_does() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    url = key.verification_method
    assert resolve_before_signature(url) == resolve_verification_method(url)
    signature = key.sign(b"m")
    verify_signature(KeyType.ED25519, resolve_before_signature(url).public_key, b"m", signature)


@pytest.mark.parametrize("raw", NOT_POINTS)
def test_a_key_off_the_curve_never_verifies(raw: bytes) -> None:
    method = resolve_before_signature(_url(raw))  # deferred: the signature check decides
    assert method.public_key == raw
    with pytest.raises(IdentityError):
        resolve_verification_method(_url(raw))
    # Whatever signature: libsodium refuses the key, then the checked path names why.
    with pytest.raises((KeyFormatError, IdentityError)):
        verify_signature(KeyType.ED25519, raw, b"m", bytes(64))


def test_other_urls_go_through_the_checked_resolver() -> None:
    key = KeyPair.generate(KeyType.P256)
    url = key.verification_method
    assert resolve_before_signature(url) == resolve_verification_method(url)
    with pytest.raises(IdentityError):
        resolve_before_signature(key.did.value + "#other")


def test_a_small_order_key_resolves_but_never_verifies() -> None:
    assert resolve_before_signature(_url(NEUTRAL)) == resolve_verification_method(_url(NEUTRAL))
    with pytest.raises(IdentityError):
        verify_signature(KeyType.ED25519, NEUTRAL, b"m", bytes(64))
