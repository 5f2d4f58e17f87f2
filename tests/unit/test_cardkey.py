"""The voting card format (identity/w3c/cardkey.py): layout, PIN rules, and every way a card
can be wrong — each refused with our own bilingual error, never a stray ValueError."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from identity.w3c import cardkey
from identity.w3c.cardkey import (
    DEFAULT_COST,
    PREFIX,
    CardCost,
    CardError,
    WrongPin,
    check_pin,
    open_card,
    read_card,
    seal_card,
)
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair

CHEAP = CardCost(log_n=10, r=8, p=1)  # tests only; cards are written at DEFAULT_COST
KEY = KeyPair.from_private_bytes(KeyType.P256, bytes(range(1, 33)))
SALT, NONCE = bytes(range(16)), bytes(range(100, 112))


def _card(**kwargs: object) -> str:
    args: dict[str, object] = {"cost": CHEAP, "salt": SALT, "nonce": NONCE} | kwargs
    return seal_card(KEY, "246813", "lianhua-e2e", **args)  # type: ignore[arg-type]


def _raw(text: str) -> bytearray:
    body = text[len(PREFIX) :]
    return bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _text(raw: bytes | bytearray) -> str:
    return PREFIX + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_layout_is_as_documented() -> None:
    text = _card()
    raw = _raw(text)
    assert raw[:4] == bytes([1, 10, 8, 1])
    assert raw[4:20] == SALT and raw[20:32] == NONCE
    assert raw[32:34] == b"\x80\x24" and bytes(raw[34:67]) == KEY.public_key
    assert raw[67] == len("lianhua-e2e") and raw[68:79] == b"lianhua-e2e"
    assert len(raw) == 79 + 48
    card = read_card(text)
    assert (card.did, card.community, card.cost) == (KEY.did, "lianhua-e2e", CHEAP)
    assert card.text() == text
    assert len(seal_card(KEY, "246813", "lianhua-e2e", cost=CHEAP)) < 200  # fits a small QR


def test_round_trip_and_fresh_randomness() -> None:
    a = seal_card(KEY, "246813", "c1", cost=CHEAP)
    b = seal_card(KEY, "246813", "c1", cost=CHEAP)
    assert a != b  # fresh salt and nonce each time
    for text in (a, b):
        assert open_card(text, "246813").private_bytes() == KEY.private_bytes()


def test_default_cost_is_what_the_docs_say() -> None:
    assert (DEFAULT_COST.log_n, DEFAULT_COST.r, DEFAULT_COST.p) == (17, 8, 4)
    assert DEFAULT_COST.memory == 128 * 2**20


def test_spaces_and_line_breaks_are_ignored() -> None:
    text = _card()
    spaced = " ".join(text[i : i + 4] for i in range(0, len(text), 4)) + "\n"
    assert open_card(spaced, "246813").did == KEY.did


def test_wrong_pin() -> None:
    with pytest.raises(WrongPin) as caught:
        open_card(_card(), "246814")
    assert caught.value.zh.startswith("PIN 不对") and caught.value.en.startswith("wrong PIN")
    for pin in ("", "abc123", "1" * 13):
        with pytest.raises(WrongPin):
            open_card(_card(), pin)


@pytest.mark.parametrize("at", [1, 5, 25, 40, 70, 80, 126])
def test_any_altered_byte_is_refused(at: int) -> None:
    """The header is the associated data and the rest is sealed: no byte can change."""
    raw = _raw(_card())
    raw[at] ^= 0x01
    with pytest.raises(CardError):
        open_card(_text(raw), "246813")


def test_malformed_cards_are_our_errors() -> None:
    good = _card()
    raw = _raw(good)
    bad = {
        "wrong prefix": "gzcardx." + good[len(PREFIX) :],
        "newer version": "gzcard2." + good[len(PREFIX) :],
        "not a card": "https://example.org/",
        "bad base64": good[:-3] + "!!!",
        "truncated": good[:-6],
        "too long": good + "A" * 400,
        "version byte": _text(bytes([2]) + raw[1:]),
        "ed25519": _text(raw[:32] + b"\xed\x01" + raw[34:]),
        "slug length": _text(raw[:67] + bytes([200]) + raw[68:]),
        "slug case": _text(raw[:68] + b"LIANHUA-E2E" + raw[79:]),
        "not on the curve": _text(raw[:34] + b"\x02" + b"\xff" * 32 + raw[67:]),
    }
    for name, text in bad.items():
        with pytest.raises(CardError) as caught:
            read_card(text)
        assert caught.value.zh and caught.value.en, name
    with pytest.raises(CardError):
        read_card(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("log_n", "r", "p"), [(9, 8, 1), (25, 8, 1), (18, 16, 1), (17, 8, 0), (17, 8, 17), (17, 0, 1)]
)
def test_cost_out_of_bounds_is_refused_before_any_work(log_n: int, r: int, p: int) -> None:
    raw = _raw(_card())
    raw[1:4] = bytes([log_n, r, p])
    with pytest.raises(CardError) as caught:
        read_card(_text(raw))
    assert "scrypt" in caught.value.en


def test_a_sealed_key_that_is_not_the_dids_is_refused() -> None:
    """A card crafted with someone else's key sealed under our DID's header opens (the tag
    holds) but is refused: the key must be the DID's."""
    other = KeyPair.generate(KeyType.P256)
    header = cardkey._header(KEY.did, "lianhua-e2e", CHEAP, SALT, NONCE)
    sealed = AESGCM(cardkey._derive("246813", SALT, CHEAP)).encrypt(
        NONCE, other.private_bytes(), header
    )
    with pytest.raises(CardError) as caught:
        open_card(_text(header + sealed), "246813")
    assert not isinstance(caught.value, WrongPin) and "DID" in caught.value.en


@pytest.mark.parametrize("pin", ["246813", "135790", "90210487", "000012", "112233"])
def test_pins_accepted(pin: str) -> None:
    assert check_pin(pin) == pin


@pytest.mark.parametrize(
    "pin",
    ["12345", "1234567890123", "12a456", "１２３４５６", "000000", "123456", "987654", "890123"],
)
def test_pins_refused(pin: str) -> None:
    with pytest.raises(CardError) as caught:
        check_pin(pin)
    assert caught.value.zh and caught.value.en
    with pytest.raises(CardError):
        seal_card(KEY, pin, "c1", cost=CHEAP)


def test_only_p256_and_good_slugs_are_sealed() -> None:
    with pytest.raises(CardError):
        seal_card(KeyPair.generate(KeyType.ED25519), "246813", "c1", cost=CHEAP)
    with pytest.raises(CardError):
        seal_card(KEY, "246813", "Not A Slug", cost=CHEAP)
    with pytest.raises(CardError):
        seal_card(KEY, "246813", "c1", cost=CHEAP, salt=b"short")
