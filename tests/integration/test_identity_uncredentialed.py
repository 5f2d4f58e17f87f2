"""`issuance.uncredentialed`: the DIDs whose ownership credential no member has signed yet,
on SQLite and PostgreSQL (the one query the cast path runs for each batch of votes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from identity.community import issuance, registrations
from identity.community.committee import Member, ServerKeys, build_registration, sign_registration
from identity.community.issuance import Issuers
from identity.community.models import Community, IdentityBase, Person
from identity.community.pii import PiiCipher
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from web.demo.community import auto_signer

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OFFICE = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(1, 33)))
MEMBER = KeyPair.from_private_bytes(KeyType.P256, bytes(range(33, 65)))
STATUS = KeyPair.from_private_bytes(KeyType.ED25519, bytes(range(65, 97)))
ROOTS = frozenset({OFFICE.did.value})
ISSUERS = Issuers(status=STATUS, base_url="https://gongzhi.test", roots=ROOTS)
SIGN = auto_signer([MEMBER], ROOTS)
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,89.37,甲一,110101198001010010,13800000001,是,否
1-1-102,75.00,乙二,110101198502020022,13800000002,是,否
1-1-201,100.50,丙三,110101198603030035,13800000003,是,否
""".encode()


@pytest.fixture
def sessions(db_engine: Engine) -> Iterator[sessionmaker[Session]]:
    IdentityBase.metadata.create_all(db_engine)
    yield sessionmaker(db_engine, expire_on_commit=False)


def _community(s: Session, slug: str) -> Community:
    community = create_community(s, slug=slug, name=slug, street_office="测试街道")
    import_register(
        s, community=community, register=parse_csv(REGISTER), cipher=PiiCipher(bytes(32))
    )
    unsigned = build_registration(
        root=OFFICE.did.value,
        community=slug,
        sequence=1,
        members=[Member(MEMBER.did.value, "chair")],
        server=ServerKeys(STATUS.did.value, f"gongzhi.test/c/{slug}/disclosures+00000000+AQID"),
        valid_from=T0 - timedelta(days=1),
        valid_until=T0 + timedelta(days=365),
    )
    registrations.add(s, community, sign_registration(unsigned, OFFICE, created=T0), ROOTS)
    return community


def _bind(s: Session, community: Community) -> list[str]:
    """Give each holder a DID and queue their ownership credential (nothing signed)."""
    dids = []
    people = s.scalars(
        select(Person).where(Person.community_id == community.id).order_by(Person.id)
    )
    for person in people:
        person.did = KeyPair.generate(KeyType.P256).did.value
        issuance.queue_ownership(s, community=community, person=person, issuers=ISSUERS, now=T0)
        dids.append(person.did)
    return dids


def test_only_dids_with_nothing_signed_are_named(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        community = _community(s, "c-1")
        queued, signed, requeued = _bind(s, community)
        [signed_row] = issuance.active(s, community=community, subject_did=signed, pending=True)
        SIGN(s, community, signed_row, T0)
        # A signed credential revoked and a new one queued (units changed): nothing usable.
        [old] = issuance.active(s, community=community, subject_did=requeued, pending=True)
        SIGN(s, community, old, T0)
        person = s.scalar(select(Person).where(Person.did == requeued))
        assert person is not None
        issuance.reissue_ownership(
            s, community=community, person=person, issuers=ISSUERS, now=T0, reason="units"
        )
        stranger = KeyPair.generate(KeyType.P256).did.value  # holds no credential at all
        asked = {queued, signed, requeued, stranger}
        assert issuance.uncredentialed(s, community=community, dids=asked) == {queued, requeued}
        assert issuance.uncredentialed(s, community=community, dids=set()) == set()
        # Another community's queue says nothing about this one's.
        other = _community(s, "c-2")
        assert issuance.uncredentialed(s, community=other, dids=asked) == set()


def test_a_revoked_queue_is_not_named(sessions: sessionmaker[Session]) -> None:
    """A key reported lost has its queued credential revoked: `lost_keys` refuses it."""
    with sessions.begin() as s:
        community = _community(s, "c-1")
        did = _bind(s, community)[0]
        issuance.revoke_did(s, community=community, did=did, reason=issuance.KEY_LOST, now=T0)
        assert issuance.uncredentialed(s, community=community, dids={did}) == set()


def test_one_query_on_an_index(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        community = _community(s, "c-1")
        dids = _bind(s, community)
        engine = s.get_bind()
        sqlite = engine.dialect.name == "sqlite"
        captured: list[tuple[str, object]] = []

        def grab(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
            captured.append((statement, params))

        event.listen(engine, "before_cursor_execute", grab)
        try:
            assert issuance.uncredentialed(s, community=community, dids=dids) == set(dids)
        finally:
            event.remove(engine, "before_cursor_execute", grab)
        [(statement, params)] = captured  # one query for the whole batch
        if not sqlite:
            s.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask for the plan
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plan = " ".join(
            str(row)
            for row in s.connection().exec_driver_sql(explain + statement, params)  # type: ignore[arg-type]
        )
        assert "ix_issued_credential_community_subject" in plan, plan
