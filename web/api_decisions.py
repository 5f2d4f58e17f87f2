"""Committee decisions awaiting members' signatures: list them, and sign one.

A decision (open a ballot, close it, attest an owner's new key) is drafted by the server and
takes effect only once more than the registration's fraction of all registered members
have signed the very document on their own devices. Signing needs no session: the proof is
the member's own, checked against the registration in force, and it is what the log keeps.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from identity.community import decisions, registrations
from identity.community.models import Community, DecisionRow
from identity.community.registrations import NoCommittee
from identity.community.registry import get_community
from identity.w3c.jcs import canonical
from web.bounds import IdPath
from web.deps import ServicesDep, SessionDep
from web.error_responses import errors
from web.services import Services

router = APIRouter(prefix="/api")


class DecisionPublic(BaseModel):
    id: int
    type: str
    subject: str
    state: str  # pending | applied
    document: dict[str, Any]  # what members sign: the entry without its proof
    canonical: str  # the same, as the RFC 8785 bytes a signature covers
    document_hash: str
    signers: list[str]
    needed: int
    members: int
    proposed_by: str
    entry_index: int | None


class ShareCreate(BaseModel):
    proof: dict[str, Any]


def decision_public(session: Session, services: Services, row: DecisionRow) -> DecisionPublic:
    community = session.get(Community, row.community_id)
    assert community is not None  # a foreign key
    try:
        registration = services.registration(session, community)
    except NoCommittee:
        registration = None
    shown = decisions.view(session, row, registration)
    return DecisionPublic(
        id=shown.id,
        type=shown.kind,
        subject=shown.subject,
        state=shown.state,
        document=shown.body,
        canonical=canonical(shown.body).decode(),
        document_hash=shown.body_hash,
        signers=list(shown.signers),
        needed=shown.needed,
        members=shown.members,
        proposed_by=shown.proposed_by,
        entry_index=shown.entry_index,
    )


@router.get(
    "/communities/{slug}/registrations",
    response_model=list[dict[str, Any]],
    responses=errors(404),
)
def list_registrations(slug: str, session: SessionDep) -> list[dict[str, Any]]:
    """The committee's registrations (业委会备案) exactly as the street office signed them,
    oldest first: what a device checks decisions against, given the office's root DID."""
    return registrations.documents(session, get_community(session, slug))


@router.get(
    "/communities/{slug}/decisions",
    response_model=list[DecisionPublic],
    responses=errors(404),
)
def list_decisions(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    state: Literal["pending", "applied"] | None = Query(default=None),
) -> list[DecisionPublic]:
    """The community's decisions, newest first: what each says, who signed, how many more."""
    community = get_community(session, slug)
    return [
        decision_public(session, services, row)
        for row in decisions.listed(session, community, state)
    ]


@router.post(
    "/communities/{slug}/decisions/{decision_id}/signatures",
    response_model=DecisionPublic,
    responses=errors(400, 404, 409),
)
def sign(
    slug: str, decision_id: IdPath, body: ShareCreate, services: ServicesDep
) -> DecisionPublic:
    """One member's signature on a decision; once enough have signed it is appended."""
    with services.db.session() as session:
        community = get_community(session, slug)
        row, applied = services.sign_decision(session, community, decision_id, body.proof)
        kind = row.kind
    services.decided(applied, kind)  # committed: anchor a closed ballot's head now
    with services.db.session(write=False) as session:
        return decision_public(
            session, services, decisions.get(session, get_community(session, slug), decision_id)
        )
