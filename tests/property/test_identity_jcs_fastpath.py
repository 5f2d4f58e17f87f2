"""The fast path of `identity.w3c.jcs.canonical` gives exactly what the RFC 8785 library gives."""

from __future__ import annotations

from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.w3c.failures import JcsError
from identity.w3c.jcs import canonical

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=500)
@given(json_values)
def test_fast_path_equals_the_library(value: Any) -> None:
    # RFC 8785 §3.2.2.3: an integer is a JSON number, i.e. the IEEE-754 double nearest it;
    # the library refuses integers beyond ±(2^53-1) instead, so it is handed that double.
    try:
        expected: bytes | None = bytes(rfc8785.dumps(_as_doubles(value)))
    except rfc8785.CanonicalizationError:
        expected = None
    try:
        got: bytes | None = canonical(value)
    except JcsError:
        got = None
    assert got == expected


def _as_doubles(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_doubles(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_doubles(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        return float(value)
    return value


def test_keys_beyond_the_bmp_sort_by_utf16() -> None:
    # U+1F600 is D83D DE00 in UTF-16, which sorts before U+FB33 (code-point order says after).
    doc = {"\U0001f600": 1, "\ufb33": 2}
    assert canonical(doc) == bytes(rfc8785.dumps(doc))
    assert canonical(doc).index("\U0001f600".encode()) < canonical(doc).index("\ufb33".encode())
