"""The committee registrations (业委会备案) a server keeps: stored as the office signed them.

The server never makes one: the street office signs it on its own machine (`gongzhi office
register`) and the server stores it after checking it against the trusted roots and against
the chain already stored (next sequence, naming the last one's hash).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.committee import (
    Registration,
    RegistrationChain,
    RegistrationError,
    verify_registration,
)
from identity.community.models import Community, RegistrationRow
from identity.w3c.jcs import canonical


class NoCommittee(RegistrationError):
    """The community has no registration in force: nobody can act as its committee."""


def documents(session: Session, community: Community) -> list[dict[str, Any]]:
    """Every stored registration of `community`, in sequence order."""
    rows = session.scalars(
        select(RegistrationRow.document)
        .where(RegistrationRow.community_id == community.id)
        .order_by(RegistrationRow.sequence)
    )
    return [json.loads(doc) for doc in rows]


def communities_listing(session: Session, did: str) -> list[Community]:
    """Communities with a stored registration that mentions `did` (a cheap text filter: the
    caller still verifies the chain and asks who is a member of the one in force)."""
    if not did or any(c in did for c in '%_\\"'):
        return []
    mentioned = select(RegistrationRow.community_id).where(
        RegistrationRow.document.like(f'%"{did}"%')
    )
    return list(
        session.scalars(select(Community).where(Community.id.in_(mentioned)).order_by(Community.id))
    )


def chain(session: Session, community: Community, roots: frozenset[str]) -> RegistrationChain:
    """The stored registrations, re-verified as one chain (a row edited behind the server's
    back fails here rather than naming other members)."""
    return RegistrationChain.of(documents(session, community), roots, community.slug)


def in_force(
    session: Session, community: Community, roots: frozenset[str], now: datetime
) -> Registration:
    """The registration in force now, or `NoCommittee`."""
    stored = documents(session, community)
    if not stored:
        raise NoCommittee(
            "本小区尚无街道办事处签发的业委会备案",
            "this community has no committee registration from the street office yet",
        )
    current = RegistrationChain.of(stored, roots, community.slug).in_force(now)
    if current is None:
        raise NoCommittee(
            "本小区的业委会备案不在任期内（已到期或尚未生效）",
            "no committee registration of this community is in force now (ended or not yet begun)",
        )
    return current


def add(
    session: Session, community: Community, credential: Mapping[str, Any], roots: frozenset[str]
) -> Registration:
    """Store the next registration of `community`: root-signed, for this community, and the
    next link of the stored chain. Storing the same one again changes nothing."""
    reg = verify_registration(credential, roots)
    if reg.community != community.slug:
        raise RegistrationError(
            f"备案属于另一小区 {reg.community}", f"the registration is for {reg.community}"
        )
    stored = documents(session, community)
    known = RegistrationChain.of(stored, roots, community.slug) if stored else None
    if known is not None and any(r.hash == reg.hash for r in known.registrations):
        return reg
    expected = len(stored) + 1
    if reg.sequence != expected:
        raise RegistrationError(
            f"备案序号应为 {expected}", f"the next registration must be number {expected}"
        )
    if known is not None and reg.previous != known.registrations[-1].hash:
        raise RegistrationError(
            "备案未指向本小区的上一份备案", "the registration does not name the last one stored"
        )
    session.add(
        RegistrationRow(
            community_id=community.id,
            sequence=reg.sequence,
            hash=reg.hash,
            document=canonical(dict(credential)).decode(),
            valid_from=reg.valid_from,
            valid_until=reg.valid_until,
        )
    )
    session.flush()
    return reg
