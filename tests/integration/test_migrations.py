"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

from web.server.db import METADATA
from web.server.migrate import downgrade, upgrade


def test_migrations_match_the_models(db_engine: Engine) -> None:
    upgrade(db_engine)
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        merged = MetaData()
        for metadata in METADATA:
            for table in metadata.tables.values():
                table.to_metadata(merged)
        drift = compare_metadata(context, merged)
    assert drift == [], (
        f"models changed without a migration (python -m web.server.migrate revision): {drift}"
    )
    upgrade(db_engine)  # idempotent at head


def test_downgrade_removes_everything(db_engine: Engine) -> None:
    upgrade(db_engine)
    tables = {t for m in METADATA for t in m.tables}
    assert tables <= set(inspect(db_engine).get_table_names())
    downgrade(db_engine, "base")
    assert not tables & set(inspect(db_engine).get_table_names())
