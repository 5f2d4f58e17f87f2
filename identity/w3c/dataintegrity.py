"""W3C VC Data Integrity proofs with the JCS cryptosuites ``eddsa-jcs-2022`` (Ed25519,
vc-di-eddsa §3.3) and ``ecdsa-jcs-2019`` (P-256, vc-di-ecdsa §3.3). Generic: it secures any
JSON object — a credential, a ballot, an answer to a sign-in challenge.

Both suites share one recipe (the section names are those of vc-di-eddsa §3.3):

* Proof Configuration (§3.3.5): the proof options — ``type: DataIntegrityProof``,
  ``cryptosuite``, optional ``created``, ``verificationMethod``, ``proofPurpose``, optional
  ``challenge`` / ``domain`` / ``expires`` — plus the document's ``@context`` when it has one
  (Create Proof §3.3.1 step 2); canonicalized with RFC 8785.
* Transformation (§3.3.3): the unsecured document (no ``proof``) canonicalized with RFC 8785.
* Hashing (§3.3.4): ``hashData = SHA-256(canonicalProofConfig) || SHA-256(canonicalDocument)``.
* Serialization (§3.3.6): Ed25519 over the 64 bytes, or ECDSA-P256 with SHA-256 over the 64
  bytes (the primitive hashes them once more), as ``r || s``; ``proofValue`` is base58btc
  multibase (``z…``).

Verify Proof (§3.3.2) first checks that the document's ``@context`` starts with the proof's
``@context`` and then substitutes the latter. Only a single proof object is supported;
proof sets and chains (VC DI §2.1.1 / §2.1.2) are refused as `Malformed`.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from identity.errors import IdentityError
from identity.w3c.didkey import KeyType, VerificationMethod, resolve_verification_method
from identity.w3c.failures import (
    EncodingError,
    Expired,
    Malformed,
    ProofMismatch,
    UnknownKey,
    UnsupportedCryptosuite,
    WrongContext,
)
from identity.w3c.jcs import canonical, canonical_plain, plain_text
from identity.w3c.keys import KeyPair, verify_signature
from identity.w3c.multibase import decode_base58btc, encode_base58btc
from identity.w3c.xsdtime import format_utc, parse

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ECDSA_JCS_2019 = "ecdsa-jcs-2019"
CRYPTOSUITE_KEY_TYPE = {EDDSA_JCS_2022: KeyType.ED25519, ECDSA_JCS_2019: KeyType.P256}
KEY_TYPE_CRYPTOSUITE = {kind: suite for suite, kind in CRYPTOSUITE_KEY_TYPE.items()}

# Turns a verification method URL into its key; raises on anything it cannot resolve.
Resolver = Callable[[str], VerificationMethod]


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """What a valid proof establishes: who signed (method, controller DID) and for what."""

    verification_method: str
    controller: str
    key_type: KeyType
    cryptosuite: str
    proof_purpose: str
    created: datetime | None
    challenge: str | None
    domain: str | None


def _contexts(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def hash_data(
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    exact_integers: bool = False,
) -> bytes:
    """§3.3.4 Hashing: SHA-256(JCS(proofConfig)) || SHA-256(JCS(document)), 64 bytes.

    A signer passes `exact_integers` (see `identity.w3c.jcs.canonical`); a verifier takes
    numbers as RFC 8785 does, as doubles."""
    return (
        hashlib.sha256(canonical(proof_config, exact_integers=exact_integers)).digest()
        + hashlib.sha256(canonical(unsecured_document, exact_integers=exact_integers)).digest()
    )


@dataclass(frozen=True, slots=True)
class CanonicalForms:
    """The RFC 8785 bytes of a secured document and of its unsecured form (no ``proof``),
    made by `canonical_forms` from `document` (kept so a mismatched pair is never used)."""

    document: Mapping[str, Any]
    secured: bytes
    unsecured: bytes
    # The canonical proof options (the proof less ``proofValue``), when made with the others.
    proof_config: bytes | None = None


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


_PROOF_UTF16 = _utf16("proof")


def _splice(
    document: Mapping[str, Any], rest: dict[str, Any], encode: Callable[[Any], bytes]
) -> tuple[bytes, bytes] | None:
    """(secured, unsecured) made with `encode` as `canonical_forms` says; None when the proof
    member cannot be placed (never for RFC 8785 output)."""
    unsecured_bytes = encode(rest)
    member = encode({"proof": document["proof"]})[1:-1]
    after = encode({name: value for name, value in rest.items() if _utf16(name) > _PROOF_UTF16})[
        1:-1
    ]
    body = unsecured_bytes[1:-1]
    if not body.endswith(after):
        return None
    head = body[: len(body) - len(after)]
    if after and head:
        head = head[:-1]  # the comma between the last earlier member and the first later one
    return b"{" + b",".join(part for part in (head, member, after) if part) + b"}", unsecured_bytes


def canonical_forms(
    document: Mapping[str, Any], text: bytes | None = None, *, plain: bool | None = None
) -> CanonicalForms:
    """Both canonical forms of a secured document, without canonicalizing it twice in Python.

    A verifier that must check stored bytes are canonical (RFC 8785) and then hash the
    unsecured document (Transformation, vc-di-eddsa §3.3.3) would canonicalize the whole
    document twice. RFC 8785 §3.2.3 writes an object as its members sorted by the UTF-16 code
    units of their names, each member serialized on its own; so the secured form is the
    unsecured one with ``"proof":…`` put back among the members, after every name that sorts
    before "proof". Off the plain-text path below, only the unsecured document and the (small)
    proof and trailing members are canonicalized; a property test pins equality with
    `canonical` on both forms.

    `text`, the bytes a JSON reader parsed `document` from: when it is a
    `identity.w3c.jcs.plain_text` and the document's `canonical_plain` encoding (no walk of
    the document in Python) gives it back, it is the secured form, the unsecured form and the
    proof options (``proof_config``) are encoded the same way, and no splice is needed.
    Otherwise it changes nothing. `plain`, when given, is what `plain_text(text)` said (a
    caller that has asked already: it is not asked again).
    """
    if (
        type(document) is not dict and not isinstance(document, Mapping)
    ) or "proof" not in document:
        raise Malformed("文档没有 proof", "document has no proof")
    rest = {name: value for name, value in document.items() if name != "proof"}
    if text is not None and (plain_text(text) if plain is None else plain):
        # Encoding the whole document once (in C) and comparing is cheaper than splicing the
        # proof member in: equal, the text is the secured form and the parts are RFC 8785.
        try:
            same = canonical_plain(document) == text
        except (ValueError, TypeError):  # not JSON after all: `canonical` refuses it below
            same = False
        if same:
            proof = document["proof"]
            config = (
                canonical_plain({name: v for name, v in proof.items() if name != "proofValue"})
                if isinstance(proof, dict)
                else None
            )
            return CanonicalForms(document, text, canonical_plain(rest), config)
    made = _splice(document, rest, canonical)
    if made is None:  # cannot happen for RFC 8785 output; refuse rather than guess
        raise Malformed("无法定位 proof 成员", "cannot place the proof member")
    return CanonicalForms(document=document, secured=made[0], unsecured=made[1])


def _timestamp(value: datetime | str, *, field: str) -> str:
    if isinstance(value, datetime):
        return format_utc(value)
    parse(value, field=field)
    return value


def add_proof(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    verification_method: str | None = None,
    proof_purpose: str = "assertionMethod",
    created: datetime | str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    expires: datetime | str | None = None,
) -> dict[str, Any]:
    """Create Proof (§3.3.1): a copy of `document` with a ``proof`` by `key`.

    The cryptosuite follows the key type. `verification_method` defaults to the key's own
    did:key URL; a did:key URL naming another key is refused, since its proofs could never
    verify. `created` / `expires` are omitted unless given (this module reads no clock).
    """
    if not isinstance(document, Mapping):
        raise IdentityError("只能对 JSON 对象签名", "only a JSON object can be signed")
    if "proof" in document:
        raise IdentityError(
            "文档已有 proof；不支持证明集或证明链",
            "document already has a proof; proof sets and chains are not supported",
        )
    method = verification_method or key.verification_method
    if method.startswith("did:key:") and method != key.verification_method:
        raise IdentityError(
            "验证方法与签名密钥不符",
            f"verification method {method} is not the signing key {key.verification_method}",
        )
    proof: dict[str, Any] = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": KEY_TYPE_CRYPTOSUITE[key.kind],
    }
    if created is not None:
        proof["created"] = _timestamp(created, field="created")
    proof["verificationMethod"] = method
    proof["proofPurpose"] = proof_purpose
    if expires is not None:
        proof["expires"] = _timestamp(expires, field="expires")
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    if "@context" in document:
        proof["@context"] = copy.deepcopy(document["@context"])
    signature = key.sign(hash_data(document, proof, exact_integers=True))
    proof["proofValue"] = encode_base58btc(signature)
    secured = copy.deepcopy(dict(document))  # the caller may go on changing its document
    secured["proof"] = proof
    return secured


def _required(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str) or not value:
        raise Malformed(f"proof.{name} 缺失或不是字符串", f"proof.{name} missing or not a string")
    return value


def _optional(proof: Mapping[str, Any], name: str) -> str | None:
    return _required(proof, name) if name in proof else None


def unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without its ``proof`` (Verify Proof §3.3.2 step 1)."""
    return {name: value for name, value in document.items() if name != "proof"}


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve: Resolver = resolve_verification_method,
    expected_purpose: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    forms: CanonicalForms | None = None,
) -> VerifiedProof:
    """Verify Proof (§3.3.2) plus the VC DI §4.5 checks the verifier asks for; raises on failure.

    `expected_purpose`, `challenge` and `domain` are compared only when given; `now` enables
    the ``expires`` check. The verification method must be authorised for the proof's purpose
    in its controller's DID document (VC DI §4.5 step on verification relationships).
    `forms`, from `canonical_forms(document)` (the very same object), spares canonicalizing
    the unsecured document again; it is used only when no proof ``@context`` replaces the
    document's, and ignored if it was made from another object.
    """
    # `type(…) is dict` first: a parsed document is one, and the ABC check costs more.
    if type(document) is not dict and not isinstance(document, Mapping):
        raise Malformed("文档不是 JSON 对象", "document is not a JSON object")
    proof = document.get("proof")
    if type(proof) is not dict:
        if isinstance(proof, list):
            raise Malformed(
                "不支持证明集", "proof sets are not supported (exactly one proof expected)"
            )
        if not isinstance(proof, Mapping):
            raise Malformed("文档没有 proof", "document has no proof")

    if proof.get("type") != DATA_INTEGRITY_PROOF:
        raise UnsupportedCryptosuite(
            "proof.type 必须是 DataIntegrityProof",
            f"proof.type must be DataIntegrityProof, got {str(proof.get('type'))[:60]!r}",
        )
    suite = proof.get("cryptosuite")
    if suite not in CRYPTOSUITE_KEY_TYPE:
        raise UnsupportedCryptosuite(
            "不支持的密码套件",
            f"unsupported cryptosuite {str(suite)[:60]!r} "
            f"(supported: {EDDSA_JCS_2022}, {ECDSA_JCS_2019})",
        )
    method_url = _required(proof, "verificationMethod")
    purpose = _required(proof, "proofPurpose")
    proof_value = _required(proof, "proofValue")
    created_text = _optional(proof, "created")
    created = parse(created_text, field="proof.created") if created_text else None
    expires_text = _optional(proof, "expires")
    expires = parse(expires_text, field="proof.expires") if expires_text else None
    proof_challenge = _optional(proof, "challenge")
    proof_domain = _optional(proof, "domain")

    # The proof options are the proof less ``proofValue``: a copy is made only where they are
    # canonicalized below, not for the verifier handed them canonical (`canonical_forms`).
    replaces_context = "@context" in proof  # the proof's replaces the document's (§3.3.2)
    if replaces_context:
        expected = _contexts(proof["@context"])
        actual = _contexts(document.get("@context"))
        if "@context" not in document or actual[: len(expected)] != expected:
            raise WrongContext(
                "文档的 @context 与证明中的 @context 不一致",
                "document @context does not start with the proof's @context",
            )

    try:
        signature = decode_base58btc(proof_value)
    except EncodingError as exc:
        raise Malformed(f"proofValue 编码无效：{exc.zh}", f"invalid proofValue: {exc.en}") from exc

    if expected_purpose is not None and purpose != expected_purpose:
        raise ProofMismatch(
            f"证明用途应为 {expected_purpose}，实际 {purpose}",
            f"proof purpose must be {expected_purpose}, got {purpose}",
        )
    if challenge is not None and proof_challenge != challenge:
        raise ProofMismatch("challenge 不符", "challenge does not match")
    if domain is not None and proof_domain != domain:
        raise ProofMismatch("domain 不符", f"domain does not match (expected {domain})")
    if expires is not None and now is not None and now > expires:
        raise Expired(f"证明已于 {expires_text} 过期", f"proof expired at {expires_text}")

    try:
        method = resolve(method_url)
    except IdentityError as exc:
        raise UnknownKey(
            f"无法解析验证方法：{exc.zh}",
            f"cannot resolve verification method {method_url[:200]}: {exc.en}",
        ) from exc
    if method.key_type is not CRYPTOSUITE_KEY_TYPE[suite]:
        raise UnknownKey(
            f"{suite} 需要 {CRYPTOSUITE_KEY_TYPE[suite].value} 密钥，而 {method_url} 是 "
            f"{method.key_type.value}",
            f"{suite} needs a {CRYPTOSUITE_KEY_TYPE[suite].value} key, "
            f"{method_url} is {method.key_type.value}",
        )
    if purpose not in method.relationships:
        raise UnknownKey(
            f"该密钥未被授权用于 {purpose}", f"key {method_url} is not authorised for {purpose}"
        )

    if forms is not None and forms.document is document and not replaces_context:
        # §3.3.4 with the Transformation's output already at hand (see `canonical_forms`).
        config = forms.proof_config
        if config is None:
            config = canonical(
                {name: value for name, value in proof.items() if name != "proofValue"}
            )
        data = hashlib.sha256(config).digest() + hashlib.sha256(forms.unsecured).digest()
    else:
        proof_options = {name: value for name, value in proof.items() if name != "proofValue"}
        unsecured_document = unsecured(document)
        if replaces_context:
            unsecured_document["@context"] = proof_options["@context"]
        data = hash_data(unsecured_document, proof_options)
    verify_signature(method.key_type, method.public_key, data, signature)
    return VerifiedProof(
        verification_method=method.id,
        controller=method.controller,
        key_type=method.key_type,
        cryptosuite=suite,
        proof_purpose=purpose,
        created=created,
        challenge=proof_challenge,
        domain=proof_domain,
    )


def sign_json(
    obj: Mapping[str, Any],
    key: KeyPair,
    verification_method: str | None = None,
    *,
    proof_purpose: str = "assertionMethod",
    created: datetime | str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """Secure any JSON object (a ballot, a challenge answer) — `add_proof` under a plainer name."""
    return add_proof(
        obj,
        key,
        verification_method=verification_method,
        proof_purpose=proof_purpose,
        created=created,
        challenge=challenge,
        domain=domain,
    )


def verify_signed_json(
    obj: Mapping[str, Any],
    *,
    resolve: Resolver = resolve_verification_method,
    expected_signer: str | None = None,
    expected_purpose: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    forms: CanonicalForms | None = None,
) -> VerifiedProof:
    """`verify_proof`, and when `expected_signer` (a DID) is given, that it signed."""
    result = verify_proof(
        obj,
        resolve=resolve,
        expected_purpose=expected_purpose,
        challenge=challenge,
        domain=domain,
        now=now,
        forms=forms,
    )
    if expected_signer is not None and result.controller != expected_signer:
        raise UnknownKey(
            f"签名者不是 {expected_signer}",
            f"signed by {result.controller}, not by {expected_signer}",
        )
    return result
