"""schemathesis against the app's own OpenAPI document, as every role, on the demo community.

Bounded and deterministic: at most `EXAMPLES` generated requests per operation and role,
derandomized, no shrinking. What must hold: no 5xx, every answer's status is one the
document declares, and every body and content type matches what it declares for that status.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.result import Ok

from tests import identity_web
from tests.e2e.support import services_of, settings_for
from web.demo.community import SLUG, demo_keys
from web.server.app import create_app
from web.server.settings import Settings

# Generated requests per operation and role: valid ones, then ones that break the schema
# (out-of-range integers, wrong types, missing fields), which must be refused with a 4xx.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Ending its own session would leave a role signed out for the operations after it.
SIGNS_OUT = ("POST", "/api/auth/sign-out")
# An event stream never ends, and the in-process client waits for a whole body: it is
# checked against a real server instead (tests/e2e/test_live_events.py).
ENDLESS = {("GET", "/api/v1/ballots/{ballot_id}/events")}


def _without_rate_limits(base: Any) -> Any:
    """Raise every rate limit setting (``rate_*``) far above what this test sends: it checks
    the contract, and a 429 would only hide the operations behind it."""
    raised: dict[str, Any] = {}
    for field in dataclasses.fields(base):
        value = getattr(base, field.name)
        if field.name.startswith("rate") and isinstance(value, int | float):
            raised[field.name] = type(value)(10**9)
    return dataclasses.replace(base, **raised)


ROLES = ("public", "operator", "committee", "owner")


def _headers(role: str, client: TestClient, app: FastAPI) -> dict[str, str]:
    if role == "operator":
        return identity_web.operator_headers(app)
    if role == "committee":
        return identity_web.committee_headers(app, SLUG)
    if role == "owner":
        owner = demo_keys(services_of(app))["1-1-101"]
        return identity_web.bearer(identity_web.sign_in(client, owner))
    return {}


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str], seen: Counter[str]) -> None:
    strategy = operation.as_strategy(
        mode, path_parameters={"slug": SLUG} if "{slug}" in operation.path else None
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any) -> None:
        response = case.call(headers=headers)
        seen[f"{operation.method.upper()} {response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    exercise()


# One test per role (each on its own app), so that parallel workers share the run.
@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_openapi_contract(role: str, tmp_path: Path) -> None:
    base = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    unlimited: Settings = _without_rate_limits(base)
    app = create_app(unlimited, demo=True, anchor_loop=False)
    failures: list[str] = []
    seen: Counter[str] = Counter()
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = _headers(role, client, app)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        results = list(schema.get_all_operations())
        assert all(isinstance(r, Ok) for r in results), results  # the document itself is valid
        operations = [r.ok() for r in results if isinstance(r, Ok)]
        assert len(operations) > 40  # the whole API, not an empty document
        for operation, mode in itertools.product(operations, EXAMPLES):
            if role != "public" and (operation.method.upper(), operation.path) == SIGNS_OUT:
                continue
            if (operation.method.upper(), operation.path) in ENDLESS:
                continue
            try:
                _run(operation, mode, headers, seen)
            except Unsatisfiable:  # nothing in the request can break the schema
                if mode is not GenerationMode.NEGATIVE:
                    raise
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run tells all
                label = f"{role} {mode.value} {operation.method.upper()} {operation.path}"
                failures.append(f"{label}: {exc}"[:1500])
    print(
        f"\nschemathesis as {role}: {sum(seen.values())} requests; statuses {sorted(seen.items())}"
    )
    assert not failures, "\n\n".join(failures)


def test_the_fuzz_settings_raise_rate_limits() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithLimits:
        rate_sign_in_per_minute: int
        rate_window_seconds: float
        port: int

    assert _without_rate_limits(WithLimits(5, 60.0, 8000)) == WithLimits(10**9, 1e9, 8000)
