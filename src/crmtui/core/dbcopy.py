"""Copy a whole crm database to another URL (SQLite to PostgreSQL and back), keeping every id."""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field

from sqlalchemy import JSON, Column, Date, Integer, String, Table, func, select, text
from sqlalchemy.engine import Connection, Dialect, Row
from sqlmodel import SQLModel

from crmtui.core import models  # noqa: F401  (registers every table on SQLModel.metadata)
from crmtui.core.bulkupkeep import settle_after_bulk_write
from crmtui.core.db import Database, display_url, translate_db_errors
from crmtui.core.dbinfo import DATABASE_ID
from crmtui.core.errors import Conflict, OperationalError
from crmtui.core.pgcopy import copy_rows
from crmtui.core.types import UTCDateTime

BATCH_ROWS = 2000
SEEDED = {"pipeline", "stage"}  # what a fresh database starts with; replaced by the copy
# the settings a fresh database draws for itself, replaced by the source's: a copy is the same
# database moved (SQLite to PostgreSQL), so its calendar exports update the events the source's
# put in a calendar app instead of adding them again
SEEDED_SETTINGS = (DATABASE_ID,)


@dataclass
class CopyResult:
    source: str
    target: str
    counts: dict[str, int] = field(default_factory=dict)


def copied_tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _count(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _seeded_settings(table: Table):
    return table.c.key.in_(SEEDED_SETTINGS)


def _refuse_non_empty(conn: Connection, target: Database) -> None:
    for table in copied_tables():
        if table.name in SEEDED:
            continue
        rows = select(text("1")).select_from(table).limit(1)
        if table.name == "setting":
            rows = rows.where(~_seeded_settings(table))
        if conn.execute(rows).first():
            raise Conflict(
                f"{target.location} already holds data ({table.name}); copy into an empty database"
            )
    pipelines = _count(conn, SQLModel.metadata.tables["pipeline"])
    if pipelines > 1:
        raise Conflict(f"{target.location} already holds data (pipeline); copy into an empty one")


def copy_database(
    source: Database,
    target_url: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> CopyResult:
    """Copy every row of `source` into the empty database at `target_url`, in one transaction.

    Ids are kept (so every link and history entry still points at the same record), PostgreSQL
    sequences are moved past the copied ids, and row counts are compared before committing.
    """
    if display_url(target_url) == source.location:
        raise OperationalError("the target is the database being copied")
    target = Database(target_url)
    result = CopyResult(source=source.location, target=target.location)
    try:
        with (
            translate_db_errors(target_url),
            source.connection(snapshot=True) as reader,  # every table as of one moment
            target._write_engine.begin() as writer,
        ):
            _refuse_non_empty(writer, target)
            for table in reversed(copied_tables()):
                if table.name in SEEDED:
                    writer.execute(table.delete())
                elif table.name == "setting":
                    writer.execute(table.delete().where(_seeded_settings(table)))
            suspended = _suspend_checks(writer) if target.dialect == "postgresql" else []
            for table in copied_tables():
                result.counts[table.name] = _copy_table(reader, writer, table, progress)
            for statement in suspended:
                writer.exec_driver_sql(statement)
            if target.dialect == "postgresql":
                _reset_sequences(writer)
            settle_after_bulk_write(writer, tuple(t.name for t in copied_tables()))
            for table in copied_tables():
                copied = _count(writer, table)
                if copied != result.counts[table.name]:
                    raise OperationalError(
                        f"copy check failed: {table.name} has {copied} rows in the target, "
                        f"{result.counts[table.name]} in the source; nothing was copied"
                    )
    finally:
        target.dispose()
    return result


def _copy_table(reader: Connection, writer: Connection, table: Table, progress) -> int:
    if writer.dialect.name == "postgresql":
        return _copy_in(writer, table, _driver_batches(reader, writer.dialect, table), progress)
    total = 0
    for batch in _source_batches(reader, table):
        writer.execute(table.insert(), [dict(row._mapping) for row in batch])
        total += len(batch)
        if progress:
            progress(table.name, total)
    return total


def _order(table: Table) -> list[Column]:
    return list(table.primary_key.columns) or list(table.columns)[:1]


def _source_batches(reader: Connection, table: Table) -> Iterator[Sequence[Row]]:
    select_all = select(table).order_by(*_order(table))
    rows = reader.execution_options(yield_per=BATCH_ROWS).execute(select_all)
    return rows.partitions(BATCH_ROWS)


# SQLite's text for a timestamp or date as SQLAlchemy stores it: COPY reads it as the same value
STORED_AS_COPY_READS = {
    UTCDateTime: re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", re.ASCII),
    Date: re.compile(r"\d{4}-\d\d-\d\d", re.ASCII),
}


def _driver_batches(reader: Connection, target: Dialect, table: Table) -> Iterator[list]:
    """`table`'s rows in batches, each value as an INSERT into `target` would bind it.

    From SQLite, rows come straight from its cursor and a value takes the trip through Python
    objects (a third of the copy's time) only when the text it is stored as would not do:
    PostgreSQL reads numbers, strings and JSON text as SQLite holds them, and timestamps and
    dates in the form SQLAlchemy writes them.
    """
    if reader.dialect.name != "sqlite":
        binds = [
            (position, bind)
            for position, column in enumerate(table.columns)
            if (bind := column.type.dialect_impl(target).bind_processor(target))
        ]
        for batch in _source_batches(reader, table):
            yield [_converted(row, binds) for row in batch] if binds else batch
        return
    converters = [
        (position, convert)
        for position, column in enumerate(table.columns)
        if (convert := _from_stored(column, reader.dialect, target))
    ]
    columns = ", ".join(f'"{column.name}"' for column in table.columns)
    order = ", ".join(f'"{column.name}"' for column in _order(table))
    with closing(reader.connection.driver_connection.cursor()) as cursor:
        cursor.execute(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}')
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield [_converted(row, converters) for row in batch] if converters else batch


def _converted(row: Sequence, converters: list[tuple[int, Callable]]) -> list:
    row = list(row)
    for position, convert in converters:
        row[position] = convert(row[position])
    return row


def _from_stored(column: Column, source: Dialect, target: Dialect) -> Callable | None:
    """What turns the value SQLite stores for `column` into one the target's driver takes."""
    kind = column.type
    if isinstance(kind, Integer | String | JSON):
        return None
    read = kind.dialect_impl(source).result_processor(source, None) or (lambda value: value)
    bind = kind.dialect_impl(target).bind_processor(target) or (lambda value: value)
    stored_form = STORED_AS_COPY_READS.get(type(kind))

    def convert(value):
        if value is None or (stored_form and type(value) is str and stored_form.fullmatch(value)):
            return value
        return bind(read(value))

    return convert


def _copy_in(writer: Connection, table: Table, batches: Iterator[Sequence], progress) -> int:
    """The whole table in one COPY: 1.4M rows take a fraction of executemany's time."""
    total = 0

    def driver_rows() -> Iterator[Sequence]:
        nonlocal total
        for batch in batches:
            yield from batch
            total += len(batch)
            if progress:
                progress(table.name, total)

    cursor = writer.connection.driver_connection.cursor()
    copy_rows(cursor, table.name, [column.name for column in table.columns], driver_rows())
    return total


OWNS_EVERY_TABLE = text(
    "SELECT bool_and(pg_has_role(t.relowner, 'USAGE')) FROM pg_class t "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE n.nspname = current_schema() AND t.relname = ANY(:tables)"
)
FOREIGN_KEYS = text(
    "SELECT CAST(c.conrelid AS regclass), quote_ident(c.conname), pg_get_constraintdef(c.oid) "
    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(:tables)"
)
SECONDARY_INDEXES = text(
    "SELECT CAST(i.indexrelid AS regclass), pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE NOT i.indisunique AND i.indpred IS NULL AND n.nspname = current_schema() "
    "AND t.relname = ANY(:tables)"
)


def _suspend_checks(writer: Connection) -> list[str]:
    """Drop the foreign keys and non-unique indexes of the copied PostgreSQL tables; returns
    the statements that bring them back once the rows are in.

    Checking each row's foreign keys and adding it to each index took 9 of the 10.5 s a COPY of
    490k interactions took; one CREATE INDEX sorts them all at once and one ADD CONSTRAINT
    checks every row in one join (pg_restore works the same way). Unique indexes stay, and so
    do partial ones (small, and PostgreSQL words their predicate so that a rebuild from its own
    definition would differ); every foreign key is checked again before the commit. Only the
    tables' owner may. The
    definitions run as they are (exec_driver_sql), with no bind parameters read into them.
    """
    tables = {"tables": [table.name for table in copied_tables()]}
    if not writer.execute(OWNS_EVERY_TABLE, tables).scalar():
        return []
    keys = writer.execute(FOREIGN_KEYS, tables).all()
    indexes = writer.execute(SECONDARY_INDEXES, tables).all()
    for table, name, _definition in keys:
        writer.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        writer.exec_driver_sql(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition in keys
    ]


def _reset_sequences(writer: Connection) -> None:
    """After inserting explicit ids, the next new row must get an id above them."""
    for table in copied_tables():
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        sequence = writer.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar()
        if sequence:
            writer.execute(
                text(
                    f'SELECT setval(:seq, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, '
                    "false)"
                ),
                {"seq": sequence},
            )
