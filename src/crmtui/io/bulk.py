"""Fast writes for imports: the raw DBAPI cursor of the session's connection, in batches."""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from crmtui.core.types import utcnow

IN_CHUNK = 5000  # bound parameters per query; SQLite allows 32766


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

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(sql), params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cursor.execute(self._sql(sql), params)
        return self.cursor.fetchall()

    def query_in(
        self, sql: str, values: Iterable[Any], extra: Sequence[Any] = ()
    ) -> Iterator[tuple]:
        """Run `sql` (with `{in}` where the IN list goes) over chunks of `values`."""
        values = list(values)
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
        (last,) = self.query(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')[0]
        return last + 1

    def timestamp(self, when: datetime | None = None) -> Any:
        """A UTC time as the UTCDateTime column stores it."""
        naive = (when or utcnow()).astimezone(UTC).replace(tzinfo=None)
        if self.dialect == "sqlite":
            return naive.strftime("%Y-%m-%d %H:%M:%S.%f")
        return naive

    def json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
