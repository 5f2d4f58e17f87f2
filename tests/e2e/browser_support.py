"""Real-browser tests: Debian's Chromium driven by Playwright, against a real uvicorn server.

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi import FastAPI

from tests.backends import unavailable
from web.api_live import Server
from web.app import create_app
from web.demo import demo_office_key
from web.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

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
def launched_browser() -> Iterator[Browser]:
    """Chromium with a fresh profile (Playwright gives each launch a new temporary
    user-data-dir; every context opened on it is isolated again, IndexedDB included)."""
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
                args=CHROMIUM_FLAGS,
                timeout=30_000,
            )
        except Error as exc:
            unavailable(f"Chromium at {executable} could not start ({str(exc)[:200]})")
        try:
            yield browser
        finally:
            browser.close()


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


def wait_ready(page: Page) -> None:
    """Wait until owner.js has wired the page (it sets ``data-ready`` on <body>)."""
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)


def run_module(page: Page, body: str, arg: Any = None) -> Any:
    """Run `body` — the body of an async function with ``g`` bound to gongzhi.js and ``arg``
    to `arg` — in the page, and return its JSON result. (No eval: the pages' CSP forbids it.)"""
    script = f"async (arg) => {{ const g = await import('/static/gongzhi.js'); {body} }}"
    return page.evaluate(script, arg)
