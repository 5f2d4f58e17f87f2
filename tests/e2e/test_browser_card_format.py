"""The voting card's format across implementations: a card sealed in Chromium
(web/pages/static/cardkey.js: @noble/hashes scrypt + WebCrypto AES-GCM) opens in Python
(identity/w3c/cardkey.py: hashlib.scrypt + cryptography's AES-GCM) and the other way round;
the key a card opens to in the browser is non-extractable and signs what Python verifies; both
sides refuse the same PINs and the same malformed cards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from identity.errors import IdentityError
from identity.w3c.cardkey import DEFAULT_COST, CardCost, check_pin, open_card, read_card, seal_card
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import live_server, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHEAP = CardCost(log_n=10, r=8, p=1)
PIN = "480213"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=False) as (url, _):
        yield url


@pytest.fixture
def page(browser: Browser, base: str) -> Iterator[Page]:
    context = browser.new_context()
    p = context.new_page()
    p.goto(f"{base}/owner")
    wait_ready(p)
    yield p
    context.close()


def _card_js(page: Page, body: str, arg: Any = None) -> Any:
    """Run `body` with ``c`` bound to cardkey.js and ``g`` to gongzhi.js."""
    script = (
        "async (arg) => { const c = await import('/static/cardkey.js');"
        f" const g = await import('/static/gongzhi.js'); {body} }}"
    )
    return page.evaluate(script, arg)


def test_a_card_sealed_in_chromium_opens_in_python(page: Page) -> None:
    made = _card_js(
        page,
        "const k = await c.newCardKey();"
        "const text = await c.sealCard(k, arg.pin, 'lianhua-e2e', {cost: arg.cost});"
        "return {text, did: k.did};",
        {"pin": PIN, "cost": {"logN": CHEAP.log_n, "r": CHEAP.r, "p": CHEAP.p}},
    )
    card = read_card(made["text"])
    assert card.did.value == made["did"] and card.community == "lianhua-e2e"
    assert card.cost == CHEAP
    assert open_card(made["text"], PIN).did.value == made["did"]
    with pytest.raises(IdentityError):
        open_card(made["text"], "480214")


def test_a_card_sealed_in_python_opens_in_chromium_and_signs(page: Page) -> None:
    key = KeyPair.generate(KeyType.P256)
    text = seal_card(key, PIN, "meilong-3", cost=CHEAP)
    opened = _card_js(
        page,
        "const card = c.readCard(arg.text);"
        "let wrong = null;"
        "try { await c.openCard(card, '480214'); } catch (e) { wrong = e.name; }"
        "const k = await c.openCard(card, arg.pin);"
        "const signed = await g.signDocument({type: 'Probe', n: 1}, {key: k});"
        "let exported = 'exported';"
        "try { await crypto.subtle.exportKey('jwk', k.privateKey); }"
        " catch (e) { exported = e.name; }"
        "return {did: k.did, community: card.community, cost: card.cost, wrong, signed,"
        " exported, extractable: k.privateKey.extractable};",
        {"text": text, "pin": PIN},
    )
    assert opened["did"] == key.did.value and opened["community"] == "meilong-3"
    assert opened["cost"] == {"logN": 10, "r": 8, "p": 1}
    assert opened["wrong"] == "WrongPinError"
    verify_signed_json(opened["signed"], expected_signer=key.did.value)
    assert opened["exported"] == "InvalidAccessError" and opened["extractable"] is False


def test_a_card_at_the_real_cost_opens_in_chromium(page: Page) -> None:
    key = KeyPair.generate(KeyType.P256)
    text = seal_card(key, PIN, "lianhua-e2e", cost=DEFAULT_COST)
    did = _card_js(page, "return (await c.openCard(c.readCard(arg), '480213')).did;", text)
    assert did == key.did.value


PINS = ["480213", "135790", "12345", "1234567890123", "12a456", "000000", "123456", "987654"]


def test_both_sides_refuse_the_same_pins(page: Page) -> None:
    in_js = _card_js(
        page,
        "return arg.map(p => { try { c.checkPin(p); return true; } catch { return false; } });",
        PINS,
    )

    def in_python(pin: str) -> bool:
        try:
            check_pin(pin)
        except IdentityError:
            return False
        return True

    assert in_js == [in_python(p) for p in PINS]


def test_both_sides_refuse_the_same_malformed_cards(page: Page) -> None:
    good = seal_card(KeyPair.generate(KeyType.P256), PIN, "c1", cost=CHEAP)
    bad = [good[:-6], "gzcard2." + good[8:], "hello", good[:-3] + "!!!", good + "A" * 400]
    refused = _card_js(
        page,
        "return arg.map(t => { try { c.readCard(t); return null; }"
        " catch (e) { return [e.name, Boolean(e.zh && e.en)]; } });",
        [good, *bad],
    )
    assert refused[0] is None
    assert refused[1:] == [["GongzhiError", True]] * len(bad)
    for text in bad:
        with pytest.raises(IdentityError):
            read_card(text)
