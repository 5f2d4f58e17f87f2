"""The one error base of `contracts`, and the failures a caller may want to tell apart."""

from __future__ import annotations


class ChainError(Exception):
    """Anything that went wrong talking to the chain or inside a contract.

    The message comes in two halves kept apart, `zh` (中文) and `en` (English); ``str()``
    joins them as ``中文 / English``.
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


class ChainUnavailable(ChainError):
    """The node did not answer: nothing was sent, the caller may retry later."""


class ChainReset(ChainError):
    """The chain no longer holds the contract it held before: it was reset or replaced."""


class ContractReverted(ChainError):
    """A contract call reverted; `data` is the raw revert data (ABI-encoded error, or empty).

    Nothing was changed on the chain: transactions are simulated before they are sent.
    """

    def __init__(self, zh: str, en: str, data: bytes = b"") -> None:
        super().__init__(zh, en)
        self.data = data


class ContractRejected(ContractReverted):
    """A contract refused a call; `error` names its custom error, `error_args` its fields."""

    def __init__(self, zh: str, en: str, error: str, args: tuple[object, ...], data: bytes) -> None:
        super().__init__(zh, en, data)
        self.error = error
        self.error_args = args


class AnchorRejected(ContractRejected):
    """`LogAnchor` refused a call."""


class RegistryRejected(ContractRejected):
    """`BallotRegistry` refused a call."""


class ProofRejected(ChainError):
    """The contract's verifier found a consistency proof invalid (RFC 9162 §2.1.4.2)."""
