"""The API of a ballot's life after it is proposed: opening, cancelling, objections and their
answers, the final result, proxies — and the community's rules of procedure that shape it.

Committee acts answer 202 with the pending decision (it takes effect once enough members
have signed it). Owners' documents (proxy mandates, withdrawals, objections) need no
session: each is signed on the owner's device, and what the log keeps is that document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from identity.community.registry import get_community
from ledger.tlog.store import LogStore
from voting import ballots
from web.api.ballots import ReceiptPublic, committed_receipt
from web.api.decisions import DecisionPublic, decision_public
from web.auth.sessions import BallotCommitteeDep, CommitteeDep
from web.server import ballot_acts
from web.server.bounds import BoundedInt, IdPath
from web.server.deps import ServicesDep, SessionDep
from web.server.error_responses import errors

router = APIRouter(prefix="/api")


def _act(path: str) -> Callable[[Callable[..., DecisionPublic]], Callable[..., DecisionPublic]]:
    """A committee act: answered 202 with the decision pending members' signatures."""
    return router.post(
        path, status_code=202, response_model=DecisionPublic, responses=errors(401, 403, 404, 409)
    )


@_act("/ballots/{ballot_id}/open")
def propose_opening(
    ballot_id: IdPath, session: SessionDep, services: ServicesDep, who: BallotCommitteeDep
) -> DecisionPublic:
    """Freeze the census and propose opening the vote (from a day before `opens_at`)."""
    row = ballot_acts.propose_opening(services, session, ballot_id, proposed_by=who.did)
    return decision_public(session, services, row)


class CancelRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@_act("/ballots/{ballot_id}/cancel")
def propose_cancel(
    ballot_id: IdPath,
    body: CancelRequest,
    session: SessionDep,
    services: ServicesDep,
    who: BallotCommitteeDep,
) -> DecisionPublic:
    """Propose cancelling an announced ballot (never once voting has opened)."""
    row = ballot_acts.propose_cancel(
        services, session, ballot_id, reason=body.reason, proposed_by=who.did
    )
    return decision_public(session, services, row)


class AnswerRequest(BaseModel):
    answer: str = Field(min_length=1, max_length=5000)


@_act("/ballots/{ballot_id}/objections/{index}/answer")
def propose_answer(
    ballot_id: IdPath,
    index: BoundedInt,
    body: AnswerRequest,
    session: SessionDep,
    services: ServicesDep,
    who: BallotCommitteeDep,
) -> DecisionPublic:
    """Propose the committee's answer to the objection at box entry `index`."""
    row = ballot_acts.propose_answer(
        services, session, ballot_id, objection=index, answer=body.answer, proposed_by=who.did
    )
    return decision_public(session, services, row)


@_act("/ballots/{ballot_id}/final")
def propose_final(
    ballot_id: IdPath, session: SessionDep, services: ServicesDep, who: BallotCommitteeDep
) -> DecisionPublic:
    """Propose confirming the result, once the objection window has ended and every
    objection is answered."""
    row = ballot_acts.propose_final(services, session, ballot_id, proposed_by=who.did)
    return decision_public(session, services, row)


def _owner_document(
    ballot_id: int, document: dict[str, Any], session: SessionDep, services: ServicesDep
) -> ReceiptPublic:
    signer = services.verify_signed(document)
    store = LogStore(session)
    checkpoint, grown = services.head_signer(store)
    receipt = ballots.append_owner_document(
        session,
        store=store,
        checkpoint=checkpoint,
        ballot_id=ballot_id,
        document=document,
        signer=signer,
        state_of=services.state_of(session),
        now=services.clock(),
    )
    return committed_receipt(session, services, receipt, grown)


@router.post(
    "/ballots/{ballot_id}/objections",
    response_model=ReceiptPublic,
    status_code=201,
    responses=errors(403, 404, 409),
)
def object_to_result(
    ballot_id: IdPath, document: dict[str, Any], session: SessionDep, services: ServicesDep
) -> ReceiptPublic:
    """An owner's signed Objection to the preliminary result, within the objection window."""
    if document.get("type") != "Objection":
        raise ballots.BallotError("这不是一份异议", "this is not an objection")
    return _owner_document(ballot_id, document, session, services)


@router.post(
    "/ballots/{ballot_id}/mandates",
    response_model=ReceiptPublic,
    status_code=201,
    responses=errors(403, 404, 409),
)
def mandate(
    ballot_id: IdPath, document: dict[str, Any], session: SessionDep, services: ServicesDep
) -> ReceiptPublic:
    """An owner's signed ProxyMandate (appointing a proxy for this ballot, optionally with
    the choices to cast) or ProxyWithdrawal (until the proxy has voted)."""
    if document.get("type") not in ("ProxyMandate", "ProxyWithdrawal"):
        raise ballots.BallotError("这不是委托书或撤回委托", "this is not a mandate or withdrawal")
    return _owner_document(ballot_id, document, session, services)


@router.get("/communities/{slug}/rules", responses=errors(404))
def rules(slug: str, session: SessionDep) -> dict[str, Any]:
    """The community's rules of procedure that shape its ballots (notice, windows, revote,
    proxies, election counting)."""
    return ballot_acts.community_rules(get_community(session, slug)).to_json()


@router.put("/communities/{slug}/rules", responses=errors(400, 401, 403, 404))
def set_rules(
    slug: str, body: dict[str, Any], session: SessionDep, _: CommitteeDep
) -> dict[str, Any]:
    """Set the rules (as the owners' assembly adopted them); each later announcement carries
    a signed copy, so a ballot already announced keeps the rules it was announced with."""
    return ballot_acts.set_rules(session, get_community(session, slug), body).to_json()
