"""Real-browser tests: Debian's Chromium driven by Playwright, against a real uvicorn server.

What every test_browser_* file shares: the `browser` (one Chromium per module) and `shots`
(the screenshots folder) fixtures, which tests/e2e/conftest.py makes available; `phone_page`, a
390×844 page that collects its script errors and CSP refusals; `cookie_for`, a DID session
cookie signed in from Python; the live server and the fake camera.

No browser is ever downloaded: Playwright launches the system Chromium (``/usr/bin/chromium``,
or ``GONGZHI_CHROMIUM``). Without it — or without the Python ``playwright`` package — the
tests skip with a reason on a developer's machine and fail in CI (`tests.backends.unavailable`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import segno
import uvicorn
from fastapi import FastAPI

from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from tests.backends import unavailable
from web.api.live import Server
from web.demo.community import demo_office_key
from web.server.app import create_app
from web.server.settings import Settings

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

# The flags the project runs Chromium with: headless, no sandbox (we run as root in a
# container), nothing that reaches out to the network on its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}  # CSS pixels of a common phone


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI)."""
    path = os.environ.get("GONGZHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        unavailable("Chromium (Debian package 'chromium', installed by scripts/setup.sh)")
    return path


@contextmanager
def launched_browser(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """Chromium with a fresh profile (Playwright gives each launch a new temporary
    user-data-dir; every context opened on it is isolated again, IndexedDB included), with
    `extra_args` after the project's flags (`fake_camera_args`)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the Python package playwright (pyproject dev extras)")
    executable = chromium_path()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=[*CHROMIUM_FLAGS, *extra_args],
                timeout=30_000,
            )
        except Error as exc:
            unavailable(f"Chromium at {executable} could not start ({str(exc)[:200]})")
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def sibling_browser(browser: Browser, extra_args: Sequence[str]) -> Iterator[Browser]:
    """A second Chromium with `extra_args` (`fake_camera_args`), on `browser`'s Playwright:
    flags such as the fake camera are the whole browser's, and one test process can run only
    one Playwright at a time."""
    other = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[*CHROMIUM_FLAGS, *extra_args],
        timeout=30_000,
    )
    try:
        yield other
    finally:
        other.close()


@contextmanager
def live_server(data: Path, *, demo: bool = True) -> Iterator[tuple[str, FastAPI]]:
    """The real app under uvicorn on 127.0.0.1, on a free port, in a thread.

    The public URL is the very address the browser opens, so sign-in and enrolment proofs
    name the right ``domain`` and the page is a secure context (http on loopback).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    # Like `tests.e2e.support`: a non-demo app trusts the folder's demo street office, so a
    # test can have it register the committee (`tests.identity_web.register_members`).
    data.mkdir(parents=True, exist_ok=True)
    office = demo_office_key(data).did.value
    settings = Settings.from_env(
        {
            "GONGZHI_DATA": str(data),
            "GONGZHI_PUBLIC_URL": base,
            "GONGZHI_PORT": str(port),
            "GONGZHI_TRUSTED_ROOTS": office,
        }
    )
    app = create_app(settings, demo=demo, anchor_loop=False)
    server = Server(uvicorn.Config(app, log_level="warning", lifespan="on"), app.state.live)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield base, app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for a test module (each test opens its own isolated contexts)."""
    with launched_browser() as launched:
        yield launched


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots of the key pages go for a person to look at: ``GONGZHI_SCREENSHOTS``,
    else the test's temporary folder."""
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def phone_page(browser: Browser | BrowserContext, errors: list[str] | None = None) -> Page:
    """A page at 390×844 (a new context of `browser`, or a page of a context given), whose
    uncaught script errors and CSP refusals are appended to `errors`."""
    if hasattr(browser, "new_context"):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    else:
        context = browser
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda m: errors.append(m.text) if "Content Security" in m.text else None,
        )
    return page


def cookie_for(http: httpx.Client, key: KeyPair) -> str:
    """A cookie session of `key` (a committee member's, an owner's) on `http`'s server,
    signed in as a device's sign-in does: the challenge signed into a presentation."""
    issued = http.post("/api/auth/challenge").json()
    vp = sign_json(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": key.did.value,
        },
        key,
        proof_purpose="authentication",
        challenge=issued["challenge"],
        domain=issued["domain"],
    )
    answer = http.post("/api/auth/sign-in", json={"presentation": vp, "session": "cookie"})
    assert answer.status_code == 200, answer.text
    return str(answer.cookies["gongzhi_session"])


def session_cookie(base: str, value: str) -> SetCookieParam:
    """`cookie_for`'s value as the browser keeps the server's Set-Cookie."""
    return {
        "name": "gongzhi_session",
        "value": value,
        "url": base,
        "httpOnly": True,
        "sameSite": "Strict",
    }


def wait_ready(page: Page) -> None:
    """Wait until owner.js has wired the page (it sets ``data-ready`` on <body>)."""
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)


def enrol_from_demo(page: Page, base: str) -> None:
    """A demo owner: a free unit's code from /demo, enrolled — and so signed in — here."""
    page.goto(f"{base}/demo")
    page.get_by_role("button", name="领取演示登记码").click()
    page.wait_for_selector("#issued")
    page.click("#enrol-link")
    wait_ready(page)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#enrol-done:not([hidden])")


def run_module(page: Page, body: str, arg: Any = None) -> Any:
    """Run `body` — the body of an async function with ``g`` bound to gongzhi.js and ``arg``
    to `arg` — in the page, and return its JSON result. (No eval: the pages' CSP forbids it.)"""
    script = f"async (arg) => {{ const g = await import('/static/gongzhi.js'); {body} }}"
    return page.evaluate(script, arg)


# One frame of the fake camera: 16:9 as a phone's back camera gives, the QR code centred.
CAMERA_SIZE = (1280, 720)


def qr_video(text: str, path: Path) -> Path:
    """A one-frame YUV4MPEG2 video of a QR code of `text`, for Chromium's fake camera
    (`fake_camera_args`): black modules on white, as a printout held up to the camera. Y4M,
    not MJPEG, so nothing but the standard library makes it and no compression blurs it."""
    width, height = CAMERA_SIZE
    qr = segno.make(text, error="m", micro=False)
    side = qr.symbol_size(border=4)[0]
    scale = max(1, (height - 40) // side)
    matrix = qr.matrix_iter(scale=scale, border=4)
    rows = [bytes(16 if dark else 235 for dark in row) for row in matrix]
    top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
    luma = bytearray(b"\xeb" * (width * height))  # white (235: video range)
    for y, row in enumerate(rows):
        start = (top + y) * width + left
        luma[start : start + len(row)] = row
    chroma = b"\x80" * (width * height // 2)  # both 4:2:0 chroma planes: no colour
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma)
    return path


def fake_camera_args(video: Path) -> list[str]:
    """Chromium flags for a camera that films `video` (`qr_video`) and a permission prompt
    that always allows: getUserMedia then works headless, as on a phone that said yes."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
