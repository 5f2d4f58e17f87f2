"""质疑 on SQLite and PostgreSQL: owners object to entries, the publisher replies, the objector
reviews — each a signed log entry, listed with the entry it concerns and verified offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.disclosure.bundle_export import export_bundle
from ledger.disclosure.bundle_verify import verify_bundle
from ledger.disclosure.errors import AuthorityError, ObjectionError, SchemaError
from ledger.disclosure.service import DisclosureLogs
from tests import ledger_disclosure_support as s
from voting.spending import ballot_decision


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    s.make_tables(db_engine)
    return db_engine


def test_two_owners_question_one_statement(engine: Engine, tmp_path: Path) -> None:
    statement = s.disclosure("IncomeExpense", s.income_expense())
    fees = s.disclosure("FeeStandard", s.fee_standard(), key=s.COMMITTEE)
    s.open_account(engine)  # entry 0: the account the statement reports
    s.publish(engine, statement)
    s.publish(engine, fees)
    first = s.objection(1, s.leaf(statement), "秩序维护费用为何上涨？")
    second = s.objection(1, s.leaf(statement), "公共水电请列明细", key=s.OTHER_OWNER)
    s.publish(engine, first)
    s.publish(engine, second)
    answer = s.reply(3, s.leaf(first), "保安人数由6人增至8人，合同见附件", action="explained")
    s.publish(engine, answer)
    s.publish(engine, s.review((3, s.leaf(first)), (5, s.leaf(answer)), satisfied=True))

    # refusals: each changes nothing
    with pytest.raises(AuthorityError, match="not a publisher"):
        s.publish(engine, s.reply(4, s.leaf(second), key=s.OWNER))  # an owner cannot reply
    with pytest.raises(ObjectionError, match="only the publisher"):
        s.publish(engine, s.reply(4, s.leaf(second), key=s.COMMITTEE))  # not its publisher
    with pytest.raises(ObjectionError, match="does not answer objection 4"):
        s.publish(engine, s.review((4, s.leaf(second)), (5, s.leaf(answer)), key=s.OTHER_OWNER))
    with pytest.raises(ObjectionError, match="only the owner who raised"):
        s.publish(engine, s.review((3, s.leaf(first)), (5, s.leaf(answer)), key=s.OTHER_OWNER))
    with pytest.raises(ObjectionError, match="not a Disclosure"):
        s.publish(engine, s.objection(3, s.leaf(first)))
    with pytest.raises(SchemaError, match="phone"):
        s.publish(engine, s.objection(1, s.leaf(statement), "有事打我电话 13800138000"))
    with pytest.raises(AuthorityError, match="not an owner"):
        s.publish(engine, s.objection(2, s.leaf(fees), key=s.MANAGER))

    with Session(engine) as session:
        logs = DisclosureLogs(session)
        log = logs.get(s.ORIGIN)
        assert logs.store.size(log) == 7
        views = logs.listing(log)
        assert [v.index for v in views] == [0, 1, 2]
        threads = views[1].thread
        assert [(o.index, o.signer) for o in threads] == [
            (3, str(s.OWNER.did)),
            (4, str(s.OTHER_OWNER.did)),
        ]
        assert [a.type for a in threads[0].thread] == ["ObjectionReply", "ObjectionReview"]
        assert threads[1].thread == []  # still waiting for an answer
        assert views[0].thread == views[2].thread == []
        lines = list(
            export_bundle(
                session,
                s.ORIGIN,
                chain=None,
                committee=[],
                registrations=s.REGISTRATIONS,
                roles=s.ROLE_CREDENTIALS,
            )
        )
    report = verify_bundle(
        lines, read_ballot=ballot_decision, workdir=tmp_path / "tree", trust=s.trust(), anchor=None
    )
    assert any("objections 2, replies 1, reviews 1 (1 satisfied)" in line for line in report.lines)
