"""identity.w3c.statuslist against the Bitstring Status List examples and fixtures."""

from __future__ import annotations

import base64
import gzip
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from identity.w3c import statuslist
from identity.w3c.failures import Malformed, StatusListError
from identity.w3c.statuslist import (
    MIN_ENTRIES,
    allocate_index,
    decode_list,
    encode_list,
    get_bit,
    new_bitstring,
    parse_entry,
    set_bit,
    status_entry,
)
from tests.identity_support import vector_json

EXPECTED: dict[str, Any] = vector_json("bitstring-status-list/expected-decoded.json")


def _case(prefix: str) -> dict[str, Any]:
    return next(v for k, v in EXPECTED.items() if k.startswith(prefix))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_decoded_lists_match(name: str) -> None:
    case = EXPECTED[name]
    bits = decode_list(case["encodedList"], allow_unprefixed=not case["multibase_u_prefix"])
    assert len(bits) * 8 == case["bit_length"]
    ones = [i for i in range(len(bits) * 8) if get_bit(bits, i)]
    assert ones == case["set_indexes"]


@pytest.mark.parametrize("prefix", ["spec-examples", "trustbloc"])
def test_encoding_reproduces_published_lists_byte_for_byte(prefix: str) -> None:
    case = _case(prefix)
    assert encode_list(decode_list(case["encodedList"])) == case["encodedList"]


def test_spec_example_credential_decodes_to_all_zero() -> None:
    example = vector_json("bitstring-status-list/spec-examples.json")
    subject = example["Example BitstringStatusListCredential"]["credentialSubject"]
    bits = decode_list(subject["encodedList"])
    assert bits == bytes(MIN_ENTRIES // 8)
    entries = example["Example StatusListCredential using simple entries"]["credentialStatus"]
    parsed = [parse_entry(e) for e in entries]
    assert [(p.purpose, p.index) for p in parsed if p] == [
        ("revocation", 94567),
        ("suspension", 23452),
    ]


def test_should_be_revoked_fixture() -> None:
    entry = parse_entry(
        vector_json("bitstring-status-list/should-be-revoked_entry.json")["credentialStatus"]
    )
    assert entry is not None and entry.index == 201
    fixture = vector_json("bitstring-status-list/w3c-test-suite_single-purpose-ok.json")
    bits = decode_list(fixture["credentialSubject"]["encodedList"], allow_unprefixed=True)
    assert get_bit(bits, entry.index)
    with pytest.raises(StatusListError):  # the old unprefixed form needs an explicit opt-in
        decode_list(fixture["credentialSubject"]["encodedList"])


def test_bit_order_is_left_most_first() -> None:
    bits = new_bitstring()
    set_bit(bits, 0)
    set_bit(bits, 9)
    assert bits[:2] == b"\x80\x40"
    assert get_bit(bits, 0) and get_bit(bits, 9) and not get_bit(bits, 1)
    set_bit(bits, 0, False)
    assert bits[0] == 0
    with pytest.raises(StatusListError):
        get_bit(bits, MIN_ENTRIES)
    with pytest.raises(StatusListError):
        set_bit(bits, -1)


def test_round_trip_with_bits_set() -> None:
    bits = new_bitstring(MIN_ENTRIES * 2)
    for index in (0, 7, 8, 131071, 131072, MIN_ENTRIES * 2 - 1):
        set_bit(bits, index)
    encoded = encode_list(bits)
    assert encoded.startswith("uH4sI")
    assert decode_list(encoded) == bytes(bits)
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "==")) == bytes(bits)


@pytest.mark.parametrize(
    "encoded",
    [
        "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",  # no 'u'
        "u!!!",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384))[:-4]).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384)) + b"x").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 2**20))).decode().rstrip("="),
    ],
    ids=["unprefixed", "bad-base64", "not-gzip", "too-short", "truncated", "trailing", "bomb"],
)
def test_bad_encoded_lists_raise(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode_list(encoded)


def test_new_bitstring_minimum() -> None:
    with pytest.raises(StatusListError):
        new_bitstring(MIN_ENTRIES - 8)
    with pytest.raises(StatusListError):
        new_bitstring(MIN_ENTRIES + 1)
    with pytest.raises(StatusListError):
        encode_list(bytes(100))


def test_allocator_is_random_reproducible_and_avoids_used() -> None:
    first = [allocate_index(set(), rng=random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1  # same seed, same draw
    rng = random.Random(1)
    drawn = {allocate_index(set(), rng=rng) for _ in range(50)}
    assert len(drawn) > 45 and max(drawn) > MIN_ENTRIES // 2  # spread, not sequential
    used = set(range(MIN_ENTRIES)) - {12345}
    assert allocate_index(used, rng=random.Random(3)) == 12345  # dense branch
    assert allocate_index({0, 1, 2}, size=4, rng=random.Random(0)) == 3
    with pytest.raises(StatusListError):
        allocate_index({0, 1, 2, 3}, size=4)
    assert 0 <= allocate_index(set()) < MIN_ENTRIES  # default: secrets.SystemRandom


def test_allocator_never_returns_a_used_index() -> None:
    rng = random.Random(5)
    used: set[int] = set()
    for _ in range(300):
        index = allocate_index(used, size=400, rng=rng)
        assert index not in used and 0 <= index < 400
        used.add(index)


def test_status_entry_shape() -> None:
    entry = status_entry(list_url="https://c.example/status/1", index=94567)
    assert entry == {
        "id": "https://c.example/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://c.example/status/1",
    }
    parsed = parse_entry(entry)
    assert parsed is not None and parsed.index == 94567
    with pytest.raises(StatusListError):
        status_entry(list_url="https://c.example/status/1", index=1, purpose="expiry")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statusListIndex", 94567),
        ("statusListIndex", "-1"),
        ("statusListIndex", "007"),
        ("statusListIndex", "１２"),
        ("statusPurpose", "expiry"),
        ("statusListCredential", ""),
        ("statusSize", 2),
    ],
)
def test_bad_entries_are_malformed(field: str, value: object) -> None:
    entry = status_entry(list_url="https://c.example/status/1", index=5)
    entry[field] = value
    with pytest.raises(Malformed):
        parse_entry(entry)


def test_foreign_status_types_are_ignored() -> None:
    assert parse_entry({"type": "StatusList2021Entry"}) is None
    with pytest.raises(Malformed):
        parse_entry("revoked")


def test_status_list_credential_shape() -> None:
    credential = statuslist.status_list_credential(
        list_url="https://c.example/status/1",
        issuer="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        purpose="revocation",
        bits=new_bitstring(),
        valid_from=datetime(2021, 4, 5, 14, 27, 40, tzinfo=UTC),
    )
    example = vector_json("bitstring-status-list/spec-examples.json")[
        "Example BitstringStatusListCredential"
    ]
    assert credential["type"] == example["type"]
    assert credential["@context"] == example["@context"]
    assert (
        credential["credentialSubject"]["encodedList"]
        == (example["credentialSubject"]["encodedList"])
    )
    assert set(credential["credentialSubject"]) == set(example["credentialSubject"])
