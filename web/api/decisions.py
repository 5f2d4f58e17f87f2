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
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import decisions, registrations
from identity.community.models import Community, DecisionRow
from identity.community.registrations import NoCommittee
from identity.community.registry import get_community
from identity.w3c.jcs import canonical
from voting.errors import VotingError
from voting.models import Ballot
from web.server.bounds import IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors
from web.server.services import Services

router = APIRouter(prefix="/api")


class BallotNamed(BaseModel):
    """The ballot a decision acts on, as the server knows it: the signed document names it
    only by its origin, so a member would sign without seeing which ballot it is."""

    title: str
    items: dict[str, str]  # item id → its title


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
    ballot: BallotNamed | None  # beside the document, not part of what is signed


class DecisionSummary(BaseModel):
    """A decision as listed: what it does and who signed, without the census's rows (which
    grow with the community: the full body is ``GET …/decisions/{id}``, what a member signs)."""

    id: int
    type: str
    subject: str
    state: str  # pending | applied
    summary: dict[str, Any]  # the document, a census shown by its root, totals and size
    document_hash: str  # of the whole document, as signed
    signers: list[str]
    needed: int
    members: int
    proposed_by: str
    entry_index: int | None
    ballot: BallotNamed | None  # beside the document, not part of what is signed


def summarised(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a census's voter rows replaced by their number (pure)."""
    census = document.get("census")
    if not isinstance(census, dict) or not isinstance(census.get("voters"), list):
        return document
    short = {k: v for k, v in census.items() if k != "voters"}
    return document | {"census": short | {"voterCount": len(census["voters"])}}


class ShareCreate(BaseModel):
    proof: dict[str, Any]


def _view(session: Session, services: Services, row: DecisionRow) -> decisions.PendingView:
    community = session.get(Community, row.community_id)
    assert community is not None  # a foreign key
    try:
        registration = services.registration(session, community)
    except NoCommittee:
        registration = None
    return decisions.view(session, row, registration)


def _ballot_named(session: Session, services: Services, row: DecisionRow) -> BallotNamed | None:
    """The titles of the ballot whose origin the decision's subject is; None when no ballot
    of this server has that origin (a registration, say) or it is archived."""
    community = session.get(Community, row.community_id)
    assert community is not None  # a foreign key
    ballot = session.scalar(
        select(Ballot).where(
            Ballot.log_origin == row.subject, Ballot.community_slug == community.slug
        )
    )
    if ballot is None:
        return None
    try:
        shown = services.views.shown(session, ballot)
    except VotingError:  # an archived ballot: the origin alone, as before
        return None
    items = {str(i["id"]): str(i.get("title", "")) for i in shown.items if "id" in i}
    return BallotNamed(title=shown.title, items=items)


def decision_public(session: Session, services: Services, row: DecisionRow) -> DecisionPublic:
    shown = _view(session, services, row)
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
        ballot=_ballot_named(session, services, row),
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
    response_model=list[DecisionSummary],
    responses=errors(404),
)
def list_decisions(
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    state: Literal["pending", "applied"] | None = Query(default=None),
) -> list[DecisionSummary]:
    """The community's decisions, newest first: what each says (census rows left out), who
    signed, how many more. A member's device fetches the one it signs whole."""
    community = get_community(session, slug)
    out = []
    for row in decisions.listed(session, community, state):
        shown = _view(session, services, row)
        out.append(
            DecisionSummary(
                id=shown.id,
                type=shown.kind,
                subject=shown.subject,
                state=shown.state,
                summary=summarised(shown.body),
                document_hash=shown.body_hash,
                signers=list(shown.signers),
                needed=shown.needed,
                members=shown.members,
                proposed_by=shown.proposed_by,
                entry_index=shown.entry_index,
                ballot=_ballot_named(session, services, row),
            )
        )
    return out


@router.get(
    "/communities/{slug}/decisions/{decision_id}",
    response_model=DecisionPublic,
    responses=errors(404),
)
def get_decision(
    slug: str, decision_id: IdPath, session: SessionDep, services: ServicesDep
) -> DecisionPublic:
    """One decision whole: the very document members sign, and its RFC 8785 bytes."""
    return decision_public(
        session, services, decisions.get(session, get_community(session, slug), decision_id)
    )


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
