"""A big import on PostgreSQL leaves the search index merged and the statistics fresh."""

import pytest
from sqlalchemy import text

from crmtui.core import db as core_db
from crmtui.core.contacts import add_contact
from crmtui.core.db import Database
from crmtui.core.schemas import ContactInput
from crmtui.io import imports
from crmtui.io.imports import ImportRequest, import_contacts


@pytest.fixture
def people(tmp_path):
    rows = "".join(f"Person {n},person{n}@example.com\n" for n in range(1200))
    (tmp_path / "people.csv").write_text("name,email\n" + rows)
    return tmp_path / "people.csv"


@pytest.mark.postgres_only
def test_a_big_import_leaves_nothing_pending_for_searches(crm, people, database_url):
    crm.ok("import", "contacts", str(people))

    db = Database(database_url)
    with db.session() as session:
        leftover = session.execute(
            text("SELECT gin_clean_pending_list('ix_contact_search_words'::regclass)")
        ).scalar()
    db.dispose()
    assert leftover == 0
    assert len(crm.json("search", "person1199")) == 1


@pytest.mark.postgres_only
def test_the_upkeep_keeps_no_other_writer_waiting(db, database_url, people, monkeypatch):
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_MS", 200)
    other = Database(database_url)
    settle = imports.settle_after_bulk_write
    saved = []

    def settle_while_kim_saves(connection, tables):
        with other.transaction(username="kim") as session:  # takes the write lock within 0.2 s
            saved.append(add_contact(session, ContactInput(name="Kim Meanwhile")).id)
        settle(connection, tables)

    monkeypatch.setattr(imports, "settle_after_bulk_write", settle_while_kim_saves)
    try:
        result = import_contacts(db, ImportRequest(path=str(people)), username="sam")
    finally:
        other.dispose()

    assert result.inserted == 1200 and len(saved) == 1


def test_an_upkeep_that_fails_after_the_commit_leaves_the_import_standing(db, people, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def dropped(_connection, _tables):
        raise OperationalError("ANALYZE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(imports, "settle_after_bulk_write", dropped)

    result = import_contacts(db, ImportRequest(path=str(people)), username="sam")

    assert result.inserted == 1200
    with db.session() as session:
        assert session.execute(text("SELECT COUNT(*) FROM contact")).scalar() == 1200
