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
            "costs": [],
            "disbursements": [],
            "spending": [],
            "errors": [],
            "rows": [
                {
                    "row": 2,
                    "section": "income",
                    "category": "物业服务费",
                    "amount": "5,200.00",
                    "note": "",
                    "ballot": "",
                },
                {
                    "row": 3,
                    "section": "expense",
                    "category": "保洁",
                    "amount": "1500.5",
                    "note": "合同价",
                    "ballot": "",
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


def test_the_passed_fund_ballots_a_spending_line_may_cite(tmp_path: Path, db_url: str) -> None:
    """``…/approved-spending`` lists the community's passed 使用维修资金 ballots with the ref a
    spending line cites, what each approved and what is left once a statement spends from
    it; a fund's file names the ballot by its number, an unknown number is a row error."""
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        key, pm = _manager(client, app)
        url = f"{API}/approved-spending"
        assert client.get(url).json() == []  # the demo's own ballot is on other matters
        documented = client.get("/openapi.json").json()["paths"]
        listing = documented["/api/v1/communities/{slug}/disclosures/approved-spending"]["get"]
        assert {"200", "404", "409"} <= set(listing["responses"])
        kinds = documented["/api/v1/communities/{slug}/disclosures/statement-lines"]["post"]
        assert "kind" in {p["name"] for p in kinds["parameters"]}
        assert (
            client.get(
                "/api/v1/communities/no-such-place/disclosures/approved-spending"
            ).status_code
            == 404
        )
        committee = identity_web.committee_headers(app, SLUG)
        ballot_id, ref = identity_web.passed_fund_ballot(
            client, app, title="更换3号楼电梯", amount_fen=5_000_000, slug=SLUG, headers=committee
        )
        [listed] = client.get(f"/api/v1/communities/{SLUG}/disclosures/approved-spending").json()
        assert listed == {
            "ballot_id": ballot_id,
            "title": "更换3号楼电梯",
            "ref": ref,
            "approved_fen": 5_000_000,
            "spent_fen": 0,
            "left_fen": 5_000_000,
        }

        # the fund's spending lines from a file: 使用, item, amount, ballot number, note
        lines = f"{API}/statement-lines?kind=MaintenanceFund"
        csv = f'类型,项目,金额（元）,表决编号,备注\n使用,更换电梯,"30,000.00",{ballot_id},首付款\n'
        r = client.post(lines, content=csv.encode(), headers=pm | {"content-type": "text/csv"})
        assert r.status_code == 200, r.text
        assert r.json()["errors"] == []
        assert r.json()["spending"] == [
            {"item": "更换电梯", "amountFen": 3_000_000, "approval": ref, "note": "首付款"}
        ]
        assert r.json()["rows"][0]["ballot"] == str(ballot_id)
        bad = f"使用,更换电梯,100,{ballot_id + 99}\n使用,刷墙,50,\n收入,利息,5,{ballot_id}\n"
        r = client.post(lines, content=bad.encode(), headers=pm | {"content-type": "text/csv"})
        body = r.json()
        assert body["spending"] == []
        assert [(e["row"], e["cell"]) for e in body["errors"]] == [
            (1, "ballot"),
            (2, "ballot"),
            (3, "section"),
        ]
        assert "不是本小区已通过的使用维修资金表决" in body["errors"][0]["zh"]
        assert "“使用”" in body["errors"][2]["zh"] and "spending" in body["errors"][2]["en"]

        # a statement spends 30,000.00 of it: 20,000.00 are left, and more is refused
        fund = s.account_opened("MaintenanceFund", "全体业主维修资金", opening=10_000_000)
        _publish(client, app, key, pm, "AccountOpened", fund)
        spend = s.maintenance_fund(spending=[("更换电梯", 3_000_000, ref)])
        _publish(client, app, key, pm, "MaintenanceFund", spend)
        [listed] = client.get(url).json()
        assert (listed["spent_fen"], listed["left_fen"]) == (3_000_000, 2_000_000)
        more = s.maintenance_fund(
            period="2026-02",
            opening=spend["closingFen"],
            spending=[("更换电梯", 2_000_001, ref)],
        )
        r = client.post(f"{API}/check", json={"kind": "MaintenanceFund", "body": more}, headers=pm)
        [error] = r.json()["errors"]
        assert r.json()["ok"] is False and "超出批准金额" in error["zh"]
        # beside the spending lines, where the desk shows it (the total per ballot is checked)
        assert error["where"] == "body.spending"


def test_common_area_lines_and_the_templates_of_each_kind(tmp_path: Path) -> None:
    """Common-area income reads 收入 / 成本 / 支用 rows; each kind's template reads back as
    its own example lines (the fund's asks for the ballot number it leaves blank)."""
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (client, app):
        _, pm = _manager(client, app)
        url = f"{API}/statement-lines?kind=CommonAreaIncome"
        csv = (
            "收入,电梯广告,6000,\n成本,电费,320.5,\n支用,补充维修资金,2000,业主大会决定\n"
            "支出,保洁,1,\n"
        )
        r = client.post(url, content=csv.encode(), headers=pm | {"content-type": "text/csv"})
        assert [(e["row"], e["cell"]) for e in r.json()["errors"]] == [(4, "section")]
        assert "“收入”“成本”或“支用”" in r.json()["errors"][0]["zh"]
        r = client.post(
            url, content=csv.encode().rsplit(b"\n", 2)[0], headers=pm | {"content-type": "text/csv"}
        )
        got = r.json()
        assert got["errors"] == []
        assert got["income"] == [{"category": "电梯广告", "amountFen": 600_000}]
        assert got["costs"] == [{"category": "电费", "amountFen": 32_050}]
        assert got["disbursements"] == [
            {"category": "补充维修资金", "amountFen": 200_000, "note": "业主大会决定"}
        ]
        assert got["expense"] == [] and got["spending"] == []
        r = client.post(f"{API}/statement-lines?kind=Nope", content=csv.encode(), headers=pm)
        assert r.status_code == 422

        for fmt, media in (("csv", "text/csv"), ("xlsx", XLSX)):
            r = client.get(f"{API}/statement-template.{fmt}", params={"kind": "CommonAreaIncome"})
            assert r.status_code == 200 and "common-area-income" in r.headers["content-disposition"]
            back = client.post(url, content=r.content, headers=pm | {"content-type": media}).json()
            assert back["errors"] == [], fmt
            assert [len(back[k]) for k in ("income", "costs", "disbursements")] == [1, 1, 1]
            r = client.get(f"{API}/statement-template.{fmt}", params={"kind": "MaintenanceFund"})
            back = client.post(
                f"{API}/statement-lines?kind=MaintenanceFund",
                content=r.content,
                headers=pm | {"content-type": media},
            ).json()
            assert [(e["row"], e["cell"]) for e in back["errors"]] == [(2, "ballot")], fmt
            assert back["rows"][0]["amount"] == "48000.00"
