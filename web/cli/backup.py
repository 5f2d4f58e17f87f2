"""Backups of a whole installation, and restoring one into an empty folder and database.

A backup is a directory (mode 0700, every file 0600: it holds the keys) with

* ``manifest.json`` — format, when, which database, and each file's size and SHA-256;
* ``data/…`` — the data folder: keys, the contract file, the embedded chain;
* ``database.sqlite`` (SQLite) or ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format
  of the one schema the server uses) — or, where ``pg_dump`` is not installed,
  ``database.jsonl``: every table's rows read through SQL in one repeatable-read
  transaction, loaded back after the schema is migrated (same schema revision only).

Consistent while the server runs: every SQLite file (the database and py-evm's chain store)
is copied through SQLite's online backup API, which reads one snapshot; PostgreSQL is read by
``pg_dump``, which does the same. The order matters: the chain is copied before the
database. The server anchors only heads it has already committed, so the copied chain can
only lag the copied logs (a backlog the anchoring loop catches up on), never hold a head the
logs do not have.

Restore refuses a data folder that is not empty and a database (or schema) that has any
table: it only ever creates, never overwrites.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.sql import sqltypes

FORMAT = "gongzhi-backup/1"
MANIFEST = "manifest.json"
DATA = "data"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
SQL_FILE = "database.jsonl"
ROWS_PER_INSERT = 1000
_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's companions of a live database: the online backup reads through them.
_COMPANIONS = ("-wal", "-shm", "-journal")
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)")


class BackupError(Exception):
    """A backup or restore cannot be done as asked (the message is in Chinese and English)."""


@dataclass(frozen=True)
class Target:
    """Where the installation lives: its data folder and its database."""

    data_dir: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        database = make_url(self.database_url).database
        if not database or database == ":memory:":
            raise BackupError(
                "SQLite 数据库须是文件 / the SQLite database must be a file to be backed up"
            )
        return Path(database).resolve()


# --- helpers ----------------------------------------------------------------------------------


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 before anything secret is written into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def _sqlite_copy(source: Path, target: Path) -> None:
    """One consistent snapshot of a live SQLite database, through the online backup API."""
    _private_file(target)
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"无法复制 SQLite 数据库 {source} / cannot copy the SQLite database {source}: {exc}"
        ) from exc
    finally:
        src.close()


def _file_copy(source: Path, target: Path) -> None:
    _private_file(target)
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _empty_dir(path: Path, what_zh: str, what_en: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(
            f"{what_zh} {path} 不是空目录，不会覆盖 / {what_en} {path} is not an empty folder: "
            "nothing is overwritten"
        )


def _data_files(data_dir: Path, skip: set[Path]) -> Iterator[Path]:
    """Every regular file of the data folder (sorted), but `skip` and SQLite companions."""
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.is_symlink()):
        if path.resolve() in skip:
            continue
        if (
            path.name.endswith(_COMPANIONS)
            and path.with_name(path.name.rsplit("-", 1)[0]).is_file()
        ):
            continue
        yield path


# --- PostgreSQL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Postgres:
    env: dict[str, str]
    schema: str
    database: str

    @classmethod
    def of(cls, database_url: str) -> _Postgres:
        url = make_url(database_url)
        env = dict(os.environ)
        for name, value in (
            ("PGHOST", url.host),
            ("PGPORT", None if url.port is None else str(url.port)),
            ("PGUSER", url.username),
            ("PGPASSWORD", url.password),
            ("PGDATABASE", url.database),
        ):
            if value:
                env[name] = str(value)
        options = url.query.get("options", "")
        found = _SEARCH_PATH.search(options if isinstance(options, str) else " ".join(options))
        if not url.database:
            raise BackupError("DATABASE_URL 须写明数据库名 / DATABASE_URL must name the database")
        return cls(env=env, schema=found.group(1) if found else "public", database=url.database)

    def run(self, *args: str) -> str:
        tool = shutil.which(args[0])
        if tool is None:
            raise BackupError(
                f"找不到 {args[0]}，请安装 PostgreSQL 客户端（Debian：postgresql-client） / "
                f"{args[0]} is not on PATH: install the PostgreSQL client (Debian: "
                "postgresql-client)"
            )
        done = subprocess.run(
            [tool, *args[1:]], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackupError(f"{args[0]} 失败 / {args[0]} failed: {done.stderr.strip()[:2000]}")
        return done.stdout


def _schema_state(database_url: str, schema: str) -> tuple[bool, int]:
    """(the schema exists, how many tables it has)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            )
            tables = conn.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
    except Exception as exc:  # any driver error: the database cannot be reached or read
        raise BackupError(f"无法连接数据库 / cannot reach the database: {exc}") from exc
    finally:
        engine.dispose()
    return bool(exists), int(tables or 0)


# --- PostgreSQL through SQL (no pg_dump on PATH) ---------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
    return value


def _revision(conn: Connection) -> str | None:
    found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if found is None else str(found)


def _sql_dump(database_url: str, path: Path) -> str | None:
    """Every table's rows, in foreign-key order, from one snapshot; returns the revision."""
    engine = create_engine(database_url)
    _private_file(path)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            path.open("w", encoding="utf-8") as out,
        ):
            meta = MetaData()
            meta.reflect(conn)
            revision = _revision(conn) if "alembic_version" in meta.tables else None
            for table in meta.sorted_tables:
                columns = [c.name for c in table.columns]
                out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
                order = list(table.primary_key.columns) or list(table.columns)
                for row in conn.execute(select(table).order_by(*order)):
                    out.write(json.dumps({"row": [_encode(v) for v in row]}) + "\n")
    finally:
        engine.dispose()
    return revision


def _sql_load(database_url: str, path: Path, revision: str | None) -> None:
    """Migrate the empty database to this version's schema, then insert every row."""
    from web.server.db import Database  # the migrations live with the app

    database = Database(database_url)
    try:
        database.create_all()
    finally:
        database.dispose()
    engine = create_engine(database_url)
    try:
        _load_rows(engine, path, revision)
    except BaseException:
        created = MetaData()  # the migrated tables: the schema was empty before
        created.reflect(engine)
        created.drop_all(engine)
        raise
    finally:
        engine.dispose()


def _load_rows(engine: Engine, path: Path, revision: str | None) -> None:
    try:
        with engine.begin() as conn:
            current = _revision(conn)
            if current != revision:
                raise BackupError(
                    f"备份的数据库版本 {revision} 与本程序的 {current} 不同，请用相同版本恢复 / "
                    f"the backup's schema revision {revision} is not this version's {current}: "
                    "restore with the same gongzhi version"
                )
            meta = MetaData()
            meta.reflect(conn)
            for table in meta.tables.values():
                for column in table.columns:
                    if isinstance(column.type, sqltypes.JSON):
                        column.type.none_as_null = True  # a missing value is SQL NULL
            _insert_rows(conn, meta, path)
            for table in meta.sorted_tables:  # serial ids continue after the restored rows
                keys = list(table.primary_key.columns)
                if len(keys) == 1 and isinstance(keys[0].type, sqltypes.Integer):
                    # setval is strict: a key without a sequence gives NULL and changes nothing
                    conn.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence(:t, :c), "
                            f'coalesce(max("{keys[0].name}"), 0) + 1, false) '
                            f'FROM "{table.name}"'
                        ),
                        {"t": f'"{table.name}"', "c": keys[0].name},
                    )
    except BackupError:
        raise
    except Exception as exc:  # the driver's own errors: nothing is committed
        raise BackupError(f"恢复数据库失败 / restoring the database failed: {exc}") from exc


def _insert_rows(conn: Connection, meta: MetaData, path: Path) -> None:
    table: Table | None = None
    columns: list[str] = []
    batch: list[list[Any]] = []

    def flush() -> None:
        if table is not None and batch and table.name != "alembic_version":
            conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in batch])
        batch.clear()

    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if "table" in record:
                flush()
                table, columns = meta.tables.get(record["table"]), list(record["columns"])
                if table is None:
                    raise BackupError(
                        f"本版本没有表 {record['table']} / this version has no table "
                        f"{record['table']}"
                    )
                continue
            batch.append([_decode(v) for v in record["row"]])
            if len(batch) >= ROWS_PER_INSERT:
                flush()
    flush()


def _create_schema(database_url: str, schema: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        engine.dispose()


# --- backup -----------------------------------------------------------------------------------


def backup(target: Target, dest: Path) -> dict[str, Any]:
    """Write a backup of `target` into `dest` (absent or empty); returns the manifest."""
    if not target.data_dir.is_dir():
        raise BackupError(
            f"数据目录 {target.data_dir} 不存在 / the data folder {target.data_dir} does not exist"
        )
    _empty_dir(dest, "备份目录", "the backup folder")
    if dest.resolve().is_relative_to(target.data_dir.resolve()):
        raise BackupError(
            "备份目录不能在数据目录之内 / the backup folder must not be inside the data folder"
        )
    pg = None if target.is_sqlite else _Postgres.of(target.database_url)
    try:
        return _write_backup(target, dest, pg)
    except BaseException:
        _clear(dest)  # no half backup that looks like one: it was empty or absent before
        raise


def _clear(folder: Path) -> None:
    """Remove what was written into `folder`, which was empty (or absent) before."""
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def _write_backup(target: Target, dest: Path, pg: _Postgres | None) -> dict[str, Any]:
    revision: str | None = None
    _private_dir(dest)
    _private_dir(dest / DATA)
    skip = {target.sqlite_path} if target.is_sqlite else set()
    databases: list[Path] = []
    others: list[Path] = []
    for path in _data_files(target.data_dir, skip):
        (databases if _is_sqlite(path) else others).append(path)
    # The chain (and any other SQLite store) first, then the files, then the database.
    for path in [*databases, *others]:
        relative = path.relative_to(target.data_dir)
        copy = dest / DATA / relative
        for parent in reversed(copy.relative_to(dest).parents[:-1]):
            _private_dir(dest / parent)
        (_sqlite_copy if path in databases else _file_copy)(path, copy)
    if pg is None:
        _sqlite_copy(target.sqlite_path, dest / SQLITE_FILE)
    elif shutil.which("pg_dump") is None:
        revision = _sql_dump(target.database_url, dest / SQL_FILE)
    else:
        _private_file(dest / PG_FILE)
        pg.run(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--schema={pg.schema}",
            f"--file={dest / PG_FILE}",
        )
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite" if pg is None else "postgresql",
        "schema": None if pg is None else pg.schema,
        "revision": revision,
        "files": [
            {"path": p.relative_to(dest).as_posix(), "size": p.stat().st_size, "sha256": _sha256(p)}
            for p in files
        ],
    }
    _private_file(dest / MANIFEST)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest


# --- restore ----------------------------------------------------------------------------------


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(
            f"{source} 不是 gongzhi 备份（缺少或无法读取 {MANIFEST}） / {source} is not a "
            f"gongzhi backup ({MANIFEST} missing or unreadable): {exc}"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"不支持的备份格式 / unsupported backup format: {str(manifest.get('format'))[:40]!r}"
            if isinstance(manifest, dict)
            else f"{MANIFEST} 格式错误 / {MANIFEST} is malformed"
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(i, dict) and isinstance(i.get("path"), str) and isinstance(i.get("sha256"), str)
        for i in files
    ):
        raise BackupError(f"{MANIFEST} 的文件清单格式错误 / {MANIFEST} lists its files wrongly")
    for item in files:
        path = source / str(item["path"])
        if not path.resolve().is_relative_to(source.resolve()):
            raise BackupError(f"备份中有越界路径 / the backup names a path outside it: {path}")
        if not path.is_file() or _sha256(path) != item["sha256"]:
            raise BackupError(
                f"备份文件 {item['path']} 缺失或已损坏（SHA-256 不符） / the backup's file "
                f"{item['path']} is missing or damaged (SHA-256 differs)"
            )
    return manifest


def restore(target: Target, source: Path) -> dict[str, Any]:
    """Restore the backup in `source` into `target`'s empty data folder and empty database."""
    manifest = _read_manifest(source)
    kind = "sqlite" if target.is_sqlite else "postgresql"
    if manifest.get("database") != kind:
        raise BackupError(
            f"备份来自 {manifest.get('database')} 数据库，目标是 {kind} / the backup holds a "
            f"{manifest.get('database')} database, the target is {kind}"
        )
    _empty_dir(target.data_dir, "数据目录", "the data folder")
    pg = None
    if target.is_sqlite:
        database = target.sqlite_path
        if database.exists() and database.stat().st_size > 0:
            raise BackupError(
                f"数据库 {database} 已存在，不会覆盖 / the database {database} exists: nothing "
                "is overwritten"
            )
    else:
        pg = _Postgres.of(target.database_url)
        through_sql = any(item["path"] == SQL_FILE for item in manifest["files"])
        if not through_sql and manifest.get("schema") != pg.schema:
            raise BackupError(
                f"备份的模式是 {manifest.get('schema')}，目标是 {pg.schema} / the backup is of "
                f"schema {manifest.get('schema')}, the target's is {pg.schema}"
            )
        tables = _schema_state(target.database_url, pg.schema)[1]
        if tables:
            raise BackupError(
                f"目标数据库（模式 {pg.schema}）已有 {tables} 张表，不会覆盖 / the target "
                f"database (schema {pg.schema}) already has {tables} tables: nothing is "
                "overwritten"
            )
    try:
        _put_back(target, source, manifest, pg)
    except BaseException:
        # Leave the targets as empty as they were, so that the restore can simply be retried.
        _clear(target.data_dir)
        if target.is_sqlite:
            target.sqlite_path.unlink(missing_ok=True)
        raise
    return manifest


def _put_back(target: Target, source: Path, manifest: dict[str, Any], pg: _Postgres | None) -> None:
    names = {str(item["path"]) for item in manifest["files"]}
    _private_dir(target.data_dir)
    for item in manifest["files"]:
        relative = Path(str(item["path"]))
        if relative.parts[0] != DATA:
            continue
        copy = target.data_dir.joinpath(*relative.parts[1:])
        for parent in reversed(copy.relative_to(target.data_dir).parents[:-1]):
            _private_dir(target.data_dir / parent)
        _file_copy(source / relative, copy)
    if pg is None:
        _private_dir(target.sqlite_path.parent)
        _file_copy(source / SQLITE_FILE, target.sqlite_path)
    elif SQL_FILE in names:
        _create_schema(target.database_url, pg.schema)
        _sql_load(target.database_url, source / SQL_FILE, manifest.get("revision"))
    else:
        dump = str(source / PG_FILE)
        listing = pg.run("pg_restore", "--list", dump)
        # An empty schema is there already: restore into it rather than create it.
        if _schema_state(target.database_url, pg.schema)[0]:
            listing = "\n".join(
                line for line in listing.splitlines() if not re.search(r"\bSCHEMA - ", line)
            )
        with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as chosen:
            chosen.write(listing + "\n")
            chosen.flush()
            pg.run(
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={chosen.name}",
                f"--dbname={pg.database}",
                dump,
            )
