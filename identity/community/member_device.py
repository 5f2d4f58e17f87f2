"""What a committee member's own device checks before it signs what the server hands it.

The server proposes; the member's device decides what it puts its key to. A pending
decision must be this community's, carry no proof, and match the hash the server lists
(``document_hash`` = lowercase hex SHA-256 of the RFC 8785 form of the unsigned document).
A queued credential must be an ``OwnershipCredential`` of this community whose issuer is
this member, unsigned: the device never signs a registration, a role or another
community's credential whatever the server sends. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from identity.community.trust import OWNERSHIP, OwnershipClaim, UnitHolding, parse_claim
from identity.errors import IdentityError
from identity.w3c.credential import parse_credential
from identity.w3c.jcs import canonical


class RefusedToSign(IdentityError):
    """The device will not sign this; ``zh`` and ``en`` say why."""


@dataclass(frozen=True)
class PendingDecision:
    id: str
    type: str
    document: dict[str, Any]
    document_hash: str
    signers: tuple[str, ...]
    needed: int
    members: int
    state: str

    @property
    def missing(self) -> int:
        """How many more members must sign."""
        return max(0, self.needed - len(self.signers))


def document_hash(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(dict(document))).hexdigest()


def _count(value: object, name: str) -> int:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise RefusedToSign(
        f"待决事项的 {name} 字段不对", f"the pending decision's {name} is malformed"
    )


def parse_pending(item: object, community: str) -> PendingDecision:
    """A decision as ``GET …/decisions/{id}`` gives it, checked as the device must before it
    shows the document for signing: its hash holds."""
    return _parse(item, community, "document")


def parse_listed(item: object, community: str) -> PendingDecision:
    """One item of ``GET …/decisions``: its ``summary`` (the document with the census's rows
    left out) stands in for the document. Only to list; to sign, fetch the decision whole
    and `parse_pending` it — the hash is checked on what is signed, not on a summary."""
    return _parse(item, community, "summary")


def _parse(item: object, community: str, field: str) -> PendingDecision:
    if not isinstance(item, Mapping):
        raise RefusedToSign("待决事项不是 JSON 对象", "a pending decision is not a JSON object")
    ident, document, digest = item.get("id"), item.get(field), item.get("document_hash")
    signers = item.get("signers")
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        raise RefusedToSign("待决事项没有编号", "a pending decision has no id")
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise RefusedToSign(
            f"待决事项 {ident} 没有文件", f"pending decision {ident} has no document"
        )
    if "proof" in document:
        raise RefusedToSign(
            f"待决事项 {ident} 的文件已带签名", f"pending decision {ident}'s document has a proof"
        )
    if document.get("community") != community:
        raise RefusedToSign(
            f"待决事项 {ident} 不属于小区 {community}",
            f"pending decision {ident} is not community {community}'s",
        )
    if not isinstance(digest, str) or (field == "document" and digest != document_hash(document)):
        raise RefusedToSign(
            f"待决事项 {ident} 的文件与其哈希不符",
            f"pending decision {ident}'s document does not match its document_hash",
        )
    if not isinstance(signers, list) or not all(isinstance(s, str) for s in signers):
        raise RefusedToSign(
            f"待决事项 {ident} 的签名人列表不对", f"pending decision {ident} lists signers wrongly"
        )
    return PendingDecision(
        id=str(ident),
        type=str(document["type"]),
        document=document,
        document_hash=digest,
        signers=tuple(signers),
        needed=_count(item.get("needed"), "needed"),
        members=_count(item.get("members"), "members"),
        state=str(item.get("state", "pending")),
    )


@dataclass(frozen=True)
class QueuedOwnership:
    """An ownership credential the server queued for this member to sign."""

    credential: dict[str, Any]
    owner: str
    units: tuple[UnitHolding, ...]


def check_queued(credential: object, community: str, issuer: str) -> QueuedOwnership:
    """A queued ownership credential this member may sign, or `RefusedToSign`."""
    if not isinstance(credential, dict):
        raise RefusedToSign("待签凭证不是 JSON 对象", "a queued credential is not a JSON object")
    if "proof" in credential:
        raise RefusedToSign("待签凭证已带签名", "a queued credential is already signed")
    try:
        view = parse_credential(credential, require_proof=False)
        claim = parse_claim(view)
    except IdentityError as exc:
        raise RefusedToSign("待签凭证格式不对", f"a queued credential is malformed: {exc}") from exc
    if OWNERSHIP not in view.types or not isinstance(claim, OwnershipClaim):
        raise RefusedToSign(
            "只签业主身份凭证，不签其他凭证",
            f"only ownership credentials are signed here, not {', '.join(view.types)[:80]}",
        )
    if view.issuer != issuer:
        raise RefusedToSign(
            "待签凭证的签发者不是本委员", f"the queued credential's issuer is {view.issuer}"
        )
    if claim.community_id != community:
        raise RefusedToSign(
            f"待签凭证属于另一小区 {claim.community_id}",
            f"the queued credential is for another community, {claim.community_id}",
        )
    return QueuedOwnership(credential, claim.owner, claim.units)
