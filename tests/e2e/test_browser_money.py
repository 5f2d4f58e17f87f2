"""web/pages/static/money.js — the yuan→fen reader and accounting months every page that takes an
amount shares (the manager's desk, the committee's ballot wizard) — in a real Chromium,
against the server's own readers: what a person types is read to the same fen in the page
as in an uploaded file (`web.api.statement_lines.yuan_to_fen`), and the months step as the
ledger's checks step them (`ledger.disclosure.fields`). The committee's wizard reads its
maintenance-fund amount with it ("1,200.50", thousands separator and all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ledger.disclosure.fields import MAX_FEN, next_period, previous_period
from tests.e2e.browser_support import (
    PHONE,
    cookie_for,
    launched_browser,
    live_server,
    session_cookie,
    wait_ready,
)
from tests.e2e.test_browser_console import CONSOLE
from web.api.statement_lines import yuan_to_fen
from web.demo.community import SLUG, demo_member_keys

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

TYPED = [
    "1,234.56",
    "1234.5",
    "0.29",  # 0.29 * 100 is 28.999999999999996 in binary floating point
    "0.57",
    "1.005",
    "１２３．４",
    "¥80",
    " 12 ",
    "12,345,678.90",
    "9999999999999.99",  # 13 digits of yuan: just under MAX_FEN
    "10000000000000",  # MAX_FEN itself
    "10000000000000.01",  # beyond it
    "99999999999999999",
    "1,23",
    "1,2345",
    ",123",
    "12.345",
    "-5",
    "1e3",
    "0x10",
    "12.",
    ".5",
    "",
]
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026, 2999) for m in range(1, 13)]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI, Browser]]:
    """One demo server and one Chromium for the module (a second Playwright could not start
    while this one runs)."""
    with (
        live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app),
        launched_browser() as browser,
    ):
        yield base, app, browser


@pytest.fixture(scope="module")
def page(served: tuple[str, FastAPI, Browser]) -> Iterator[Page]:
    base, _, browser = served
    p = browser.new_page()
    p.goto(f"{base}/owner")
    wait_ready(p)
    yield p
    p.close()


def _money(page: Page, body: str, arg: Any) -> Any:
    return page.evaluate(
        f"async (arg) => {{ const m = await import('/static/money.js'); {body} }}", arg
    )


def test_yuan_reads_to_the_same_fen_as_the_servers_reader(page: Page) -> None:
    got = _money(page, "return arg.map((t) => m.yuanToFen(t));", TYPED)
    assert dict(zip(TYPED, got, strict=True)) == {t: yuan_to_fen(t) for t in TYPED}
    assert got[2] == 29 and got[TYPED.index("1,23")] is None  # not vacuous: both sides agree
    assert _money(page, "return m.MAX_FEN;", None) == MAX_FEN


def test_fen_shows_as_yuan_and_reads_back(page: Page) -> None:
    fens = [0, 1, 29, 100, 123_456, -150_050, MAX_FEN]
    shown = _money(page, "return arg.map((f) => m.fenToYuan(f));", fens)
    assert shown == ["0.00", "0.01", "0.29", "1.00", "1234.56", "-1500.50", "10000000000000.00"]
    back = _money(page, "return arg.map((t) => m.yuanToFen(t));", shown[:-1])
    assert back == [0, 1, 29, 100, 123_456, None]  # a negative is not an amount
    assert _money(page, "return m.yuanToFen(arg);", shown[-1]) == MAX_FEN


def test_months_step_as_the_ledger_steps_them(page: Page) -> None:
    got = _money(
        page,
        "return arg.map((p) => [m.nextPeriod(p), m.previousPeriod(p), m.isPeriod(p)]);",
        MONTHS,
    )
    assert got == [[next_period(p), previous_period(p), True] for p in MONTHS]
    bad = ["2026-13", "2026-1", "1999-05", "2026-00", "202604", ""]
    assert _money(page, "return arg.map((p) => m.isPeriod(p));", bad) == [False] * len(bad)


def test_the_ballot_wizard_reads_its_amount_with_money_js(
    served: tuple[str, FastAPI, Browser],
) -> None:
    """An amount written as people write it, "1,200.50", reaches the drafted agenda as
    120050 fen; "12.345" is refused in place and nothing is posted."""
    base, app, browser = served
    chair = demo_member_keys(Path(app.state.services.settings.data_dir))[0]
    with httpx.Client(base_url=base, timeout=30) as http:
        cookie = cookie_for(http, chair)
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_cookies([session_cookie(base, cookie)])
    wizard = context.new_page()
    posted: list[str] = []
    wizard.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    wizard.goto(f"{base}{CONSOLE}")
    wait_ready(wizard)
    wizard.fill("#w-title", "维修资金使用表决（金额测试）")
    wizard.fill("#w-text", "业主大会就使用维修资金进行表决。")
    item = wizard.locator("#items fieldset.item").nth(0)
    item.locator(".item-matter").select_option("5")
    item.locator(".item-title").fill("更换 3 号楼电梯")
    item.locator(".item-text").fill("是否同意使用维修资金更换 3 号楼电梯？")
    item.locator(".item-amount").fill("12.345")
    wizard.click("#w-submit")
    item.locator(".item-amount-error").wait_for(state="visible")
    assert not [u for u in posted if u.endswith(f"/{SLUG}/ballots")]
    item.locator(".item-amount").fill("1,200.50")
    with wizard.expect_request(
        lambda r: r.method == "POST" and r.url.endswith(f"/{SLUG}/ballots")
    ) as sent:
        wizard.click("#w-submit")
    body = sent.value.post_data_json
    assert body is not None
    [agenda] = body["items"]
    assert agenda["matter"] == 5 and agenda["amountFen"] == 120_050
    context.close()
