"""`identity.w3c.dataintegrity.canonical_forms` gives exactly the RFC 8785 bytes of the secured
document and of the unsecured one (the slow path: the `rfc8785` library on each), and a proof
verified with those forms agrees with one verified without them."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.errors import IdentityError
from identity.w3c.dataintegrity import add_proof, canonical_forms, unsecured, verify_proof
from identity.w3c.didkey import KeyType
from identity.w3c.failures import Malformed
from identity.w3c.keys import KeyPair

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values: st.SearchStrategy[Any] = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
# Names around "proof" in UTF-16 order, including some beyond the BMP and ones that share
# its prefix, so the proof lands first, last and in the middle.
names = st.sampled_from(
    ["", "a", "body", "log", "pro", "proo", "proofs", "proof\u0000", "publisher", "type", "z"]
) | st.text(max_size=6)


def _big_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > 2**53 - 1
    if isinstance(value, dict):
        return any(_big_integer(v) for v in value.values())
    if isinstance(value, list):
        return any(_big_integer(v) for v in value)
    return False


@settings(max_examples=600)
@given(st.dictionaries(names, values, max_size=6), values)
def test_forms_equal_the_library(rest: dict[str, Any], proof: Any) -> None:
    document = {name: value for name, value in rest.items() if name != "proof"}
    document["proof"] = proof
    try:
        want_secured = bytes(rfc8785.dumps(document))
        want_unsecured = bytes(rfc8785.dumps(unsecured(document)))
    except (rfc8785.CanonicalizationError, RecursionError):
        try:
            canonical_forms(document)
        except IdentityError:
            return
        # The library refuses integers beyond ±(2^53−1); RFC 8785 (Appendix B) writes those
        # that are exact doubles as ECMAScript does, and so do we: the only disagreement.
        assert _big_integer(document)
        return
    forms = canonical_forms(document)
    assert forms.secured == want_secured
    assert forms.unsecured == want_unsecured
    assert forms.document is document


def test_a_document_without_a_proof_has_no_forms() -> None:
    with pytest.raises(Malformed):
        canonical_forms({"a": 1})


_KEY = KeyPair.generate(KeyType.ED25519)
_OTHER = KeyPair.generate(KeyType.ED25519)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names.filter(lambda n: n != "proof"), values, max_size=5))
def test_verifying_with_forms_agrees(document: dict[str, Any]) -> None:
    try:
        signed = add_proof(document, _KEY)
    except IdentityError:
        return  # not canonicalizable (e.g. a huge integer): nothing to verify
    forms = canonical_forms(signed)
    assert verify_proof(signed, forms=forms) == verify_proof(signed)
    # A changed document must not verify with forms made from it either.
    forged = dict(signed, extra=1) if "extra" not in signed else dict(signed, extra=None)
    with pytest.raises(IdentityError):
        verify_proof(forged, forms=canonical_forms(forged))
    # Forms of another object are never used: a stale pair cannot vouch for a changed one.
    with pytest.raises(IdentityError):
        verify_proof(forged, forms=forms)


def test_forms_of_another_document_do_not_vouch() -> None:
    signed = add_proof({"a": 1}, _KEY)
    other = add_proof({"a": 2}, _OTHER)
    with pytest.raises(IdentityError):
        # The signed bytes of `signed` would verify; `other` keeps its own proof by _OTHER
        # over {"a": 2}, so swapping `a` must be caught whatever forms are passed.
        verify_proof(dict(other, a=1), forms=canonical_forms(signed))
