"""The one error base of the identity package."""

from __future__ import annotations


class IdentityError(Exception):
    """Base of every error identity/ raises; messages are bilingual (中文 / English)."""
