"""The entry line's shortcut (`ledger.disclosure.bundle_line.entry_fields`) reads what the
verifier's old reading (`safe_loads`, then the three members) reads: whatever the line —
duplicate keys with or without a fraction beside them, long or boolean indexes, escapes,
lone surrogates, deep or unknown members — it gives the same three values, or None, and then
the old reading decides."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.disclosure.bundle_line import entry_fields
from ledger.disclosure.entries import safe_loads
from ledger.tlog.errors import LedgerError

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, -1, 2**53, 2**63, 2**64, -(2**63) - 1, 10**16 - 1])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(["\ud800", "\U0001f600", "\x00", "1.5", ":0.1", '{"entry"'])
)
values: st.SearchStrategy[Any] = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children)
    ),
    max_leaves=12,
)
members = st.sampled_from(["index", "data", "leafHash", "entry", "x"])


def _old(text: str) -> tuple[Any, Any, Any] | None:
    """The reading before the shortcut; None where it refused the line."""
    try:
        item = safe_loads(text)["entry"]
        return item["index"], item["data"], item["leafHash"]
    except (LedgerError, ValueError, KeyError, TypeError):
        return None


def _agree(text: str) -> None:
    fast = entry_fields(text)
    if fast is not None:
        old = _old(text)
        assert old is not None
        assert [(type(v), v) for v in fast] == [(type(v), v) for v in old]


@settings(max_examples=400, deadline=None)
@given(
    index=values,
    data=values,
    leaf=values,
    extra=st.lists(st.tuples(members, values), max_size=3),
    outer=st.lists(st.tuples(members, values), max_size=2),
    ascii_only=st.booleans(),
)
def test_the_shortcut_reads_what_the_old_reading_reads(
    index: Any,
    data: Any,
    leaf: Any,
    extra: list[tuple[str, Any]],
    outer: list[tuple[str, Any]],
    ascii_only: bool,
) -> None:
    def member(name: str, value: Any) -> str:
        return json.dumps(name) + ":" + json.dumps(value, ensure_ascii=ascii_only)

    # Written member by member, so that a key may come twice (the last one wins, or a strict
    # reader refuses: the shortcut must not read what the old reading refused).
    inner = [("index", index), ("data", data), ("leafHash", leaf), *extra]
    entry = "{" + ",".join(member(k, v) for k, v in inner) + "}"
    text = "{" + ",".join(['"entry":' + entry] + [member(k, v) for k, v in outer]) + "}"
    _agree(text)


def test_a_plain_line_takes_the_shortcut() -> None:
    text = '{"entry":{"index":7,"data":"{\\"a\\":1}","leafHash":"ab"}}'
    assert entry_fields(text) == (7, '{"a":1}', "ab")


def test_what_the_old_reading_judges_is_left_to_it() -> None:
    for text in [
        '{"entry":{"index":true,"data":"a","leafHash":"b"}}',  # an int to isinstance
        '{"entry":{"index":1,"data":"a","leafHash":"b","index":2},"x":1.5}',  # strict: refused
        '{"entry":{"index":1,"data":"\\ud800","leafHash":"b"}}',
        '{"entry":{"index":12345678901234567890,"data":"a","leafHash":"b"}}',
        '{"entry":{"index":1,"data":"a","leafHash":"b","x":' + "[" * 101 + "]" * 101 + "}}",
    ]:
        assert entry_fields(text) is None
    assert _old('{"entry":{"index":1,"data":"a","leafHash":"b","index":2},"x":1.5}') is None
