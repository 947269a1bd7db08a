"""A big first import writes its pages once (rollback journal), then leaves the file in WAL mode."""

import sqlite3

import pytest

from crmtui.core import db as core_db
from crmtui.core.contacts import list_contacts
from crmtui.core.db import Database
from crmtui.io.imports import ImportRequest, import_contacts

pytestmark = pytest.mark.sqlite_only


def journal_mode(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def people(tmp_path, monkeypatch):
    monkeypatch.setattr(core_db, "BULK_LOAD_BYTES", 1000)
    path = tmp_path / "people.csv"
    notes = "n" * 300  # the file outweighs the new database's 0.4 MB
    path.write_text(
        "name,email,notes\n" + "".join(f"P {n},p{n}@example.com,{notes}\n" for n in range(3000))
    )
    return path


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "crm.db"
    database = Database(core_db.sqlite_url(path))
    yield database, path
    database.dispose()


def test_a_load_bigger_than_the_database_runs_without_the_wal_and_ends_in_wal(people, database):
    db, path = database
    seen = []

    def progress(_done, _total, _rows):
        seen.append(journal_mode(path))

    result = import_contacts(db, ImportRequest(path=str(people)), username="sam", progress=progress)

    assert result.inserted == 3000
    assert set(seen) == {"delete"}
    assert journal_mode(path) == "wal"


def test_with_someone_else_connected_the_load_keeps_the_wal(people, database):
    db, path = database
    other = sqlite3.connect(path)
    other.execute("SELECT count(*) FROM contact").fetchone()
    seen = []
    try:
        import_contacts(
            db, ImportRequest(path=str(people)), username="sam",
            progress=lambda *_: seen.append(journal_mode(path)),
        )  # fmt: skip
    finally:
        other.close()
    assert set(seen) == {"wal"}


def test_a_small_load_or_a_big_database_keeps_the_wal(people, database, monkeypatch):
    db, path = database
    monkeypatch.setattr(core_db, "BULK_LOAD_BYTES", people.stat().st_size + 1)
    seen = []
    import_contacts(db, ImportRequest(path=str(people)), username="sam",
                    progress=lambda *_: seen.append(journal_mode(path)))  # fmt: skip
    assert set(seen) == {"wal"}


def test_ctrl_c_in_a_bulk_load_leaves_nothing_and_the_wal(people, database, ctrl_c_on_second_batch):
    db, path = database
    ctrl_c_on_second_batch()

    with pytest.raises(KeyboardInterrupt):
        import_contacts(db, ImportRequest(path=str(people)), username="sam")

    assert journal_mode(path) == "wal"
    with db.session() as session:
        assert list_contacts(session, limit=None) == []


def test_a_reader_opening_the_file_during_a_bulk_load_reads_what_was_there(people, database):
    db, path = database
    counts = []

    def progress(_done, _total, rows):
        if rows == 1000:
            reader = Database(core_db.sqlite_url(path))
            try:
                with reader.session() as session:
                    counts.append(len(list_contacts(session, limit=None)))
            finally:
                reader.dispose()

    import_contacts(db, ImportRequest(path=str(people)), username="sam", progress=progress)

    assert counts == [0]
    assert journal_mode(path) == "wal"
