"""What one PIN guess against a voting card costs (identity/w3c/cardkey.py, DEFAULT_COST).

* Python (hashlib.scrypt, OpenSSL's native scrypt): what an attacker who copied a card pays
  per guess on one PC core, and so how long a 6-digit PIN holds out on that core.
* Chromium (web/pages/static/cardkey.js, pure-JS scrypt from @noble/hashes): what the owner waits
  when opening the card, on the same machine (a phone is slower).

Run with ``pytest tests/bench/test_bench_cardkey.py --bench -s``. Prints; never asserts a time.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from pathlib import Path

import pytest

from identity.w3c.cardkey import DEFAULT_COST, WrongPin, open_card, seal_card
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import launched_browser, live_server, wait_ready

pytestmark = pytest.mark.bench
RUNS = 5
PIN = "480213"
SIX_DIGITS = 10**6


def _card() -> str:
    return seal_card(KeyPair.generate(KeyType.P256), PIN, "bench-card", cost=DEFAULT_COST)


def test_bench_one_guess_in_python() -> None:
    text = _card()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        with contextlib.suppress(WrongPin):
            open_card(text, "000001")
        times.append(time.perf_counter() - start)
    per_guess = statistics.median(times)
    cost = DEFAULT_COST
    print(
        f"\ncard KDF scrypt N=2^{cost.log_n} r={cost.r} p={cost.p} ({cost.memory >> 20} MiB): "
        f"one guess in Python/OpenSSL median {per_guess:.3f} s, min {min(times):.3f} s "
        f"over {RUNS}; a 6-digit PIN space takes {per_guess * SIX_DIGITS / 86400:.1f} days of "
        f"one core at most ({per_guess * SIX_DIGITS / 2 / 86400:.1f} on average)"
    )


def test_bench_opening_a_card_in_chromium(tmp_path: Path) -> None:
    text = _card()
    with live_server(tmp_path / "data", demo=False) as (base, _), launched_browser() as browser:
        page = browser.new_page()
        page.goto(f"{base}/owner/card")
        wait_ready(page)
        times: list[float] = page.evaluate(
            """async ([text, pin, runs]) => {
              const c = await import('/static/cardkey.js');
              const card = c.readCard(text), out = [];
              for (let i = 0; i < runs; i++) {
                const t = performance.now();
                await c.openCard(card, pin);
                out.push((performance.now() - t) / 1000);
              }
              return out;
            }""",
            [text, PIN, 3],
        )
    print(
        f"\nopening a card in Chromium (pure-JS scrypt + WebCrypto): median "
        f"{statistics.median(times):.3f} s, min {min(times):.3f} s over {len(times)}"
    )
