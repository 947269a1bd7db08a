"""The migrations build the schema models.py declares: the same indexes, name for name."""

from sqlalchemy import inspect
from sqlmodel import SQLModel

import crmtui.core.models  # noqa: F401  (fills SQLModel.metadata)


def test_the_migrated_indexes_are_the_models_indexes(db):
    inspector = inspect(db.engine)
    where = f"{db.dialect}_where"
    for name, table in SQLModel.metadata.tables.items():
        declared = {
            (i.name, tuple(c.name for c in i.columns), i.dialect_kwargs.get(where) is not None)
            for i in table.indexes
        }
        # not compared: unique constraints, PostgreSQL's search indexes on expressions, and the
        # words of a partial index's predicate (each database words it its own way)
        migrated = {
            (
                i["name"],
                tuple(i["column_names"]),
                i.get("dialect_options", {}).get(where) is not None,
            )
            for i in inspector.get_indexes(name)
            if not i["name"].startswith("sqlite_")
            and not i.get("duplicates_constraint")
            and None not in i["column_names"]
        }

        assert migrated == declared, name
