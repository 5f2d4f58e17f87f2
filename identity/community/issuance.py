"""Issue, store and revoke gongzhi credentials; publish the status lists their bits live in.

The trust chain (see `identity.community.trust`): the street office root (街道) issues each
community's
``CommitteeRegistrationCredential`` (业委会备案) to the committee's DID; the committee issues
``OwnershipCredential`` (community, units with areas — nothing personal) and
``CommitteeMemberCredential``. The root also issues ``CommunityRoleCredential`` to a
community's property manager (物业) and auditors (审计): the street office supervises both.

Every issued credential carries a ``BitstringStatusListEntry`` (Bitstring Status List v1.0
§2.1) at an index drawn at random (§6 Privacy Considerations: random, not sequential), in
its issuer's revocation list: the root's list, or the community's own list. A list's bits
are derived from the stored credentials (`IssuedCredential.revoked_at`) each time they are
read, so setting a bit is a single-row update that concurrent revocations cannot lose.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.community import origins, trust
from identity.community.models import Community, IssuedCredential, Person, Unit
from identity.errors import IdentityError, explain
from identity.w3c import statuslist
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import StatusLookup, build_credential, sign_credential
from identity.w3c.didkey import Did
from identity.w3c.failures import InvalidDid, StatusUnavailable
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import StatusList

ROOT_LIST = origins.ROOT_LIST
ROLE_CREDENTIAL = "CommunityRoleCredential"
STAFF_ROLES = ("propertyManager", "auditor")
# How long a published status list credential may be relied on before fetching it again.
LIST_VALIDITY = timedelta(days=1)

REGISTRATION, OWNERSHIP, MEMBER, ROLE = "registration", "ownership", "member", "role"
# Revocation reason that also stops the key from voting: the device was lost or stolen.
KEY_LOST = "key_lost"


class IssuanceError(IdentityError):
    """A credential cannot be issued or revoked as asked."""


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Issuers:
    """The two issuing keys and where their status lists are published.

    `base_url` is the public address (``https://gongzhi.example``); status list URLs are laid
    out by `identity.community.origins` (the root's list, and a community's committee's).
    """

    root: KeyPair
    committee: KeyPair
    base_url: str
    extra_roots: frozenset[str] = field(default_factory=frozenset)
    # Status list URLs of former addresses found in stored credentials (`former_list_key`).
    former_urls: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def trusted_roots(self) -> frozenset[str]:
        return frozenset({self.root.did.value, *self.extra_roots})

    def list_url(self, list_key: str) -> str:
        return origins.status_list_url(self.base_url, list_key)

    def list_key(self, url: str) -> str | None:
        """The list a URL names, or None when it is not one of ours."""
        return origins.status_list_key(self.base_url, url)

    def former_list_key(self, session: Session, url: str) -> str | None:
        """The list a URL under an address we were served at before names, or None.

        A data folder moved to another port or public address keeps every credential it
        issued, and those name their status list at the address it had then. Such a URL is
        ours exactly when one of our stored credentials was issued with it; the list is the
        same (keyed by `list_key`, its bits derived from the rows), so it resolves to the
        list published now. Any other URL stays foreign."""
        if url in self.former_urls:
            return self.former_urls[url]
        key = origins.status_list_key_of_path(url)
        if key is None:
            return None
        written = json.dumps({"statusListCredential": url}, ensure_ascii=False)[1:-1]
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", written.replace('": "', '":"')) + "%"
        issued = session.scalar(
            select(IssuedCredential.id)
            .where(
                IssuedCredential.status_list == key,
                IssuedCredential.document.like(pattern, escape="\\"),
            )
            .limit(1)
        )
        if issued is None:
            return None
        self.former_urls[url] = key  # a credential once issued stays issued: safe to keep
        return key

    def list_issuer(self, list_key: str) -> KeyPair:
        return self.root if list_key == ROOT_LIST else self.committee


def check_did(value: object) -> str:
    """A did:key DID as given, or `IssuanceError` with the reason (bilingual)."""
    if not isinstance(value, str):
        raise IssuanceError("DID 缺失", "DID missing")
    try:
        return Did(value).value
    except InvalidDid as exc:
        raise IssuanceError(*explain("DID 无效", "invalid DID", exc)) from exc


def _allocate(session: Session, list_key: str, rng: Random | None) -> int:
    used = set(
        session.scalars(
            select(IssuedCredential.status_index).where(IssuedCredential.status_list == list_key)
        )
    )
    return statuslist.allocate_index(used, rng=rng)


def _store(
    session: Session,
    *,
    community: Community,
    kind: str,
    issuer: KeyPair,
    issuers: Issuers,
    list_key: str,
    build: Any,
    subject_did: str,
    now: datetime,
    person: Person | None = None,
    role: str | None = None,
    units: Sequence[str] = (),
    rng: Random | None = None,
) -> IssuedCredential:
    """Allocate a status index, sign what `build(credential_id, status)` returns, store it."""
    index = _allocate(session, list_key, rng)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    status = statuslist.status_entry(list_url=issuers.list_url(list_key), index=index)
    document = sign_credential(build(credential_id, status), issuer)
    row = IssuedCredential(
        credential_id=credential_id,
        community_id=community.id,
        kind=kind,
        issuer_did=issuer.did.value,
        subject_did=subject_did,
        person_id=person.id if person is not None else None,
        role=role,
        units=list(units),
        status_list=list_key,
        status_index=index,
        document=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        issued_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent issuance drew the same random index
        raise IssuanceError(
            "同时签发的凭证过多，请重试", "too many credentials issued at once, please retry"
        ) from exc
    return row


def document_of(row: IssuedCredential) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row.document)
    return document


def active(
    session: Session,
    *,
    community: Community | None = None,
    subject_did: str | None = None,
    person: Person | None = None,
    kinds: Collection[str] = (),
) -> list[IssuedCredential]:
    """Unrevoked credentials matching every filter given, oldest first."""
    query = select(IssuedCredential).where(IssuedCredential.revoked_at.is_(None))
    if community is not None:
        query = query.where(IssuedCredential.community_id == community.id)
    if subject_did is not None:
        query = query.where(IssuedCredential.subject_did == subject_did)
    if person is not None:
        query = query.where(IssuedCredential.person_id == person.id)
    if kinds:
        query = query.where(IssuedCredential.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(IssuedCredential.id)))


def revoke(row: IssuedCredential, *, reason: str, now: datetime) -> None:
    """Set the credential's revocation bit (by marking the row the list is derived from)."""
    if row.revoked_at is None:
        row.revoked_at = now
        row.revoke_reason = reason[:32]


def ensure_registration(
    session: Session, *, community: Community, issuers: Issuers, now: datetime
) -> IssuedCredential:
    """The community's registration (业委会备案) for the current committee key, issued once.

    A registration naming another committee DID (the committee's key was replaced) is
    revoked: only one committee speaks for a community at a time.
    """
    committee = issuers.committee.did.value
    current: IssuedCredential | None = None
    for row in active(session, community=community, kinds=[REGISTRATION]):
        if row.subject_did == committee and row.issuer_did == issuers.root.did.value:
            current = current or row
        else:
            revoke(row, reason="superseded", now=now)
    if current is not None:
        return current

    def build(credential_id: str, status: Mapping[str, Any]) -> dict[str, Any]:
        return trust.registration_credential(
            root=issuers.root.did.value,
            committee=committee,
            community_id=community.slug,
            valid_from=now,
            credential_id=credential_id,
            status=status,
        )

    return _store(
        session,
        community=community,
        kind=REGISTRATION,
        issuer=issuers.root,
        issuers=issuers,
        list_key=ROOT_LIST,
        build=build,
        subject_did=committee,
        now=now,
    )


def held_units(session: Session, person: Person) -> list[Unit]:
    """The units `person` is the designated holder (表决人) of, in unit order."""
    return list(
        session.scalars(select(Unit).where(Unit.holder_id == person.id).order_by(Unit.unit_no))
    )


def issue_ownership(
    session: Session,
    *,
    community: Community,
    person: Person,
    issuers: Issuers,
    now: datetime,
    rng: Random | None = None,
) -> IssuedCredential:
    """One ownership credential to the person's DID for every unit they vote for."""
    if person.did is None:
        raise IssuanceError("该业主尚未绑定 DID", "this owner has not bound a DID yet")
    units = held_units(session, person)
    if not units:
        raise IssuanceError(
            "该业主不是任何房屋的表决人", "this owner is not the designated holder of any unit"
        )
    ensure_registration(session, community=community, issuers=issuers, now=now)
    holdings = [trust.UnitHolding(unit_id=u.unit_no, area=u.area_centi) for u in units]
    owner = person.did

    def build(credential_id: str, status: Mapping[str, Any]) -> dict[str, Any]:
        return trust.ownership_credential(
            committee=issuers.committee.did.value,
            owner=owner,
            community_id=community.slug,
            units=holdings,
            valid_from=now,
            credential_id=credential_id,
            status=status,
        )

    return _store(
        session,
        community=community,
        kind=OWNERSHIP,
        issuer=issuers.committee,
        issuers=issuers,
        list_key=community.slug,
        build=build,
        subject_did=owner,
        person=person,
        units=[u.unit_no for u in units],
        now=now,
        rng=rng,
    )


def reissue_ownership(
    session: Session,
    *,
    community: Community,
    person: Person,
    issuers: Issuers,
    now: datetime,
    reason: str,
) -> tuple[list[IssuedCredential], IssuedCredential | None]:
    """Revoke the person's ownership credentials; issue one for the units they hold now.

    Returns (revoked, new): no new credential when the person has no DID or no units left.
    """
    revoked = active(session, community=community, person=person, kinds=[OWNERSHIP])
    for row in revoked:
        revoke(row, reason=reason, now=now)
    if person.did is None or not held_units(session, person):
        return revoked, None
    return revoked, issue_ownership(
        session, community=community, person=person, issuers=issuers, now=now
    )


def issue_member(
    session: Session,
    *,
    community: Community,
    did: str,
    role: str,
    issuers: Issuers,
    now: datetime,
) -> IssuedCredential:
    """A committee member credential (chair / viceChair / member) to `did`."""
    ensure_registration(session, community=community, issuers=issuers, now=now)
    for row in active(session, community=community, subject_did=did, kinds=[MEMBER]):
        revoke(row, reason="superseded", now=now)

    def build(credential_id: str, status: Mapping[str, Any]) -> dict[str, Any]:
        return trust.member_credential(
            committee=issuers.committee.did.value,
            member=did,
            community_id=community.slug,
            role=role,
            valid_from=now,
            credential_id=credential_id,
            status=status,
        )

    return _store(
        session,
        community=community,
        kind=MEMBER,
        issuer=issuers.committee,
        issuers=issuers,
        list_key=community.slug,
        build=build,
        subject_did=did,
        role=role,
        now=now,
    )


def role_credential(
    *,
    root: str,
    holder: str,
    community_id: str,
    role: str,
    valid_from: datetime,
    credential_id: str,
    status: Mapping[str, Any],
) -> dict[str, Any]:
    """An unsigned street-office ``CommunityRoleCredential``: `holder` is the community's
    property manager or an auditor. Signed by the root, `identity.community.trust` accepts it as
    root-issued; its subject is checked by `parse_role`."""
    if role not in STAFF_ROLES:
        raise IssuanceError(
            f"角色必须是 {' / '.join(STAFF_ROLES)}", f"role must be one of {', '.join(STAFF_ROLES)}"
        )
    return build_credential(
        issuer=root,
        types=[ROLE_CREDENTIAL],
        subject={"id": holder, "communityId": community_id, "role": role},
        valid_from=valid_from,
        credential_id=credential_id,
        status=status,
        contexts=[GONGZHI_V1_CONTEXT],
    )


def parse_role(subject: Mapping[str, Any]) -> tuple[str, str]:
    """(communityId, role) of a verified role credential's subject; raises if malformed."""
    community, role = subject.get("communityId"), subject.get("role")
    if set(subject) != {"id", "communityId", "role"} or not isinstance(community, str):
        raise IssuanceError(
            "角色凭证的主体须且仅须有 id、communityId、role",
            "a role credential subject needs exactly id, communityId and role",
        )
    if role not in STAFF_ROLES:
        raise IssuanceError("未知的角色", f"unknown role {str(role)[:40]!r}")
    return community, str(role)


def issue_role(
    session: Session,
    *,
    community: Community,
    did: str,
    role: str,
    issuers: Issuers,
    now: datetime,
) -> IssuedCredential:
    """The street office names `did` the community's property manager or an auditor."""
    holder = check_did(did)
    for row in active(session, community=community, subject_did=holder, kinds=[ROLE]):
        if row.role == role:
            revoke(row, reason="superseded", now=now)

    def build(credential_id: str, status: Mapping[str, Any]) -> dict[str, Any]:
        return role_credential(
            root=issuers.root.did.value,
            holder=holder,
            community_id=community.slug,
            role=role,
            valid_from=now,
            credential_id=credential_id,
            status=status,
        )

    return _store(
        session,
        community=community,
        kind=ROLE,
        issuer=issuers.root,
        issuers=issuers,
        list_key=ROOT_LIST,
        build=build,
        subject_did=holder,
        role=role,
        now=now,
    )


def status_bits(session: Session, list_key: str) -> bytearray:
    """The list's bits: set exactly for the revoked credentials it holds."""
    bits = statuslist.new_bitstring()
    for index in session.scalars(
        select(IssuedCredential.status_index).where(
            IssuedCredential.status_list == list_key, IssuedCredential.revoked_at.is_not(None)
        )
    ):
        statuslist.set_bit(bits, index)
    return bits


def published_list(
    session: Session, *, list_key: str, issuers: Issuers, now: datetime
) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` (§2.2) for the list, valid for a day."""
    issuer = issuers.list_issuer(list_key)
    valid_from = now.replace(microsecond=0)
    unsigned = statuslist.status_list_credential(
        list_url=issuers.list_url(list_key),
        issuer=issuer.did.value,
        purpose=statuslist.REVOCATION,
        bits=status_bits(session, list_key),
        valid_from=valid_from,
        valid_until=valid_from + LIST_VALIDITY,
    )
    return sign_credential(unsigned, issuer)


def status_lookup(session: Session, issuers: Issuers) -> StatusLookup:
    """Our own lists read straight from the database (no signature round trip needed: the
    rows are the source of truth); any other URL is unavailable."""
    loaded: dict[str, StatusList] = {}

    def lookup(url: str) -> StatusList:
        if url not in loaded:
            key = issuers.list_key(url) or issuers.former_list_key(session, url)
            if key is None:
                raise StatusUnavailable(
                    "不是本服务发布的状态列表", f"status list {url[:200]} is not published here"
                )
            loaded[url] = StatusList(
                url=url,
                issuer=issuers.list_issuer(key).did.value,
                purpose=statuslist.REVOCATION,
                bits=bytes(status_bits(session, key)),
            )
        return loaded[url]

    return lookup


def registrations(session: Session, committee_did: str) -> list[dict[str, Any]]:
    """Every registration naming `committee_did` (revoked ones too: the verifier decides)."""
    rows = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.kind == REGISTRATION, IssuedCredential.subject_did == committee_did
        )
    )
    return [document_of(row) for row in rows]


def key_lost() -> IssuanceError:
    """The refusal of a key whose credentials were revoked as lost or stolen."""
    return IssuanceError(
        "该密钥已挂失，不能再使用", "this key was reported lost and can no longer be used"
    )


def check_key_usable(session: Session, did: str) -> None:
    """Raise if a credential of `did` was revoked because its key was lost or stolen."""
    if lost_keys(session, [did]):
        raise key_lost()


def lost_keys(session: Session, dids: Collection[str]) -> set[str]:
    """Those of `dids` whose credentials were revoked because the key was lost or stolen."""
    if not dids:
        return set()
    return set(
        session.scalars(
            select(IssuedCredential.subject_did).where(
                IssuedCredential.subject_did.in_(set(dids)),
                IssuedCredential.revoke_reason == KEY_LOST,
            )
        )
    )


def revoke_did(
    session: Session, *, community: Community, did: str, reason: str, now: datetime
) -> list[IssuedCredential]:
    """Revoke every active credential of `did` in the community (a lost or stolen device)."""
    rows = active(session, community=community, subject_did=did)
    rows = [row for row in rows if row.kind != REGISTRATION]
    for row in rows:
        revoke(row, reason=reason, now=now)
    return rows


def revoke_by_id(
    session: Session, *, community: Community, credential_id: str, reason: str, now: datetime
) -> IssuedCredential:
    row = session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.community_id == community.id,
            IssuedCredential.credential_id == credential_id,
        )
    )
    if row is None or row.kind == REGISTRATION:
        raise IssuanceError(
            "本小区没有该凭证", f"no such credential in this community: {credential_id[:80]!r}"
        )
    if row.revoked_at is not None:
        raise IssuanceError("该凭证已被撤销", "the credential is already revoked")
    revoke(row, reason=reason, now=now)
    session.flush()
    return row
