"""A summary of an opened database: location, backend, schema version, its id, row counts."""

from typing import Any

from sqlalchemy import func, select

from crmtui.core.db import Database
from crmtui.core.errors import OperationalError
from crmtui.core.models import (
    Company,
    Contact,
    Deal,
    ImportBatch,
    Interaction,
    Pipeline,
    Setting,
    Tag,
    Task,
    User,
)

COUNTED = {
    "contacts": Contact,
    "companies": Company,
    "deals": Deal,
    "pipelines": Pipeline,
    "interactions": Interaction,
    "tasks": Task,
    "tags": Tag,
    "users": User,
    "import_batches": ImportBatch,
}

DATABASE_ID = "database_id"  # the setting migration 0018 draws at random


def database_id(session) -> str:
    """This database's own id, which a copy keeps: what its calendar UIDs carry."""
    setting = session.get(Setting, DATABASE_ID)
    if setting is None:
        raise OperationalError(f"the database has no {DATABASE_ID} setting (removed by hand?)")
    return setting.value


def database_info(db: Database) -> dict[str, Any]:
    with db.session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in COUNTED.items()
        }
        identity = session.get(Setting, DATABASE_ID)
    return {
        "location": db.location,
        "backend": db.dialect,
        "schema_version": db.schema_version(),
        "database_id": identity and identity.value,
        "counts": counts,
    }
