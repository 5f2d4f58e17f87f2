"""What the owner's ballot page does before its first button, in a real Chromium: it fetches
only its up-front modules (gongzhi.js, the signing and checking code, comes once the buttons
are up, and is there before a tap needs it), and it opens the phone's store once, not once per
value it reads (BENCHMARKS.md: on a slow phone each of these was time before the first tap)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser_support import PHONE, live_server, run_module, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHOICE = "button[data-choice]:visible:enabled"
# Counts the page's IndexedDB opens and notes which scripts had arrived when the first
# choice button became visible (a MutationObserver: no polling, no clock).
_PROBE = """
(() => {
  window.__opens = 0;
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    window.__opens += 1;
    return open.apply(this, args);
  };
  const scripts = () => performance.getEntriesByType("resource")
    .filter((e) => e.initiatorType !== "link" || e.name.endsWith(".js"))
    .map((e) => e.name.split("/").pop());
  new MutationObserver((_, observer) => {
    const button = document.querySelector("button[data-choice]");
    if (button && button.offsetParent !== null && !button.disabled) {
      window.__beforeChoice = scripts();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, _):
        yield url


def test_the_ballot_page_before_its_first_button(browser: Browser, base: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/owner")
    wait_ready(page)
    run_module(page, "await g.createOwnerKey();")  # a phone holding an owner key
    page.add_init_script(_PROBE)
    page.goto(f"{base}/owner/ballots/1")
    page.locator(CHOICE).first.wait_for(state="visible")
    wait_ready(page)
    before = page.evaluate("window.__beforeChoice")
    assert "gongzhi_core.js" in before and "owner.js" in before, before
    assert "gongzhi.js" not in before, before
    # Three values read side by side as the page starts (its vote, key and credentials), and
    # later ones: one connection.
    assert page.evaluate("window.__opens") == 1
    # The signing code follows once the page is up, before any tap needs it.
    page.wait_for_function(
        "performance.getEntriesByType('resource').some((e) => e.name.endsWith('/gongzhi.js'))"
    )
    context.close()
