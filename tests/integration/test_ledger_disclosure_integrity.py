"""What is shown of disclosures comes from the signed log (issue 7, finding 12's disclosure
half), and accounts are followed by id (finding 14), on SQLite and PostgreSQL.

An amount edited in the database — in the entry's bytes, with or without a matching leaf
hash, or in the index derived from them — is answered as an integrity error, never served
as a different answer marked ``anchored``; a look-alike account name cannot restart the
demo's account at 0.00."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from ledger.disclosure.errors import IntegrityError
from ledger.disclosure.fields import next_period
from ledger.disclosure.models import DisclosureIndex
from ledger.disclosure.service import DisclosureLogs
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.models import Log, LogCheckpoint, LogEntry, entry_key
from tests import identity_web
from tests import ledger_disclosure_support as s
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG
from web.demo.disclosures import ACCOUNT, ACCOUNT_ID

API = f"/api/communities/{SLUG}/disclosures"
Tamper = Callable[[Session, int, int], None]


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    s.make_tables(db_engine)
    return db_engine


def _raised(data: bytes) -> bytes:
    """The entry with its opening balance one yuan higher, canonical as the log stores it."""
    doc = json.loads(data)
    doc["body"]["openingFen"] += 100
    return canonical(doc)


def data_edited(session: Session, pk: int, idx: int) -> None:
    row = session.get_one(LogEntry, entry_key(pk, idx))
    session.execute(
        update(LogEntry)
        .where(LogEntry.log_pk == pk, LogEntry.idx == idx)
        .values(data=_raised(row.data))
    )


def data_and_leaves_rewritten(session: Session, pk: int, idx: int) -> None:
    """The careful edit: new bytes, and their leaf hash in the index."""
    row = session.get_one(LogEntry, entry_key(pk, idx))
    data = _raised(row.data)
    values = {"leaf_hash": leaf_hash(data)}
    session.execute(update(LogEntry).where(LogEntry.id == row.id).values(data=data))
    session.execute(
        update(DisclosureIndex)
        .where(DisclosureIndex.log_pk == pk, DisclosureIndex.idx == idx)
        .values(**values)
    )


def index_closing_edited(session: Session, pk: int, idx: int) -> None:
    session.execute(
        update(DisclosureIndex)
        .where(DisclosureIndex.log_pk == pk, DisclosureIndex.idx == idx)
        .values(closing_fen=DisclosureIndex.closing_fen + 100)
    )


def index_period_edited(session: Session, pk: int, idx: int) -> None:
    session.execute(
        update(DisclosureIndex)
        .where(DisclosureIndex.log_pk == pk, DisclosureIndex.idx == idx)
        .values(period="2030-01")
    )


def checkpoint_root_edited(session: Session, pk: int, idx: int) -> None:
    session.execute(
        update(LogCheckpoint).where(LogCheckpoint.log_pk == pk).values(root=b"\x07" * 32)
    )


TAMPERINGS: list[Tamper] = [
    data_edited,
    data_and_leaves_rewritten,
    index_closing_edited,
    index_period_edited,
    checkpoint_root_edited,
]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda t: t.__name__)
def test_an_edited_row_is_an_integrity_error_not_another_answer(
    engine: Engine, tamper: Tamper
) -> None:
    s.open_account(engine)
    statement = s.publish(engine, s.disclosure("IncomeExpense", s.income_expense()))
    with Session(engine) as session:
        logs = DisclosureLogs(session)
        log = logs.get(s.ORIGIN)
        assert [v.index for v in logs.listing(log)] == [0, 1]
        pk = session.scalar(select(Log.id).where(Log.origin == s.ORIGIN))
        assert pk is not None
        tamper(session, pk, statement.index)
        session.flush()
        session.expire_all()
        for read in (lambda: logs.listing(log), lambda: logs.view(log, statement.index)):
            with pytest.raises(IntegrityError) as caught:
                read()
            assert caught.value.zh.startswith("数据完整性错误") and "integrity error" in str(
                caught.value
            )
        session.rollback()
        assert [v.index for v in logs.listing(log)] == [0, 1]  # untouched, it reads again


def _demo_statement(client: Any) -> dict[str, Any]:
    listed = client.get(f"{API}/entries", params={"kind": "IncomeExpense"}).json()
    return listed[-1]  # type: ignore[no-any-return]


def test_the_api_reports_an_edited_amount_as_an_integrity_error(
    tmp_path: Path, db_url: str
) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        services = services_of(app)
        services.anchor_pending(force=True, wait=True)
        shown = _demo_statement(client)
        assert shown["anchored"] is True
        idx = shown["index"]
        with services.db.session() as session:
            pk = session.scalar(select(Log.id).where(Log.origin.endswith(f"/c/{SLUG}/disclosures")))
            assert pk is not None
            data_and_leaves_rewritten(session, pk, idx)
        for path in (f"{API}/entries", f"{API}/entries/{idx}"):
            r = client.get(path)
            assert r.status_code == 409, (path, r.status_code, r.text)
            error = r.json()["error"]
            assert error["zh"].startswith("数据完整性错误") and "integrity error" in error["en"]
        page = client.get(f"/c/{SLUG}/disclosures", headers={"accept": "text/html"})
        assert page.status_code == 409 and "数据完整性错误" in page.text
        with services.db.session() as session:  # the edit undone: served again, as signed
            row = session.get_one(LogEntry, entry_key(pk, idx))
            doc = json.loads(row.data)
            doc["body"]["openingFen"] -= 100
            data = canonical(doc)
            session.execute(
                update(LogEntry).where(LogEntry.log_pk == pk, LogEntry.idx == idx).values(data=data)
            )
            session.execute(
                update(DisclosureIndex)
                .where(DisclosureIndex.log_pk == pk, DisclosureIndex.idx == idx)
                .values(leaf_hash=leaf_hash(data))
            )
        assert _demo_statement(client) == shown


def _manager(client: Any, app: Any) -> tuple[KeyPair, dict[str, str]]:
    key = KeyPair.generate(KeyType.ED25519)
    identity_web.grant_role(client, app, SLUG, key.did.value, "propertyManager")
    return key, identity_web.bearer(identity_web.sign_in(client, key))


def test_a_look_alike_account_cannot_restart_the_demo_account(tmp_path: Path, db_url: str) -> None:
    """Finding 14 as reported: 物业服务费收支(演示), half-width brackets, opening at 0.00."""
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        origin = f"{services_of(app).public_host}/c/{SLUG}/disclosures"
        last = _demo_statement(client)["entry"]["body"]
        assert last["account"] == ACCOUNT and last["closingFen"] != 0
        key, headers = _manager(client, app)
        look_alike = ACCOUNT.replace("（", "(").replace("）", ")")
        period = next_period(last["period"])

        def post(kind: str, body: dict[str, Any]) -> Any:
            doc = {"type": "Disclosure", "log": origin, "kind": kind, "publisher": key.did.value}
            return client.post(
                f"{API}/entries", json=sign_json(doc | {"body": body}, key), headers=headers
            )

        size = client.get(API).json()["size"]
        fresh = s.income_expense(account=look_alike, account_id="service-fee-2", period=period)
        r = post("IncomeExpense", fresh)
        assert r.status_code == 400 and "AccountOpened" in r.json()["error"]["en"], r.text
        same_id = s.income_expense(account=look_alike, account_id=ACCOUNT_ID, period=period)
        r = post("IncomeExpense", same_id)
        assert r.status_code == 400 and "was opened as" in r.json()["error"]["en"], r.text
        opening = s.account_opened(account=look_alike, account_id="service-fee-2", period=period)
        r = post("AccountOpened", opening)
        assert r.status_code == 400 and "形似" in r.json()["error"]["zh"], r.text
        assert client.get(API).json()["size"] == size  # nothing appended
        # the real account, by its id, goes on where it closed
        real = s.income_expense(
            account=ACCOUNT, account_id=ACCOUNT_ID, period=period, opening=last["closingFen"]
        )
        r = post("IncomeExpense", real)
        assert r.status_code == 201, r.text


def test_an_edited_index_does_not_steer_the_next_check(engine: Engine) -> None:
    """The continuity check reads the last closing from the index: it must be the signed one."""
    s.open_account(engine)
    jan = s.income_expense()
    at = s.publish(engine, s.disclosure("IncomeExpense", jan))
    with Session(engine) as session, session.begin():
        pk = session.scalar(select(Log.id).where(Log.origin == s.ORIGIN))
        assert pk is not None
        index_closing_edited(session, pk, at.index)
    feb = s.income_expense(period="2026-02", opening=jan["closingFen"] + 100)  # fits the edit
    with pytest.raises(IntegrityError, match="disagrees with the signed entry"):
        s.publish(engine, s.disclosure("IncomeExpense", feb))
