"""identity.w3c.jcs against RFC 8785 test data (cyberphone/json-canonicalization testdata)."""

from __future__ import annotations

import struct

import pytest

from identity.errors import IdentityError
from identity.w3c.failures import JcsError
from identity.w3c.jcs import canonical, loads
from tests.identity_support import VECTORS

CASES = sorted(p.stem for p in (VECTORS / "jcs-rfc8785" / "input").glob("*.json"))


def test_all_six_cases_are_present() -> None:
    assert CASES == ["arrays", "french", "structures", "unicode", "values", "weird"]


@pytest.mark.parametrize("name", CASES)
def test_canonical_output_is_byte_exact(name: str) -> None:
    source = (VECTORS / "jcs-rfc8785" / "input" / f"{name}.json").read_bytes()
    expected = (VECTORS / "jcs-rfc8785" / "output" / f"{name}.json").read_bytes()
    expected_hex = (VECTORS / "jcs-rfc8785" / "outhex" / f"{name}.txt").read_text()
    assert bytes.fromhex("".join(expected_hex.split())) == expected
    assert canonical(loads(source)) == expected
    # Canonical form is a fixed point.
    assert canonical(loads(expected)) == expected


@pytest.mark.parametrize(
    ("ieee_hex", "text"),
    [  # sample lines of the ES6 number test file (RFC 8785 Appendix B / testdata README)
        ("4340000000000001", "9007199254740994"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("8000000000000000", "0"),
        # RFC 8785 Appendix B, the integral rows: beyond 2^53 a number is still its double.
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("44b52d02c7e14af6", "1e+23"),
    ],
)
def test_es6_number_formatting(ieee_hex: str, text: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(ieee_hex))[0]
    assert canonical(value) == text.encode()


def test_integral_float_loses_its_fraction() -> None:
    assert canonical({"b": 56.0, "a": [1, True, None]}) == b'{"a":[1,true,null],"b":56}'


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), 10**400, "\ud800", {1: "x"}, b"bytes", {"a": {1, 2}}],
)
def test_values_jcs_cannot_express_raise_our_error(value: object) -> None:
    with pytest.raises(JcsError):
        canonical(value)


@pytest.mark.parametrize(
    "text",
    ["9007199254740992", "-9007199254740992", "295147905179352830000", "999999999999999700000"],
)
def test_appendix_b_integers_parsed_from_json_are_canonical(text: str) -> None:
    # RFC 8785 Appendix B lists these as canonical output; `json` reads them as Python ints.
    document = f'{{"n":[{text}],"m":{text}}}'
    assert canonical(loads(document)) == f'{{"m":{text},"n":[{text}]}}'.encode()
    assert canonical(int(text)) == text.encode()


def test_a_large_integer_stands_for_its_double() -> None:
    # 2^53+1 is no double: any RFC 8785 reader takes the text as 2^53 (ties to even).
    assert canonical(2**53 + 1) == b"9007199254740992"
    assert canonical(295147905179352830000) == canonical(2**68) == canonical(2.0**68)
    assert canonical([-(2**53) - 1, 2**1023]) == canonical([-(2.0**53), 2.0**1023])


def test_a_signer_refuses_an_integer_that_is_no_double() -> None:
    assert canonical({"n": 2**53}, exact_integers=True) == b'{"n":9007199254740992}'
    assert canonical({"n": 2**68}, exact_integers=True) == b'{"n":295147905179352830000}'
    with pytest.raises(JcsError, match="not exactly an IEEE-754 double"):
        canonical({"n": [2**53 + 1]}, exact_integers=True)


def test_integers_in_the_safe_range_stay_exact_ints() -> None:
    value = loads('{"area": 9007199254740991, "fen": -9007199254740991, "n": 7}')
    assert value == {"area": 2**53 - 1, "fen": -(2**53) + 1, "n": 7}
    assert all(type(v) is int for v in value.values())
    assert canonical(value) == b'{"area":9007199254740991,"fen":-9007199254740991,"n":7}'


def test_deep_nesting_is_our_error() -> None:
    value: object = []
    for _ in range(5000):
        value = [value]
    with pytest.raises(JcsError):
        canonical(value)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1, "a": 2}',
        b'{"a": NaN}',
        b"[Infinity]",
        b"\xff",
        b'{"a": ',
        b"[" * 100000 + b"]" * 100000,
    ],
)
def test_strict_reader_refuses_ambiguous_json(text: bytes) -> None:
    with pytest.raises(IdentityError):
        loads(text)


def test_strict_reader_reads_plain_json() -> None:
    assert loads('{"a": [1, 2.5, "√"]}') == {"a": [1, 2.5, "√"]}
