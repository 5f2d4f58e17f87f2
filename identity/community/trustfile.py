"""The pinned trust file: the chain, the anchoring contract and the street offices' roots.

::

    {"type": "GongzhiTrust", "version": 1, "chainId": 31337,
     "contract": "0x…", "roots": ["did:key:…"]}

Nothing more: everything else a verifier needs is derived from these (the committee from
root-signed registrations, log ids from origins, log keys from registrations and ballots).
The contract address is kept in lowercase hex so two copies compare byte for byte. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from identity.errors import IdentityError
from identity.w3c.didkey import Did

TRUST_TYPE = "GongzhiTrust"
TRUST_VERSION = 1
MAX_CHAIN_ID = 2**63 - 1
MAX_ROOTS = 16
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class TrustFileError(IdentityError):
    """A trust file that is malformed; ``zh`` and ``en`` are kept apart."""


@dataclass(frozen=True)
class Trust:
    chain_id: int
    contract: str
    roots: frozenset[str]

    def document(self) -> dict[str, Any]:
        return {
            "type": TRUST_TYPE,
            "version": TRUST_VERSION,
            "chainId": self.chain_id,
            "contract": self.contract,
            "roots": sorted(self.roots),
        }


def check_chain_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_CHAIN_ID:
        raise TrustFileError("chainId 须为正整数", "chainId must be a positive integer")
    return value


def check_contract(value: object) -> str:
    if not isinstance(value, str) or _ADDRESS.fullmatch(value) is None:
        raise TrustFileError(
            "contract 须为 0x 开头的 40 位十六进制地址",
            "contract must be an address: 0x and 40 hex digits",
        )
    return value.lower()


def build_trust(*, chain_id: int, contract: str, roots: Iterable[str]) -> Trust:
    checked: set[str] = set()
    for root in roots:
        try:
            checked.add(Did.parse(root).value)
        except IdentityError as exc:
            raise TrustFileError(
                f"根 DID 无效：{root[:80]}", f"invalid root DID: {root[:80]}"
            ) from exc
    if not 1 <= len(checked) <= MAX_ROOTS:
        raise TrustFileError(
            f"须有 1 至 {MAX_ROOTS} 个根 DID", f"there must be 1 to {MAX_ROOTS} root DIDs"
        )
    return Trust(check_chain_id(chain_id), check_contract(contract), frozenset(checked))


def parse_trust(document: object) -> Trust:
    """A trust file's JSON value, refused whole when anything is off or added."""
    if not isinstance(document, Mapping) or document.get("type") != TRUST_TYPE:
        raise TrustFileError(f"不是信任文件（type 应为 {TRUST_TYPE}）", f"not a {TRUST_TYPE} file")
    if document.get("version") != TRUST_VERSION:
        raise TrustFileError("信任文件版本不受支持", "unsupported trust file version")
    if set(document) != {"type", "version", "chainId", "contract", "roots"}:
        raise TrustFileError(
            "信任文件须且仅须有 type、version、chainId、contract、roots",
            "a trust file has exactly type, version, chainId, contract and roots",
        )
    roots = document["roots"]
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise TrustFileError("roots 须为 DID 列表", "roots must be a list of DIDs")
    if len(set(roots)) != len(roots):
        raise TrustFileError("roots 有重复", "roots lists a DID twice")
    return build_trust(chain_id=document["chainId"], contract=document["contract"], roots=roots)
