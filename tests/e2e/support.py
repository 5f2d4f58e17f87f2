"""Helpers for end-to-end tests: an app on every backend, signed in as whoever a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import identity_web
from tests.chains import ANVIL_KEYS
from web.demo.community import demo_office_key
from web.server.app import create_app
from web.server.services import Services
from web.server.settings import Settings


def settings_for(data: Path, *, db_url: str | None, anvil_url: str | None) -> Settings:
    env = {"GONGZHI_DATA": str(data), "GONGZHI_PUBLIC_URL": "https://gongzhi.test"}
    if db_url and not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    if anvil_url:
        env["CHAIN_RPC_URL"] = anvil_url
        env["CHAIN_PRIVATE_KEY"] = ANVIL_KEYS[0]
    return Settings.from_env(env)


def _app(settings: Settings, *, demo: bool) -> FastAPI:
    """The app; a non-demo one also trusts the demo street office (GONGZHI_TRUSTED_ROOTS, as
    an operator would set it), so a test can have it register the demo committee
    (`identity_web.register_committee`) whose demo keys then sign the committee's decisions."""
    if demo:
        return create_app(settings, demo=True, anchor_loop=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    office = demo_office_key(settings.data_dir).did.value
    roots = ",".join(filter(None, (settings.trusted_roots, office)))
    return create_app(replace(settings, trusted_roots=roots), demo=False, anchor_loop=False)


@contextmanager
def running(settings: Settings, *, demo: bool = True) -> Iterator[tuple[TestClient, FastAPI]]:
    app = _app(settings, demo=demo)
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

    app = _app(settings, demo=demo)
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
