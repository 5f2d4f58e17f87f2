"""The server anchors a log as soon as N entries are new, without waiting for its timer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from ledger.tlog.store import log_id_of
from tests.e2e.support import services_of
from web.demo.community import demo_keys
from web.server.app import create_app
from web.server.settings import Settings


def test_anchors_after_n_new_entries(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "GONGZHI_DATA": str(tmp_path / "data"),
            "GONGZHI_ANCHOR_EVERY": "3",
            "GONGZHI_ANCHOR_SECONDS": "3600",  # the timer never fires during this test
        }
    )
    app = create_app(settings, demo=True, anchor_loop=True)
    with TestClient(app) as client:
        services = services_of(app)
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        log_id = log_id_of(ballot["origin"])
        keys = demo_keys(services)

        def vote(unit: str) -> None:
            key = keys[unit]
            doc = {"type": "Vote", "ballot": ballot["origin"], "voter": key.did.value}
            r = client.post(
                f"/api/ballots/{ballot['id']}/votes",
                json=sign_json({**doc, "choices": {"1": "agree"}}, key),
            )
            assert r.status_code == 201, r.text

        def anchored_size(wait: float, past: int) -> int:
            deadline = time.monotonic() + wait
            while True:
                head = services.anchor.head(log_id)
                size = 0 if head is None else head.tree_size
                if size > past or time.monotonic() > deadline:
                    return size
                time.sleep(0.1)

        seeded = 2  # the demo's BallotAnnounced and BallotOpened, anchored when seeded
        assert anchored_size(0, 0) == seeded
        vote("1-1-101")
        vote("1-1-201")  # two new entries: below the batch of 3
        assert anchored_size(1.0, seeded) == seeded
        vote("1-1-301")  # three new entries: a batch is due
        assert anchored_size(120.0, seeded) == seeded + 3  # a bound for a loaded machine


def test_one_anchoring_round_at_a_time_in_a_process(tmp_path: Path) -> None:
    """The loop's round and a forced one (an operator's, a closing ballot's) never anchor at
    once, on SQLite too: a round begun while another runs is skipped, or with ``wait`` runs
    after it, and then finds everything due anchored."""
    settings = Settings.from_env({"GONGZHI_DATA": str(tmp_path / "data")})
    app = create_app(settings, demo=True, anchor_loop=False)
    with TestClient(app) as client:
        services = services_of(app)
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        key = demo_keys(services)["1-1-101"]
        doc = {"type": "Vote", "ballot": ballot["origin"], "voter": key.did.value}
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes",
            json=sign_json({**doc, "choices": {"1": "agree"}}, key),
        )
        assert r.status_code == 201, r.text
        log_id = log_id_of(ballot["origin"])
        waited: list[int] = []
        with services.anchoring(wait=True) as session:
            assert session is not None
            assert services.anchor_pending(force=True) == 0  # skipped: a round is running
            after = threading.Thread(
                target=lambda: waited.append(services.anchor_pending(force=True, wait=True))
            )
            after.start()
            after.join(0.5)
            assert after.is_alive() and not waited  # it waits for the round to end
        after.join()
        assert waited == [1]
        head = services.anchor.head(log_id)
        assert head is not None and head.tree_size == 3  # announced, opened, the vote
