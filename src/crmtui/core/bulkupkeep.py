"""Upkeep after bulk writes on PostgreSQL: merge the search indexes' pending lists, fresh stats.

A GIN index takes bulk inserts into a pending list that every search then scans linearly until
vacuum merges it: after a million-row copy a one-word search went from 0.5 ms to 5 ms.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

SEARCHED_TABLES = ("contact", "company", "deal")
OWNS_TABLE = text(
    "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = CAST(:table AS regclass)"
)


def settle_after_bulk_write(connection: Connection, tables: tuple[str, ...]) -> None:
    """Merge pending search entries and refresh statistics of `tables`. Needs no write lock."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if not connection.execute(OWNS_TABLE, {"table": table}).scalar():
            continue  # only the owner may; autovacuum will get to it
        if table in SEARCHED_TABLES:
            connection.execute(
                text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                {"index": f"ix_{table}_search_words"},
            )
        connection.execute(text(f'ANALYZE "{table}"'))
