"""`crm db copy`: a whole database to SQLite or PostgreSQL and back, ids and history intact."""

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from crmtui.core import models
from crmtui.core.db import Database, sqlite_url
from crmtui.core.dbcopy import copied_tables, copy_database
from crmtui.core.errors import Conflict, OperationalError


def fill(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Zoë Müller", "-e", "zoe@example.com", "-e", "zoe@home.de",
           "--phone", "+49 30 1234567", "--company", "Acme", "--tag", "vip", "--field", "tier=gold")  # fmt: skip
    crm.ok("contact", "add", "Ada Lovelace", "-e", "ada@example.com", "--birthday", "--12-10")
    crm.ok("contact", "add", "Gone Person", "-e", "gone@example.com")
    crm.ok("contact", "delete", "gone@example.com", "--yes")
    crm.ok("--user", "kim", "deal", "add", "Engines", "--contact", "ada", "--amount", "1234.56")
    crm.ok("deal", "move", "1", "Proposal")
    crm.ok("pipeline", "add", "Partners", "Intro:10", "Signed:100:won", "Dropped:0:lost")
    crm.ok("log", "call", "ada", "--summary", "Talked engines", "--duration", "15m")
    crm.ok("task", "add", "Send plans", "--contact", "ada", "--due", "2026-12-01")
    crm.ok("contact", "edit", "zoe@example.com", "--title", "CTO")


def snapshot(url: str) -> dict[str, list]:
    db = Database(url)
    try:
        with db.session() as session:
            return {
                table.name: [
                    tuple(row)
                    for row in session.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in copied_tables()
            }
    finally:
        db.dispose()


def test_copy_to_the_other_backend_and_back_keeps_every_row(
    crm, backend, database_url, new_database_url, tmp_path
):
    fill(crm)
    before = snapshot(database_url)
    # On PostgreSQL: PostgreSQL -> SQLite -> PostgreSQL; on SQLite: SQLite -> SQLite -> SQLite.
    middle = sqlite_url(tmp_path / "middle.db") if backend == "postgres" else new_database_url()
    back = new_database_url()

    source = Database(database_url)
    there = copy_database(source, middle)
    source.dispose()
    middle_db = Database(middle)
    returned = copy_database(middle_db, back)
    middle_db.dispose()

    assert there.counts == returned.counts == {name: len(rows) for name, rows in before.items()}
    assert there.counts["change"] > 10 and there.counts["contact"] == 2
    assert snapshot(middle) == before
    assert snapshot(back) == before


def test_the_copy_works_as_a_database(crm, database_url, new_database_url, monkeypatch):
    fill(crm)
    target = new_database_url()
    crm.ok("db", "copy", "--to", target)
    monkeypatch.delenv("CRM_DB", raising=False)
    monkeypatch.setenv("CRM_DATABASE_URL", target)

    assert [r["name"] for r in crm.json("search", "zoe")] == ["Zoë Müller"]
    assert crm.json("history", "--deal", "1")[0]["action"] == "update"
    crm.ok("contact", "add", "Grace Hopper", "-e", "grace@example.com")
    crm.ok("pipeline", "add", "Renewals", "Due:50", "Renewed:100:won", "Lapsed:0:lost")
    ids = [c["id"] for c in crm.json("contact", "list", "--sort", "id")]
    assert ids[:2] == [1, 2] and ids[2] > 2  # new rows get ids after the copied ones


def test_copy_refuses_a_target_with_data(crm, database_url, new_database_url):
    fill(crm)
    target = new_database_url()
    crm.ok("db", "copy", "--to", target)

    again = crm("db", "copy", "--to", target)

    assert again.exit_code == 4
    assert "already holds data" in again.stderr
    source = Database(database_url)
    with pytest.raises(Conflict):
        copy_database(source, target)
    source.dispose()


def test_copy_into_a_sqlite_path(crm, tmp_path):
    crm.ok("contact", "add", "Ada Lovelace", "-e", "ada@example.com")

    result = crm.ok("db", "copy", "--to", str(tmp_path / "copy.db"), "--format", "json")

    assert {"table": "contact", "rows": 1} in __import__("json").loads(result.stdout)
    assert crm.json("--db", str(tmp_path / "copy.db"), "contact", "list")[0]["name"] == (
        "Ada Lovelace"
    )


@pytest.mark.postgres_only
def test_a_copy_to_postgresql_leaves_search_indexes_merged_and_tables_analyzed(
    crm, tmp_path, new_database_url
):
    crm.ok("demo", "--contacts", "300", "--db", str(tmp_path / "demo.db"), "--no-open")
    target = new_database_url()
    copy_database(Database(sqlite_url(tmp_path / "demo.db")), target)

    db = Database(target)
    with db.session() as session:
        leftover = session.execute(
            text("SELECT gin_clean_pending_list('ix_contact_search_words'::regclass)")
        ).scalar()
        analyzed = session.execute(
            text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'contact'"
            )
        ).scalar()
    db.dispose()
    assert leftover == 0  # nothing left pending for searches to scan
    assert analyzed


AWKWARD = 'tab\there, back\\slash, \\N, \\., two\nlines\r\n, "quoted" and ünïcödé'


def test_values_that_copy_text_could_misread_arrive_as_they_were(crm, tmp_path, new_database_url):
    source = sqlite_url(tmp_path / "source.db")
    crm.ok("--db", tmp_path / "source.db", "contact", "add", "Tab\tand \\N", "-e", "ada@example.com",
           "--notes", AWKWARD, "--field", f"note={AWKWARD}", "--street", "\\N",
           "--do-not-contact")  # fmt: skip
    crm.ok("--db", tmp_path / "source.db", "log", "call", "ada@example.com", "-s", "\\N",
           "--body", AWKWARD, "--at", "2026-03-29 01:30")  # fmt: skip
    # PostgreSQL in the [postgres] variant: rows go through COPY, from SQLite then PostgreSQL
    target, again = new_database_url(), new_database_url()
    source_db = Database(source)

    copy_database(source_db, target)
    copied = Database(target)
    copy_database(copied, again)

    source_db.dispose()
    assert snapshot(target) == snapshot(source)
    assert snapshot(again) == snapshot(source)
    with copied.session() as session:
        contact = session.get(models.Contact, 1)
        interaction = session.get(models.Interaction, 1)
        assert (contact.display_name, contact.notes, contact.street) == (
            "Tab\tand \\N",
            AWKWARD,
            "\\N",
        )
        assert contact.custom_fields == {"note": AWKWARD}
        assert contact.do_not_contact is True and contact.country is None
        assert (interaction.subject, interaction.body) == ("\\N", AWKWARD)
    copied.dispose()


def test_timestamps_stored_in_another_form_arrive_as_the_same_instant(
    crm, tmp_path, new_database_url
):
    source_path = tmp_path / "source.db"
    crm.ok("--db", source_path, "contact", "add", "Ada Lovelace", "-e", "ada@example.com")
    crm.ok("--db", source_path, "log", "call", "ada@example.com", "-s", "Hi", "--at", "2026-03-29")
    with sqlite3.connect(source_path) as raw:  # as other tools may have written them
        raw.execute("UPDATE interaction SET occurred_at = '2026-03-29T03:30:00+02:00'")
        raw.execute("UPDATE contact SET created_at = '2026-03-01 08:00:00'")
    raw.close()
    target = new_database_url()
    source = Database(sqlite_url(source_path))

    copy_database(source, target)

    source.dispose()
    assert snapshot(target) == snapshot(sqlite_url(source_path))
    copied = Database(target)
    with copied.session() as session:
        occurred = session.get(models.Interaction, 1).occurred_at
        created = session.get(models.Contact, 1).created_at
    copied.dispose()
    assert occurred == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 at +02:00, in UTC
    assert created == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_a_copy_with_a_dangling_link_fails_and_leaves_the_target_empty(
    crm, tmp_path, new_database_url
):
    crm.ok(
        "--db", tmp_path / "source.db", "contact", "add", "Ada Lovelace", "-e", "ada@example.com"
    )
    with sqlite3.connect(tmp_path / "source.db") as raw:  # foreign keys unchecked, as in old files
        raw.execute("UPDATE contact_email SET contact_id = 999")
    raw.close()
    target = new_database_url()
    source = Database(sqlite_url(tmp_path / "source.db"))

    with pytest.raises(OperationalError):
        copy_database(source, target)

    source.dispose()
    assert snapshot(target)["contact"] == []


@pytest.mark.postgres_only
def test_a_copy_to_postgresql_keeps_every_index_and_foreign_key(crm, tmp_path, new_database_url):
    crm.ok("demo", "--contacts", "50", "--db", str(tmp_path / "demo.db"), "--no-open")
    fresh, target = new_database_url(), new_database_url()
    Database(fresh).dispose()  # migrated: the schema a copy must end with
    source = Database(sqlite_url(tmp_path / "demo.db"))

    copy_database(source, target)

    source.dispose()
    assert schema_checks(target) == schema_checks(fresh)


def schema_checks(url: str) -> set[tuple[str, str]]:
    db = Database(url)
    with db.session() as session:
        rows = session.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "JOIN pg_class ON pg_class.oid = indrelid WHERE relnamespace = 'public'::regnamespace "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace"
            )
        ).all()
    db.dispose()
    assert len(rows) > 50
    return {tuple(row) for row in rows}


def test_a_copy_while_someone_writes_is_the_database_as_it_was_when_the_copy_began(
    crm, database_url, tmp_path
):
    fill(crm)
    before = snapshot(database_url)
    source = Database(database_url)
    written = []

    def someone_writes(table: str, _rows: int) -> None:
        if table == "contact" and not written:  # the contacts are copied, their emails not yet
            crm.ok("--user", "kim", "contact", "add", "Grace", "-e", "grace@example.com")
            crm.ok("log", "call", "grace", "--summary", "New lead")
            written.append(table)

    result = copy_database(source, sqlite_url(tmp_path / "copy.db"), progress=someone_writes)
    source.dispose()

    assert written
    assert result.counts == {name: len(rows) for name, rows in before.items()}
    assert snapshot(sqlite_url(tmp_path / "copy.db")) == before
