"""Helpers for end-to-end tests: an app on every backend, signed in as whoever a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.chains import ANVIL_KEYS
from web.app import create_app
from web.services import Services
from web.settings import Settings


def settings_for(data: Path, *, db_url: str | None, anvil_url: str | None) -> Settings:
    env = {"GONGZHI_DATA": str(data), "GONGZHI_PUBLIC_URL": "https://gongzhi.test"}
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
    """Authorization for committee operations."""
    return {"Authorization": f"Bearer {services_of(app).committee_token}"}
