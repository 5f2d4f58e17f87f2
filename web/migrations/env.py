"""Alembic environment: the app's three table sets, on the connection `web.server.migrate` hands
in."""

from __future__ import annotations

from alembic import context

from web.server.db import METADATA

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=list(METADATA),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
