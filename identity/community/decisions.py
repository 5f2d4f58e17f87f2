"""Committee decisions the server keeps until enough members have signed them.

The server drafts a decision's document (what it would append), stores it with the
registration in force, and collects members' proofs one by one — each checked against that
registration (`identity.community.committee`). It never signs for anyone. What happens once
enough have signed (the entry is appended) is the caller's: this module only says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.community.committee import (
    DecisionError,
    DuplicateShare,
    Registration,
    WrongDocument,
    check_share,
    enough,
    with_proofs,
)
from identity.community.models import Community, DecisionRow, DecisionShareRow
from identity.w3c.dataintegrity import unsecured
from identity.w3c.jcs import canonical

PENDING, APPLIED, WITHDRAWN = "pending", "applied", "withdrawn"
MAX_SUBJECT = 400


class DecisionNotFound(DecisionError):
    """No decision has the given number in this community."""


class DecisionClosed(DecisionError):
    """The decision was applied or withdrawn already: nothing more to sign."""


@dataclass(frozen=True)
class PendingView:
    """A decision as members see it: what it says, who signed, how many more are needed."""

    id: int
    kind: str
    subject: str
    body: dict[str, Any]
    body_hash: str
    state: str
    signers: tuple[str, ...]
    needed: int
    members: int
    proposed_by: str
    entry_index: int | None


def propose(
    session: Session,
    *,
    community: Community,
    body: Mapping[str, Any],
    registration: Registration,
    subject: str,
    proposed_by: str,
) -> DecisionRow:
    """Keep a drafted decision (no proof yet); the same document proposed twice is one."""
    doc = unsecured(body)
    if doc.get("registration") != registration.hash or doc.get("community") != community.slug:
        raise WrongDocument(
            "决定须写明本小区及现行业委会备案",
            "a decision must name this community and the registration in force",
        )
    data = canonical(doc)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(DecisionRow).where(DecisionRow.body_hash == digest))
    if existing is not None:
        return existing
    row = DecisionRow(
        community_id=community.id,
        kind=str(doc.get("type", ""))[:40],
        subject=subject[:MAX_SUBJECT],
        body=data.decode(),
        body_hash=digest,
        registration_hash=registration.hash,
        proposed_by=proposed_by,
        state=PENDING,
    )
    session.add(row)
    session.flush()
    return row


def get(
    session: Session, community: Community, decision_id: int, *, lock: bool = False
) -> DecisionRow:
    query = select(DecisionRow).where(
        DecisionRow.id == decision_id, DecisionRow.community_id == community.id
    )
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise DecisionNotFound(f"没有第 {decision_id} 号决定", f"no decision {decision_id}")
    return row


def _shares(session: Session, row: DecisionRow) -> list[DecisionShareRow]:
    return list(
        session.scalars(
            select(DecisionShareRow)
            .where(DecisionShareRow.decision_id == row.id)
            .order_by(DecisionShareRow.position)
        )
    )


def proofs(session: Session, row: DecisionRow) -> list[dict[str, Any]]:
    """The shares kept so far, in the order they came."""
    return [json.loads(share.proof) for share in _shares(session, row)]


def body_of(row: DecisionRow) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row.body)
    return body


def add_share(
    session: Session, row: DecisionRow, proof: object, registration: Registration
) -> bool:
    """Keep one member's proof; True when the decision now has enough (the caller applies it
    in the same transaction). Take the row with ``lock=True`` first, so two members signing
    at once cannot both see "one short" or both apply."""
    if row.state != PENDING:
        raise DecisionClosed(
            "该决定已生效或已撤回", "this decision was applied or withdrawn already"
        )
    if row.registration_hash != registration.hash:
        raise WrongDocument(
            "业委会备案已变更，该决定须重新提出",
            "the committee's registration changed since this was proposed; propose it again",
        )
    share = check_share(body_of(row), proof, registration)
    kept = _shares(session, row)
    if share.signer in {k.signer for k in kept}:
        raise DuplicateShare("您已签署过该决定", f"{share.signer} has signed this decision already")
    try:
        with session.begin_nested():
            session.add(
                DecisionShareRow(
                    decision_id=row.id,
                    signer=share.signer,
                    proof=canonical(dict(share.proof)).decode(),
                    position=len(kept),
                )
            )
    except IntegrityError as exc:  # the same member, at the same moment, in another request
        raise DuplicateShare(
            "您已签署过该决定", f"{share.signer} has signed this decision already"
        ) from exc
    return enough(len(kept) + 1, registration)


def signed_document(session: Session, row: DecisionRow) -> dict[str, Any]:
    """The document as the log will keep it: body and every kept proof."""
    return with_proofs(body_of(row), proofs(session, row))


def mark_applied(row: DecisionRow, *, index: int, now: datetime) -> None:
    row.state, row.entry_index, row.applied_at = APPLIED, index, now


def view(session: Session, row: DecisionRow, registration: Registration | None) -> PendingView:
    shares = _shares(session, row)
    members = len(registration.members) if registration is not None else 0
    return PendingView(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        body=body_of(row),
        body_hash=row.body_hash,
        state=row.state,
        signers=tuple(share.signer for share in shares),
        needed=registration.needed if registration is not None else 0,
        members=members,
        proposed_by=row.proposed_by,
        entry_index=row.entry_index,
    )


def listed(session: Session, community: Community, state: str | None = None) -> list[DecisionRow]:
    query = select(DecisionRow).where(DecisionRow.community_id == community.id)
    if state is not None:
        query = query.where(DecisionRow.state == state)
    return list(session.scalars(query.order_by(DecisionRow.id.desc()).limit(200)))
