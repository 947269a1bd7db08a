"""Alembic environment: runs on the connection handed over by crmtui.core.migrations."""

from alembic import context
from sqlmodel import SQLModel

import crmtui.core.models  # noqa: F401  (registers the tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
context.run_migrations()
