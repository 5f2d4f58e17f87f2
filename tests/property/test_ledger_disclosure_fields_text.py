"""`ledger.disclosure.fields.text` refuses exactly the control codes it always refused: C0
other than the newline, and DEL (the regular expression replaced a per-character loop)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.disclosure import fields as f
from ledger.disclosure.errors import SchemaError


def _has_control(value: str) -> bool:
    return any(c < " " and c != "\n" for c in value) or "\x7f" in value


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), min_size=1, max_size=30))
def test_control_codes_refused_as_before(value: str) -> None:
    visible = "x" + value  # never blank, so only the control check can refuse it
    if _has_control(visible):
        with pytest.raises(SchemaError):
            f.text(visible, "t", max_len=100)
    else:
        assert f.text(visible, "t", max_len=100) == visible


@pytest.mark.parametrize("char", ["\x00", "\t", "\x0b", "\r", "\x1f", "\x7f"])
def test_each_control_code_is_refused(char: str) -> None:
    with pytest.raises(SchemaError):
        f.text(f"a{char}b", "t")


def test_newline_and_unknown_fields() -> None:
    assert f.text("a\nb", "t") == "a\nb"
    with pytest.raises(SchemaError, match="unknown field"):
        f.obj({"a": 1, "b": 2}, "o", required=("a",))
    assert f.obj({"a": 1, "b": 2}, "o", required=("a",), optional=("b",)) == {"a": 1, "b": 2}
