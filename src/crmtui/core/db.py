"""Database location, engine with per-dialect settings, session scopes and migrate-on-open."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from crmtui.core.errors import Invalid, OperationalError
from crmtui.core.migrations import HEAD_REVISION, known_revisions, upgrade_to_head
from crmtui.core.usernames import SQLITE_LOWER, lower_text

if TYPE_CHECKING:
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000
BULK_LOAD_BYTES = 16 * 1024 * 1024


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("crmtui", appauthor=False))


def resolve_url(db_path: str | os.PathLike | None = None) -> str:
    """`--db PATH`, else CRM_DB, else CRM_DATABASE_URL, else crm.db in the user data dir; the
    first two may be a database URL too."""
    if db_path:
        return path_or_url(db_path)
    if os.environ.get("CRM_DB"):
        return path_or_url(os.environ["CRM_DB"])
    if os.environ.get("CRM_DATABASE_URL"):
        return os.environ["CRM_DATABASE_URL"]
    return sqlite_url(default_data_dir() / "crm.db")


def path_or_url(value: str | os.PathLike) -> str:
    """A database URL as given, anything else as a SQLite file: never a file named after a URL
    (with its password) in the current directory."""
    return value if isinstance(value, str) and "://" in value else sqlite_url(Path(value))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().absolute()}"


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def display_url(url: str | URL) -> str:
    """The URL as it may be shown to a person: never with its password."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<invalid database URL>"
    path = sqlite_path(parsed)
    if path:
        return str(path)
    if "@" in (parsed.host or ""):  # the rest of a password holding an @ not written %40
        parsed = parsed.set(host=parsed.host.rpartition("@")[2])
    secret = {k for k in parsed.query if k.lower() in ("password", "passfile", "sslpassword")}
    if secret:  # libpq also takes a password as a query parameter
        parsed = parsed.update_query_dict({k: "***" for k in secret})
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys, a busy timeout and locking writes."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise OperationalError(f"not a database URL: {display_url(url)}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if "@" in (parsed.host or ""):
        raise OperationalError(
            f"not a database URL: {display_url(parsed)}: write an @ in the user name or "
            "password as %40"
        )
    # postgres:// is how hosting providers write it; SQLAlchemy knows only postgresql://
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, hide_parameters=True, json_serializer=json_text)
    except (ImportError, ArgumentError) as exc:
        raise OperationalError(f"cannot use {display_url(parsed)}: {exc}") from exc
    _ping_when_idle(engine)
    if engine.dialect.name == "postgresql":
        _serialise_postgres_writes(engine)
    return engine


# A pooled connection unused for longer is checked with a round trip before it is handed out.
IDLE_PING_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Replace a pooled connection the server has dropped (restart, idle timeout) before using
    it, like pool_pre_ping; but only after a pause: back-to-back reads would otherwise pay a
    round trip each, as much as a whole indexed query on a local server."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the server closed the connection") from exc


WRITE_LOCK_KEY = 0x63726D  # "crm": one advisory lock that every crm write transaction takes


def take_write_lock_sql() -> str:
    """The wait for the write lock bounded like SQLite's busy timeout, in one message: one round
    trip."""
    return (
        f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}; "
        f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
    )


def _serialise_postgres_writes(engine: Engine) -> None:
    """Writers take one advisory lock, like SQLite's BEGIN IMMEDIATE: a write reads the latest
    state and nothing commits between its version check and its update, so no edit is lost.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("crm_write", False):
            conn.exec_driver_sql(take_write_lock_sql())


# SQLite's busy handler lets a waiting writer retry the lock at most every 100 ms
HANDOVER_SECONDS = 0.12


def commit_and_continue(
    session: Session, *, lock: bool = True, released_at: float | None = None
) -> None:
    """Commit a write transaction so far and go on in a new one on the same connection: between
    a long import's chunks, other writers get their turn.

    The new transaction takes the write lock again after HANDOVER_SECONDS (counted from
    `released_at`, the monotonic time an earlier call let the lock go, if given); with
    `lock=False` it only reads, keeping no writer waiting, until a call with `lock`.
    """
    session.flush()
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        driver.execute("COMMIT")
        if lock:
            since = 0.0 if released_at is None else time.monotonic() - released_at
            if since < HANDOVER_SECONDS:
                time.sleep(HANDOVER_SECONDS - since)
        driver.execute("BEGIN IMMEDIATE" if lock else "BEGIN")
        return
    if not lock:
        driver.commit()  # the next statement begins a transaction without the advisory lock
        return
    driver.commit()  # PostgreSQL queues waiters on the advisory lock: the first is let in now
    with driver.cursor() as cursor:
        cursor.execute(take_write_lock_sql())


def json_text(value) -> str:
    """JSON columns as the bulk importer writes them too: readable text, no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        elif path.is_dir():
            raise OperationalError(f"{path} is a directory, not a database file")
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, json_serializer=json_text
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(SQLITE_LOWER, 1, lower_text, deterministic=True)
        cursor = dbapi_connection.cursor()
        if path is not None:
            cursor.execute("PRAGMA busy_timeout=0")
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "readonly" not in str(exc):
                    raise
                # a bulk load holds the file in rollback-journal mode (Database.bulk_load):
                # this connection works in that mode, without waiting for the mode; the next
                # connection to find the file free switches back. A file this user may not
                # write stays in its mode too: it can still be read, and writes say read-only.
            else:
                cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("crm_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _no_such_table(exc: DBAPIError) -> bool:
    """Whether the statement failed for a missing table (SQLite's words, PostgreSQL's code)."""
    return "no such table" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "42P01"


def _not_permitted(exc: BaseException) -> bool:
    """Whether this user may not write (SQLite's read-only file, PostgreSQL's privilege error)."""
    original = getattr(exc, "orig", exc)
    return getattr(original, "sqlstate", None) == "42501" or "readonly" in str(original)


def describe_db_error(exc: BaseException, url: str | URL | None = None) -> str:
    """One line saying what went wrong with the database, without secrets."""
    original = getattr(exc, "orig", exc)
    message = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    where = f" ({display_url(url)})" if url is not None else ""
    if "file is not a database" in message:
        return f"not a crm database: the file is not SQLite{where}"
    if "database is locked" in message or "lock timeout" in message:
        return f"the database is locked by another process; try again{where}"
    if "unable to open database" in message:
        return f"cannot open the database{where}"
    if "readonly" in message or "permission denied" in message.lower():
        return f"the database is read-only for this user{where}"
    return f"database error: {message}{where}"


# A number past what a column holds (an id or a --limit thirty digits long) is bad input: SQLite's
# driver raises OverflowError, PostgreSQL this SQLSTATE.
NUMBER_OUT_OF_RANGE = "22003"


@contextmanager
def translate_db_errors(url: str | URL | None = None) -> Iterator[None]:
    """Turn driver errors into the core's OperationalError with a one-line message."""
    try:
        yield
    except OverflowError:
        raise Invalid("number out of range") from None
    except (DBAPIError, sqlite3.Error) as exc:
        if getattr(getattr(exc, "orig", exc), "sqlstate", None) == NUMBER_OUT_OF_RANGE:
            raise Invalid("number out of range") from None
        raise OperationalError(describe_db_error(exc, url)) from exc


class Database:
    """An opened, migrated database: hands out read and write sessions."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write_engine = self.engine.execution_options(crm_write=True)
        # PostgreSQL's READ COMMITTED gives each statement its own snapshot, in a transaction or
        # not: reads without one see the same and skip the BEGIN and ROLLBACK round trips.
        self._read_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.dialect == "postgresql"
            else self.engine
        )
        if migrate:
            self.ensure_schema()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def location(self) -> str:
        return display_url(self.url)

    def schema_version(self) -> str | None:
        with translate_db_errors(self.url), self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except DBAPIError as exc:
                if not _no_such_table(exc):
                    raise  # a lock held past the timeout is not a database without a schema
                conn.rollback()
                return None

    def ensure_schema(self) -> None:
        """Run pending migrations; refuse a database from a newer crmtui or another program.

        The migration holds the write lock: of several crm processes opening the database at
        once (everybody's first run after an upgrade), one migrates and the others wait for it,
        then find the schema current, instead of failing on each other's half-made tables.
        """
        version = self.schema_version()
        if version == HEAD_REVISION:
            return
        self._refuse_newer(version)  # before the lock, which a read-only user cannot take
        try:
            with self._write_engine.begin() as conn:
                inspector = inspect(conn)
                version = (
                    conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                    if inspector.has_table("alembic_version")
                    else None
                )
                if version == HEAD_REVISION:
                    return
                self._refuse_newer(version)
                if version is None and inspector.get_table_names():
                    raise OperationalError(
                        f"not a crm database: {self.location} has tables but no crm schema"
                    )
                upgrade_to_head(conn, version)
        except (DBAPIError, sqlite3.Error) as exc:
            if not _not_permitted(exc):
                raise OperationalError(describe_db_error(exc, self.url)) from exc
            change = "created" if version is None else f"upgraded from {version} to {HEAD_REVISION}"
            raise OperationalError(
                f"{self.location} needs its crm schema {change}, which this user may not do: "
                "run crm once as a user who may (on PostgreSQL, the role that owns the schema)"
            ) from exc

    def _refuse_newer(self, version: str | None) -> None:
        if version is not None and version not in known_revisions():
            raise OperationalError(
                f"{self.location} was written by a newer crmtui (schema {version}; this crm "
                f"knows up to {HEAD_REVISION}): upgrade crmtui to use it"
            )

    @contextmanager
    def connection(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A connection for plain reads (core.reads): no ORM, so a short command never imports
        it; it must not write (on PostgreSQL it runs no transaction to roll back)."""
        with translate_db_errors(self.url), self._reader(snapshot).connect() as connection:
            yield connection

    @contextmanager
    def session(self, *, snapshot: bool = False) -> Iterator[Session]:
        """A read session; it must not write (on PostgreSQL it runs no transaction to roll
        back): writes go through `transaction`."""
        from sqlmodel import Session

        with (
            translate_db_errors(self.url),
            Session(self._reader(snapshot), expire_on_commit=False) as session,
        ):
            yield session

    def _reader(self, snapshot: bool) -> Engine:
        """`snapshot`: every query sees the database at one moment, whoever writes meanwhile,
        as reports and exports need their figures to agree. SQLite's read transaction has one
        snapshot; on PostgreSQL that takes a read-only REPEATABLE READ transaction (READ
        COMMITTED, in a transaction or not, takes a new one per statement)."""
        if snapshot and self.dialect == "postgresql":
            return self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        return self._read_engine

    @contextmanager
    def transaction(self, *, username: str | None = None) -> Iterator[Session]:
        """A write session holding the write lock from its first statement; one commit or none.

        `username` is recorded as the author of every change (created on first use).
        """
        from sqlmodel import Session

        with (
            translate_db_errors(self.url),
            Session(self._write_engine, expire_on_commit=False) as session,
        ):
            from crmtui.core.ids import assign_ids_on_flush

            assign_ids_on_flush(session)
            try:
                if username:
                    # imported here: read-only commands then never build the ORM models
                    from crmtui.core.users import ensure_user

                    session.info["user_id"] = ensure_user(session, username).id
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def bulk_load(self, incoming_bytes: int | None) -> Iterator[bool]:
        """A SQLite file in rollback-journal mode for a load of `incoming_bytes` (of CSV, say)
        at least BULK_LOAD_BYTES and more than the database holds, if no other connection has
        it open; yields whether it switched, and switches back to WAL.

        In WAL mode every page of a big load is written twice, to the log and then by the
        checkpoint at commit: a million contacts (1.5 GB) took 5 s longer. Others who open
        the file meanwhile wait for the load's lock as for any writer, and may read until
        then. Should someone be reading at the very moment of the switch back, the next
        connection to open the file makes it.
        """
        path = sqlite_path(self.url) if self.dialect == "sqlite" else None
        switched = False
        if path is not None and (incoming_bytes or 0) >= BULK_LOAD_BYTES:
            files = (path, path.with_name(f"{path.name}-wal"))
            held = sum(file.stat().st_size for file in files if file.exists())
            if incoming_bytes > held:
                switched = self._journal_mode("DELETE") == "delete"
        try:
            yield switched
        finally:
            if switched:
                self._journal_mode("WAL")

    def _journal_mode(self, mode: str) -> str | None:
        """Set SQLite's journal mode; the mode it is in, None if others have the file open."""
        with self.engine.connect() as connection:
            driver = connection.connection.driver_connection
            try:
                return driver.execute(f"PRAGMA journal_mode={mode}").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                return None

    def dispose(self) -> None:
        self.engine.dispose()
