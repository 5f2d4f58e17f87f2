"""The demo community: register, owner DIDs with server-held keys, one open ballot, and a
disclosure log a visitor can read (fee standard, monthly statements, maintenance fund, one
objection answered).

**A demo server holds everyone's keys** — those of a demo street office, of three demo
committee members, of the owners and of the property manager — so that one machine can show
the whole system. A real server holds none of them: the street office signs registrations
and role credentials on its own machine (``gongzhi office``), members sign on their own
devices, owners' keys never leave their phones. The demo keys are kept in the data folder,
each file marked ``"demo": true`` (`demo-office-key.json`, `demo-member-keys.json`,
`demo-owner-keys.json`, `demo-manager-key.json`, mode 0600) so the demo people can still act
after a restart. The demo office signs the community's registration (its three demo members)
and the manager's role credential; on a demo server only, a queued ownership credential is
signed at once by a demo member (`auto_signer`) instead of waiting for a member's device.
Demo disclosures go through `web.demo_disclosures`, which uses the same credentials, policy
and checks as the API.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community import issuance, registrations
from identity.community.committee import (
    Member,
    RegistrationError,
    ServerKeys,
    build_registration,
    sign_registration,
)
from identity.community.issuance import AutoSigner, Issuers
from identity.community.models import Community, IssuedCredential, Person, Unit
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.disclosure.service import disclosure_origin
from web.demo_disclosures import seed_disclosures
from web.demo_register import demo_register_csv
from web.services import Services

SLUG = "xianxia-demo"
KEYS_FILE = "demo-owner-keys.json"
OFFICE_KEY_FILE = "demo-office-key.json"
MEMBER_KEYS_FILE = "demo-member-keys.json"
MEMBER_ROLES = ("chair", "viceChair", "member")
OBJECTOR_UNIT = "1-1-101"  # the demo owner who objects to a statement
TERM = timedelta(days=5 * 365)  # 业委会任期 (a term of five years)


def _save_keys(path: Path, keys: object) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(keys, f)


def demo_office_key(services: Services) -> KeyPair:
    """The demo street office's key (made at the first demo start, kept in the data folder)."""
    path = services.settings.data_dir / OFFICE_KEY_FILE
    if path.exists():
        return KeyPair.from_secret_multibase(json.loads(path.read_text())["secret"])
    key = KeyPair.generate(KeyType.ED25519)
    _save_keys(path, {"demo": True, "did": key.did.value, "secret": key.secret_multibase()})
    return key


def demo_member_keys(services: Services) -> list[KeyPair]:
    """The demo committee's three members' keys, chair first (made at the first demo start)."""
    path = services.settings.data_dir / MEMBER_KEYS_FILE
    if path.exists():
        raw = json.loads(path.read_text())["members"]
        return [KeyPair.from_secret_multibase(m["secret"]) for m in raw]
    keys = [KeyPair.generate(KeyType.ED25519) for _ in MEMBER_ROLES]
    members = [
        {"did": k.did.value, "role": role, "secret": k.secret_multibase()}
        for k, role in zip(keys, MEMBER_ROLES, strict=True)
    ]
    _save_keys(path, {"demo": True, "members": members})
    return keys


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


def _ensure_registration(
    session: Session, services: Services, issuers: Issuers, community: Community, now: datetime
) -> None:
    """The demo office registers the demo committee once (sequence 1)."""
    if registrations.documents(session, community):
        return
    office = demo_office_key(services)
    members = [
        Member(k.did.value, role)
        for k, role in zip(demo_member_keys(services), MEMBER_ROLES, strict=True)
    ]
    server = ServerKeys(
        status_issuer=issuers.status.did.value,
        disclosure_log_key=services.log_vkey(disclosure_origin(services.public_host, SLUG)),
    )
    start = now - timedelta(minutes=1)
    unsigned = build_registration(
        root=office.did.value,
        community=community.slug,
        sequence=1,
        members=members,
        server=server,
        valid_from=start,
        valid_until=start + TERM,
    )
    signed = sign_registration(unsigned, office, created=start)
    registrations.add(session, community, signed, issuers.trusted_roots)


def demo_keys(services: Services) -> dict[str, KeyPair]:
    """unit number → the demo key of the owner who votes for it."""
    path = services.settings.data_dir / KEYS_FILE
    if not path.exists():
        return {}
    raw: dict[str, str] = json.loads(path.read_text())
    return {unit: KeyPair.from_secret_multibase(secret) for unit, secret in raw.items()}


def seed_demo(services: Services, issuers: Issuers) -> bool:
    """Load the demo community and its disclosures unless they exist; True if anything was
    added now (a second start adds nothing). `issuers` must trust the demo office."""
    created = _seed_community(services, issuers)
    objector = demo_keys(services).get(OBJECTOR_UNIT)
    if objector is None:  # a data folder whose key file was removed: no one to object
        return created
    office = demo_office_key(services)
    return (
        seed_disclosures(services, slug=SLUG, objector=objector, issuers=issuers, office=office)
        or created
    )


def _seed_community(services: Services, issuers: Issuers) -> bool:
    now = datetime.now(UTC).replace(microsecond=0)
    with services.db.session() as session:
        existing = session.scalar(select(Community).where(Community.slug == SLUG))
        if existing is not None:
            _ensure_registration(session, services, issuers, existing, now)
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
        _ensure_registration(session, services, issuers, community, now)
        keys = _give_dids(session, community)
        _save_keys(services.settings.data_dir / KEYS_FILE, keys)
        services.open_ballot(
            session,
            community=community,
            matter=4,
            title="续聘现物业服务企业（演示）",
            text="是否同意续聘现物业服务企业，服务期三年，物业费标准不变？（演示数据）",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=14),
        )
    return True


def _give_dids(session: Session, community: Community) -> dict[str, str]:
    keys: dict[str, str] = {}
    people = select(Person).where(Person.community_id == community.id).order_by(Person.id)
    for person in session.scalars(people):
        key = KeyPair.generate(KeyType.ED25519)
        person.did = str(key.did)
        for unit in session.scalars(select(Unit).where(Unit.holder_id == person.id)):
            keys[unit.unit_no] = key.secret_multibase()
    session.flush()
    return keys
