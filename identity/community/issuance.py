"""Queue, store and revoke gongzhi credentials; publish the status lists their bits live in.

The server signs no credential (see `identity.community.trust`): the street office signs
the committee's registrations (业委会备案) and the ``CommunityRoleCredential`` of a
community's property manager (物业) or auditors (审计), on its own machine, and the server
stores what it receives (`store_role`). An ``OwnershipCredential`` (community, units with
areas — nothing personal) is *queued* when an owner redeems an enrolment code: the server
builds it with its status entry, and a registered committee member's device signs it
(`pending_for`, then `accept_signed`).

Every ownership credential carries a ``BitstringStatusListEntry`` (Bitstring Status List
v1.0 §2.1) at an index drawn at random (§6 Privacy Considerations: random, not sequential)
in its community's list, which the server signs with its status key — the key the
registration names as ``server.statusIssuer``: the server can revoke, never grant. A list's
bits are derived from the stored credentials (`IssuedCredential.revoked_at`) each time they
are read, so setting a bit is a single-row update that concurrent revocations cannot lose.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.community import origins, trust
from identity.community.committee import RegistrationChain
from identity.community.models import Community, IssuedCredential, Person, Unit
from identity.errors import IdentityError, explain
from identity.w3c import statuslist
from identity.w3c.contexts import GONGZHI_V1_CONTEXT
from identity.w3c.credential import (
    CredentialView,
    StatusLookup,
    build_credential,
    check_validity,
    sign_credential,
    verify_issued,
)
from identity.w3c.dataintegrity import unsecured
from identity.w3c.didkey import Did
from identity.w3c.failures import InvalidDid, StatusUnavailable, VerificationError
from identity.w3c.keys import KeyPair
from identity.w3c.statuslist import StatusList

ROLE_CREDENTIAL = trust.ROLE_CREDENTIAL
STAFF_ROLES = ("propertyManager", "auditor")
# How long a published status list credential may be relied on before fetching it again.
LIST_VALIDITY = timedelta(days=1)

OWNERSHIP, ROLE = "ownership", "role"
# Revocation reason that also stops the key from voting: the device was lost or stolen.
KEY_LOST = "key_lost"
# What a queued credential's template lacks until a member takes it: the issuer and a proof.
_UNSIGNED = ("issuer", "proof")


class IssuanceError(IdentityError):
    """A credential cannot be issued or revoked as asked."""


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Signs queued credentials at once: only a demo server, which holds its members' keys.
AutoSigner = Callable[[Session, Community, "IssuedCredential", datetime], None]


@dataclass(frozen=True)
class Issuers:
    """The server's status-list key, the trusted roots, and where status lists are published.

    `base_url` is the public address (``https://gongzhi.example``); a community's list is
    laid out by `identity.community.origins`, signed by `status`. The server holds no key
    that issues credentials: `roots` are the street offices' DIDs it trusts.
    """

    status: KeyPair
    base_url: str
    roots: frozenset[str] = field(default_factory=frozenset)
    # Only on a demo server (`web.demo.community`): sign a queued credential with a demo member's
    # key.
    auto_sign: AutoSigner | None = field(default=None, compare=False, repr=False)
    # Status list URLs of former addresses found in stored credentials (`former_list_key`).
    former_urls: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def trusted_roots(self) -> frozenset[str]:
        return self.roots

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
        return self.status


def check_did(value: object) -> str:
    """A did:key DID as given, or `IssuanceError` with the reason (bilingual)."""
    if not isinstance(value, str):
        raise IssuanceError("DID 缺失", "DID missing")
    try:
        return Did(value).value
    except InvalidDid as exc:
        raise IssuanceError(*explain("DID 无效", "invalid DID", exc)) from exc


def _allocate(session: Session, list_key: str, rng: Random | None) -> int:
    used = {
        index
        for index in session.scalars(
            select(IssuedCredential.status_index).where(IssuedCredential.status_list == list_key)
        )
        if index is not None
    }
    return statuslist.allocate_index(used, rng=rng)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent issuance drew the same random index
        raise IssuanceError(
            "同时签发的凭证过多，请重试", "too many credentials issued at once, please retry"
        ) from exc


def _dump(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


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
    pending: bool = False,
) -> list[IssuedCredential]:
    """Unrevoked credentials matching every filter given, oldest first: signed ones, or with
    ``pending`` the queued ones no member has signed yet."""
    query = select(IssuedCredential).where(
        IssuedCredential.revoked_at.is_(None), IssuedCredential.pending.is_(pending)
    )
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


def held_units(session: Session, person: Person) -> list[Unit]:
    """The units `person` is the designated holder (表决人) of, in unit order."""
    return list(
        session.scalars(select(Unit).where(Unit.holder_id == person.id).order_by(Unit.unit_no))
    )


def wards_of(session: Session, person: Person) -> list[Person]:
    """The owners `person` is the guardian (监护人) of, and so votes for, in id order."""
    return list(
        session.scalars(select(Person).where(Person.guardian_id == person.id).order_by(Person.id))
    )


def voter_for(session: Session, person: Person) -> Person:
    """Who votes for `person`'s units: their guardian (监护人) if one is named, else they."""
    guardian = session.get(Person, person.guardian_id) if person.guardian_id else None
    return guardian if guardian is not None else person


def voted_units(session: Session, person: Person) -> list[Unit]:
    """Every unit `person` votes for: as its holder, unless a guardian votes for them, and
    as the guardian of its holder; in unit order."""
    own = [] if person.guardian_id is not None else held_units(session, person)
    wards = [u for w in wards_of(session, person) for u in held_units(session, w)]
    return sorted([*own, *wards], key=lambda u: u.unit_no)


def queue_ownership(
    session: Session,
    *,
    community: Community,
    person: Person,
    issuers: Issuers,
    now: datetime,
    rng: Random | None = None,
    ward: Person | None = None,
) -> IssuedCredential:
    """Queue one ownership credential to the person's DID for every unit they vote for: the
    document with its status entry, waiting for a registered member to sign it.

    With `ward`, the units are the ward's and the credential says it is held as guardian:
    the census row it backs is the ward's, carrying the guardian's DID."""
    if person.did is None:
        raise IssuanceError("该业主尚未绑定 DID", "this owner has not bound a DID yet")
    if ward is not None and ward.guardian_id != person.id:
        raise IssuanceError("此人不是该业主的监护人", "this person is not the owner's guardian")
    units = held_units(session, ward if ward is not None else person)
    if not units:
        raise IssuanceError(
            "该业主不是任何房屋的表决人", "this owner is not the designated holder of any unit"
        )
    holdings = [trust.UnitHolding(unit_id=u.unit_no, area=u.area_centi) for u in units]
    index = _allocate(session, community.slug, rng)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    built = trust.ownership_credential(
        issuer=issuers.status.did.value,  # a stand-in, dropped: the signing member is named
        owner=person.did,
        community_id=community.slug,
        units=holdings,
        valid_from=now,
        credential_id=credential_id,
        status=statuslist.status_entry(list_url=issuers.list_url(community.slug), index=index),
        guardian=ward is not None,
    )
    template = {k: v for k, v in built.items() if k not in _UNSIGNED}
    row = IssuedCredential(
        credential_id=credential_id,
        community_id=community.id,
        kind=OWNERSHIP,
        issuer_did="",
        subject_did=person.did,
        person_id=person.id,
        units=[u.unit_no for u in units],
        status_list=community.slug,
        status_index=index,
        document=_dump(template),
        issued_at=now,
        pending=True,
    )
    session.add(row)
    _flush(session)
    if issuers.auto_sign is not None:
        issuers.auto_sign(session, community, row, now)
    return row


def queue_voting(
    session: Session, *, community: Community, person: Person, issuers: Issuers, now: datetime
) -> list[IssuedCredential]:
    """The credentials of everything `person` votes for, one per census row it backs: their
    own units (unless their guardian votes for them), then each ward's as guardian."""
    rows = []
    if person.guardian_id is None and held_units(session, person):
        rows.append(
            queue_ownership(session, community=community, person=person, issuers=issuers, now=now)
        )
    for ward in wards_of(session, person):
        if held_units(session, ward):
            rows.append(
                queue_ownership(
                    session,
                    community=community,
                    person=person,
                    issuers=issuers,
                    now=now,
                    ward=ward,
                )
            )
    return rows


def unsigned_for(row: IssuedCredential, issuer: str) -> dict[str, Any]:
    """A queued credential as `issuer` (a registered member) is to sign it."""
    template = document_of(row)
    return {"@context": template["@context"], "issuer": issuer} | template


def pending_for(session: Session, *, community: Community, issuer: str) -> list[dict[str, Any]]:
    """Every queued credential of `community`, each with `issuer` as its issuer."""
    return [unsigned_for(row, issuer) for row in active(session, community=community, pending=True)]


def _member_then(chain: RegistrationChain, at: datetime, did: str) -> bool:
    reg = chain.in_force(at)
    return reg is not None and did in reg.member_dids


def accept_signed(
    session: Session,
    *,
    community: Community,
    credentials: Sequence[object],
    chain: RegistrationChain,
    now: datetime,
) -> list[IssuedCredential]:
    """Store queued credentials a member signed. Each must be a queued credential of this
    community, exactly as queued but for its issuer and proof, issued and signed by a member
    of the registration in force now and at its ``validFrom`` (what a verifier will ask)."""
    rows: list[IssuedCredential] = []
    seen: set[str] = set()
    for i, credential in enumerate(credentials, start=1):
        where_zh, where_en = f"第{i}份凭证", f"credential {i}"
        if not isinstance(credential, Mapping):
            raise IssuanceError(f"{where_zh}不是 JSON 对象", f"{where_en} is not a JSON object")
        cid = credential.get("id")
        row = (
            session.scalar(
                select(IssuedCredential).where(
                    IssuedCredential.credential_id == cid,
                    IssuedCredential.community_id == community.id,
                )
            )
            if isinstance(cid, str) and cid not in seen
            else None
        )
        if row is None or not row.pending or row.revoked_at is not None:
            raise IssuanceError(
                f"{where_zh}不是本小区待签发的凭证",
                f"{where_en} is not a credential waiting to be issued in this community",
            )
        seen.add(row.credential_id)
        issuer = credential.get("issuer")
        if not isinstance(issuer, str) or not _member_then(chain, now, issuer):
            raise IssuanceError(
                f"{where_zh}的签发者不是现任业委会委员",
                f"the issuer of {where_en} is not a member of the committee registration in force",
            )
        if not _member_then(chain, aware(row.issued_at), issuer):
            raise IssuanceError(
                f"{where_zh}的签发者在凭证生效时不是业委会委员",
                f"the issuer of {where_en} was not a registered member when the credential "
                "took effect",
            )
        if unsecured(credential) != unsigned_for(row, issuer):
            raise IssuanceError(
                f"{where_zh}与待签发的内容不一致", f"{where_en} differs from the one queued"
            )
        try:
            verify_issued(credential)
        except VerificationError as exc:
            raise IssuanceError(
                *explain(f"{where_zh}的签名无效", f"the signature of {where_en} is invalid", exc)
            ) from exc
        row.document = _dump(credential)
        row.issuer_did = issuer
        row.pending = False
        rows.append(row)
    session.flush()
    return rows


def reissue_ownership(
    session: Session,
    *,
    community: Community,
    person: Person,
    issuers: Issuers,
    now: datetime,
    reason: str,
) -> tuple[list[IssuedCredential], list[IssuedCredential]]:
    """Revoke the person's ownership credentials (queued ones too, and those held as a
    guardian); queue them again for what they vote for now (`queue_voting`). Returns
    (revoked, queued): none queued when the person has no DID or votes for nothing."""
    revoked = [
        *active(session, community=community, person=person, kinds=[OWNERSHIP]),
        *active(session, community=community, person=person, kinds=[OWNERSHIP], pending=True),
    ]
    for row in revoked:
        revoke(row, reason=reason, now=now)
    if person.did is None:
        return revoked, []
    return revoked, queue_voting(
        session, community=community, person=person, issuers=issuers, now=now
    )


def role_credential(
    *,
    root: str,
    holder: str,
    community_id: str,
    role: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
) -> dict[str, Any]:
    """An unsigned street-office ``CommunityRoleCredential``: `holder` is the community's
    property manager or an auditor. The office signs it on its own machine; it carries no
    status entry (the office is offline), and ends by its term or by a newer one."""
    if role not in STAFF_ROLES:
        raise IssuanceError(
            f"角色必须是 {' / '.join(STAFF_ROLES)}", f"role must be one of {', '.join(STAFF_ROLES)}"
        )
    return build_credential(
        issuer=root,
        types=[ROLE_CREDENTIAL],
        subject={"id": check_did(holder), "communityId": community_id, "role": role},
        valid_from=valid_from,
        valid_until=valid_until,
        credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}",
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


def check_role(
    credential: object, *, roots: Collection[str], community: str
) -> tuple[CredentialView, str, str]:
    """(view, holder DID, role) of a ``CommunityRoleCredential`` for `community` signed by
    one of `roots`; its term is the caller's to check (at the time that matters to it)."""
    try:
        view, _ = verify_issued(credential)
    except VerificationError as exc:
        raise IssuanceError(
            *explain("角色凭证无效", "the role credential is not valid", exc)
        ) from exc
    if ROLE_CREDENTIAL not in view.types:
        raise IssuanceError(f"不是 {ROLE_CREDENTIAL}", f"not a {ROLE_CREDENTIAL}")
    if view.issuer not in roots:
        raise IssuanceError(
            "角色凭证不是由受信任的街道办事处签发",
            f"the role credential's issuer {view.issuer} is not a trusted root",
        )
    slug, role = parse_role(view.subject)
    holder = check_did(view.subject.get("id"))
    if slug != community:
        raise IssuanceError(
            "角色凭证属于另一小区", f"the role credential is for another community: {slug[:64]!r}"
        )
    if view.status or view.id is None:
        raise IssuanceError(
            "角色凭证须有 id，且不带状态条目（街道办离线签发）",
            "a role credential needs an id and carries no credentialStatus "
            "(the street office signs offline)",
        )
    return view, holder, role


def role_documents(session: Session, community: Community) -> list[dict[str, Any]]:
    """Every role credential stored for `community`, superseded ones too (a former property
    manager's disclosures stay theirs), oldest first: what a disclosure bundle carries so
    its verifier knows the publishers from what the street office signed."""
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.community_id == community.id, IssuedCredential.kind == ROLE)
        .order_by(IssuedCredential.id)
    )
    return [document_of(row) for row in rows]


def store_role(
    session: Session,
    *,
    community: Community,
    credential: object,
    roots: Collection[str],
    now: datetime,
    skew: timedelta = timedelta(0),
) -> IssuedCredential:
    """Store a role credential the street office signed for this community (a newer one for
    the same holder and role supersedes the older)."""
    view, holder, role = check_role(credential, roots=roots, community=community.slug)
    try:
        check_validity(view, now, skew=skew)
    except VerificationError as exc:
        raise IssuanceError(
            *explain("角色凭证无效", "the role credential is not valid", exc)
        ) from exc
    known = session.scalar(
        select(IssuedCredential).where(IssuedCredential.credential_id == view.id)
    )
    if known is not None:
        if known.document != _dump(view.credential):
            raise IssuanceError(
                "已有同 id 的其他凭证", "another credential with this id is stored already"
            )
        return known
    for row in active(session, community=community, subject_did=holder, kinds=[ROLE]):
        if row.role == role:
            revoke(row, reason="superseded", now=now)
    row = IssuedCredential(
        credential_id=view.id,
        community_id=community.id,
        kind=ROLE,
        issuer_did=view.issuer,
        subject_did=holder,
        role=role,
        units=[],
        status_list=None,
        status_index=None,
        document=_dump(view.credential),
        issued_at=now,
    )
    session.add(row)
    session.flush()
    return row


def status_bits(session: Session, list_key: str) -> bytearray:
    """The list's bits: set exactly for the revoked credentials it holds."""
    bits = statuslist.new_bitstring()
    for index in session.scalars(
        select(IssuedCredential.status_index).where(
            IssuedCredential.status_list == list_key, IssuedCredential.revoked_at.is_not(None)
        )
    ):
        if index is not None:
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


def revoked_here(session: Session, credential_id: str | None) -> bool:
    """Whether this server stores `credential_id` as revoked (what a credential without a
    status entry, like a role credential, cannot say itself)."""
    if credential_id is None:
        return False
    return (
        session.scalar(
            select(IssuedCredential.id).where(
                IssuedCredential.credential_id == credential_id,
                IssuedCredential.revoked_at.is_not(None),
            )
        )
        is not None
    )


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


class CredentialPending(IssuanceError):
    """A key whose ownership credential no registered member has signed yet."""


def credential_pending() -> CredentialPending:
    """The refusal of a vote by a key whose ownership credential is only queued."""
    return CredentialPending(
        "您的业主身份凭证尚待业委会委员签发，暂不能投票",
        "your ownership credential has not been issued by a committee member yet, so you "
        "cannot vote for now",
    )


def uncredentialed(session: Session, *, community: Community, dids: Collection[str]) -> set[str]:
    """Those of `dids` whose unrevoked ownership credentials in `community` are all still
    queued: no registered member has signed one, so a verifier finds none behind the DID.

    One query on the indexed ``subject_did``: per DID, the least "pending" of its unrevoked
    ownership credentials is 1 exactly when none of them is signed. A DID with no credential
    at all is not named (it is not in the census, or was placed there otherwise)."""
    if not dids:
        return set()
    signed_none = func.min(case((IssuedCredential.pending, 1), else_=0)) == 1
    return set(
        session.scalars(
            select(IssuedCredential.subject_did)
            .where(
                IssuedCredential.subject_did.in_(set(dids)),
                IssuedCredential.community_id == community.id,
                IssuedCredential.kind == OWNERSHIP,
                IssuedCredential.revoked_at.is_(None),
            )
            .group_by(IssuedCredential.subject_did)
            .having(signed_none)
        )
    )


def revoke_did(
    session: Session, *, community: Community, did: str, reason: str, now: datetime
) -> list[IssuedCredential]:
    """Revoke every active credential of `did` in the community (a lost or stolen device)."""
    rows = [
        *active(session, community=community, subject_did=did),
        *active(session, community=community, subject_did=did, pending=True),
    ]
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
    if row is None:
        raise IssuanceError(
            "本小区没有该凭证", f"no such credential in this community: {credential_id[:80]!r}"
        )
    if row.revoked_at is not None:
        raise IssuanceError("该凭证已被撤销", "the credential is already revoked")
    revoke(row, reason=reason, now=now)
    session.flush()
    return row
