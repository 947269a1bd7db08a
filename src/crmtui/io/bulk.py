"""Fast writes for imports: the raw DBAPI cursor of the session's connection, in batches."""

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlmodel import Session

from crmtui.core.db import json_text
from crmtui.core.ids import next_id_sql
from crmtui.core.pgcopy import copy_rows
from crmtui.core.types import utcnow

IN_CHUNK = 5000  # bound parameters per query; SQLite allows 32766
SUSPEND_AFTER_ROWS = 20_000


# text that goes into an SQL statement as a literal, quoted, needing no escapes
_LITERAL_TEXT = re.compile(r"[\w .:+@{}-]{0,64}", re.ASCII)


def _literal(value: Any) -> str | None:
    """An SQLite literal for a value stored as it is, or None when it is better bound."""
    if value is None:
        return "NULL"
    if isinstance(value, int):  # bool included: SQLite stores True as 1 either way
        return str(int(value))
    if isinstance(value, str) and _LITERAL_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


class BulkWriter:
    """executemany and IN-list queries on the session's own connection and transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        connection = session.connection()
        self.dialect = connection.dialect.name
        self.cursor = connection.connection.driver_connection.cursor()
        self.placeholder = "?" if self.dialect == "sqlite" else "%s"

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), rows)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Add rows to `table`: by COPY on PostgreSQL (see core.pgcopy)."""
        if not rows:
            return
        if self.dialect != "postgresql":
            self._insert_sqlite(table, columns, rows)
            return
        copy_rows(self.cursor, table, columns, rows)

    def _insert_sqlite(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """executemany, with the columns that hold one value in every row (timestamps, defaults,
        the batch) written once into the statement: sqlite3 binds a parameter in about 0.2 us,
        and a contact row has 33 of them, most the same for a whole import."""
        first = rows[0]
        fixed: dict[int, str] = {}
        if len(rows) > 1:
            for position, value in enumerate(first):
                literal = _literal(value)
                if literal is None:
                    continue
                kind = type(value)
                for row in rows:
                    other = row[position]  # the same object, mostly: a row's default
                    if other is not value and (other != value or type(other) is not kind):
                        break
                else:
                    fixed[position] = literal
        if not fixed:
            self.many(insert_sql(table, columns), rows)
            return
        values = ", ".join(fixed.get(position, "?") for position in range(len(columns)))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
        varying = [position for position in range(len(columns)) if position not in fixed]
        if len(varying) > 1:
            params = map(itemgetter(*varying), rows)
        else:
            params = [tuple(row[p] for p in varying) for row in rows]
        self.cursor.executemany(sql, params)

    def pipeline(self) -> AbstractContextManager:
        """On PostgreSQL, statements sent without waiting for each other's results."""
        if self.dialect == "postgresql":
            return self.cursor.connection.pipeline()
        return nullcontext()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(sql), params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cursor.execute(self._sql(sql), params)
        return self.cursor.fetchall()

    def query_in(
        self, sql: str, values: Iterable[Any], extra: Sequence[Any] = ()
    ) -> Iterator[tuple]:
        """Run `sql` (with `IN ({in})` where the list goes) over chunks of `values`."""
        values = list(values)
        if self.dialect == "postgresql" and " IN ({in})" in sql and values:
            # one array parameter: half the time of a 2000-item IN list, most of it parsing
            yield from self.query(sql.replace(" IN ({in})", " = ANY(?)"), [*extra, values])
            return
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from self.query(sql.format(**{"in": marks}), [*extra, *chunk])

    def allocate_ids(self, table: str, count: int) -> int:
        """The first of `count` fresh ids for `table`; the write lock keeps them ours."""
        if self.dialect == "postgresql":
            rows = self.query(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, ?)",
                [count],
            )
            ids = [r[0] for r in rows]
            if ids != list(range(ids[0], ids[0] + count)):
                raise RuntimeError("sequence ids are not contiguous")
            return ids[0]
        return self.query(next_id_sql(table))[0][0]

    def timestamp(self, when: datetime | None = None) -> Any:
        """A UTC time as the UTCDateTime column stores it."""
        naive = (when or utcnow()).astimezone(UTC).replace(tzinfo=None)
        if self.dialect == "sqlite":
            return naive.strftime("%Y-%m-%d %H:%M:%S.%f")
        return naive

    def json(self, value: Any) -> str:
        return json_text(value)


class SuspendedIndexes:
    """Secondary SQLite indexes dropped while an import adds many rows, rebuilt when it is done.

    Keeping a dozen indexes up to date row by row costs more than writing the rows, and the
    indexes on random keys (names, phones) keep spilling the page cache; one CREATE INDEX
    sorts instead. A table's indexes go only once the import has added as many rows as the
    table held (and at least SUSPEND_AFTER_ROWS), so rebuilding costs at most about twice
    the import's own rows and a small import into a big table never pays it. DDL belongs to
    the transaction: a failure or Ctrl-C brings every index back with everything else.
    Unique indexes and those in `keep` (lookups the import itself runs) stay.
    """

    def __init__(self, writer: BulkWriter, tables: Sequence[str], keep: Iterable[str] = ()):
        self.writer = writer
        self.enabled = writer.dialect == "sqlite"
        self.keep = set(keep)
        self.added = dict.fromkeys(tables, 0)
        self.held: dict[str, int] = {}
        self.dropped: dict[str, list[tuple[str, str]]] = {}

    def adding(self, table: str, rows: int) -> bool:
        """Note `rows` about to go into `table`; True when that suspends its indexes now."""
        before = self.added[table]
        added = self.added[table] = before + rows
        if not self.enabled or table in self.dropped or added < SUSPEND_AFTER_ROWS:
            return False
        if table not in self.held:
            (count,) = self.writer.query(f'SELECT COUNT(*) FROM "{table}"')[0]
            self.held[table] = count - before
        if added < self.held[table]:
            return False
        indexes = [
            (name, sql)
            for name, sql in self.writer.query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            )
            if name not in self.keep and not sql.upper().startswith("CREATE UNIQUE")
        ]
        for name, _sql in indexes:
            self.writer.execute(f'DROP INDEX "{name}"')
        self.dropped[table] = indexes
        return True

    def restore(self) -> None:
        for indexes in self.dropped.values():
            for _name, sql in indexes:
                self.writer.execute(sql)
        self.dropped.clear()
