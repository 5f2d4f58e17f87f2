"""tests.demo_voters: a test that needs n voters gets n distinct persons, in unit order,
whatever order the demo's key file was written in."""

from __future__ import annotations

import pytest

from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.demo_voters import distinct_voters


def _key(seed: int) -> KeyPair:
    return KeyPair.from_private_bytes(KeyType.ED25519, bytes([seed]) * 32)


def test_a_buyer_of_several_units_is_picked_once() -> None:
    buyer, first, second = _key(1), _key(2), _key(3)
    # The order of a key file written while reading persons without ORDER BY: the buyer's
    # units first. Taking the first three values hands the buyer over twice (the old flake).
    keys = {"5-1-1301": buyer, "5-1-1302": buyer, "1-1-101": first, "1-1-201": second}
    assert [k.did for k in list(keys.values())[:3]].count(buyer.did) == 2
    assert distinct_voters(keys, 3) == [first, second, buyer]
    assert distinct_voters(dict(reversed(keys.items())), 3) == [first, second, buyer]


def test_too_few_owners_is_an_error_not_a_short_list() -> None:
    with pytest.raises(ValueError, match="only 1 distinct owners, 2 wanted"):
        distinct_voters({"1-1-101": _key(1), "1-1-102": _key(1)}, 2)
