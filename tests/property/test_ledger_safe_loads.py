"""`ledger.disclosure.entries.safe_loads` reads through orjson only where orjson reads what the
standard library reads: whatever the text — long integers, fractions, escapes, lone
surrogates, a byte-order mark, duplicate keys — the value and every type in it are the
standard reader's (floats and NaN aside, which go to the strict reader as before)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from identity.w3c.jcs import plain_text
from ledger.disclosure.entries import _load, safe_loads
from ledger.disclosure.errors import SchemaError

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, -1, 2**53, 2**64, -(2**63) - 1, 10**15, 10**16 - 1])
    | st.text()
    | st.sampled_from(["\ud800", "\U0001f600", "\u2028", "\x00", "1.5", ":0.1"])
)
values: st.SearchStrategy[Any] = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children)
    ),
    max_leaves=20,
)


def _typed(value: Any) -> Any:
    """The value with each leaf's type beside it: 1 and 1.0 and True compare equal."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@given(st.lists(values, max_size=3) | st.dictionaries(st.text(max_size=4), values, max_size=4))
def test_the_fast_reader_reads_what_the_standard_reader_reads(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        for raw in (text, text.encode("utf-8", "surrogatepass")):
            try:
                expected = json.loads(raw)
            except ValueError:
                continue  # a lone surrogate written raw is not UTF-8: refused either way
            assert _typed(safe_loads(raw)) == _typed(expected)


def test_long_integers_stay_integers_and_the_last_duplicate_wins() -> None:
    assert safe_loads(b'{"a":123456789012345678901234567890}') == {
        "a": 123456789012345678901234567890
    }
    assert type(safe_loads(b"[18446744073709551616]")[0]) is int
    assert safe_loads(b'{"a":1,"a":2}') == {"a": 2}
    assert safe_loads(b'["\\ud800"]') == ["\ud800"]  # orjson refuses it; the standard reader not
    assert safe_loads(b"\xef\xbb\xbf[1]") == [1]


@given(st.dictionaries(st.text(max_size=4), values, max_size=4), st.booleans())
def test_an_entry_told_it_is_plain_text_reads_as_safe_loads_reads_it(
    value: dict[str, Any], ascii_only: bool
) -> None:
    # `read_entry` asks `plain_text` once, for the reading and the canonical forms alike.
    try:
        raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate written raw is not UTF-8
    for text in (raw, b" " + raw, raw[:-1]):
        try:
            expected: Any = _typed(safe_loads(text))
        except SchemaError:
            expected = SchemaError
        try:
            got: Any = _typed(_load(text, plain_text(text)))
        except SchemaError:
            got = SchemaError
        assert got == expected
