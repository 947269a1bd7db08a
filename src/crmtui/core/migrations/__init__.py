"""Alembic migrations, run on open; the head revision is known without importing alembic."""

from pathlib import Path

from sqlalchemy.engine import Connection, Engine

HEAD_REVISION = "0018"
MIGRATIONS_DIR = Path(__file__).parent


def known_revisions() -> set[str]:
    """Revision ids shipped with this crmtui: each version file is named `<id>_<slug>.py`."""
    return {path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("*.py")}


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(
    bind: Engine | Connection, current: str | None = None, target: str = "head"
) -> None:
    """Upgrade the schema in one transaction (SQLite and PostgreSQL both have transactional DDL):
    a new one on an Engine, the caller's on a Connection."""
    from alembic import command

    if isinstance(bind, Connection):
        command.upgrade(alembic_config(bind), target)
        return
    with bind.begin() as connection:
        command.upgrade(alembic_config(connection), target)
