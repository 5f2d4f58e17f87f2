"""What every contract client here shares: calls and transactions whose reverts come back as
the contract's own custom error, rendered in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from contracts.abi import Abi, decode_error
from contracts.chain import Chain, load_artifact
from contracts.errors import ChainError, ContractRejected, ContractReverted

#: custom error name → (fields → (zh, en))
Messages = Mapping[str, Callable[..., tuple[str, str]]]


class TxReceipt(NamedTuple):
    tx_hash: bytes
    block_number: int
    gas_used: int


class ContractClient:
    """A deployed contract `name` at `address` on `chain`; refusals raise `rejected`."""

    def __init__(
        self,
        chain: Chain,
        address: str,
        name: str,
        messages: Messages,
        rejected: type[ContractRejected],
    ) -> None:
        self.chain = chain
        self.address = address
        self.abi: Abi = load_artifact(name).abi
        self._messages = messages
        self._rejected_type = rejected

    def _rejected(self, exc: ContractReverted) -> ChainError:
        decoded = decode_error(self.abi, exc.data)
        if decoded is None:
            return exc
        render = self._messages.get(decoded.name)
        if render is not None:
            zh, en = render(*decoded.args)
        else:
            zh, en = f"合约拒绝：{decoded.name}{decoded.args}", f"contract refused: {decoded.name}"
        return self._rejected_type(
            f"{zh} [{decoded.name}]", f"{en} [{decoded.name}]", decoded.name, decoded.args, exc.data
        )

    def _transact(self, fn: str, args: Sequence[Any]) -> TxReceipt:
        try:
            receipt = self.chain.transact(self.address, self.abi, fn, args)
        except ContractReverted as exc:
            raise self._rejected(exc) from exc
        return TxReceipt(receipt.tx_hash, receipt.block_number, receipt.gas_used)

    def _call(self, fn: str, args: Sequence[Any]) -> tuple[Any, ...]:
        try:
            return self.chain.call(self.address, self.abi, fn, args)
        except ContractReverted as exc:
            raise self._rejected(exc) from exc
