"""`gongzhi admin backup DEST` while the server runs, `gongzhi admin restore SRC` into an
empty folder and database: the restored system's verifiers pass and its anchors match its
chain; non-empty targets are refused; the backup is private (it holds the keys). Issue 7,
"must hold" 5, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from identity.w3c.dataintegrity import sign_json
from ledger.tlog.models import Log
from ledger.tlog.store import LogStore
from tests.backends import PG_ADMIN_URL
from tests.e2e.support import committee_headers, running, services_of, settings_for
from tests.identity_web import close_ballot, pinned, pinned_bundle
from web.cli import entry as cli
from web.demo.community import SLUG, demo_keys, demo_office_key


def _env(mp: pytest.MonkeyPatch, data: Path, db_url: str) -> None:
    mp.setenv("GONGZHI_DATA", str(data))
    mp.setenv("GONGZHI_PUBLIC_URL", "https://gongzhi.test")
    for name in ("CHAIN_RPC_URL", "CHAIN_PRIVATE_KEY", "DATABASE_URL"):
        mp.delenv(name, raising=False)
    if not db_url.startswith("sqlite"):
        mp.setenv("DATABASE_URL", db_url)


def _cast(client: Any, app: Any, ballot: dict[str, Any], count: int) -> None:
    voters: dict[str, Any] = {}
    for _unit, key in sorted(demo_keys(services_of(app)).items()):
        voters.setdefault(key.did.value, key)
    for key in list(voters.values())[:count]:
        vote = {"type": "Vote", "ballot": ballot["origin"], "voter": key.did.value}
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes",
            json=sign_json({**vote, "choices": {"1": "agree"}}, key),
        )
        assert r.status_code == 201, r.text


def _private(root: Path) -> None:
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def _empty_database(db_url: str) -> None:
    """Make the test's PostgreSQL schema empty again, as a new database would be."""
    found = re.search(r"search_path%3D(\w+)", db_url)
    assert found is not None
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{found.group(1)}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{found.group(1)}"'))
    admin.dispose()


def test_backup_while_serving_and_restore(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = "database.sqlite" if db_url.startswith("sqlite") else "database.pgdump"
    _round_trip(tmp_path, db_url, monkeypatch, capsys, dump)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_backup_through_sql_without_pg_dump(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where the PostgreSQL client tools are not installed, the rows go through SQL."""
    (tmp_path / "no-tools").mkdir()
    _round_trip(tmp_path, db_url, monkeypatch, capsys, "database.jsonl", tmp_path / "no-tools")


def _admin(args: list[str], monkeypatch: pytest.MonkeyPatch, bin_dir: Path | None) -> int:
    with monkeypatch.context() as mp:
        if bin_dir is not None:  # only these directories on PATH
            mp.setenv("PATH", str(bin_dir))
        return cli.main(["admin", *args])


def _round_trip(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dump_name: str,
    bin_dir: Path | None = None,
) -> None:
    data, saved, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    _env(monkeypatch, data, db_url)
    with running(settings_for(data, db_url=db_url, anvil_url=None)) as (client, app):
        ballot = client.get(f"/api/communities/{SLUG}/ballots").json()[0]
        _cast(client, app, ballot, 5)
        close_ballot(client, app, ballot["id"], slug=SLUG)
        services_of(app).anchor_pending(force=True, wait=True)
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        # Taken while the server runs (and holds its embedded chain).
        assert _admin(["backup", str(saved)], monkeypatch, bin_dir) == 0
        assert "keep it secret" in capsys.readouterr().out
    _private(saved)
    manifest = json.loads((saved / "manifest.json").read_text())
    names = {item["path"] for item in manifest["files"]}
    assert {"data/status.key", "data/log.key", "data/contracts.json"} <= names
    # The server's own keys only: no street office root, no committee key (a demo folder's
    # demo-*.json keys are the demo's, see web.demo.community).
    assert not {"data/root.key", "data/committee.key"} & names
    assert "data/chain/chain.sqlite3" in names
    assert dump_name in names

    # Nothing is ever overwritten: not a backup folder, not a data folder, not a database.
    assert _admin(["backup", str(saved)], monkeypatch, bin_dir) == 1
    assert "不是空目录" in capsys.readouterr().err
    before = sorted((p.name, p.stat().st_size) for p in data.rglob("*"))
    assert _admin(["restore", str(saved)], monkeypatch, bin_dir) == 1
    err = capsys.readouterr().err
    assert "不会覆盖" in err and "nothing is overwritten" in err
    assert sorted((p.name, p.stat().st_size) for p in data.rglob("*")) == before
    _env(monkeypatch, restored, db_url)
    if not db_url.startswith("sqlite"):
        assert _admin(["restore", str(saved)], monkeypatch, bin_dir) == 1
        assert "already has" in capsys.readouterr().err
        assert not restored.exists()
        _empty_database(db_url)
    # A damaged backup is refused before anything is written.
    dump = saved / dump_name
    good = dump.read_bytes()
    dump.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    assert _admin(["restore", str(saved)], monkeypatch, bin_dir) == 1
    assert "SHA-256" in capsys.readouterr().err and not restored.exists()
    dump.write_bytes(good)

    if dump_name == "database.pgdump":
        # pg_restore missing: a clear refusal, and the folder is left empty for a retry.
        (tmp_path / "no-tools").mkdir()
        assert _admin(["restore", str(saved)], monkeypatch, tmp_path / "no-tools") == 1
        err = capsys.readouterr().err
        assert "pg_restore" in err and "postgresql-client" in err
        assert list(restored.iterdir()) == []
    assert _admin(["restore", str(saved)], monkeypatch, bin_dir) == 0
    with running(settings_for(restored, db_url=db_url, anvil_url=None)) as (client, app):
        services = services_of(app)
        assert client.get(f"/api/ballots/{ballot['id']}/record").json() == record
        with services.db.session() as session:
            store = LogStore(session)
            checked = 0
            for origin in session.scalars(select(Log.origin)):
                log = store.get_log(origin)
                for head in services.anchor.anchored(log.log_id):
                    assert store.root(log, head.tree_size) == head.root
                    checked += 1
            assert checked >= 2  # the ballot box and the disclosure log at least
        # New rows after the restored ones (ids continue): a member enrols and signs in.
        assert committee_headers(app)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = demo_office_key(restored).did.value  # the demo office's key, restored with the rest
    assert (
        cli.main(
            [
                "verify",
                "ballot",
                str(path),
                "--data",
                str(restored),
                *pinned(record, root, tmp_path),
            ]
        )
        == 0
    )
    assert "已与区块链上的锚定核对" in capsys.readouterr().out
    bundle = tmp_path / "bundle.jsonl"
    assert cli.main(["ledger", "export", "--community", SLUG, str(bundle)]) == 0
    verify = ["verify", "ledger", str(bundle), "--data", str(restored), "--jobs", "1"]
    verify += pinned_bundle(bundle, root, tmp_path)
    assert cli.main(verify) == 0
    assert "anchors checked on chain" in capsys.readouterr().out
