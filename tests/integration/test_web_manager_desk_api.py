"""The manager's desk API: a dry-run check names the failing field and appends nothing; a
statement's lines come from CSV or Excel with every bad row named; the checked statement
publishes; the manager answers an owner's objection."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests import ledger_disclosure_support as s
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG, demo_keys

API = f"/api/communities/{SLUG}/disclosures"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager(client: TestClient, app: FastAPI) -> tuple[KeyPair, dict[str, str]]:
    key = KeyPair.generate(KeyType.ED25519)
    identity_web.grant_role(client, app, SLUG, key.did.value, "propertyManager")
    return key, identity_web.bearer(identity_web.sign_in(client, key))


def _origin(app: FastAPI) -> str:
    return f"{services_of(app).public_host}/c/{SLUG}/disclosures"


def _publish(
    client: TestClient,
    app: FastAPI,
    key: KeyPair,
    h: dict[str, str],
    kind: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    doc = {"type": "Disclosure", "log": _origin(app), "kind": kind, "publisher": key.did.value}
    r = client.post(f"{API}/entries", json=sign_json(doc | {"body": body}, key), headers=h)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_check_names_the_field_and_appends_nothing(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        key, pm = _manager(client, app)
        _publish(client, app, key, pm, "AccountOpened", s.account_opened(opening=1_000))
        size = client.get(API).json()["size"]

        bad = s.income_expense(opening=1_000) | {"totalIncomeFen": 1}
        r = client.post(f"{API}/check", json={"kind": "IncomeExpense", "body": bad}, headers=pm)
        assert r.status_code == 200, r.text
        [error] = r.json()["errors"]
        assert r.json()["ok"] is False and error["where"] == "body.totalIncomeFen"
        assert "明细合计" in error["zh"] and "add up" in error["en"]

        jump = s.income_expense(opening=999)
        r = client.post(f"{API}/check", json={"kind": "IncomeExpense", "body": jump}, headers=pm)
        [error] = r.json()["errors"]
        assert error["where"] == "body.openingFen" and "期初余额" in error["zh"]

        fine = s.income_expense(opening=1_000)
        r = client.post(f"{API}/check", json={"kind": "IncomeExpense", "body": fine}, headers=pm)
        assert r.json() == {"ok": True, "errors": []}
        assert client.get(API).json()["size"] == size  # nothing appended by any check

        # who may check: a signed-in owner is refused; nobody signed in, 401
        owner = demo_keys(services_of(app))["1-1-101"]
        oh = identity_web.bearer(identity_web.sign_in(client, owner))
        draft = {"kind": "IncomeExpense", "body": fine}
        assert client.post(f"{API}/check", json=draft, headers=oh).status_code == 403
        assert client.post(f"{API}/check", json=draft).status_code == 401
        r = client.post(f"{API}/check", json={"kind": "Nope", "body": {}}, headers=pm)
        assert r.status_code == 200 and r.json()["errors"][0]["where"] == "kind"

        # the checked statement publishes, then the same month is refused as a repeat
        _publish(client, app, key, pm, "IncomeExpense", fine)
        r = client.post(f"{API}/check", json={"kind": "IncomeExpense", "body": fine}, headers=pm)
        assert r.json()["errors"][0]["where"] == "body.period"


def test_statement_lines_from_csv_and_excel(tmp_path: Path) -> None:
    from openpyxl import Workbook

    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        _, pm = _manager(client, app)
        url = f"{API}/statement-lines"
        good = '类型,项目,金额（元）,备注\n收入,物业服务费,"5,200.00",\n支出,保洁,1500.5,合同价\n'
        r = client.post(
            url, content=good.encode("gb18030"), headers=pm | {"content-type": "text/csv"}
        )
        assert r.status_code == 200, r.text
        assert r.json() == {
            "income": [{"category": "物业服务费", "amountFen": 520_000}],
            "expense": [{"category": "保洁", "amountFen": 150_050, "note": "合同价"}],
            "errors": [],
            "rows": [
                {
                    "row": 2,
                    "section": "income",
                    "category": "物业服务费",
                    "amount": "5,200.00",
                    "note": "",
                },
                {
                    "row": 3,
                    "section": "expense",
                    "category": "保洁",
                    "amount": "1500.5",
                    "note": "合同价",
                },
            ],
        }
        bad = "收入,物业服务费,12.345\n其他,停车,10\n支出,,5\n"
        r = client.post(url, content=bad.encode(), headers=pm | {"content-type": "text/csv"})
        body = r.json()
        assert body["income"] == [] and body["expense"] == []
        assert [e["row"] for e in body["errors"]] == [1, 2, 3]
        # each error names its cell, and every row comes back as written for the draft form
        assert [e["cell"] for e in body["errors"]] == ["amount", "section", "category"]
        assert [(r["row"], r["section"], r["amount"]) for r in body["rows"]] == [
            (1, "income", "12.345"),
            (2, None, "10"),
            (3, "expense", "5"),
        ]
        assert "两位小数" in body["errors"][0]["zh"] and "two decimals" in body["errors"][0]["en"]

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["section", "category", "amount"])
        sheet.append(["income", "停车管理费", 800.1])
        sheet.append(["expense", "公共水电", 456.78])
        out = io.BytesIO()
        book.save(out)
        r = client.post(url, content=out.getvalue(), headers=pm | {"content-type": XLSX})
        assert r.status_code == 200, r.text
        assert r.json()["income"] == [{"category": "停车管理费", "amountFen": 80_010}]
        assert r.json()["expense"] == [{"category": "公共水电", "amountFen": 45_678}]

        many = "".join(f"收入,项目{i},1\n" for i in range(501)).encode()
        r = client.post(url, content=many, headers=pm | {"content-type": "text/csv"})
        assert "500" in r.json()["errors"][0]["zh"]
        big = b"a" * (300 * 1024)
        r = client.post(url, content=big, headers=pm | {"content-type": "text/csv"})
        assert r.status_code == 413
        assert client.post(url, content=good.encode()).status_code == 401


def test_the_manager_answers_an_objection(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        key, pm = _manager(client, app)
        fees = _publish(client, app, key, pm, "FeeStandard", s.fee_standard())
        owner = demo_keys(services_of(app))["1-1-101"]
        oh = identity_web.bearer(identity_web.sign_in(client, owner))
        target = {"index": fees["index"], "leafHash": fees["leaf_hash"]}
        objection = {
            "type": "Objection",
            "log": _origin(app),
            "objector": owner.did.value,
            "target": target,
            "text": "电梯费偏高",
        }
        r = client.post(f"{API}/entries", json=sign_json(objection, owner), headers=oh)
        assert r.status_code == 201, r.text
        listed = client.get(f"{API}/entries", params={"type": "Objection", "limit": 200}).json()
        mine = [o for o in listed if o["entry"]["target"]["index"] == fees["index"]]
        assert len(mine) == 1 and mine[0]["thread"] == []
        reply = {
            "type": "ObjectionReply",
            "log": _origin(app),
            "publisher": key.did.value,
            "objection": {"index": mine[0]["index"], "leafHash": mine[0]["leaf_hash"]},
            "action": "explained",
            "text": "按合同约定执行",
        }
        r = client.post(f"{API}/entries", json=sign_json(reply, key), headers=pm)
        assert r.status_code == 201, r.text
        # the desk reads objections where the public page does: in each disclosure's thread
        [answered] = client.get(f"{API}/entries/{fees['index']}").json()["thread"]
        assert answered["index"] == mine[0]["index"]
        assert [t["type"] for t in answered["thread"]] == ["ObjectionReply"]


def test_the_templates_read_back_as_their_example_lines(tmp_path: Path) -> None:
    """Both templates are what the upload reads: header skipped, one line of each section;
    the Excel one keeps its amounts as typed text. Public (no data in them); 404 for an
    unknown community or format."""
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        _, pm = _manager(client, app)
        for fmt, media in (("csv", "text/csv"), ("xlsx", XLSX)):
            r = client.get(f"{API}/statement-template.{fmt}")
            assert r.status_code == 200, r.text
            assert r.headers["content-type"].startswith(media)
            assert "attachment" in r.headers["content-disposition"]
            back = client.post(
                f"{API}/statement-lines", content=r.content, headers=pm | {"content-type": media}
            ).json()
            assert back["errors"] == [], fmt
            assert [line["amountFen"] for line in back["income"]] == [5_200_000]
            assert [line["amountFen"] for line in back["expense"]] == [150_050]
        assert client.get(f"{API}/statement-template.csv").content.startswith(b"\xef\xbb\xbf")
        assert client.get(f"{API}/statement-template.pdf").status_code == 422
        other = "/api/communities/no-such-place/disclosures/statement-template.csv"
        assert client.get(other).status_code == 404
