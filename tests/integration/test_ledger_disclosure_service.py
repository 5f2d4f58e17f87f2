"""The disclosure service on SQLite and PostgreSQL: checked appends, refusals that change
nothing, racing statements of one account, witnesses' cosignatures, listings with threads."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from identity.w3c.dataintegrity import sign_json
from ledger.disclosure.errors import (
    AccountingError,
    ApprovalError,
    AuthorityError,
    DuplicateEntryError,
    SchemaError,
)
from ledger.disclosure.models import DisclosureIndex, DisclosureSpending
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.checkpoint import cosign
from ledger.tlog.errors import LedgerError, NoteError
from ledger.tlog.models import Log
from tests import ledger_disclosure_support as s


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    s.make_tables(db_engine)
    return db_engine


def _size(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        size = session.scalar(select(Log.size).where(Log.origin == s.ORIGIN)) or 0
        indexed = session.scalar(select(func.count()).select_from(DisclosureIndex)) or 0
        spent = session.scalar(select(func.count()).select_from(DisclosureSpending)) or 0
    return size, indexed, spent


def _refused(
    engine: Engine, doc: dict[str, Any], error: type[LedgerError], needle: str
) -> LedgerError:
    before = _size(engine)
    with pytest.raises(error) as caught:
        s.publish(engine, doc)
    assert needle in str(caught.value), str(caught.value)
    assert " / " in str(caught.value)  # bilingual
    assert _size(engine) == before  # nothing appended, nothing indexed
    return caught.value


def test_statements_chain_and_refusals_change_nothing(engine: Engine) -> None:
    s.publish(engine, s.disclosure("FeeStandard", s.fee_standard()))
    s.open_account(engine)
    jan = s.income_expense()
    first = s.publish(engine, s.disclosure("IncomeExpense", jan))
    assert first.index == 2 and "\n— " + s.ORIGIN in first.checkpoint

    bad_total = s.income_expense(period="2026-02", opening=jan["closingFen"])
    bad_total["closingFen"] += 1
    _refused(engine, s.disclosure("IncomeExpense", bad_total), AccountingError, "closing")
    gap = s.income_expense(period="2026-03", opening=jan["closingFen"])
    _refused(engine, s.disclosure("IncomeExpense", gap), AccountingError, "2026-02")
    wrong_open = s.income_expense(period="2026-02", opening=jan["closingFen"] - 1)
    _refused(engine, s.disclosure("IncomeExpense", wrong_open), AccountingError, "opens at")
    decimal = s.income_expense(period="2026-02", opening=jan["closingFen"])
    decimal["income"][0]["amountFen"] = 5200.5
    _refused(engine, s.disclosure("IncomeExpense", decimal), SchemaError, "integer number of fen")

    unsigned = s.disclosure("IncomeExpense", s.income_expense(account="x"))
    del unsigned["proof"]
    _refused(engine, unsigned, SchemaError, "proof")
    forged = s.disclosure("IncomeExpense", s.income_expense(account="x"))
    forged["body"]["account"] = "y"
    _refused(engine, forged, AuthorityError, "does not verify")
    by_owner = s.disclosure("IncomeExpense", s.income_expense(account="x"), key=s.OWNER)
    _refused(engine, by_owner, AuthorityError, "not a publisher")
    other_log = s.disclosure(
        "IncomeExpense", s.income_expense(account="x"), origin=s.ORIGIN.replace("xianxia", "b")
    )
    _refused(engine, other_log, SchemaError, "for log")
    _refused(engine, s.disclosure("FeeStandard", s.fee_standard()), DuplicateEntryError, "entry 0")

    feb = s.income_expense(period="2026-02", opening=jan["closingFen"])
    assert s.publish(engine, s.disclosure("IncomeExpense", feb)).index == 3
    assert _size(engine) == (4, 4, 0)


def test_withdrawn_role_stops_at_once(engine: Engine) -> None:
    s.publish(engine, s.disclosure("Attachment", s.attachment()))
    with pytest.raises(AuthorityError, match="not a publisher"):
        s.publish(engine, s.disclosure("Attachment", s.attachment("会议纪要")), roles={})


def test_maintenance_fund_spending_cites_the_ballot(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        ref = s.open_ballot_log(session)
        failed = s.open_ballot_log(session, ballot=s.BALLOT + "1", passed=False)
        no_amount = s.open_ballot_log(session, ballot=s.BALLOT + "2", amount=None)
    s.open_account(engine, "MaintenanceFund", "全体业主维修资金", opening=10_000_000)
    jan = s.maintenance_fund(spending=[("电梯首付", 3_000_000, ref.to_json())])
    s.publish(engine, s.disclosure("MaintenanceFund", jan, key=s.COMMITTEE))
    assert _size(engine) == (2, 2, 1)

    over = s.maintenance_fund(
        period="2026-02", opening=jan["closingFen"], spending=[("尾款", 2_000_001, ref.to_json())]
    )
    _refused(engine, s.disclosure("MaintenanceFund", over), ApprovalError, "exceed")
    for bad, needle in ((failed, "did not pass"), (no_amount, "no approved amount")):
        body = s.maintenance_fund(
            period="2026-02", opening=jan["closingFen"], spending=[("x", 1, bad.to_json())]
        )
        refused = _refused(engine, s.disclosure("MaintenanceFund", body), ApprovalError, needle)
        # what the ballot lookup refuses is about the spending lines, as the form shows it
        assert isinstance(refused, ApprovalError) and refused.where == "body.spending"
    forged_leaf = dict(ref.to_json(), leafHash="11" * 32)
    body = s.maintenance_fund(
        period="2026-02", opening=jan["closingFen"], spending=[("x", 1, forged_leaf)]
    )
    _refused(engine, s.disclosure("MaintenanceFund", body), ApprovalError, "no ballot result")

    ok = s.maintenance_fund(
        period="2026-02", opening=jan["closingFen"], spending=[("尾款", 2_000_000, ref.to_json())]
    )
    s.publish(engine, s.disclosure("MaintenanceFund", ok))
    assert _size(engine) == (3, 3, 2)


def test_objection_loop_is_listed_with_its_entry(engine: Engine) -> None:
    s.open_account(engine)  # entry 0
    statement = s.disclosure("IncomeExpense", s.income_expense())
    s.publish(engine, statement)
    objection = s.objection(1, s.leaf(statement))
    s.publish(engine, objection)
    _refused(engine, s.objection(1, s.leaf(statement), key=s.MANAGER), AuthorityError, "owner")
    reply = s.reply(2, s.leaf(objection))
    s.publish(engine, reply)
    s.publish(engine, s.review((2, s.leaf(objection)), (3, s.leaf(reply)), satisfied=True))
    with Session(engine) as session:
        logs = DisclosureLogs(session)
        log = logs.get(s.ORIGIN)
        [opened, view] = logs.listing(log)
        assert opened.kind == "AccountOpened" and opened.thread == []
        assert view.index == 1 and view.kind == "IncomeExpense"
        [obj] = view.thread
        assert obj.type == "Objection" and obj.doc["text"] == objection["text"]
        assert [a.type for a in obj.thread] == ["ObjectionReply", "ObjectionReview"]
        assert logs.view(log, 1).thread[0].index == 2
        assert [v.index for v in logs.listing(log, types=("Objection",))] == [2]


def _race(engine: Engine, docs: list[dict[str, Any]]) -> list[BaseException | None]:
    barrier = threading.Barrier(len(docs))
    results: list[BaseException | None] = [None] * len(docs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            s.publish(engine, docs[i])
        except BaseException as exc:  # collected and inspected by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(docs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_racing_statements_of_one_account_cannot_both_pass(engine: Engine) -> None:
    s.open_account(engine)
    jan = s.income_expense()
    s.publish(engine, s.disclosure("IncomeExpense", jan))
    feb_a = s.income_expense(period="2026-02", opening=jan["closingFen"])
    feb_b = s.income_expense(period="2026-02", opening=jan["closingFen"], expense=(("保洁", 1),))
    results = _race(engine, [s.disclosure("IncomeExpense", b) for b in (feb_a, feb_b)])
    passed = [r for r in results if r is None]
    assert len(passed) == 1, results
    [failed] = [r for r in results if r is not None]
    # the loser waited for the log's lock, then saw the winner's February
    assert isinstance(failed, AccountingError) and "2026-03" in str(failed), failed
    assert _size(engine)[0] == 3


def _witnessed(engine: Engine) -> Callable[[int], str]:
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        log = logs.ensure(s.ORIGIN)
        logs.add_witness(log, s.COMMITTEE_WITNESS.vkey, "committee")
        logs.add_witness(log, s.STREET_WITNESS.vkey, "street_office")

    def note(size: int) -> str:
        with Session(engine) as session:
            logs = DisclosureLogs(session)
            [cp] = [
                c for c in logs.store.checkpoints(logs.get(s.ORIGIN)) if c.checkpoint.size == size
            ]
            return cp.note

    return note


def test_witnesses_cosign_and_the_checkpoint_shows_who(engine: Engine) -> None:
    note = _witnessed(engine)
    s.publish(engine, s.disclosure("FeeStandard", s.fee_standard()))
    verifier = s.log_signer(s.ORIGIN).verifier()
    lines = {
        w.name: cosign(note(1), origin=s.ORIGIN, log_verifier=verifier, cosigner=w)
        for w in (s.COMMITTEE_WITNESS, s.STREET_WITNESS)
    }
    with Session(engine) as session, session.begin():
        logs = DisclosureLogs(session)
        log = logs.get(s.ORIGIN)
        for line in lines.values():
            stored = logs.cosign(log, 1, line)
        assert {c.witness for c in stored.cosignatures} == set(lines)
        assert stored.note.count("\n— ") == 3  # the log and both witnesses
        # a stranger's line, or a line over another checkpoint, is refused
        stranger = dataclasses.replace(s.STREET_WITNESS, name="someone.else")
        line = cosign(note(1), origin=s.ORIGIN, log_verifier=verifier, cosigner=stranger)
        with pytest.raises(AuthorityError, match="not a registered witness"):
            logs.cosign(log, 1, line)
        with pytest.raises(LedgerError):
            logs.cosign(log, 0, lines[s.STREET_WITNESS.name])
        with pytest.raises(NoteError):
            logs.add_witness(log, verifier.vkey, "committee")  # not a cosignature/v1 key


def test_bad_signature_document_types(engine: Engine) -> None:
    doc = sign_json({"type": "Disclosure", "log": s.ORIGIN}, s.MANAGER)
    _refused(engine, doc, SchemaError, "missing field")
    _refused(engine, {"type": "Disclosure"}, SchemaError, "missing field")
