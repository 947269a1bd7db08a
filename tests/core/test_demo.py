"""The demo database: deterministic, realistic, consistent with the services, never over real data."""

import os
import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from crmtui.core import demo as demo_module
from crmtui.core.contacts import contact_search_text
from crmtui.core.db import Database, sqlite_url
from crmtui.core.demo import build_demo
from crmtui.core.errors import Conflict, OperationalError
from crmtui.core.models import Company, Contact, ContactEmail, ContactPhone, Deal
from crmtui.core.schemas import ContactInput
from crmtui.core.search import search_all
from crmtui.core.text import email_key, fold, phone_key, search_text

# the demo is a SQLite file of its own, whatever the backend of the test
pytestmark = pytest.mark.sqlite_only

TODAY = date(2026, 6, 15)
SIZE = 800


def rows(path, table: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        conn.close()


def scalar(path, sql: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """One small demo shared by the read-only checks below."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, contacts=SIZE, seed=3, today=TODAY)
    return path


@pytest.fixture
def database(demo_db):
    db = Database(sqlite_url(demo_db))
    yield db
    db.dispose()


def test_the_same_seed_gives_the_same_rows(tmp_path, demo_db):
    again = tmp_path / "again.db"
    other = tmp_path / "other.db"

    build_demo(again, contacts=SIZE, seed=3, today=TODAY)
    build_demo(other, contacts=SIZE, seed=4, today=TODAY)

    for table in ("contact", "contact_email", "deal", "deal_stage_change", "interaction", "task"):
        assert rows(again, table) == rows(demo_db, table), table
    assert rows(other, "contact") != rows(demo_db, "contact")


def test_counts_are_proportional_to_the_size(demo_db):
    assert scalar(demo_db, "SELECT COUNT(*) FROM contact") == SIZE
    assert scalar(demo_db, "SELECT COUNT(*) FROM company") == SIZE // 8
    assert 4 * SIZE <= scalar(demo_db, "SELECT COUNT(*) FROM interaction") <= 6 * SIZE
    assert SIZE // 5 <= scalar(demo_db, "SELECT COUNT(*) FROM deal") <= SIZE
    assert SIZE // 10 <= scalar(demo_db, "SELECT COUNT(*) FROM task") <= SIZE // 2
    assert scalar(demo_db, "SELECT COUNT(DISTINCT contact_id) FROM contact_email") == SIZE
    assert scalar(demo_db, "SELECT COUNT(*) FROM contact_email WHERE NOT is_primary") > SIZE // 10
    assert scalar(demo_db, "SELECT COUNT(*) FROM contact_phone WHERE NOT is_primary") > SIZE // 10
    assert scalar(demo_db, "SELECT COUNT(*) FROM contact WHERE company_id IS NULL") > 0
    assert scalar(demo_db, "SELECT COUNT(*) FROM contact_tag") > SIZE // 5
    assert {u for (u,) in rows_of(demo_db, "SELECT username FROM user")} >= {"sam", "kim", "alex"}


def rows_of(path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_stage_of_the_sales_pipeline_has_deals_with_matching_status(demo_db):
    by_stage = dict(
        rows_of(
            demo_db,
            "SELECT s.name, COUNT(d.id) FROM stage s LEFT JOIN deal d ON d.stage_id = s.id "
            "GROUP BY s.id",
        )
    )
    statuses = rows_of(
        demo_db, "SELECT DISTINCT s.kind, d.status, d.closed_at IS NULL FROM deal d "
        "JOIN stage s ON s.id = d.stage_id"
    )  # fmt: skip

    assert set(by_stage) == {"Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"}
    assert all(count > 0 for count in by_stage.values()), by_stage
    assert sorted(statuses) == [("lost", "lost", 0), ("open", "open", 1), ("won", "won", 0)]
    assert len(set(rows_of(demo_db, "SELECT currency FROM deal"))) >= 2
    assert scalar(demo_db, "SELECT COUNT(*) FROM deal WHERE status = 'lost' AND lost_reason IS NULL") == 0  # fmt: skip


def test_deal_history_starts_at_creation_and_ends_in_the_current_stage(demo_db):
    deals = rows_of(demo_db, "SELECT id, stage_id, created_at, stage_entered_at FROM deal")
    moves: dict[int, list[tuple]] = {}
    for deal_id, from_id, to_id, at in rows_of(
        demo_db,
        "SELECT deal_id, from_stage_id, to_stage_id, changed_at FROM deal_stage_change ORDER BY id",
    ):
        moves.setdefault(deal_id, []).append((from_id, to_id, at))

    for deal_id, stage_id, created_at, entered_at in deals:
        history = moves[deal_id]
        assert history[0][0] is None and history[0][2] == created_at
        assert history[-1][1] == stage_id and history[-1][2] == entered_at
        assert all(a[1] == b[0] for a, b in zip(history, history[1:], strict=False))
        assert [m[2] for m in history] == sorted(m[2] for m in history)


def test_names_include_accents_and_letters_beyond_ascii(demo_db):
    names = [name for (name,) in rows_of(demo_db, "SELECT display_name FROM contact")]
    non_ascii = {name for name in names if not name.isascii()}

    assert len(non_ascii) > SIZE // 5
    assert any(ch in "".join(non_ascii) for ch in "ëñłøçüé")


def test_derived_columns_are_what_the_services_compute(database):
    with database.session() as session:
        contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
        for contact in contacts:
            assert contact.search_text == contact_search_text(session, contact)
            assert contact.sort_key == fold(contact.display_name)
        for email in session.scalars(select(ContactEmail)):
            assert email.email_key == email_key(email.email)
        for phone in session.scalars(select(ContactPhone)):
            assert phone.phone_key == phone_key(phone.phone)
        for company in session.scalars(select(Company)):
            assert company.name_key == fold(company.name)
            assert company.search_text == search_text(company.name)
        for deal in session.scalars(select(Deal)):
            contact = session.get(Contact, deal.contact_id)
            company = session.get(Company, deal.company_id) if deal.company_id else None
            assert deal.search_text == search_text(
                deal.title, contact.display_name, company.name if company else None
            )
        primary = dict(
            session.execute(
                select(ContactEmail.contact_id, ContactEmail.email).where(ContactEmail.is_primary)
            ).all()
        )
        assert all(primary[c.id] == c.email for c in contacts)


def test_history_is_consistent_with_the_current_state(demo_db):
    mismatched_stage = scalar(
        demo_db,
        "SELECT COUNT(*) FROM contact c WHERE lifecycle_stage != (SELECT to_stage FROM "
        "lifecycle_change l WHERE l.contact_id = c.id ORDER BY changed_at DESC, id DESC LIMIT 1)",
    )
    mismatched_contacted = scalar(
        demo_db,
        "SELECT COUNT(*) FROM contact c WHERE last_contacted_at IS NOT "
        "(SELECT MAX(occurred_at) FROM interaction i WHERE i.contact_id = c.id)",
    )
    customers_without_a_won_deal = scalar(
        demo_db,
        "SELECT COUNT(*) FROM contact c WHERE lifecycle_stage IN "
        "('customer', 'evangelist', 'former_customer') AND NOT EXISTS "
        "(SELECT 1 FROM deal d WHERE d.contact_id = c.id AND d.status = 'won')",
    )
    stages = {s for (s,) in rows_of(demo_db, "SELECT DISTINCT lifecycle_stage FROM contact")}
    consents = {s for (s,) in rows_of(demo_db, "SELECT DISTINCT email_consent FROM contact")}

    assert mismatched_stage == 0
    assert mismatched_contacted == 0
    assert customers_without_a_won_deal == 0
    assert {"customer", "former_customer", "lead", "subscriber"} <= stages
    assert consents == {"subscribed", "unsubscribed", "unknown"}
    assert rows_of(demo_db, "PRAGMA foreign_key_check") == []


def test_interactions_span_eighteen_months_with_every_kind_and_several_users(demo_db):
    first, last = rows_of(demo_db, "SELECT MIN(occurred_at), MAX(occurred_at) FROM interaction")[0]
    kinds = {k for (k,) in rows_of(demo_db, "SELECT DISTINCT kind FROM interaction")}
    users = scalar(demo_db, "SELECT COUNT(DISTINCT user_id) FROM interaction")

    assert first < "2025-01-15" and "2026-06" < last < "2026-06-15"
    assert kinds == {"call", "email", "meeting", "note", "chat"}
    assert users >= 3


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("contact", "created_at"),
        ("interaction", "occurred_at"),
        ("lifecycle_change", "changed_at"),
        ("deal", "created_at"),
        ("deal", "closed_at"),
        ("deal_stage_change", "changed_at"),
        ("task", "done_at"),
    ],
)
def test_history_is_spread_over_the_months_not_piled_up_before_today(demo_db, table, column):
    timed = f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL"
    total = scalar(demo_db, timed)
    last_month = scalar(demo_db, f"{timed} AND {column} >= '2026-05-16'")
    year_before = scalar(demo_db, f"{timed} AND {column} >= '2025-06-15'")

    # a steady business does about 1/12 of a year's history in a month
    assert 0 < last_month < 0.15 * total, (last_month, total)
    assert last_month < 0.15 * year_before


def test_tasks_are_done_overdue_due_today_and_upcoming(database):
    from crmtui.core.reads import due_task_rows

    now = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    with database.connection() as connection:
        groups = {group for group, _ in due_task_rows(connection, now=now)}
    done = scalar(database.location, "SELECT COUNT(*) FROM task WHERE done_at IS NOT NULL")

    assert {"overdue", "today"} <= groups and done > 0
    assert scalar(database.location, "SELECT COUNT(*) FROM task WHERE due_at > '2026-06-16'") > 0


def test_search_finds_demo_people_without_accents(database):
    with database.session() as session:
        names = [
            r["name"] for r in search_all(session, "nunez", limit=50) if r["type"] == "contact"
        ]

    assert names and all("Núñez" in name for name in names)


def test_search_index_triggers_are_restored_as_the_migration_made_them(tmp_path, database):
    fresh = Database(sqlite_url(tmp_path / "fresh.db"))
    fresh.dispose()
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"

    assert rows_of(database.location, sql) == rows_of(tmp_path / "fresh.db", sql)


def test_a_contact_added_to_a_demo_is_found_by_search(tmp_path):
    from crmtui.core.contacts import add_contact

    path = tmp_path / "demo.db"
    build_demo(path, contacts=50, seed=1, today=TODAY)
    db = Database(sqlite_url(path))
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Þórdís Quixotic", emails=["tq@example.com"]))
    with db.session() as session:
        found = search_all(session, "thordis quixotic")
    db.dispose()

    assert [r["name"] for r in found] == ["Þórdís Quixotic"]


def test_an_existing_demo_is_reused_unchanged(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path, contacts=100, seed=5)
    before = path.read_bytes()

    summary = build_demo(path, contacts=300, seed=6)

    assert summary.startswith("reusing the demo") and "100 contacts, seed 5" in summary
    assert path.read_bytes() == before


def test_fresh_rebuilds_the_demo(tmp_path):
    path = tmp_path / "demo.db"
    build_demo(path, contacts=100, seed=5)

    summary = build_demo(path, contacts=120, seed=6, fresh=True)

    assert summary.startswith("built the demo") and "120 contacts" in summary
    assert scalar(path, "SELECT COUNT(*) FROM contact") == 120
    assert scalar(path, "SELECT value FROM setting WHERE key = 'demo_seed'") == "6"


def test_a_real_crm_database_is_refused_and_left_untouched(db, db_path):
    from crmtui.core.contacts import add_contact

    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada Lovelace", emails=["ada@example.com"]))
    db.dispose()
    before = db_path.read_bytes()

    with pytest.raises(Conflict, match="not a crm demo"):
        build_demo(db_path, contacts=10, fresh=True)

    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "notes.db"
    path.write_text("my precious notes\n")

    with pytest.raises(OperationalError, match="not a database"):
        build_demo(path, contacts=10)

    assert path.read_text() == "my precious notes\n"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.db"]


def test_an_empty_file_becomes_a_demo(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()

    build_demo(path, contacts=10)

    assert scalar(path, "SELECT COUNT(*) FROM contact") == 10


def test_an_interrupted_build_leaves_the_previous_demo_in_place(tmp_path, monkeypatch):
    folder = tmp_path / "demos"
    path = folder / "demo.db"
    build_demo(path, contacts=100, seed=5)
    before = path.read_bytes()
    monkeypatch.setattr(demo_module, "PROGRESS_EVERY_S", 0)

    def interrupt(text: str) -> None:
        if text.startswith("indexing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(path, contacts=200, seed=6, fresh=True, progress=interrupt)

    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["demo.db"]


def test_progress_is_reported_only_for_long_builds(tmp_path, monkeypatch):
    quiet: list[str] = []
    build_demo(tmp_path / "quick.db", contacts=100, progress=quiet.append)
    monkeypatch.setattr(demo_module, "PROGRESS_EVERY_S", 0)
    monkeypatch.setattr(demo_module, "CHUNK_CONTACTS", 50)
    chatty: list[str] = []

    build_demo(tmp_path / "slow.db", contacts=200, progress=chatty.append)

    assert quiet == []
    assert "200 of 200 contacts" in chatty and "indexing for search" in chatty


def test_files_left_by_a_killed_build_are_removed_by_the_next(tmp_path):
    folder = tmp_path / "demos"
    folder.mkdir()
    abandoned = folder / ".demo.db.999999999.building"
    abandoned.write_bytes(b"half a demo")
    running = folder / f".demo.db.{os.getppid()}.building"
    running.write_bytes(b"another build still under way")

    build_demo(folder / "demo.db", contacts=10)

    assert sorted(p.name for p in folder.iterdir()) == [running.name, "demo.db"]


def test_tasks_are_due_on_the_quarter_hour_and_never_before_they_were_made(database):
    times = rows_of(
        database.location,
        "SELECT strftime('%M:%S', due_at), strftime('%H', due_at), due_at >= created_at FROM task",
    )

    assert {minute_second for minute_second, _, _ in times} <= {"00:00", "15:00", "30:00", "45:00"}
    assert all(made_before for _, _, made_before in times)
    assert min(int(hour) for _, hour, _ in times) >= 8
