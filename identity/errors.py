"""The one error base of the identity package."""

from __future__ import annotations


class IdentityError(Exception):
    """Base of every error identity/ raises.

    The message comes in two halves kept apart, `zh` (中文) and `en` (English), so no one
    ever has to recover them by splitting text (a Chinese half may itself hold " / ");
    ``str()`` joins them as ``中文 / English`` for logs and the command line.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.zh = zh
        self.en = en

    def bilingual(self) -> tuple[str, str]:
        """The two halves as shown to a reader."""
        return self.zh, self.en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def explain(zh: str, en: str, cause: Exception) -> tuple[str, str]:
    """``(zh：cause-zh, en: cause-en)``: the halves of a message that wraps `cause`, taken from
    its own halves when it is one of ours (never by splitting its text)."""
    if isinstance(cause, IdentityError):
        cause_zh, cause_en = cause.zh, cause.en
    else:
        cause_zh = cause_en = str(cause)
    return f"{zh}：{cause_zh}", f"{en}: {cause_en}"
