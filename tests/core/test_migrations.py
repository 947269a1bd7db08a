"""The migrations build the schema models.py declares: the same indexes, name for name."""

from sqlalchemy import inspect
from sqlmodel import SQLModel

import crmtui.core.models  # noqa: F401  (fills SQLModel.metadata)


def test_the_migrated_indexes_are_the_models_indexes(db):
    inspector = inspect(db.engine)
    for name, table in SQLModel.metadata.tables.items():
        declared = {(i.name, tuple(c.name for c in i.columns)) for i in table.indexes}
        # not compared: unique constraints, and PostgreSQL's search indexes on expressions
        migrated = {
            (i["name"], tuple(i["column_names"]))
            for i in inspector.get_indexes(name)
            if not i["name"].startswith("sqlite_")
            and not i.get("duplicates_constraint")
            and None not in i["column_names"]
        }

        assert migrated == declared, name
