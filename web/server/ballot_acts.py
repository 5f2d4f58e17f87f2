"""The committee's acts on a ballot, as the server drafts them for members to sign.

Each act drafts a document (`voting.ballots.draft_*`) and keeps it as a pending committee
decision; it takes effect when enough members have signed (`Services.sign_decision`). The
server's clock (`Services.clock`) dates every draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from identity.community import decisions
from identity.community.models import Community, DecisionRow
from identity.community.registry import get_community
from ledger.tlog.store import LogStore
from voting import ballots
from voting.errors import VotingError
from voting.models import Ballot
from voting.schedule import Rules
from web.server.services import Services


def community_rules(community: Community) -> Rules:
    """The community's rules of procedure as set (the defaults where nothing is)."""
    return Rules.parse(community.rules or {})


def set_rules(session: Session, community: Community, raw: object) -> Rules:
    try:
        rules = Rules.parse(raw)
    except VotingError as exc:
        raise ballots.BallotSpecError(exc.zh, exc.en, where=exc.where or "rules") from exc
    community.rules = rules.to_json()
    session.flush()
    return rules


def _propose(
    services: Services, session: Session, ballot: Ballot, body: dict[str, Any], who: str
) -> DecisionRow:
    community = get_community(session, ballot.community_slug)
    return decisions.propose(
        session,
        community=community,
        body=body,
        registration=services.registration(session, community),
        subject=ballot.log_origin,
        proposed_by=who,
    )


def announce(
    services: Services,
    session: Session,
    *,
    community: Community,
    title: str,
    text: str,
    items: object,
    opens_at: datetime,
    closes_at: datetime,
    proposed_by: str,
) -> tuple[Ballot, DecisionRow]:
    """Draft a ballot's announcement: the box is made, the agenda and the timetable fixed;
    it is announced once enough members have signed."""
    registration = services.registration(session, community)
    ballot, body = ballots.draft_announcement(
        session,
        store=LogStore(session),
        community=community,
        registration=registration.hash,
        public_host=services.public_host,
        title=title,
        text=text,
        items=items,
        rules=community_rules(community),
        opens_at=opens_at,
        closes_at=closes_at,
        log_key=lambda log: services.log_signer(log).vkey,
        now=services.clock(),
    )
    return ballot, _propose(services, session, ballot, body, proposed_by)


def propose_opening(
    services: Services, session: Session, ballot_id: int, *, proposed_by: str
) -> DecisionRow:
    """Freeze the census and draft the opening for members to sign."""
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    body = ballots.draft_opening(
        session,
        store=LogStore(session),
        ballot=ballot,
        community=community,
        registration=services.registration(session, community).hash,
        now=services.clock(),
    )
    return _propose(services, session, ballot, body, proposed_by)


def propose_cancel(
    services: Services, session: Session, ballot_id: int, *, reason: str, proposed_by: str
) -> DecisionRow:
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    body = ballots.draft_cancel(
        session,
        store=LogStore(session),
        ballot=ballot,
        registration=services.registration(session, community).hash,
        reason=reason,
        now=services.clock(),
    )
    return _propose(services, session, ballot, body, proposed_by)


def propose_close(
    services: Services, session: Session, ballot_id: int, *, proposed_by: str, early: bool
) -> DecisionRow:
    """Stop the box taking votes and draft its BallotResult for the members to sign."""
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    ballot, body = ballots.draft_result(
        session,
        store=LogStore(session),
        ballot_id=ballot_id,
        registration=services.registration(session, community).hash,
        state_of=services.state_of(session),
        now=services.clock(),
        early=early,
    )
    return _propose(services, session, ballot, body, proposed_by)


def propose_answer(
    services: Services,
    session: Session,
    ballot_id: int,
    *,
    objection: int,
    answer: str,
    proposed_by: str,
) -> DecisionRow:
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    body = ballots.draft_answer(
        ballot,
        registration=services.registration(session, community).hash,
        objection=objection,
        answer=answer,
        state=services.views.of(session, ballot),
    )
    return _propose(services, session, ballot, body, proposed_by)


def propose_final(
    services: Services, session: Session, ballot_id: int, *, proposed_by: str
) -> DecisionRow:
    ballot = ballots.get_ballot(session, ballot_id)
    community = get_community(session, ballot.community_slug)
    body = ballots.draft_final(
        ballot,
        registration=services.registration(session, community).hash,
        state=services.views.of(session, ballot),
        now=services.clock(),
    )
    return _propose(services, session, ballot, body, proposed_by)
