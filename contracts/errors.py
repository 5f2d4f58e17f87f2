"""The one error base of `contracts`, and the failures a caller may want to tell apart."""

from __future__ import annotations


class ChainError(Exception):
    """Anything that went wrong talking to the chain or inside a contract."""


class ChainUnavailable(ChainError):
    """The node did not answer: nothing was sent, the caller may retry later."""


class ChainReset(ChainError):
    """The chain no longer holds the contract it held before: it was reset or replaced."""


class ContractReverted(ChainError):
    """A contract call reverted; `data` is the raw revert data (ABI-encoded error, or empty).

    Nothing was changed on the chain: transactions are simulated before they are sent.
    """

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


class AnchorRejected(ContractReverted):
    """`LogAnchor` refused a call; `error` names its custom error, `error_args` its fields."""

    def __init__(self, message: str, error: str, args: tuple[object, ...], data: bytes) -> None:
        super().__init__(message, data)
        self.error = error
        self.error_args = args


class ProofRejected(ChainError):
    """The contract's verifier found a consistency proof invalid (RFC 9162 §2.1.4.2)."""
