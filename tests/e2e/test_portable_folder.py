"""A data folder keeps working when it is served under another port or public address
(issue 7, finding 9): credentials issued before still verify (their status lists are named
at the old address), sign-in and votes work, and logs keep their origins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.support import running, services_of
from web.cli import entry as cli
from web.demo.community import SLUG, demo_keys, demo_office_key
from web.server.settings import Settings


def _settings(data: Path, db_url: str, port: int, public_url: str | None = None) -> Settings:
    env = {"GONGZHI_DATA": str(data), "GONGZHI_PORT": str(port)}
    if public_url is not None:
        env["GONGZHI_PUBLIC_URL"] = public_url
    if not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    return Settings.from_env(env)


def _vote(key: KeyPair, origin: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": str(key.did), "choices": {"1": "agree"}}, key
    )


def _voters(keys: dict[str, KeyPair]) -> list[KeyPair]:
    """One key per owner (a buyer of several units votes once), in unit order."""
    seen: dict[str, KeyPair] = {}
    for _unit, key in sorted(keys.items()):
        seen.setdefault(key.did.value, key)
    return list(seen.values())


def test_a_folder_moves_to_another_port_and_public_url(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with running(_settings(data, db_url, 18071)) as (client, app):
        # The demo chair: registering another member now would start a registration that
        # supersedes the one the demo ballot's opening was signed under within this second.
        member, _ = identity_web.committee_member(app)
        voters = _voters(demo_keys(services_of(app)))
        ballot = client.get(f"/api/communities/{SLUG}/ballots").json()[0]
        origin = ballot["origin"]
        assert origin.startswith("127.0.0.1:18071/c/")
        r = client.post(f"/api/ballots/{ballot['id']}/votes", json=_vote(voters[0], origin))
        assert r.status_code == 201, r.text
        disclosures = client.get(f"/api/communities/{SLUG}/disclosures").json()

    moves = [(18072, None), (18073, "https://vote.example.cn/")]
    for turn, (port, public_url) in enumerate(moves, start=1):
        # The demo start on the moved folder (it used to die with StatusUnavailable).
        with running(_settings(data, db_url, port, public_url)) as (client, app):
            domain = identity_web.runtime_of(app).domain
            assert domain == (public_url or f"http://127.0.0.1:{port}").rstrip("/")
            # The registration was stored at the first address: the member still signs in.
            signed = identity_web.sign_in(client, member)
            assert signed.status_code == 200, signed.text
            assert {"community": SLUG, "role": "committee"}.items() <= signed.json()["grants"][
                0
            ].items()
            owner = identity_web.sign_in(client, voters[turn])
            assert owner.status_code == 200, owner.text
            # Votes still go into the same ballot box, named as before.
            r = client.post(f"/api/ballots/{ballot['id']}/votes", json=_vote(voters[turn], origin))
            assert r.status_code == 201, r.text
            assert r.json()["checkpoint"].startswith(origin + "\n")
            assert services_of(app).public_host == "127.0.0.1:18071"
            now = client.get(f"/api/communities/{SLUG}/disclosures").json()
            assert now["origin"] == disclosures["origin"] and now["size"] == disclosures["size"]
            # A status list is served at today's address and carries the same bits.
            listed = client.get(f"/api/communities/{SLUG}/status-list").json()
            assert listed["id"] == f"{domain}/api/communities/{SLUG}/status-list"
            if turn == len(moves):
                identity_web.close_ballot(
                    client, app, ballot["id"], slug=SLUG, headers=identity_web.bearer(signed)
                )
                record = client.get(f"/api/ballots/{ballot['id']}/record").json()
                # BallotAnnounced, BallotOpened, a vote before the moves and one after
                # each, BallotResult
                assert len(record["entries"]) == 3 + len(moves) + 1

    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = demo_office_key(data).did.value
    assert (
        cli.main(
            [
                "verify",
                "ballot",
                str(path),
                "--data",
                str(data),
                *identity_web.pinned(record, root, tmp_path),
            ]
        )
        == 0
    )
    # The operator's export under the last address finds the disclosure log it always had.
    monkeypatch.setenv("GONGZHI_DATA", str(data))
    monkeypatch.setenv("GONGZHI_PUBLIC_URL", "https://vote.example.cn")
    if not db_url.startswith("sqlite"):
        monkeypatch.setenv("DATABASE_URL", db_url)
    bundle = tmp_path / "bundle.jsonl"
    assert cli.main(["ledger", "export", "--community", SLUG, str(bundle)]) == 0
    verify = ["verify", "ledger", str(bundle), "--data", str(data), "--jobs", "1"]
    verify += identity_web.pinned_bundle(bundle, root, tmp_path)
    assert cli.main(verify) == 0


def test_status_lists_of_unknown_addresses_stay_foreign(tmp_path: Path) -> None:
    """Only a URL one of our stored credentials was issued with resolves to our list."""
    from identity.community.issuance import status_lookup
    from identity.w3c.failures import StatusUnavailable

    settings = _settings(tmp_path / "data", "sqlite://", 18074)
    with running(settings) as (_client, app):
        issuers = identity_web.runtime_of(app).issuers
        with services_of(app).db.session() as session:
            lookup = status_lookup(session, issuers)
            assert lookup(issuers.list_url(SLUG)).issuer == issuers.status.did.value
            for url in (
                f"http://127.0.0.1:1/api/communities/{SLUG}/status-list",
                f"https://evil.example/api/communities/{SLUG}/status-list",
            ):
                with pytest.raises(StatusUnavailable):
                    lookup(url)
