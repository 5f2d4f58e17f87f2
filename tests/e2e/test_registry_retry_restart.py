"""A result the chain was down for reaches the BallotRegistry even across a restart.

The members sign the BallotResult while the chain is down; the server stops before the chain
returns; the restarted server, once the chain answers, records the result on its periodic
round — exactly once, however many rounds follow. Nothing but the logs and the registry
carries this over the restart (`web.server.services._results_in_logs`). SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts.errors import ChainUnavailable
from identity.w3c.dataintegrity import sign_json
from ledger.tlog.records import log_id_of
from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import close_ballot, open_ballot
from voting import onchain
from web.demo.community import demo_keys

ITEMS = [
    {"id": "a", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "b", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
BODY: dict[str, Any] = {"title": "第二次业主大会", "text": "两项事项", "items": ITEMS}


def test_chain_down_at_close_then_restart_records_the_result_once(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        ballot = open_ballot(client, app, BODY)
        key = min(demo_keys(services_of(app)).items())[1]
        vote = sign_json(
            {
                "type": "Vote",
                "ballot": ballot["origin"],
                "voter": key.did.value,
                "choices": {"a": "agree"},
            },
            key,
        )
        assert client.post(f"/api/ballots/{ballot['id']}/votes", json=vote).status_code == 201

        def down(*_args: object, **_kwargs: object) -> None:
            raise ChainUnavailable("链暂时无法连接", "the chain is unreachable")

        with monkeypatch.context() as patched:
            patched.setattr(onchain, "record_result", down)
            close_ballot(client, app, ballot["id"])
            # Still down at the periodic round before the stop: it stays to be recorded.
            services_of(app).record_pending_results()
        assert services_of(app).registry.read_result(log_id_of(ballot["origin"])) is None

    calls: list[bytes] = []
    record = onchain.record_result

    def counted(registry: Any, *, log_id: bytes, **kwargs: Any) -> None:
        calls.append(log_id)
        record(registry, log_id=log_id, **kwargs)

    monkeypatch.setattr(onchain, "record_result", counted)
    with running(settings) as (client, app):
        services = services_of(app)
        assert services.registry.read_result(log_id_of(ballot["origin"])) is None
        services.record_pending_results()  # the chain is back: the periodic round
        recorded = services.registry.read_result(log_id_of(ballot["origin"]))
        assert recorded is not None and [v.id for v in recorded.items] == ["a", "b"]
        services.record_pending_results()
        services.record_pending_results()
        assert calls == [log_id_of(ballot["origin"])]
        assert services.registry.read_result(log_id_of(ballot["origin"])) == recorded
    # A later start finds it recorded: asked once, never sent again.
    with running(settings) as (client, app):
        services_of(app).record_pending_results()
    assert calls == [log_id_of(ballot["origin"])]
