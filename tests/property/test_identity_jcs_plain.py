"""The plain-text shortcut (`identity.w3c.jcs.plain_text`, used by
`identity.w3c.dataintegrity.canonical_forms(document, text)`) gives exactly the forms the full
path gives, whatever text the document was parsed from: canonical, sorted but with numbers or
keys RFC 8785 writes otherwise, or escaped."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.errors import IdentityError
from identity.w3c.dataintegrity import canonical_forms
from identity.w3c.jcs import canonical, plain_text

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.sampled_from([0, -1, 10**15 - 1, 10**15, 2**53 - 1, 2**53, -(2**53)])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(["\U0001f600", "\ufb33", "1.5", ":1e5", "\x7f", "\u2028"])
)
values: st.SearchStrategy[Any] = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(["\U0001f600", "דּ"]), children)
    ),
    max_leaves=20,
)
names = st.sampled_from(["a", "body", "log", "proofs", "publisher", "type", "z", "\U0001f600"])
proofs = st.dictionaries(
    st.sampled_from(["type", "cryptosuite", "proofValue", "verificationMethod", "x"]), values
)


def _texts(document: dict[str, Any]) -> list[bytes]:
    texts = [json.dumps(document, sort_keys=True, separators=(",", ":")).encode()]
    with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate
        unescaped = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        texts.append(unescaped.encode())
    with contextlib.suppress(IdentityError):
        texts.append(canonical(document))
    return texts


def _forms(document: dict[str, Any], text: bytes | None) -> tuple[bytes, bytes] | None:
    try:
        forms = canonical_forms(document, text)
    except IdentityError:
        return None
    return forms.secured, forms.unsecured


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(names, values, max_size=5), proofs | values)
def test_the_shortcut_gives_the_full_forms(rest: dict[str, Any], proof: Any) -> None:
    for text in _texts({**rest, "proof": proof}):
        document = json.loads(text)  # parsed from the very text, as a verifier does
        assert _forms(document, text) == _forms(document, None)
        made = canonical_forms(document, text) if _forms(document, None) else None
        if made is not None and made.proof_config is not None:
            options = {k: v for k, v in document["proof"].items() if k != "proofValue"}
            assert made.proof_config == canonical(options)
            assert made.secured == text


def test_a_plain_entry_takes_the_shortcut() -> None:
    document = {"a": 1, "b": ["账户", 10**15 - 1], "proof": {"type": "T", "proofValue": "z1"}}
    text = canonical(document)
    assert plain_text(text)
    assert canonical_forms(json.loads(text), text).proof_config == b'{"type":"T"}'


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1.5,"proof":{}}',
        b'{"a":1e+21,"proof":{}}',
        b'{"a":[-1234567890123456],"proof":{}}',
        b'{"\xf0\x9f\x98\x80":1,"proof":{}}',
        b'{"a":' + b"[" * 101 + b"]" * 101 + b',"proof":{}}',
    ],
)
def test_what_rfc_8785_may_write_otherwise_is_not_plain(text: bytes) -> None:
    assert not plain_text(text)


_SEPARATORS = {True: (",", ":"), False: (", ", ": ")}
_OLD_VIEW = bytes.maketrans(b"0123456789,[.eE", b"0000000000::...")
_OLD_NOT_PLAIN = re.compile(rb":0{16}|:0+\.")


def _old_plain_text(text: bytes) -> bool:
    """The shortcut as first written: its view deleted "-" and whitespace."""
    if text.count(b"[") + text.count(b"{") > 100:
        return False
    if any(lead in text for lead in (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")):
        return False
    return _OLD_NOT_PLAIN.search(text.translate(_OLD_VIEW, b"- \t\n\r")) is None


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([None, 0, 1, 2]))
def test_the_one_byte_view_says_plain_only_where_the_first_one_did(
    value: Any, indent: int | None
) -> None:
    # Its view keeps a "-" as one more digit and whitespace as a separator (no bytes deleted,
    # a faster translation): it may send a 15-digit negative number to the slow path, never
    # a number RFC 8785 writes otherwise to the fast one.
    with contextlib.suppress(UnicodeEncodeError):
        for ascii_only in (True, False):
            text = json.dumps(
                value,
                indent=indent,
                ensure_ascii=ascii_only,
                separators=_SEPARATORS[indent is None],
            ).encode()
            if plain_text(text):
                assert _old_plain_text(text)
            elif indent is None and b"-" not in text and b" " not in text:
                # no byte the two views treat apart: the same answer
                assert not _old_plain_text(text)
