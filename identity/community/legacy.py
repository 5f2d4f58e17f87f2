"""Retire what a data folder kept from before registrations: credentials signed by server keys.

Before issue 8 the server held a street-office root key and a committee key (``root.key``,
``committee.key``) and issued with them: the committee's registration and its members'
``CommitteeMemberCredential`` (kinds ``registration`` and ``member``), ownership credentials
under the committee key, role credentials under the root. No verifier accepts any of these
any more — an ownership credential counts only when a member of the registration in force
at its ``validFrom`` signed it, a role only when a trusted root did — so an owner who held
one could no longer sign in. At start, for every community:

* a ``registration`` or ``member`` row is revoked (reason ``retired``), and so is a role
  credential whose issuer is no trusted root once the community has a registration that
  verifies: the office registers the committee and grants roles afresh (``gongzhi office
  register|grant-role``);
* an owner whose signed ownership credential was not issued by a member of the registration
  in force when it was issued gets it revoked and a new one queued for the members to sign
  (on a demo server a demo member signs it at once).

A community whose stored registrations do not verify as one chain is left untouched (its
credentials are not judged against a chain that cannot be trusted). Running it again
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import issuance, registrations
from identity.community.committee import RegistrationChain, RegistrationError
from identity.community.issuance import OWNERSHIP, ROLE, Issuers, aware
from identity.community.models import Community, IssuedCredential, Person

RETIRED = "retired"
# The kinds only server keys ever issued.
_SERVER_KINDS = ("registration", "member")


@dataclass(frozen=True, slots=True)
class Retired:
    community: str
    revoked: int
    queued: int


def _issued_by_a_member(chain: RegistrationChain | None, row: IssuedCredential) -> bool:
    if chain is None:
        return False
    reg = chain.in_force(aware(row.issued_at))
    return reg is not None and row.issuer_did in reg.member_dids


def retire(
    session: Session, *, community: Community, issuers: Issuers, now: datetime
) -> Retired | None:
    """Retire the community's server-key credentials (see the module docstring); None when
    its registrations do not verify and nothing was touched."""
    try:
        stored = registrations.documents(session, community)
        chain = registrations.chain(session, community, issuers.trusted_roots) if stored else None
    except RegistrationError:
        return None
    revoked = 0
    for row in issuance.active(session, community=community, kinds=_SERVER_KINDS):
        issuance.revoke(row, reason=RETIRED, now=now)
        revoked += 1
    # Roles only once a registration verifies against the roots: without one, an untrusted
    # issuer may be a root the operator has yet to configure, not a former server key.
    roles = issuance.active(session, community=community, kinds=[ROLE]) if chain else []
    for row in roles:
        if row.issuer_did not in issuers.trusted_roots:
            issuance.revoke(row, reason=RETIRED, now=now)
            revoked += 1
    owners: list[int] = []
    for row in issuance.active(session, community=community, kinds=[OWNERSHIP]):
        person_id = row.person_id
        legacy = not _issued_by_a_member(chain, row)
        if legacy and person_id is not None and person_id not in owners:
            owners.append(person_id)
    queued = 0
    for person_id in owners:
        person = session.get(Person, person_id)
        if person is None:
            continue
        gone, new = issuance.reissue_ownership(
            session, community=community, person=person, issuers=issuers, now=now, reason=RETIRED
        )
        revoked += len(gone)
        queued += len(new)
    session.flush()
    return Retired(community.slug, revoked, queued)


def retire_all(session: Session, *, issuers: Issuers, now: datetime) -> list[Retired]:
    """`retire` for every community; the ones where something was retired."""
    done: list[Retired] = []
    for community in session.scalars(select(Community).order_by(Community.id)):
        result = retire(session, community=community, issuers=issuers, now=now)
        if result is not None and (result.revoked or result.queued):
            done.append(result)
    return done
