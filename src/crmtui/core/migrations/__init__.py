"""Alembic migrations, run on open; the head revision is known without importing alembic."""

from pathlib import Path

from sqlalchemy.engine import Engine

HEAD_REVISION = "0014"
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


def upgrade_to_head(engine: Engine, current: str | None = None, target: str = "head") -> None:
    """Upgrade the schema in one transaction (SQLite and PostgreSQL both have transactional DDL)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), target)
