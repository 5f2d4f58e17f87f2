"""Helpers for end-to-end tests: an app on every backend, signed in as whoever a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import identity_web
from tests.chains import ANVIL_KEYS
from web.app import create_app
from web.services import Services
from web.settings import Settings


def settings_for(data: Path, *, db_url: str | None, anvil_url: str | None) -> Settings:
    env = {
        "GONGZHI_DATA": str(data),
        "GONGZHI_PUBLIC_URL": "https://gongzhi.test",
        "GONGZHI_TRUSTED_ROOTS": identity_web.TEST_OFFICE.did.value,
    }
    if db_url and not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    if anvil_url:
        env["CHAIN_RPC_URL"] = anvil_url
        env["CHAIN_PRIVATE_KEY"] = ANVIL_KEYS[0]
    return Settings.from_env(env)


@contextmanager
def running(settings: Settings, *, demo: bool = True) -> Iterator[tuple[TestClient, FastAPI]]:
    app = create_app(settings, demo=demo, anchor_loop=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app


def services_of(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


def committee_headers(app: FastAPI) -> dict[str, str]:
    """Authorization for committee operations: a member enrolled and signed in by DID."""
    return identity_web.committee_headers(app)


@contextmanager
def live_server(settings: Settings, *, demo: bool = True) -> Iterator[tuple[str, FastAPI]]:
    """The app served by uvicorn on a free loopback port, in a thread (for real HTTP clients)."""
    import socket
    import threading
    import time

    import uvicorn

    app = create_app(settings, demo=demo, anchor_loop=False)
    # uvicorn serves the socket bound here: a port chosen, released and bound again later
    # could be taken in between by another process on this shared machine.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # a bound, not a wait: start-up seeds the demo
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
