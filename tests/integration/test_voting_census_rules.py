"""The census frozen at opening under the counting rules, on SQLite and PostgreSQL.

One register holds every rule: a buyer of two units (one head, areas add), the developer's
two units (one head), a co-owned unit voting through its designated holder, an owner whose
guardian votes, and areas from the registry, a survey and a contract (SPC interpretation
Arts. 8–9). The frozen rows are checked field by field, a second co-owner's and a ward's own
votes are refused (naming no one), and later changes to the register leave the open
ballot's census as it was frozen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from identity.community.models import Community, Person, Unit, UnitOwner
from identity.community.pii import PiiCipher
from identity.community.register import parse_csv
from identity.community.registry import create_community, find_person, import_register
from ledger.tlog.note_keys import Ed25519Signer
from ledger.tlog.store import LogStore
from tests.serving_support import id_number
from voting import ballots
from voting.ballots import Receipt, SignedVote
from voting.box_state import BoxState
from voting.census_check import check_census_areas
from voting.census_freeze import RepresentedError, freeze_census, represented_by
from voting.census_rows import census_root
from voting.models import Ballot, CensusRepresented, CensusVoter
from voting.schedule import Rules
from web.server.db import METADATA

WANG, LI, ZHANG = "310105196306013988", "310105196805160341", "310105197001010019"
DEVELOPER = "91310000MA1FL0000N"
WARD, GUARDIAN = id_number(1), id_number(2)
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,表决人,开发商持有,面积来源,监护人姓名,监护人证件号码\n"
    f"1-1-101,89.37,王伟,{WANG},是,否,登记簿,,\n"
    f"1-1-102,120,王伟,{WANG},,否,实测,,\n"  # one buyer, two units
    f"1-1-201,75.50,李娜,{LI},否,否,合同,,\n"  # co-owned: 张强 is the designated holder
    f"1-1-201,75.50,张强,{ZHANG},是,否,,,\n"
    f"1-1-301,60.00,示范置业,{DEVELOPER},是,是,,,\n"
    f"1-1-302,61.01,示范置业,{DEVELOPER},是,是,,,\n"
    f"1-1-401,90.00,小明,{WARD},是,否,,王芳,{GUARDIAN}\n"  # 王芳 votes for 小明
)
CIPHER = PiiCipher(bytes(range(32)))
HOST = "gongzhi.test"


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    for metadata in METADATA:
        metadata.create_all(db_engine)
    with Session(db_engine) as s:
        community = create_community(s, slug="rules", name="规则", street_office="街道")
        import_register(
            s, community=community, register=parse_csv(REGISTER.encode()), cipher=CIPHER
        )
        for number in (WANG, LI, ZHANG, DEVELOPER, WARD, GUARDIAN):
            person = find_person(s, community=community, id_number=number, cipher=CIPHER)
            assert person is not None
            person.did = did(number)
        s.flush()
        yield s


NAMES = {WANG: "Wang", LI: "Li", ZHANG: "Zhang", DEVELOPER: "Dev", WARD: "Ward", GUARDIAN: "Gu"}


def did(number: str) -> str:
    """A stand-in DID (the census never sees a signature here), unrelated to the ID number."""
    return f"did:key:z{NAMES.get(number, number)}"


def _community(session: Session) -> Community:
    return session.scalars(select(Community)).one()


def _person(session: Session, number: str) -> Person:
    person = find_person(session, community=_community(session), id_number=number, cipher=CIPHER)
    assert person is not None
    return person


def _state_of(store: LogStore) -> Callable[[Ballot], BoxState]:
    """The box folded straight from its stored entries (what the server's views check)."""

    def state(ballot: Ballot) -> BoxState:
        log = store.get_log(ballot.log_origin)
        data = [e.data for e in store.iter_entries(log, 0, store.size(log))]
        folded = BoxState.of_announcement(data[0])
        for entry in data[1:]:
            folded.apply(entry)
        return folded

    return state


def _open(session: Session) -> tuple[Ballot, LogStore, Callable[[Any], str]]:
    store = LogStore(session)
    now = datetime.now(UTC).replace(microsecond=0)
    past = now - timedelta(days=16)
    community = _community(session)
    ballot, body = ballots.draft_announcement(
        session,
        store=store,
        community=community,
        registration="0" * 64,
        public_host=HOST,
        title="续聘物业",
        text="是否续聘？",
        items=ballots.legacy_items(4, "续聘物业", "是否续聘？", None),
        rules=Rules(),
        opens_at=past + timedelta(days=15),
        closes_at=now + timedelta(days=7),
        log_key=lambda log: Ed25519Signer(log.origin, bytes(32)).vkey,
        now=past,
    )
    proof: dict[str, Any] = {"proof": []}
    ballots.apply_announcement(session, store=store, ballot=ballot, document=body | proof, now=past)
    opening = ballots.draft_opening(
        session, store=store, ballot=ballot, community=community, registration="0" * 64, now=now
    )
    ballots.apply_opening(
        session,
        store=store,
        ballot=ballot,
        document=opening | proof,
        state_of=_state_of(store),
        now=now,
    )

    def checkpoint(log: Any) -> str:
        return store.sign_checkpoint(log, Ed25519Signer(log.origin, bytes(32)))

    return ballot, store, checkpoint


def _census(store: LogStore, ballot: Ballot) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(store.entry(store.get_log(ballot.log_origin), 1).data)
    census: dict[str, Any] = opened["census"]
    return census


def test_the_frozen_rows_apply_every_counting_rule(session: Session) -> None:
    ballot, store, _ = _open(session)
    census = _census(store, ballot)
    assert census["voters"] == [
        {
            "voter": "V0001",
            "did": did(WANG),
            "units": ["1-1-101", "1-1-102"],
            "area": "209.37",
            "areas": [
                {"unit": "1-1-101", "area": "89.37", "source": "registry"},
                {"unit": "1-1-102", "area": "120.00", "source": "surveyed"},
            ],
            "developer": False,
            "guardian": False,
        },
        {
            "voter": "V0002",
            "did": did(ZHANG),  # the designated co-owner, not 李娜
            "units": ["1-1-201"],
            "area": "75.50",
            "areas": [{"unit": "1-1-201", "area": "75.50", "source": "contract"}],
            "developer": False,
            "guardian": False,
        },
        {
            "voter": "V0003",
            "did": did(DEVELOPER),
            "units": ["1-1-301", "1-1-302"],
            "area": "121.01",
            "areas": [
                {"unit": "1-1-301", "area": "60.00", "source": "registry"},
                {"unit": "1-1-302", "area": "61.01", "source": "registry"},
            ],
            "developer": True,
            "guardian": False,
        },
        {
            "voter": "V0004",
            "did": did(GUARDIAN),  # the guardian's key, the owner's units
            "units": ["1-1-401"],
            "area": "90.00",
            "areas": [{"unit": "1-1-401", "area": "90.00", "source": "registry"}],
            "developer": False,
            "guardian": True,
        },
    ]
    assert census["total"] == {"area": "495.88", "headcount": 4}
    assert census["root"] == census_root(census["voters"]).hex() == ballot.census_root
    check_census_areas(census["voters"])  # what the verifier asks of the rows
    text = json.dumps(census, ensure_ascii=False)
    for personal in ("王伟", "李娜", "张强", "小明", "王芳", *NAMES):
        assert personal not in text
    kept = session.scalars(
        select(CensusVoter).where(CensusVoter.ballot_id == ballot.id).order_by(CensusVoter.voter)
    ).all()
    assert [(v.voter, v.did, v.area_centi) for v in kept] == [
        ("V0001", did(WANG), 20937),
        ("V0002", did(ZHANG), 7550),
        ("V0003", did(DEVELOPER), 12101),
        ("V0004", did(GUARDIAN), 9000),
    ]
    assert kept[3].person_id == _person(session, WARD).id
    assert kept[3].guardian_id == _person(session, GUARDIAN).id


def _cast(session: Session, number: str) -> ballots.CastOutcome:
    ballot = session.scalars(select(Ballot)).one()
    store = LogStore(session)
    signer = did(number)
    vote = {"type": "Vote", "ballot": ballot.log_origin, "voter": signer, "choices": {"1": "agree"}}
    [outcome] = ballots.cast_votes(
        session,
        store=store,
        checkpoint=lambda log: store.sign_checkpoint(log, Ed25519Signer(log.origin, bytes(32))),
        ballot_id=ballot.id,
        votes=[SignedVote(document=vote, signer=signer)],
        state_of=_state_of(store),
        now=datetime.now(UTC),
    )
    return outcome


def test_a_second_co_owner_is_refused_without_naming_anyone(session: Session) -> None:
    ballot, _, _ = _open(session)
    refused = _cast(session, LI)
    assert isinstance(refused, RepresentedError)
    assert "1-1-201" in refused.zh and "1-1-201" in refused.en
    assert "共有人" in refused.zh and "designated" in refused.en
    assert "张强" not in str(refused) and "李娜" not in str(refused)
    assert isinstance(_cast(session, ZHANG), Receipt)  # the designated holder votes
    # Asked of one census entry (a vote naming it, as ballot format v2 does): only that one.
    assert represented_by(session, ballot_id=ballot.id, did=did(LI), entry="V0002") is not None
    assert represented_by(session, ballot_id=ballot.id, did=did(LI), entry="V0001") is None


def test_a_ward_is_refused_and_the_guardian_votes(session: Session) -> None:
    ballot, _, _ = _open(session)
    refused = _cast(session, WARD)
    assert isinstance(refused, RepresentedError) and "监护人" in refused.zh
    assert "guardian" in refused.en and "王芳" not in str(refused)
    assert represented_by(session, ballot_id=ballot.id, did=did(GUARDIAN)) is None
    receipt = _cast(session, GUARDIAN)
    assert isinstance(receipt, Receipt)
    voted = session.scalars(
        select(CensusVoter).where(CensusVoter.ballot_id == ballot.id, CensusVoter.voter == "V0004")
    ).one()
    assert voted.cast_index == receipt.index


def test_owners_who_vote_themselves_are_not_represented(session: Session) -> None:
    ballot, _, _ = _open(session)
    for number in (WANG, ZHANG, DEVELOPER, GUARDIAN):
        assert represented_by(session, ballot_id=ballot.id, did=did(number)) is None
    assert represented_by(session, ballot_id=ballot.id, did="did:key:zNobody") is None
    refused = _cast(session, "nobody")
    assert isinstance(refused, ballots.BallotError) and "census" in refused.en


def _reassign(session: Session) -> None:
    unit = session.scalars(select(Unit).where(Unit.unit_no == "1-1-201")).one()
    unit.holder_id = _person(session, LI).id


def _resurvey(session: Session) -> None:
    unit = session.scalars(select(Unit).where(Unit.unit_no == "1-1-101")).one()
    unit.area_centi, unit.area_source = 9001, "surveyed"


def _end_guardianship(session: Session) -> None:
    _person(session, WARD).guardian_id = None


def _new_co_owner(session: Session) -> None:
    unit = session.scalars(select(Unit).where(Unit.unit_no == "1-1-101")).one()
    session.add(UnitOwner(unit_id=unit.id, person_id=_person(session, GUARDIAN).id))


def _sell_developer_unit(session: Session) -> None:
    unit = session.scalars(select(Unit).where(Unit.unit_no == "1-1-302")).one()
    unit.developer, unit.holder_id = False, _person(session, WANG).id


@pytest.mark.parametrize(
    "change", [_reassign, _resurvey, _end_guardianship, _new_co_owner, _sell_developer_unit]
)
def test_later_register_changes_do_not_touch_an_open_ballot(
    session: Session, change: Callable[[Session], None]
) -> None:
    ballot, store, _ = _open(session)

    def frozen() -> tuple[Any, ...]:
        voters = session.scalars(
            select(CensusVoter)
            .where(CensusVoter.ballot_id == ballot.id)
            .order_by(CensusVoter.voter)
        ).all()
        represented = session.scalars(
            select(CensusRepresented)
            .where(CensusRepresented.ballot_id == ballot.id)
            .order_by(CensusRepresented.person_id, CensusRepresented.unit)
        ).all()
        return (
            [(v.voter, v.did, v.person_id, v.guardian_id, v.area_centi, v.units) for v in voters],
            [(r.person_id, r.unit, r.voter, r.reason) for r in represented],
            _census(store, ballot),
            ballot.census_root,
        )

    before = frozen()
    change(session)
    session.flush()
    session.expire_all()
    assert frozen() == before
    # The register did change: a census frozen now (for a later ballot) differs.
    now = freeze_census(session, _community(session))
    assert (now.root.hex(), now.represented) != (before[3], before[1])


def test_a_guardian_is_a_person_of_the_register_encrypted_like_an_owner(session: Session) -> None:
    guardian, ward = _person(session, GUARDIAN), _person(session, WARD)
    assert ward.guardian_id == guardian.id and guardian.guardian_id is None
    assert CIPHER.decrypt(guardian.name_enc, field="name") == "王芳"
    assert CIPHER.decrypt(guardian.id_number_enc, field="id_number") == GUARDIAN
    for blob in (guardian.name_enc, guardian.id_number_enc):
        assert "王芳".encode() not in blob and GUARDIAN.encode() not in blob
    assert not session.scalars(select(Unit).where(Unit.holder_id == guardian.id)).all()
