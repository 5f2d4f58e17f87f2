"""The pinned trust file: exactly five fields, refused whole otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from identity.community.trustfile import TrustFileError, build_trust, parse_trust
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair

ROOT = KeyPair.generate(KeyType.ED25519).did.value
GOOD: dict[str, Any] = {
    "type": "GongzhiTrust",
    "version": 1,
    "chainId": 31337,
    "contract": "0x" + "ab" * 20,
    "roots": [ROOT],
}


def test_round_trip() -> None:
    trust = parse_trust(GOOD)
    assert trust.document() == GOOD
    assert build_trust(chain_id=31337, contract="0x" + "AB" * 20, roots=[ROOT]) == trust


@pytest.mark.parametrize(
    "edit",
    [
        {"chainId": 0},
        {"chainId": True},
        {"chainId": "31337"},
        {"contract": "0x1234"},
        {"roots": []},
        {"roots": [ROOT, ROOT]},
        {"roots": ["did:web:example.com"]},
        {"version": 2},
        {"type": "Other"},
        {"committee": ROOT},
    ],
)
def test_anything_off_is_refused(edit: dict[str, Any]) -> None:
    with pytest.raises(TrustFileError) as caught:
        parse_trust(GOOD | edit)
    assert caught.value.zh and caught.value.en
