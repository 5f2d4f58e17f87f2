"""The one error base of the voting package; every check in voting/ raises a subclass."""

from __future__ import annotations

from typing import Self


class VotingError(Exception):
    """Base of every error voting/ raises.

    The message comes in two halves kept apart, `zh` (中文) and `en` (English), and, when
    the error comes from an input document, `where` it is, e.g. ``units[3].area``;
    ``str()`` gives ``units[3].area: 中文 / English``; `bilingual()` puts the location before
    each half. A refused vote may carry a `code` naming why (``"twice"``, ``"malformed"``…),
    so that whoever counts refusals (`web.server.refusals`) need not read the wording.
    """

    def __init__(self, zh: str, en: str, *, where: str = "", code: str = "") -> None:
        self.zh = zh
        self.en = en
        self.where = where
        self.code = code
        super().__init__(zh, en)

    def bilingual(self) -> tuple[str, str]:
        """The two halves as shown to a reader, each led by where the error is."""
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh}", f"{prefix}{self.en}"

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh} / {self.en}"

    def at(self, where: str) -> Self:
        """The same error, located at ``where`` (prepended to any finer location)."""
        if not self.where:
            located = where
        elif self.where.startswith("["):
            located = f"{where}{self.where}"
        else:
            located = f"{where}.{self.where}"
        return type(self)(self.zh, self.en, where=located, code=self.code)


class AreaError(VotingError):
    """An area is malformed, not positive, or out of range."""


class MatterError(VotingError):
    """A matter number is not one of the nine matters of Civil Code Art. 278."""


class CensusError(VotingError):
    """The units cannot form a census: duplicate unit, bad holder, mixed developer flags…"""


class VoteError(VotingError):
    """A vote names a holder outside the census or a choice that does not exist."""
