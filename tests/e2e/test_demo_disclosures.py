"""The demo start publishes a disclosure log a visitor can read and anyone can verify: a fee
standard, consecutive monthly statements that reconcile, a maintenance fund, one objection
with the manager's reply; the index links to it; a second start adds nothing."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import pinned_bundle
from web.cli import entry as cli
from web.demo.community import SLUG, demo_keys, demo_office_key
from web.demo.disclosures import demo_manager_key

API = f"/api/communities/{SLUG}/disclosures"


def test_demo_disclosures_verify_and_are_linked(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    out = tmp_path / "bundle.jsonl"
    with running(settings) as (client, app):
        services = services_of(app)
        manager = demo_manager_key(services)
        assert manager is not None
        info = client.get(API).json()
        assert info["publishers"] == [{"did": manager.did.value, "role": "property_manager"}]
        listed = client.get(f"{API}/entries").json()
        kinds = [e["kind"] for e in listed]
        assert kinds == [
            "FeeStandard",
            *["AccountOpened"] * 2,
            *["IncomeExpense"] * 3,
            *["MaintenanceFund"] * 3,
        ]
        assert all(e["signer"] == manager.did.value for e in listed)
        fee = listed[0]["entry"]["body"]["items"][0]
        assert fee["per"] == "m2_month" and fee["standardFen"] == 250 and "演示" in fee["item"]
        assert fee["method"] and fee["basis"]
        opened = {e["entry"]["body"]["accountId"]: e["entry"]["body"] for e in listed[1:3]}
        months = [e["entry"]["body"] for e in listed[3:6]]
        assert months[0]["openingFen"] == opened[months[0]["accountId"]]["openingFen"]
        for before, after in pairwise(months):
            assert after["openingFen"] == before["closingFen"]
        for m in months:
            assert isinstance(m["closingFen"], int) and "演示" in m["account"]
            assert m["account"] == opened[m["accountId"]]["name"]
            assert m["closingFen"] == m["openingFen"] + m["totalIncomeFen"] - m["totalExpenseFen"]
        [objected] = [e for e in listed if e["thread"]]
        [objection] = objected["thread"]
        assert objection["signer"] == demo_keys(services)["1-1-101"].did.value
        assert [t["type"] for t in objection["thread"]] == ["ObjectionReply"]
        assert objection["thread"][0]["signer"] == manager.did.value

        index = client.get("/").text
        assert re.search(rf'href="/c/{SLUG}/disclosures"[^>]*>账目公开</a>', index)
        page = client.get(f"/c/{SLUG}/disclosures").text
        assert "收费标准公示" in page and "维修资金账户" in page and "（演示）" in page

        size = info["size"]
        out.write_bytes(client.get(f"{API}/bundle").content)
    trust = pinned_bundle(out, demo_office_key(settings.data_dir).did.value, tmp_path)
    # the server is stopped: the verifier reads the anchors from its folder's embedded chain
    trust += ["--data", str(settings.data_dir)]
    assert cli.main(["verify", "ledger", str(out), "--jobs", "1", *trust]) == 0
    # tampering with one published figure is caught
    text = out.read_text().replace('amountFen\\":180000', 'amountFen\\":180001', 1)
    assert text != out.read_text()
    (tmp_path / "tampered.jsonl").write_text(text)
    tampered = ["verify", "ledger", str(tmp_path / "tampered.jsonl"), "--jobs", "1", *trust]
    assert cli.main(tampered) == 1

    # a second start adds nothing and keeps the same demo manager
    with running(settings) as (client, app):
        assert client.get(API).json()["size"] == size
        again = demo_manager_key(services_of(app))
        assert again is not None and again.did == manager.did
