"""The database layer: location, migrations on open, file mode, locking writes."""

import re
import sqlite3
import stat
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from crmtui.core import contacts
from crmtui.core.db import Database, display_url, resolve_url, sqlite_url
from crmtui.core.dbinfo import database_id
from crmtui.core.errors import OperationalError
from crmtui.core.migrations import HEAD_REVISION, upgrade_to_head
from crmtui.core.schemas import ContactInput


def test_location_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql+psycopg://u:secret@localhost/crm")
    assert resolve_url(tmp_path / "flag.db").endswith("flag.db")
    assert resolve_url().endswith("env.db")
    monkeypatch.delenv("CRM_DB")
    assert resolve_url() == "postgresql+psycopg://u:secret@localhost/crm"
    monkeypatch.delenv("CRM_DATABASE_URL")
    assert resolve_url().endswith("crmtui/crm.db")


def test_passwords_are_never_displayed():
    assert "secret" not in display_url("postgresql+psycopg://u:secret@localhost/crm")


def test_new_database_is_migrated_with_the_default_pipeline(db):
    assert db.schema_version() == HEAD_REVISION
    with db.session() as session:
        names = session.execute(text("SELECT name, probability FROM stage ORDER BY position")).all()
    assert names == [
        ("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75), ("Won", 100), ("Lost", 0),
    ]  # fmt: skip


def test_new_file_is_private_to_its_owner(db, db_path):
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_first_migration_filled_then_upgraded_to_head(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(sqlite_url(path))
    upgrade_to_head(engine, None, target="0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contact (first_name, last_name, display_name, sort_key, lifecycle_stage,"
                " email_consent, do_not_contact, custom_fields, search_text, version, created_at,"
                " updated_at) VALUES ('Ada', 'Lovelace', 'Ada Lovelace', 'ada lovelace', 'lead',"
                " 'unknown', 0, '{}', 'ada lovelace', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()

    db = Database(sqlite_url(path))

    assert db.schema_version() == HEAD_REVISION
    with db.session() as session:
        assert contacts.get_contact(session, "ada").display_name == "Ada Lovelace"
        assert re.fullmatch("[0-9a-f]{16}", database_id(session))  # drawn on the way (0018)
    db.dispose()


def test_a_failed_write_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"]))
        raise RuntimeError("power cut")

    with db.session() as session:
        assert contacts.list_contacts(session) == []


def test_a_second_writer_waits_for_the_first(db, db_path):
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    finished = threading.Event()

    def write():
        with db.transaction(username="kim") as session:
            contacts.add_contact(session, ContactInput(name="Grace", emails=["grace@example.com"]))
        finished.set()

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not finished.is_set()
    holder.execute("ROLLBACK")
    holder.close()
    writer.join(timeout=10)

    assert finished.is_set()
    with db.session() as session:
        assert [c.display_name for c in contacts.list_contacts(session)] == ["Grace"]


def test_head_revision_constant_matches_the_migration_files():
    from alembic.script import ScriptDirectory

    from crmtui.core.migrations import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


@pytest.mark.postgres_only
def test_a_connection_the_server_dropped_meanwhile_is_replaced(db, monkeypatch):
    import crmtui.core.db as dbmodule

    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 0.0)
    with db.session() as session:
        dropped = session.scalar(text("SELECT pg_backend_pid()"))
    with create_engine(db.url, poolclass=NullPool).connect() as admin:
        assert admin.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": dropped})

    with db.session() as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != dropped
        assert contacts.list_contacts(session) == []


@pytest.mark.postgres_only
def test_an_open_read_session_does_not_block_a_schema_change(db):
    with db.session() as session:
        contacts.list_contacts(session)
        with create_engine(db.url, poolclass=NullPool).begin() as other:
            other.execute(text("LOCK TABLE contact IN ACCESS EXCLUSIVE MODE NOWAIT"))


def test_a_lock_when_reading_the_schema_version_is_reported_as_a_lock(database_url, monkeypatch):
    Database(database_url).dispose()  # a migrated database

    def locked_once(_conn, _cursor, statement, *_args):
        if "alembic_version" in statement and not seen:
            seen.append(statement)
            raise sqlite3.OperationalError("database is locked")

    seen: list[str] = []
    event.listen(Engine, "before_cursor_execute", locked_once)
    try:
        # not "has tables but no crm schema": the lock had gone when the tables were listed
        with pytest.raises(OperationalError, match="locked by another process"):
            Database(database_url)
    finally:
        event.remove(Engine, "before_cursor_execute", locked_once)
    assert seen


@pytest.mark.parametrize("revision", ["0013", None], ids=["older", "empty"])
def test_processes_opening_a_database_to_migrate_at_once_wait_for_one_migration(
    new_database_url, revision
):
    from alembic import command

    from crmtui.core.migrations import alembic_config

    url = new_database_url()
    if revision is not None:
        engine = create_engine(url)
        upgrade_to_head(engine, None, target=revision)
        engine.dispose()
    first = Database(url, migrate=False)
    opened, failed = [], []

    def open_meanwhile():
        try:
            opened.append(Database(url))
        except OperationalError as exc:
            failed.append(str(exc))

    with first.transaction() as session:  # the first process is migrating
        command.upgrade(alembic_config(session.connection()), "head")
        other = threading.Thread(target=open_meanwhile)
        other.start()
        time.sleep(0.3)
    other.join(timeout=20)
    first.dispose()

    assert failed == []
    assert opened[0].schema_version() == HEAD_REVISION
    opened[0].dispose()


def test_a_read_only_file_in_rollback_journal_mode_can_still_be_read(db_path, monkeypatch, crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    with sqlite3.connect(db_path) as conn:  # as an interrupted bulk load leaves it
        conn.execute("PRAGMA journal_mode=DELETE")
    real_connect = sqlite3.dbapi2.connect

    def read_only(database, *args, **kwargs):  # what SQLite makes of a file it may not write
        return real_connect(f"file:{database}?mode=ro", *args, **{**kwargs, "uri": True})

    monkeypatch.setattr(sqlite3.dbapi2, "connect", read_only)

    listed = crm.json("contact", "list")
    refused = crm("contact", "add", "Grace", "--email", "grace@example.com")

    assert [c["name"] for c in listed] == ["Ada"]
    assert refused.exit_code == 1
    assert refused.stderr.startswith("crm: the database is read-only for this user")


def test_a_read_only_file_that_needs_a_migration_says_so(tmp_path, monkeypatch, crm):
    path = tmp_path / "old.db"
    engine = create_engine(sqlite_url(path))
    upgrade_to_head(engine, None, target="0013")  # as left by the crmtui before an upgrade
    engine.dispose()
    real_connect = sqlite3.dbapi2.connect

    def read_only(database, *args, **kwargs):  # what SQLite makes of a file it may not write
        return real_connect(f"file:{database}?mode=ro", *args, **{**kwargs, "uri": True})

    monkeypatch.setattr(sqlite3.dbapi2, "connect", read_only)

    refused = crm("--db", str(path), "contact", "list")

    assert refused.exit_code == 1
    assert "needs its crm schema upgraded from 0013" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_snapshot_read_sees_one_moment_whoever_writes_meanwhile(db):
    """Reports and exports read this way: on PostgreSQL a plain read would see Bob arrive."""
    count = text("SELECT count(*) FROM contact")
    with db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Ada"))
    with db.session(snapshot=True) as reader, db.connection(snapshot=True) as plain_reader:
        before = (reader.scalar(count), plain_reader.scalar(count))
        with db.transaction(username="kim") as session:
            contacts.add_contact(session, ContactInput(name="Bob"))
        after = (reader.scalar(count), plain_reader.scalar(count))
    with db.session() as session:
        now = session.scalar(count)

    assert (before, after, now) == ((1, 1), (1, 1), 2)
