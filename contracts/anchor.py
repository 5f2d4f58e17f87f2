"""Client of the `LogAnchor` contract (contracts/src/LogAnchor.sol) on any `Chain`.

Log ids, roots and proof nodes are 32-byte values; a proof is RFC 9162 §2.1.4.1
PROOF(anchored size, D[tree size]). A refusal by the contract raises `AnchorRejected`
naming the contract's custom error, with a message in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from contracts.abi import decode_event, event_topic
from contracts.chain import Chain
from contracts.client import ContractClient, Messages, TxReceipt
from contracts.errors import AnchorRejected, ChainError, ProofRejected

CONTRACT = "LogAnchor"
MAX_TREE_SIZE = 2**64 - 1  # the contract stores sizes as uint64


AnchorReceipt = TxReceipt


class AnchoredHead(NamedTuple):
    """The latest anchored head of a log."""

    tree_size: int
    root: bytes
    block_number: int


@dataclass(frozen=True, slots=True)
class HeadAnchored:
    """One `HeadAnchored` event: a head accepted by the contract."""

    log_id: bytes
    tree_size: int
    root: bytes
    previous_size: int
    block_number: int
    tx_hash: bytes


_MESSAGES: Messages = {
    "LogAnchorUnauthorizedAnchorer": lambda caller: (
        f"账户 {caller} 无权锚定树头",
        f"account {caller} may not anchor heads",
    ),
    "LogAnchorUnauthorizedAdmin": lambda caller: (
        f"账户 {caller} 不是合约管理员",
        f"account {caller} is not the contract's admin",
    ),
    "LogAnchorInvalidAnchorer": lambda account: (
        f"地址 {account} 不能成为锚定人",
        f"address {account} cannot be an anchorer",
    ),
    "LogAnchorEmptyTree": lambda log_id: (
        "树头必须至少包含一个条目",
        "a tree head must cover at least one entry",
    ),
    "LogAnchorUnexpectedProof": lambda log_id: (
        "日志的第一个树头不带证明",
        "a log's first head is anchored without a proof",
    ),
    "LogAnchorShrunk": lambda log_id, anchored, size: (
        f"新树头大小 {size} 小于已锚定的 {anchored}：日志只增不减",
        f"new head size {size} is below the anchored {anchored}: a log never shrinks",
    ),
    "LogAnchorAlreadyAnchored": lambda log_id, size: (
        f"大小为 {size} 的树头已经锚定",
        f"the head of size {size} is already anchored",
    ),
    "LogAnchorConflictingRoot": lambda log_id, size, anchored_root, root: (
        f"大小 {size} 已锚定了不同的根：历史被改写",
        f"a different root is anchored for size {size}: the history was rewritten",
    ),
    "LogAnchorInconsistent": lambda log_id, anchored, size: (
        f"从 {anchored} 到 {size} 的一致性证明不成立：历史可能被改写",
        f"the consistency proof from {anchored} to {size} fails: history may have been rewritten",
    ),
}


def _check_bytes32(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ChainError(f"{what} 必须是 32 字节", f"{what} must be 32 bytes")


def _check_size(size: int, what: str) -> None:
    if not 0 <= size <= MAX_TREE_SIZE:
        raise ChainError(f"{what} {size} 超出范围", f"{what} {size} is out of range")


class AnchorContract(ContractClient):
    """A deployed `LogAnchor` at `address` on `chain`."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, CONTRACT, _MESSAGES, AnchorRejected)

    def anchor(
        self, log_id: bytes, tree_size: int, root: bytes, proof: Sequence[bytes]
    ) -> AnchorReceipt:
        """Anchor head (tree_size, root) of `log_id`, proved consistent with the anchored one."""
        _check_bytes32(log_id, "log id")
        _check_bytes32(root, "root")
        _check_size(tree_size, "tree size")
        for node in proof:
            _check_bytes32(node, "proof node")
        return self._transact("anchor", [log_id, tree_size, root, list(proof)])

    def head(self, log_id: bytes) -> AnchoredHead | None:
        """The latest anchored head of `log_id`, or None if none was anchored."""
        _check_bytes32(log_id, "log id")
        size, root, block = self._call("head", [log_id])
        return None if size == 0 else AnchoredHead(size, bytes(root), block)

    def root_at(self, log_id: bytes, tree_size: int) -> bytes | None:
        """The root anchored for `log_id` at `tree_size`, or None if that size never was."""
        _check_bytes32(log_id, "log id")
        _check_size(tree_size, "tree size")
        (root,) = self._call("rootAt", [log_id, tree_size])
        return None if root == bytes(32) else bytes(root)

    def anchored(self, log_id: bytes, from_block: int = 0) -> list[HeadAnchored]:
        """Every head of `log_id` the contract accepted, oldest first."""
        _check_bytes32(log_id, "log id")
        topic = event_topic(self.abi, "HeadAnchored")
        found = []
        for log in self.chain.logs(self.address, [topic, log_id], from_block):
            fields = decode_event(self.abi, "HeadAnchored", log.topics, log.data)
            found.append(
                HeadAnchored(
                    log_id=bytes(fields["logId"]),
                    tree_size=fields["treeSize"],
                    root=bytes(fields["root"]),
                    previous_size=fields["previousSize"],
                    block_number=log.block_number,
                    tx_hash=log.tx_hash,
                )
            )
        return found

    def verify_consistency(
        self, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
    ) -> None:
        """Ask the contract's own verifier (RFC 9162 §2.1.4.2); raise `ProofRejected` if the
        proof does not show D[old_size] is a prefix of D[new_size]."""
        _check_size(old_size, "old size")
        _check_size(new_size, "new size")
        for value in (old_root, new_root, *proof):
            _check_bytes32(value, "hash")
        (valid,) = self._call(
            "verifyConsistency", [old_size, new_size, old_root, new_root, list(proof)]
        )
        if not valid:
            raise ProofRejected(
                f"链上验证：{old_size} 到 {new_size} 的一致性证明不成立",
                f"on-chain check: the consistency proof from {old_size} to {new_size} fails",
            )

    def is_anchorer(self, account: str) -> bool:
        (allowed,) = self._call("isAnchorer", [account])
        return bool(allowed)

    def admin(self) -> str:
        (account,) = self._call("admin", [])
        return str(account)

    def add_anchorer(self, account: str) -> AnchorReceipt:
        """Let `account` anchor heads (the admin only)."""
        return self._transact("addAnchorer", [account])

    def remove_anchorer(self, account: str) -> AnchorReceipt:
        """Withdraw `account`'s right to anchor heads (the admin only)."""
        return self._transact("removeAnchorer", [account])
