"""`crm demo`: builds or reuses a demo file, never touches real data, and the CLI works on it."""

import sqlite3

import pytest

# the demo is a SQLite file of its own, whatever the backend of the test
pytestmark = pytest.mark.sqlite_only


def count(path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        conn.close()


def test_the_readme_example_works_exactly_as_written(crm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = crm.ok("demo", "--contacts", "1000", "--seed", "7", "--db", "demo.db", "--no-open")

    assert result.stdout == ""
    assert result.stderr.startswith("built the demo at demo.db")
    hint = result.stderr.splitlines()[-1]
    assert hint == "try it from the command line: crm --db demo.db contact list"
    assert count(tmp_path / "demo.db", "contact") == 1000
    listed = crm.json(*hint.split()[7:], "--limit", "5", "--sort", "name")  # as the hint says
    assert len(listed) == 5 and all(row["email"] for row in listed)


def test_search_finds_a_demo_person_by_an_accent_free_query(crm, tmp_path):
    path = tmp_path / "demo.db"
    crm.ok("demo", "--contacts", "1000", "--seed", "7", "--db", path, "--no-open")

    found = crm.json("--db", path, "search", "nunez", "--limit", "100")

    people = [row["name"] for row in found if row["type"] == "contact"]
    assert people and all("Núñez" in name for name in people)


def test_the_default_file_is_demo_db_in_the_data_dir_not_the_real_database(
    crm, isolated_home, db_path
):
    result = crm.ok("demo", "--contacts", "40", "--no-open")

    demo = isolated_home / "data" / "crmtui" / "demo.db"
    assert count(demo, "contact") == 40
    assert str(demo) in result.stderr
    assert not db_path.exists()


def test_the_global_db_option_chooses_the_demo_file(crm, tmp_path):
    crm.ok("--db", tmp_path / "mine.db", "demo", "--contacts", "30", "--no-open")

    assert count(tmp_path / "mine.db", "contact") == 30


def test_an_existing_demo_is_reused_and_fresh_rebuilds_it(crm, tmp_path):
    path = tmp_path / "demo.db"
    crm.ok("demo", "--contacts", "50", "--seed", "2", "--db", path, "--no-open")

    reused = crm.ok("demo", "--contacts", "80", "--db", path, "--no-open")
    assert "reusing the demo" in reused.stderr and "50 contacts, seed 2" in reused.stderr
    assert count(path, "contact") == 50

    rebuilt = crm.ok("demo", "--contacts", "80", "--db", path, "--fresh", "--no-open")
    assert rebuilt.stderr.startswith("built the demo")
    assert count(path, "contact") == 80


def test_a_real_database_is_refused_with_one_line_and_left_untouched(crm, db_path):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    before = db_path.read_bytes()

    result = crm("demo", "--contacts", "10", "--db", db_path, "--fresh", "--no-open")

    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1 and "not a crm demo" in result.stderr
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(crm, tmp_path):
    path = tmp_path / "report.db"
    path.write_bytes(b"quarterly figures, not SQLite\n")

    result = crm("demo", "--contacts", "10", "--db", path, "--no-open")

    assert result.exit_code == 1
    assert result.stderr == f"crm: {path} is not a database: refusing to replace it with a demo\n"
    assert path.read_bytes() == b"quarterly figures, not SQLite\n"


def test_too_few_contacts_is_bad_usage(crm, tmp_path):
    result = crm("demo", "--contacts", "0", "--db", tmp_path / "demo.db", "--no-open")

    assert result.exit_code == 2
    assert not (tmp_path / "demo.db").exists()
