"""Personal data at rest: AES-256-GCM encryption and a keyed lookup hash (pure, no I/O).

Names, ID-card and phone numbers are never stored in clear. A row is found again through
HMAC-SHA-256 under a separate derived key, so the lookup column reveals nothing without the
key and the ciphertext cannot be matched across installations.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from identity.community.idnumbers import normalise
from identity.errors import IdentityError

KEY_SIZE = 32
_NONCE = 12


class PiiError(IdentityError):
    """Personal data could not be decrypted (wrong key or altered ciphertext)."""


class PiiCipher:
    """Encrypts personal fields; the field name is bound in as AAD so columns cannot be swapped."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_SIZE:
            raise PiiError("个人信息密钥必须是 32 字节", "the personal-data key must be 32 bytes")
        self._aead = AESGCM(hmac.digest(master_key, b"gongzhi pii encryption v1", "sha256"))
        self._lookup_key = hmac.digest(master_key, b"gongzhi pii lookup v1", "sha256")

    def encrypt(self, plaintext: str, *, field: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), field.encode())

    def decrypt(self, blob: bytes, *, field: str) -> str:
        try:
            return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], field.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise PiiError(
                f"无法解密个人信息（{field}）：密钥错误或数据被改动",
                f"cannot decrypt personal field {field}: wrong key or altered data",
            ) from exc

    def lookup(self, value: str, *, field: str) -> str:
        """A keyed hash of a normalised value, for finding a row without decrypting all rows."""
        normalised = normalise(value)  # NFKC, invisible characters out: one hash per person
        return hmac.new(
            self._lookup_key, f"{field}\x00{normalised}".encode(), hashlib.sha256
        ).hexdigest()
