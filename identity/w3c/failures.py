"""What the DID / credential core refuses, one class per reason (all are `IdentityError`).

Every class carries a stable `reason` code so callers (the web layer, the CLI) can name the
failure without parsing messages; messages themselves are bilingual (中文 / English).
"""

from __future__ import annotations

from typing import ClassVar

from identity.errors import IdentityError


class EncodingError(IdentityError):
    """A multibase / multicodec value cannot be decoded."""

    reason: ClassVar[str] = "bad_encoding"


class InvalidDid(IdentityError):
    """Not a well-formed did:key DID or DID URL (prefix, base58, length, curve point)."""

    reason: ClassVar[str] = "invalid_did"


class UnsupportedDid(InvalidDid):
    """A syntactically valid DID whose method or key type we do not support."""

    reason: ClassVar[str] = "unsupported_did"


class KeyFormatError(IdentityError):
    """Private or public key bytes of the wrong size or out of range."""

    reason: ClassVar[str] = "bad_key"


class JcsError(IdentityError):
    """A value that RFC 8785 cannot canonicalize (NaN, huge integer, lone surrogate, …)."""

    reason: ClassVar[str] = "not_canonicalizable"


class StatusListError(IdentityError):
    """A status list that cannot be built, decoded or indexed as asked."""

    reason: ClassVar[str] = "bad_status_list"


class VerificationError(IdentityError):
    """A proof or credential was refused; the subclass names why."""

    reason: ClassVar[str] = "invalid"


class Malformed(VerificationError):
    """Required fields are missing or have the wrong form."""

    reason: ClassVar[str] = "malformed"


class UnsupportedCryptosuite(Malformed):
    """The proof is not a DataIntegrityProof with eddsa-jcs-2022 or ecdsa-jcs-2019."""

    reason: ClassVar[str] = "unsupported_cryptosuite"


class WrongContext(VerificationError):
    """`@context` is missing, in the wrong order, or not covered by the proof."""

    reason: ClassVar[str] = "wrong_context"


class BadSignature(VerificationError):
    """The signature does not verify over the canonical document and proof options."""

    reason: ClassVar[str] = "bad_signature"


class UnknownKey(VerificationError):
    """The verification method cannot be resolved, or is not the issuer's / not authorised."""

    reason: ClassVar[str] = "unknown_key"


class ProofMismatch(VerificationError):
    """Proof purpose, challenge or domain differ from what the verifier expects."""

    reason: ClassVar[str] = "proof_mismatch"


class Expired(VerificationError):
    """`validUntil` (or a proof's `expires`) lies before the verification time."""

    reason: ClassVar[str] = "expired"


class NotYetValid(VerificationError):
    """`validFrom` lies after the verification time."""

    reason: ClassVar[str] = "not_yet_valid"


class Revoked(VerificationError):
    """The credential's revocation bit is set in its issuer's status list."""

    reason: ClassVar[str] = "revoked"


class Suspended(Revoked):
    """The credential's suspension bit is set in its issuer's status list."""

    reason: ClassVar[str] = "suspended"


class StatusUnavailable(VerificationError):
    """The status list a credential points at was not available to the verifier."""

    reason: ClassVar[str] = "status_unavailable"


class UntrustedIssuer(VerificationError):
    """The issuer is neither a trusted root nor backed by a valid committee registration."""

    reason: ClassVar[str] = "untrusted_issuer"
