"""Store a checked register: owners with personal data encrypted, units with their holder."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.community.models import Community, Person, Unit, UnitOwner
from identity.community.pii import PiiCipher
from identity.community.register import Register
from identity.errors import IdentityError


class RegistryError(IdentityError):
    """The register cannot be stored as asked (unknown community, already imported…)."""


class CommunityNotFound(RegistryError):
    """No community has the given slug."""


class CommunityExists(RegistryError):
    """A community with the given slug exists already."""


def get_community(session: Session, slug: str) -> Community:
    community = session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise CommunityNotFound(f"没有小区“{slug}”", f"no community {slug!r}")
    return community


def create_community(session: Session, *, slug: str, name: str, street_office: str) -> Community:
    if session.scalar(select(Community).where(Community.slug == slug)) is not None:
        raise CommunityExists(f"小区“{slug}”已存在", f"community {slug!r} already exists")
    community = Community(slug=slug, name=name, street_office=street_office)
    session.add(community)
    session.flush()
    return community


def import_register(
    session: Session, *, community: Community, register: Register, cipher: PiiCipher
) -> dict[str, int]:
    """Store every owner and guardian once and every unit with its voting holder and area
    source; all or nothing."""
    existing = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.community_id == community.id)
    )
    if existing:
        raise RegistryError(
            f"小区“{community.slug}”已导入 {existing} 套房屋",
            f"community {community.slug!r} already has {existing} units",
        )
    developer_ids = {o.id_number for u in register.units if u.developer for o in u.owners}
    people: dict[str, Person] = {}
    owners = register.owners()
    # Owners first, then guardians who own nothing here: a guardian is a person of the
    # community's register like an owner, personal data encrypted the same way.
    for owner in [*owners, *register.guardians.values()]:
        if owner.id_number in people:
            continue
        person = Person(
            community_id=community.id,
            name_enc=cipher.encrypt(owner.name, field="name"),
            id_number_enc=cipher.encrypt(owner.id_number, field="id_number"),
            phone_enc=cipher.encrypt(owner.phone, field="phone"),
            id_lookup=cipher.lookup(owner.id_number, field="id_number"),
            developer=owner.id_number in developer_ids,
        )
        session.add(person)
        people[owner.id_number] = person
    session.flush()
    for ward, guardian in register.guardians.items():
        people[ward].guardian_id = people[guardian.id_number].id
    for ru in register.units:
        unit = Unit(
            community_id=community.id,
            unit_no=ru.unit,
            area_centi=ru.area_centi,
            area_source=ru.area_source,
            developer=ru.developer,
            holder_id=people[ru.holder.id_number].id,
        )
        session.add(unit)
        session.flush()
        for owner in ru.owners:
            session.add(UnitOwner(unit_id=unit.id, person_id=people[owner.id_number].id))
    session.flush()
    return {
        "units": len(register.units),
        "owners": len(owners),
        "guardians": len(register.guardians),
    }


def find_person(
    session: Session, *, community: Community, id_number: str, cipher: PiiCipher
) -> Person | None:
    """Find an owner by ID number through the keyed hash, without decrypting anyone."""
    return session.scalar(
        select(Person).where(
            Person.community_id == community.id,
            Person.id_lookup == cipher.lookup(id_number, field="id_number"),
        )
    )
