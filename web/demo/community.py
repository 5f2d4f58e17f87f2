"""The demo community: register, owner DIDs with server-held keys, one open ballot, and a
disclosure log a visitor can read (fee standard, monthly statements, maintenance fund, one
objection answered).

**A demo server holds everyone's keys** — those of a demo street office, of three demo
committee members, of the owners and of the property manager — so that one machine can show
the whole system. A real server holds none of them: the street office signs registrations
and role credentials on its own machine (``gongzhi office``), members sign decisions and
ownership credentials on their own devices (``gongzhi member``, the browser), owners' keys
never leave their phones. The demo keys are kept in the data folder, in files named
``demo-*.json`` (`demo-office-key.json`, `demo-member-keys.json`, `demo-owner-keys.json`,
`demo-manager-key.json`, mode 0600) so the demo people can still act after a restart. The
demo office signs the community's registration (its three demo members) and the manager's
role credential; the demo members sign the demo ballot's opening (`sign_as_demo_members`);
on a demo server only, a queued ownership credential is signed at once by a demo member
(`auto_signer`) instead of waiting for a member's device. Demo disclosures go through
`web.demo.disclosures`, which uses the same credentials, policy and checks as the API.

About one holder in ten is left without a key (`left_free`), so that the ``/demo`` page
(`web.demo.pages`) can hand a visitor that unit's enrolment code (`free_unit_code`); the
demo members then attest the visitor's VoterKeyChanged at once (`sign_as_demo_members`,
set as `Services.attest_key_change` on a demo server only). A visitor can also play a
committee member or the property manager: the demo office registers the visitor's device
key as chair beside two demo members (`register_visitor_chair`), or names it the property
manager (`name_visitor_manager`)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import decisions, enrolment, issuance, registrations
from identity.community.committee import (
    DuplicateShare,
    Member,
    Registration,
    RegistrationError,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
)
from identity.community.enrolment import IssuedCode
from identity.community.issuance import AutoSigner, Issuers
from identity.community.models import (
    Community,
    DecisionRow,
    EnrolmentCode,
    IssuedCredential,
    Person,
    Unit,
)
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from voting.models import Ballot
from web.demo.disclosures import name_manager, seed_disclosures
from web.demo.register import demo_register_csv
from web.server import ballot_acts
from web.server.services import Services

SLUG = "xianxia-demo"
KEYS_FILE = "demo-owner-keys.json"
OFFICE_FILE = "demo-office-key.json"  # DEMO ONLY: a real street office keeps its own
MEMBERS_FILE = "demo-member-keys.json"  # DEMO ONLY: real members sign on their own devices
DEMO_MEMBERS = 3
OBJECTOR_UNIT = "1-1-101"  # the demo owner who objects to a statement
TERM = timedelta(days=5 * 365)  # 业委会任期 (a term of five years)
DEMO_CODE_VALIDITY = timedelta(days=1)  # a visitor enrols now or not at all


def _save_keys(path: Path, keys: object) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(keys, f)


def demo_keys(services: Services) -> dict[str, KeyPair]:
    """unit number → the demo key of the owner who votes for it."""
    path = services.settings.data_dir / KEYS_FILE
    if not path.exists():
        return {}
    raw: dict[str, str] = json.loads(path.read_text())
    return {unit: KeyPair.from_secret_multibase(secret) for unit, secret in raw.items()}


def _demo_key_file(path: Path, count: int) -> list[KeyPair]:
    """Demo keys kept in the data folder (made on first use, mode 0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _save_keys(
            path,
            {str(i): KeyPair.generate(KeyType.ED25519).secret_multibase() for i in range(count)},
        )
    raw: dict[str, str] = json.loads(path.read_text())
    return [KeyPair.from_secret_multibase(raw[str(i)]) for i in range(count)]


def demo_office_key(data_dir: Path) -> KeyPair:
    """The demo street office's root key. A demo server holds it so the demo runs on its own;
    a real server holds no root key at all."""
    return _demo_key_file(data_dir / OFFICE_FILE, 1)[0]


def demo_member_keys(data_dir: Path) -> list[KeyPair]:
    """The demo committee members' keys (chair first), kept in the data folder. DEMO ONLY."""
    return _demo_key_file(data_dir / MEMBERS_FILE, DEMO_MEMBERS)


def auto_signer(members: list[KeyPair], roots: frozenset[str]) -> AutoSigner:
    """Demo only: sign a queued ownership credential at once with the first demo member the
    community's registration in force lists (none: it stays queued, as on a real server)."""

    def sign(session: Session, community: Community, row: IssuedCredential, now: datetime) -> None:
        try:
            chain = registrations.chain(session, community, roots)
        except RegistrationError:
            return
        current = chain.in_force(now)
        for key in members:
            if current is not None and key.did.value in current.member_dids:
                unsigned = issuance.unsigned_for(row, key.did.value)
                signed = sign_credential(unsigned, key, created=now)
                issuance.accept_signed(
                    session, community=community, credentials=[signed], chain=chain, now=now
                )
                return

    return sign


def sign_as_demo_members(
    services: Services, session: Session, community: Community, row: DecisionRow
) -> None:
    """Sign a pending decision with demo members' keys until it takes effect. DEMO ONLY: in
    real use each member signs on their own device (`gongzhi member sign`, the console)."""
    now = datetime.now(UTC)
    body = decisions.body_of(row)
    for key in demo_member_keys(services.settings.data_dir):
        if row.state != decisions.PENDING:
            return
        services.sign_decision(session, community, row.id, decision_share(body, key, created=now))


def register_demo_committee(services: Services, session: Session, community: Community) -> None:
    """The demo office registers the demo committee (业委会备案) for five years, as the
    community's first registration."""
    office = demo_office_key(services.settings.data_dir)
    members = demo_member_keys(services.settings.data_dir)
    now = datetime.now(UTC).replace(microsecond=0)
    unsigned = build_registration(
        root=office.did.value,
        community=community.slug,
        sequence=1,
        members=[
            Member(key.did.value, "chair" if i == 0 else "member") for i, key in enumerate(members)
        ],
        server=services.host_keys(community.slug),
        valid_from=now - timedelta(days=1),
        valid_until=now - timedelta(days=1) + TERM,
    )
    registrations.add(
        session, community, sign_registration(unsigned, office, created=now), services.roots
    )


def seed_demo(services: Services, issuers: Issuers) -> bool:
    """Load the demo community and its disclosures unless they exist; True if anything was
    added now (a second start adds nothing). `issuers` must trust the demo office."""
    created = _seed_community(services)
    objector = demo_keys(services).get(OBJECTOR_UNIT)
    if objector is None:  # a data folder whose key file was removed: no one to object
        return created
    office = demo_office_key(services.settings.data_dir)
    return (
        seed_disclosures(services, slug=SLUG, objector=objector, issuers=issuers, office=office)
        or created
    )


def _seed_community(services: Services) -> bool:
    with services.db.session() as session:
        existing = session.scalar(select(Community).where(Community.slug == SLUG))
        if existing is not None:
            # A demo folder made before registrations existed gets its committee registered.
            if not registrations.documents(session, existing):
                register_demo_committee(services, session, existing)
            return False
        community = create_community(
            session, slug=SLUG, name="仙霞示范小区（演示）", street_office="仙霞新村街道（演示）"
        )
        import_register(
            session,
            community=community,
            register=parse_csv(demo_register_csv()),
            cipher=services.cipher,
        )
        register_demo_committee(services, session, community)
        keys = _give_dids(session, community)
        _save_keys(services.settings.data_dir / KEYS_FILE, keys)
        seed_ballot(services, session, community)
    return True


DEMO_ITEMS = [
    {
        "id": "1",
        "kind": "motion",
        "matter": 4,
        "title": "续聘现物业服务企业（演示）",
        "text": "是否同意续聘现物业服务企业，服务期三年，物业费标准不变？（演示数据）",
        "attachments": [],
    },
    {
        "id": "2",
        "kind": "motion",
        "matter": 2,
        "title": "修改管理规约：地面车位夜间管理（演示）",
        "text": "是否同意在管理规约中增加地面车位22:00至次日6:00仅限本小区车辆停放的条款？"
        "（演示数据）",
        "attachments": [],
    },
]


def seed_ballot(services: Services, session: Session, community: Community) -> None:
    open_demo_ballot(
        services,
        session,
        community,
        title="2026年第一次业主大会表决（演示）",
        text="仙霞示范小区业主大会就以下两项事项进行书面表决。（演示数据）",
        items=DEMO_ITEMS,
    )


def open_demo_ballot(
    services: Services,
    session: Session,
    community: Community,
    *,
    title: str,
    text: str,
    items: list[dict[str, Any]],
) -> Ballot:
    """An open ballot signed by the demo members: announced 16 days ago (the notice period
    of 15 days has run), open since yesterday, for ten days more. DEMO ONLY: its notice is
    dated in the past so that a visitor can vote today; a real ballot's notice is dated
    when its members sign it."""
    real_clock = services.clock
    now = real_clock().replace(microsecond=0)
    announced_at = now - timedelta(days=16)
    chair = demo_member_keys(services.settings.data_dir)[0].did.value
    services.clock = lambda: announced_at
    try:
        ballot, proposal = ballot_acts.announce(
            services,
            session,
            community=community,
            title=title,
            text=text,
            items=items,
            opens_at=announced_at + timedelta(days=15),
            closes_at=now + timedelta(days=10),
            proposed_by=chair,
        )
        sign_as_demo_members(services, session, community, proposal)
    finally:
        services.clock = real_clock
    opening = ballot_acts.propose_opening(services, session, ballot.id, proposed_by=chair)
    sign_as_demo_members(services, session, community, opening)
    return ballot


LEFT_FREE_EVERY = 10  # every 10th single-unit holder is left to enrol in the browser


def left_free(person_index: int, units: list[str]) -> bool:
    """Whether the demo leaves this holder without a key, so a visitor can be handed their
    enrolment code (`/demo`). Every tenth holder of one unit, never the objector: about 19
    of 193 holders, so the demo ballot still passes with the owners who have keys."""
    return (
        person_index % LEFT_FREE_EVERY == LEFT_FREE_EVERY - 1
        and units != [OBJECTOR_UNIT]
        and len(units) == 1
    )


def _give_dids(session: Session, community: Community) -> dict[str, str]:
    keys: dict[str, str] = {}
    people = select(Person).where(Person.community_id == community.id).order_by(Person.id)
    holders = 0
    for person in session.scalars(people):
        units = list(
            session.scalars(
                select(Unit.unit_no).where(Unit.holder_id == person.id).order_by(Unit.unit_no)
            )
        )
        if units:
            holders += 1
            if left_free(holders - 1, units):
                continue
        key = KeyPair.generate(KeyType.ED25519)
        person.did = str(key.did)
        for unit in units:
            keys[unit] = key.secret_multibase()
    session.flush()
    return keys


def free_unit_code(session: Session, community: Community, now: datetime) -> IssuedCode | None:
    """DEMO ONLY: an enrolment code for a demo unit whose holder has no key yet (one with no
    code outstanding first), issued by the committee's own path (`enrolment.owner_codes`,
    as `POST …/enrolment-codes` does) on behalf of the demo members whose keys this server
    holds. None once every demo holder has enrolled."""
    outstanding = select(EnrolmentCode.person_id).where(
        EnrolmentCode.community_id == community.id,
        EnrolmentCode.person_id.is_not(None),
        EnrolmentCode.used_at.is_(None),
        EnrolmentCode.cancelled_at.is_(None),
        EnrolmentCode.expires_at > now,
    )
    free = (
        select(Unit.unit_no)
        .join(Person, Unit.holder_id == Person.id)
        .where(Unit.community_id == community.id, Person.did.is_(None))
        .order_by(Person.id.in_(outstanding), Unit.unit_no)
        .limit(1)
    )
    unit = session.scalar(free)
    if unit is None:
        return None
    [code] = enrolment.owner_codes(
        session, community=community, now=now, units=[unit], valid_for=DEMO_CODE_VALIDITY
    )
    return code


def sign_as_second_member(
    services: Services, session: Session, community: Community, row_id: int
) -> DecisionRow:
    """DEMO ONLY: the second signature on a pending decision that has exactly one, by the
    first demo member of the decision's registration who has not signed it (the "second
    member" a visitor plays). Never a first or a third: one visitor alone must not make a
    decision take effect."""
    row = decisions.get(session, community, row_id)
    if row.state != decisions.PENDING:
        raise decisions.DecisionClosed("该决定已生效或已撤回", "the decision is no longer pending")
    signed = set(decisions.view(session, row, None).signers)
    if len(signed) != 1:
        raise DuplicateShare(
            f"演示只代签第二个签名：该决定现有 {len(signed)} 个签名，须恰好 1 个",
            f"the demo signs only as the second member: this decision has {len(signed)} "
            "signatures, not exactly one",
        )
    body = decisions.body_of(row)
    members = (
        registrations.chain(session, community, services.roots)
        .by_hash(str(body.get("registration")))
        .member_dids
    )
    now = datetime.now(UTC).replace(microsecond=0)
    for key in demo_member_keys(services.settings.data_dir):
        if key.did.value in members and key.did.value not in signed:
            share = decision_share(body, key, created=now)
            return services.sign_decision(session, community, row.id, share)[0]
    raise DuplicateShare(
        "该决定的备案中没有尚未签署的演示委员", "no demo member of its registration is left to sign"
    )


def register_visitor_chair(
    services: Services, session: Session, community: Community, did: str
) -> Registration:
    """DEMO ONLY: the demo office registers a committee (换届) whose chair is a visitor's
    device DID, beside the first two demo members — so two of the three must sign: the
    visitor on the device, and a demo member (`sign_as_second_member`). The registration in
    force already naming `did` chair is kept as it is (asking twice changes nothing). A real
    street office signs this on its own machine (``gongzhi office register``)."""
    did = issuance.check_did(did)
    now = datetime.now(UTC).replace(microsecond=0)
    current = registrations.in_force(session, community, services.roots, now)
    if any(m.did == did and m.role == "chair" for m in current.members):
        return current
    office = demo_office_key(services.settings.data_dir)
    first, second, _ = demo_member_keys(services.settings.data_dir)
    if did in (first.did.value, second.did.value):
        raise RegistrationError(
            "该 DID 是演示委员的，不能再作为主任登记", "this DID is a demo member's already"
        )
    last = registrations.documents(session, community)[-1]
    unsigned = build_registration(
        root=office.did.value,
        community=community.slug,
        sequence=int(last["credentialSubject"]["sequence"]) + 1,
        previous=registration_hash(last),
        members=[
            Member(did, "chair"),
            Member(first.did.value, "member"),
            Member(second.did.value, "member"),
        ],
        server=services.host_keys(community.slug),
        # a minute back, so a device whose clock runs a little slow still finds it in force
        valid_from=now - timedelta(minutes=1),
        valid_until=now - timedelta(minutes=1) + TERM,
    )
    return registrations.add(
        session, community, sign_registration(unsigned, office, created=now), services.roots
    )


def name_visitor_manager(
    services: Services, session: Session, community: Community, did: str
) -> bool:
    """DEMO ONLY: the demo office names a visitor's device DID the property manager (a
    CommunityRoleCredential, as ``gongzhi office grant-role`` signs it); True if issued now,
    False if that DID holds the role already."""
    office = demo_office_key(services.settings.data_dir)
    now = datetime.now(UTC).replace(microsecond=0)
    return name_manager(session, community, issuance.check_did(did), office, services.roots, now)
