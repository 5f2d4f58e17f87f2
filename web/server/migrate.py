"""Schema migrations (Alembic): the database is brought to the newest schema at start-up.

`python -m web.server.migrate revision "message"` writes a new migration from the models' changes;
a test fails when the models and the migrations disagree.
"""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

# A package resource, not a path beside this module: the scripts stay in `web/migrations`
# (where every branch adds its next one) wherever this module lives.
SCRIPTS = "web:migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration against a database at the current head (for developers)."""
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    import tempfile

    from web.server.db import make_engine

    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        print('usage: python -m web.server.migrate revision "message"', file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = make_engine(f"sqlite:///{tmp}/scratch.sqlite")
        upgrade(scratch)
        revision(scratch, sys.argv[2])
        scratch.dispose()
