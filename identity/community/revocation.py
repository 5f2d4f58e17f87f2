"""Revocation and recovery: a sold unit, a new designated holder, a lost phone.

* Transfer (过户): the committee records the buyer(s) of a unit. The credential naming the
  unit is revoked; a seller who still votes for other units gets a credential for those
  queued, to the same DID (a member signs it, as every ownership credential). A buyer who
  is new here enrols anew with a fresh code; one who already has a DID (found by ID number
  through the keyed hash, never by decrypting) gets one credential queued holding all of
  their units.
* Designated holder (表决人) of a co-owned unit changes: the same, between two co-owners.
* Guardian (监护人) changes after the import — a court appoints another, or the owner regains
  full capacity: the new guardian (found by ID number, or stored encrypted as a new person of
  the register) votes for the owner from now on, or the owner themself when none is named.
  The old guardian's credentials are reissued without the ward's units (reason
  ``guardian_changed``) and their sessions end; the new voter gets a credential or a code.
* Lost phone (挂失补办): the committee re-checks the owner — the ID number must match the
  unit's holder through `PiiCipher.lookup`, or the holder's guardian when one votes for
  them — then every credential of the old DID is revoked
  (reason ``key_lost``, which also stops that key from voting), its sessions end, the DID is
  unbound and a new enrolment code is issued for a new key. Past ballots are not touched:
  the old DID's votes stay in their logs and census, valid and attributable.

Every revocation ends the subject's sessions, whose roles came from the revoked credential.
Errors never repeat the personal data they were given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from identity.community import enrolment, issuance, signin
from identity.community.enrolment import IssuedCode
from identity.community.idnumbers import IdNumberError, check_id_number
from identity.community.issuance import Issuers
from identity.community.models import Community, IssuedCredential, Person, Unit, UnitOwner
from identity.community.pii import PiiCipher
from identity.community.register import Owner
from identity.community.registry import find_person
from identity.community.typed import typed
from identity.errors import IdentityError

TRANSFERRED, HOLDER_CHANGED, UNITS_CHANGED = "transferred", "holder_changed", "units_changed"
GUARDIAN_CHANGED = "guardian_changed"


class OwnershipChangeError(IdentityError):
    """A transfer, holder change or recovery that cannot be made as asked."""


@dataclass(frozen=True)
class OwnershipChange:
    """What a change did: credentials revoked and issued, and a code for a holder to enrol."""

    unit: str
    revoked: tuple[str, ...]
    issued: tuple[str, ...]
    enrolment: IssuedCode | None = None


def _unit(session: Session, community: Community, unit_no: object) -> Unit:
    unit = (
        session.scalar(
            # as typed ("１-１-１０１", a space pasted along) it is the register's 1-1-101
            select(Unit).where(Unit.community_id == community.id, Unit.unit_no == typed(unit_no))
        )
        if isinstance(unit_no, str)
        else None
    )
    if unit is None:
        raise OwnershipChangeError(
            "本小区没有该房号", f"no such unit in this community: {str(unit_no)[:40]!r}"
        )
    return unit


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:  # a foreign key guarantees it; this only narrows the type
        raise OwnershipChangeError("找不到业主记录", "owner record missing")
    return person


def _end_sessions(session: Session, rows: Sequence[IssuedCredential], now: datetime) -> None:
    for did in {row.subject_did for row in rows}:
        signin.end_sessions_of(session, did=did, now=now)


def _hand_over(
    session: Session,
    *,
    community: Community,
    unit: Unit,
    voter: Person,
    issuers: Issuers,
    now: datetime,
    revoked: list[IssuedCredential],
    issued: list[IssuedCredential],
) -> OwnershipChange:
    """Whoever votes for `unit` now gets its units: in a new credential when enrolled, else
    an enrolment code; the sessions of every key whose credential was revoked end."""
    code: IssuedCode | None = None
    if voter.did is not None:
        gone, new = issuance.reissue_ownership(
            session,
            community=community,
            person=voter,
            issuers=issuers,
            now=now,
            reason=UNITS_CHANGED,
        )
        revoked += gone
        issued += new
    else:
        code = enrolment.owner_code(session, community=community, person=voter, now=now)
    _end_sessions(session, revoked, now)
    return OwnershipChange(
        unit=unit.unit_no,
        revoked=tuple(r.credential_id for r in revoked),
        issued=tuple(r.credential_id for r in issued),
        enrolment=code,
    )


def _settle(
    session: Session,
    *,
    community: Community,
    unit: Unit,
    losing: Person | None,
    gaining: Person,
    issuers: Issuers,
    now: datetime,
    reason: str,
) -> OwnershipChange:
    """Credentials after `unit` moved from `losing` to `gaining` (its new holder)."""
    revoked: list[IssuedCredential] = []
    issued: list[IssuedCredential] = []
    # Whoever votes for each side changes credentials: the owner, or their guardian.
    voter = issuance.voter_for(session, gaining)
    if losing is not None and losing.id != gaining.id:
        lost = issuance.voter_for(session, losing)
        gone, new = issuance.reissue_ownership(
            session, community=community, person=lost, issuers=issuers, now=now, reason=reason
        )
        revoked += gone
        issued += new
        if not issuance.voted_units(session, lost):  # their unused code would bind nothing
            enrolment.cancel_outstanding(session, person=lost, now=now)
    return _hand_over(
        session,
        community=community,
        unit=unit,
        voter=voter,
        issuers=issuers,
        now=now,
        revoked=revoked,
        issued=issued,
    )


def _checked_owner(owner: Owner, position: int) -> Owner:
    name = owner.name.strip()
    try:
        id_number = check_id_number(owner.id_number).number
    except IdNumberError as exc:
        raise OwnershipChangeError(
            f"第{position}位买受人证件号码无效：{exc.zh}",
            f"buyer {position}: invalid ID number: {exc.en}",
        ) from exc
    phone = owner.phone.strip()
    if not name or len(name) > 100:
        raise OwnershipChangeError(
            f"第{position}位买受人姓名须为1–100字",
            f"buyer {position}: the name must be 1–100 characters",
        )
    if len(phone) > 40:
        raise OwnershipChangeError(
            f"第{position}位买受人手机号过长", f"buyer {position}: the phone number is too long"
        )
    return Owner(name=name, id_number=id_number, phone=phone)


def transfer_unit(
    session: Session,
    *,
    community: Community,
    unit_no: str,
    buyers: Sequence[Owner],
    holder: int,
    cipher: PiiCipher,
    issuers: Issuers,
    now: datetime,
) -> OwnershipChange:
    """Record a sale: `buyers` own `unit_no` now and `buyers[holder]` votes for it."""
    unit = _unit(session, community, unit_no)
    checked = [_checked_owner(b, i) for i, b in enumerate(buyers, start=1)]
    if not checked:
        raise OwnershipChangeError("至少需要一位买受人", "at least one buyer is required")
    if len({b.id_number for b in checked}) != len(checked):
        raise OwnershipChangeError("买受人重复", "the same buyer is listed twice")
    if not 0 <= holder < len(checked):
        raise OwnershipChangeError(
            "表决人须是买受人之一", "the designated holder must be one of the buyers"
        )
    sellers = set(session.scalars(select(UnitOwner.person_id).where(UnitOwner.unit_id == unit.id)))
    people: list[Person] = []
    for buyer in checked:
        people.append(_person_of(session, community=community, owner=buyer, cipher=cipher))
    if {p.id for p in people} == sellers:
        raise OwnershipChangeError(
            "买受人与现业主相同；如只更换表决人，请用“更换表决人”",
            "the buyers are the current "
            "owners; to change only the designated holder, use the holder change",
        )
    losing = _person(session, unit.holder_id)
    session.execute(delete(UnitOwner).where(UnitOwner.unit_id == unit.id))
    for person in people:
        session.add(UnitOwner(unit_id=unit.id, person_id=person.id))
    unit.holder_id = people[holder].id
    unit.developer = False
    session.flush()
    return _settle(
        session,
        community=community,
        unit=unit,
        losing=losing,
        gaining=people[holder],
        issuers=issuers,
        now=now,
        reason=TRANSFERRED,
    )


def designate_holder(
    session: Session,
    *,
    community: Community,
    unit_no: str,
    id_number: str,
    cipher: PiiCipher,
    issuers: Issuers,
    now: datetime,
) -> OwnershipChange:
    """The co-owners of `unit_no` named another of them (by ID number) to vote for it."""
    unit = _unit(session, community, unit_no)
    person = find_person(session, community=community, id_number=id_number, cipher=cipher)
    co_owner = person is not None and (
        session.get(UnitOwner, {"unit_id": unit.id, "person_id": person.id}) is not None
    )
    if person is None or not co_owner:
        raise OwnershipChangeError(
            f"该证件号码不是房屋 {unit.unit_no} 的共有人",
            f"this ID number is not a co-owner of unit {unit.unit_no}",
        )
    if unit.holder_id == person.id:
        raise OwnershipChangeError(
            f"此人已是房屋 {unit.unit_no} 的表决人",
            f"this co-owner already votes for unit {unit.unit_no}",
        )
    losing = _person(session, unit.holder_id)
    unit.holder_id = person.id
    session.flush()
    return _settle(
        session,
        community=community,
        unit=unit,
        losing=losing,
        gaining=person,
        issuers=issuers,
        now=now,
        reason=HOLDER_CHANGED,
    )


def _guardian_person(
    session: Session, *, community: Community, guardian: Owner, cipher: PiiCipher
) -> Person:
    """The register's person with the guardian's ID number, or a new one stored encrypted
    (a guardian need own nothing here)."""
    checked = _checked_owner(guardian, 1)
    return _person_of(session, community=community, owner=checked, cipher=cipher)


def _person_of(
    session: Session, *, community: Community, owner: Owner, cipher: PiiCipher
) -> Person:
    """The register's person with `owner`'s (checked) ID number, or a new one, its personal
    data stored encrypted."""
    person = find_person(session, community=community, id_number=owner.id_number, cipher=cipher)
    if person is None:
        person = Person(
            community_id=community.id,
            name_enc=cipher.encrypt(owner.name, field="name"),
            id_number_enc=cipher.encrypt(owner.id_number, field="id_number"),
            phone_enc=cipher.encrypt(owner.phone, field="phone"),
            id_lookup=cipher.lookup(owner.id_number, field="id_number"),
            developer=False,
        )
        session.add(person)
        session.flush()
    return person


def change_guardian(
    session: Session,
    *,
    community: Community,
    unit_no: str,
    guardian: Owner | None,
    cipher: PiiCipher,
    issuers: Issuers,
    now: datetime,
) -> OwnershipChange:
    """The guardian of the holder of `unit_no` is now `guardian` (None: the owner regained
    full capacity and votes themself), for every unit that owner holds.

    The old guardian's credentials are revoked and those for what they still vote for queued
    again; their sessions end. The new guardian (or the owner) gets the ward's units in a new
    credential if enrolled, else an enrolment code. Open ballots keep their frozen census:
    there the old guardian's key is refused for the ward (`voting.census_freeze`) and the new
    voter's key is attested by the committee like any new key (VoterKeyChanged)."""
    unit = _unit(session, community, unit_no)
    ward = _person(session, unit.holder_id)
    old = session.get(Person, ward.guardian_id) if ward.guardian_id is not None else None
    if ward.developer or unit.developer:
        raise OwnershipChangeError(
            "开发商持有的房屋不设监护人", "a developer-held unit has no guardian"
        )
    new = (
        None
        if guardian is None
        else _guardian_person(session, community=community, guardian=guardian, cipher=cipher)
    )
    if new is None and old is None:
        raise OwnershipChangeError(
            f"房屋 {unit.unit_no} 的业主没有登记监护人",
            f"the owner of unit {unit.unit_no} has no guardian on the register",
        )
    if new is not None:
        if new.id == ward.id:
            raise OwnershipChangeError(
                "业主不能做自己的监护人", "an owner cannot be their own guardian"
            )
        if old is not None and new.id == old.id:
            raise OwnershipChangeError(
                f"此人已是房屋 {unit.unit_no} 业主的监护人",
                f"this person is already the guardian of the owner of unit {unit.unit_no}",
            )
        if new.guardian_id is not None:
            raise OwnershipChangeError(
                "此人本身由监护人代为表决，不能担任监护人",
                "this person has a guardian themself: a guardian must have full legal capacity",
            )
        if new.developer:
            raise OwnershipChangeError("开发商不能担任监护人", "the developer cannot be a guardian")
        if issuance.wards_of(session, ward):
            raise OwnershipChangeError(
                "该业主是他人的监护人，须先为其被监护人更换监护人",
                "this owner is someone's guardian: change that ward's guardian first",
            )
    ward.guardian_id = new.id if new is not None else None
    session.flush()
    revoked: list[IssuedCredential] = []
    issued: list[IssuedCredential] = []
    if old is not None:
        gone, queued = issuance.reissue_ownership(
            session,
            community=community,
            person=old,
            issuers=issuers,
            now=now,
            reason=GUARDIAN_CHANGED,
        )
        revoked += gone
        issued += queued
        if not issuance.voted_units(session, old):  # their unused code would bind nothing
            enrolment.cancel_outstanding(session, person=old, now=now)
        # Sessions end even with nothing revoked (a guardian not yet issued a credential).
        if old.did is not None:
            signin.end_sessions_of(session, did=old.did, now=now)
    voter = new if new is not None else ward
    return _hand_over(
        session,
        community=community,
        unit=unit,
        voter=voter,
        issuers=issuers,
        now=now,
        revoked=revoked,
        issued=issued,
    )


def recover_owner(
    session: Session,
    *,
    community: Community,
    unit_no: str,
    id_number: str,
    cipher: PiiCipher,
    issuers: Issuers,
    now: datetime,
) -> OwnershipChange:
    """Lost phone: re-check whoever votes for `unit_no` by ID number — its holder, or the
    holder's guardian (监护人) when one is named, since the guardian's key is the one that
    votes and a ward cannot act — then revoke that DID's credentials (``key_lost``, all of
    them: the guardian's own units' too, the key being gone), unbind it and issue a new
    enrolment code to that person."""
    unit = _unit(session, community, unit_no)
    voter = issuance.voter_for(session, _person(session, unit.holder_id))
    person = find_person(session, community=community, id_number=id_number, cipher=cipher)
    if person is None or person.id != voter.id:
        if voter.id != unit.holder_id and person is not None and person.id == unit.holder_id:
            raise OwnershipChangeError(
                f"房屋 {unit.unit_no} 由业主的监护人表决，请核对监护人的证件号码",
                f"the owner of unit {unit.unit_no} votes through their guardian: check the "
                "guardian's ID number",
            )
        raise OwnershipChangeError(
            f"证件号码与房屋 {unit.unit_no} 的表决人不符",
            f"the ID number does not match the designated holder of unit {unit.unit_no}",
        )
    revoked: list[IssuedCredential] = []
    if person.did is not None:
        revoked = issuance.revoke_did(
            session, community=community, did=person.did, reason=issuance.KEY_LOST, now=now
        )
        signin.end_sessions_of(session, did=person.did, now=now)
        person.did = None
        session.flush()
    code = enrolment.owner_code(session, community=community, person=person, now=now)
    return OwnershipChange(
        unit=unit.unit_no,
        revoked=tuple(r.credential_id for r in revoked),
        issued=(),
        enrolment=code,
    )


def revoke_credential(
    session: Session, *, community: Community, credential_id: str, reason: str, now: datetime
) -> IssuedCredential:
    """Revoke one credential (e.g. a member who left the committee) and end its sessions."""
    row = issuance.revoke_by_id(
        session, community=community, credential_id=credential_id, reason=reason, now=now
    )
    _end_sessions(session, [row], now)
    return row
