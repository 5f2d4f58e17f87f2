"""identity.w3c.dataintegrity against the W3C vc-di-eddsa / vc-di-ecdsa JCS test vectors."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from identity.errors import IdentityError
from identity.w3c.credential import verify_issued
from identity.w3c.dataintegrity import (
    ECDSA_JCS_2019,
    EDDSA_JCS_2022,
    add_proof,
    hash_data,
    sign_json,
    unsecured,
    verify_proof,
    verify_signed_json,
)
from identity.w3c.didkey import KeyType, VerificationMethod
from identity.w3c.failures import (
    BadSignature,
    Expired,
    Malformed,
    ProofMismatch,
    UnknownKey,
    UnsupportedCryptosuite,
    WrongContext,
)
from identity.w3c.jcs import canonical, loads
from identity.w3c.keys import KeyPair
from identity.w3c.multibase import decode_base58btc
from tests.identity_support import vector_json, vector_text

SUITES = {
    EDDSA_JCS_2022: ("vc-di-eddsa/eddsa-jcs-2022", "JCS"),
    ECDSA_JCS_2019: ("vc-di-ecdsa/ecdsa-jcs-2019-p256", "JCSECDSAP256"),
}


def _files(suite: str) -> dict[str, Any]:
    folder, suffix = SUITES[suite]
    return {
        "signed": vector_json(f"{folder}/signed{suffix}.json"),
        "config": vector_json(f"{folder}/proofConfig{suffix}.json"),
        "canon_doc": vector_text(f"{folder}/canonDoc{suffix}.txt"),
        "canon_proof": vector_text(f"{folder}/proofCanon{suffix}.txt"),
        "doc_hash": vector_text(f"{folder}/docHash{suffix}.txt").strip(),
        "proof_hash": vector_text(f"{folder}/proofHash{suffix}.txt").strip(),
        "combined": vector_text(f"{folder}/combinedHash{suffix}.txt").strip(),
        "sig_hex": vector_text(f"{folder}/sigHex{suffix}.txt").strip(),
        "sig_b58": vector_text(f"{folder}/sigBTC58{suffix}.txt").strip(),
    }


@pytest.mark.parametrize("suite", list(SUITES))
def test_intermediate_values_match(suite: str) -> None:
    files = _files(suite)
    document = unsecured(files["signed"])
    assert canonical(document).decode() == files["canon_doc"]
    assert canonical(files["config"]).decode() == files["canon_proof"]
    assert hashlib.sha256(files["canon_doc"].encode()).hexdigest() == files["doc_hash"]
    assert hashlib.sha256(files["canon_proof"].encode()).hexdigest() == files["proof_hash"]
    assert hash_data(document, files["config"]).hex() == files["combined"]
    assert files["combined"] == files["proof_hash"] + files["doc_hash"]
    proof_value = files["signed"]["proof"]["proofValue"]
    assert proof_value == files["sig_b58"]
    assert decode_base58btc(proof_value).hex() == files["sig_hex"]


@pytest.mark.parametrize("suite", list(SUITES))
def test_vector_verifies(suite: str) -> None:
    signed = _files(suite)["signed"]
    result = verify_proof(signed, expected_purpose="assertionMethod")
    assert result.cryptosuite == suite
    assert result.controller == signed["proof"]["verificationMethod"].split("#")[0]
    assert result.created == datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)


def test_eddsa_signs_byte_identically() -> None:
    key = KeyPair.from_secret_multibase(
        vector_json("vc-di-eddsa/keyPair.json")["privateKeyMultibase"]
    )
    signed = add_proof(
        vector_json("vc-di-eddsa/unsigned.json"), key, created="2023-02-24T23:36:38Z"
    )
    expected = vector_json("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json")
    assert signed == expected
    assert list(signed["proof"]) == list(expected["proof"])  # same member order, too
    assert (
        signed["proof"]["proofValue"]
        == vector_text("vc-di-eddsa/eddsa-jcs-2022/sigBTC58JCS.txt").strip()
    )


def test_ecdsa_resigning_verifies_with_the_same_proof_options() -> None:
    key = KeyPair.from_secret_multibase(
        vector_json("vc-di-ecdsa/p256KeyPair.json")["secretKeyMultibase"]
    )
    signed = add_proof(
        vector_json("vc-di-ecdsa/unsigned.json"), key, created="2023-02-24T23:36:38Z"
    )
    expected = vector_json("vc-di-ecdsa/ecdsa-jcs-2019-p256/signedJCSECDSAP256.json")
    mine = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    theirs = {k: v for k, v in expected["proof"].items() if k != "proofValue"}
    assert mine == theirs
    assert verify_proof(signed).cryptosuite == ECDSA_JCS_2019


def _eddsa_signed() -> dict[str, Any]:
    return copy.deepcopy(vector_json("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"))


def _mutate(change: str) -> dict[str, Any]:
    doc = _eddsa_signed()
    proof = doc["proof"]
    if change == "document":
        doc["name"] = "Alumni Credential!"
    elif change == "proof option":
        proof["created"] = "2023-02-24T23:36:39Z"
    elif change == "proof value":
        proof["proofValue"] = "z" + "1" * 10 + proof["proofValue"][11:]
    elif change == "added field":
        doc["extra"] = True
    return doc


@pytest.mark.parametrize("change", ["document", "proof option", "proof value", "added field"])
def test_changes_break_the_signature(change: str) -> None:
    with pytest.raises(BadSignature):
        verify_proof(_mutate(change))


def test_context_must_start_with_the_proofs_context() -> None:
    doc = _eddsa_signed()
    doc["@context"] = list(reversed(doc["@context"]))
    with pytest.raises(WrongContext):
        verify_proof(doc)
    doc = _eddsa_signed()
    del doc["@context"]
    with pytest.raises(WrongContext):
        verify_proof(doc)
    # Verify Proof §3.3.2 step 4: extra trailing contexts are not part of the signature.
    doc = _eddsa_signed()
    doc["@context"] = [*doc["@context"], "https://example.org/extra/v1"]
    verify_proof(doc)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("type", "Ed25519Signature2020", UnsupportedCryptosuite),
        ("cryptosuite", "eddsa-rdfc-2022", UnsupportedCryptosuite),
        ("cryptosuite", None, UnsupportedCryptosuite),
        ("verificationMethod", None, Malformed),
        ("proofPurpose", 7, Malformed),
        ("proofValue", None, Malformed),
        ("proofValue", "u" + "A" * 86, Malformed),
        ("proofValue", "z0OIl", Malformed),
        ("created", "yesterday", Malformed),
        ("verificationMethod", "did:web:vc.example#key-1", UnknownKey),
        (
            "verificationMethod",
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            UnknownKey,
        ),
        (
            "verificationMethod",
            "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
            "#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
            UnknownKey,  # a P-256 key cannot make an eddsa-jcs-2022 proof
        ),
    ],
)
def test_bad_proof_fields(field: str, value: object, error: type[IdentityError]) -> None:
    doc = _eddsa_signed()
    if value is None:
        del doc["proof"][field]
    else:
        doc["proof"][field] = value
    with pytest.raises(error):
        verify_proof(doc)


def test_missing_or_multiple_proofs() -> None:
    doc = _eddsa_signed()
    with pytest.raises(Malformed):
        verify_proof(unsecured(doc))
    with pytest.raises(Malformed):
        verify_proof({**doc, "proof": [doc["proof"], doc["proof"]]})
    with pytest.raises(Malformed):
        verify_proof([doc])  # type: ignore[arg-type]


def test_verifier_expectations() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    answer = sign_json(
        {"challenge": "sign-in", "ts": 1},
        key,
        proof_purpose="authentication",
        challenge="n-123",
        domain="gongzhi.example",
        created=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert "@context" not in answer["proof"]  # plain JSON: no context to copy
    result = verify_signed_json(
        answer,
        expected_signer=key.did.value,
        expected_purpose="authentication",
        challenge="n-123",
        domain="gongzhi.example",
    )
    assert (result.challenge, result.domain, result.proof_purpose) == (
        "n-123",
        "gongzhi.example",
        "authentication",
    )
    with pytest.raises(ProofMismatch):
        verify_signed_json(answer, expected_purpose="assertionMethod")
    with pytest.raises(ProofMismatch):
        verify_signed_json(answer, challenge="n-124")
    with pytest.raises(ProofMismatch):
        verify_signed_json(answer, domain="evil.example")
    with pytest.raises(UnknownKey):
        verify_signed_json(answer, expected_signer=KeyPair.generate(KeyType.ED25519).did.value)


def test_purpose_must_be_a_relationship_of_the_key() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    with pytest.raises(UnknownKey):
        verify_proof(sign_json({"a": 1}, key, proof_purpose="keyAgreement"))


def test_expires_is_checked_when_now_is_given() -> None:
    key = KeyPair.generate(KeyType.P256)
    doc = add_proof({"a": 1}, key, expires=datetime(2025, 1, 1, tzinfo=UTC))
    verify_proof(doc)
    verify_proof(doc, now=datetime(2024, 12, 31, tzinfo=UTC))
    with pytest.raises(Expired):
        verify_proof(doc, now=datetime(2025, 1, 2, tzinfo=UTC))


def test_custom_resolver_is_used() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    url = "did:web:street.example#key-1"
    doc = add_proof({"a": 1}, key, verification_method=url)

    def resolve(method: str) -> VerificationMethod:
        assert method == url
        return VerificationMethod(
            id=url,
            controller="did:web:street.example",
            key_type=KeyType.ED25519,
            public_key=key.public_key,
            relationships=frozenset({"assertionMethod"}),
        )

    assert verify_proof(doc, resolve=resolve).controller == "did:web:street.example"


def test_add_proof_refusals() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    other = KeyPair.generate(KeyType.ED25519)
    with pytest.raises(IdentityError):
        add_proof({"a": 1}, key, verification_method=other.verification_method)
    with pytest.raises(IdentityError):
        add_proof(add_proof({"a": 1}, key), key)  # proof sets are not supported
    with pytest.raises(IdentityError):
        add_proof({"a": float("nan")}, key)
    with pytest.raises(IdentityError):
        add_proof({"a": 1}, key, created="2025-01-01")  # no time, no zone
    with pytest.raises(IdentityError):
        add_proof({"a": 1}, key, created=datetime(2025, 1, 1))  # naive


def test_add_proof_does_not_alias_the_input() -> None:
    key = KeyPair.generate(KeyType.ED25519)
    contexts = ["https://www.w3.org/ns/credentials/v2"]
    document = {"@context": contexts, "a": 1}
    signed = add_proof(document, key)
    contexts.append("https://example.org/x")
    assert "proof" not in document
    assert signed["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    verify_proof(signed)


BIGNUM = "independent/bignum-eddsa-jcs-2022"


@pytest.mark.parametrize("reader", [json.loads, loads], ids=["json", "strict"])
def test_independent_signer_with_appendix_b_numbers_verifies(reader: Any) -> None:
    # Signed outside gongzhi (Node + the `canonicalize` package) over a subject holding 2^53,
    # -2^53, 2^68 and 1e+23, which RFC 8785 Appendix B lists as canonical output.
    signed = reader(vector_text(f"{BIGNUM}.json"))
    subject = signed["credentialSubject"]
    assert subject["aboutTwoToThe68"] == 295147905179352830000  # as Python reads the text
    assert canonical(unsecured(signed)).decode() == vector_text(f"{BIGNUM}.canonical.txt")
    view, proof = verify_issued(signed)
    assert proof.cryptosuite == EDDSA_JCS_2022 and proof.controller == view.issuer
    assert type(subject["small"]) is int


def test_independent_signature_still_binds_the_big_numbers() -> None:
    signed = json.loads(vector_text(f"{BIGNUM}.json"))
    signed["credentialSubject"]["aboutTwoToThe68"] = 2**69
    with pytest.raises(BadSignature):
        verify_proof(signed)


def test_signing_refuses_an_integer_the_signature_would_round() -> None:
    key = KeyPair.from_private_bytes(KeyType.ED25519, b"\x07" * 32)
    assert verify_proof(sign_json({"n": 2**53, "m": 2**68}, key)).controller == key.did.value
    with pytest.raises(IdentityError, match="not exactly an IEEE-754 double"):
        sign_json({"n": 2**53 + 1}, key)
