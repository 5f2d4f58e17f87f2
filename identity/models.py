"""Tables of the identity package: communities, owners (personal data encrypted) and units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class IdentityBase(DeclarativeBase):
    pass


class Community(IdentityBase):
    """A residential community (小区); `slug` names it in log origins and URLs."""

    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    street_office: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Person(IdentityBase):
    """An owner. Name, ID and phone are AES-GCM ciphertexts; `id_lookup` is a keyed hash."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("community_id", "id_lookup"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_lookup: Mapped[str] = mapped_column(String(64))
    developer: Mapped[bool] = mapped_column(Boolean, default=False)
    did: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)


class Unit(IdentityBase):
    """An exclusive unit (专有部分) with its registered area in 0.01 m²."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("community_id", "unit_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    unit_no: Mapped[str] = mapped_column(String(32))
    area_centi: Mapped[int] = mapped_column(BigInteger)
    developer: Mapped[bool] = mapped_column(Boolean, default=False)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])


class UnitOwner(IdentityBase):
    """Co-ownership: every owner of a unit; the unit's `holder` is the one who votes."""

    __tablename__ = "unit_owner"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
