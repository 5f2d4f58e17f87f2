"""The demo community: register, owner DIDs with server-held keys, one open ballot, and a
disclosure log a visitor can read (fee standard, monthly statements, maintenance fund, one
objection answered).

Server-held keys exist only here, for the demo and the tests: in real use the key pair is made
on the owner's (or property manager's) device and never leaves it. The keys are kept in the
data folder (`demo-owner-keys.json`, `demo-manager-key.json`, mode 0600) so the demo people
can still act after a restart. Demo disclosures go through `web.demo_disclosures`, which uses
the same credentials, policy and checks as the API.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.community.models import Community, Person, Unit
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from web.demo_disclosures import seed_disclosures
from web.demo_register import demo_register_csv
from web.services import Services

SLUG = "xianxia-demo"
KEYS_FILE = "demo-owner-keys.json"
OBJECTOR_UNIT = "1-1-101"  # the demo owner who objects to a statement


def _save_keys(path: Path, keys: dict[str, str]) -> None:
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


def seed_demo(services: Services) -> bool:
    """Load the demo community and its disclosures unless they exist; True if anything was
    added now (a second start adds nothing)."""
    created = _seed_community(services)
    objector = demo_keys(services).get(OBJECTOR_UNIT)
    if objector is None:  # a data folder whose key file was removed: no one to object
        return created
    return seed_disclosures(services, slug=SLUG, objector=objector) or created


def _seed_community(services: Services) -> bool:
    with services.db.session() as session:
        if session.scalar(select(Community).where(Community.slug == SLUG)) is not None:
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
        keys = _give_dids(session, community)
        _save_keys(services.settings.data_dir / KEYS_FILE, keys)
        now = datetime.now(UTC).replace(microsecond=0)
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
