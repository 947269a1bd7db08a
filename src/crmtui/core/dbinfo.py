"""A summary of an opened database: location, backend, schema version, row counts."""

from typing import Any

from sqlalchemy import func, select

from crmtui.core.db import Database
from crmtui.core.models import (
    Company,
    Contact,
    Deal,
    ImportBatch,
    Interaction,
    Pipeline,
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


def database_info(db: Database) -> dict[str, Any]:
    with db.session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in COUNTED.items()
        }
    return {
        "location": db.location,
        "backend": db.dialect,
        "schema_version": db.schema_version(),
        "counts": counts,
    }
