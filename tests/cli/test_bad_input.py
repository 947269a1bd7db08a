"""Bad input: one line on stderr, the documented exit code, no traceback, nothing changed."""

import pytest


@pytest.fixture
def seeded(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "100")
    return crm


def snapshot(crm):
    return (
        crm.ok("contact", "list", "--format", "json").stdout
        + crm.ok("deal", "list", "--format", "json").stdout
    )


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["contact", "add", "Bad", "--email", "not-an-email"], 2, "invalid email"),
        (["contact", "add", "Copy", "--email", "ADA@example.com"], 4, "already belongs"),
        (["contact", "show", "nobody@example.com"], 3, "no contact"),
        (["contact", "show", "999"], 3, "no contact"),
        (["contact", "edit", "1", "--stage", "royalty"], 2, "lifecycle stage"),
        (["deal", "add", "X", "--amount", "-5"], 2, "negative"),
        (["deal", "add", "X", "--amount", "lots"], 2, "invalid amount"),
        (["deal", "add", "X", "--amount", "1.001"], 2, "decimal places"),
        (["deal", "add", "X", "--contact", "ghost@example.com"], 3, "no contact"),
        (["deal", "move", "1", "Nowhere"], 3, "no stage"),
        (["deal", "move", "42", "Qualified"], 3, "no deal"),
        (
            ["log", "call", "ada@example.com", "--summary", "x", "--at", "someday soon"],
            2,
            "cannot read the date",
        ),
        (
            ["log", "call", "ada@example.com", "--summary", "x", "--duration", "forever"],
            2,
            "duration",
        ),
        (["task", "add", "Call", "--due", "the twelfth of never"], 2, "cannot read the date"),
        (["task", "add", "Call", "--due", "+999999999d"], 2, "cannot read the date"),
        (["log", "note", "ada@example.com", "-s", "x", "--at", "-99999999999w"], 2, "the date"),
        (["log", "call", "ada@example.com", "-s", "x", "--duration", "9" * 30], 2, "duration"),
        (["due", "--within", "99999999999w"], 2, "duration"),
        (["contact", "list", "--where", "novalue"], 2, "key=value"),
        (["deal", "move", "9" * 30, "Won"], 2, "number out of range"),
        (["log", "call", "1", "-s", "x", "--deal", "9" * 30], 2, "number out of range"),
        (["contact", "list", "--limit", "9" * 30], 2, "number out of range"),
        (["contact", "list", "--sort", "shoe_size"], 2, "cannot sort"),
        (["contact", "list", "--owner", "nobdy"], 3, "no user named 'nobdy'"),
        (["deal", "list", "--owner", "nobdy"], 3, "no user named 'nobdy'"),
        (["company", "list", "--owner", "nobdy"], 3, "no user named 'nobdy'"),
        (["export", "contacts", "--owner", "nobdy"], 3, "no user named 'nobdy'"),
        (["contact", "assign", "--owner", "nobdy", "--to", "sam", "--yes"], 3, "no user named"),
    ],
)
def test_bad_input_is_refused_cleanly(seeded, args, code, says):
    before = snapshot(seeded)

    result = seeded(*args)

    assert result.exit_code == code, result.output
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert snapshot(seeded) == before


def test_moving_a_closed_deal_is_a_conflict(seeded):
    seeded.ok("deal", "won", "1")

    result = seeded("deal", "move", "1", "Lead")

    assert result.exit_code == 4
    assert seeded.json("deal", "show", "1")["stage"] == "Won"


def test_a_file_that_is_not_a_database(crm, tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 100)

    result = crm("--db", str(junk), "contact", "list")

    assert result.exit_code == 1
    assert "not a crm database" in result.stderr
    assert junk.read_text().startswith("these are my notes")


def test_a_database_from_a_newer_crmtui_is_refused(crm, db_path):
    import sqlite3

    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")

    result = crm("contact", "list")

    assert result.exit_code == 1
    assert "newer" in result.stderr


def test_a_locked_database_says_so(crm, db_path, monkeypatch):
    import sqlite3

    import crmtui.core.db as dbmodule

    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    monkeypatch.setattr(dbmodule, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = crm("contact", "add", "Grace", "--email", "grace@example.com")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result.exit_code == 1
    assert "locked" in result.stderr
    assert [r["name"] for r in crm.json("contact", "list")] == ["Ada"]


def test_a_missing_directory_for_db_is_created(crm, tmp_path):
    target = tmp_path / "new" / "dir" / "crm.db"

    crm.ok("--db", str(target), "contact", "add", "Ada", "--email", "ada@example.com")

    assert target.exists()


@pytest.mark.parametrize("fmt", ["json", "csv", "ndjson", "table"])
@pytest.mark.parametrize(
    "command",
    [
        ("contact", "list", "--stage", "bogus"),
        ("contact", "list", "--sort", "bogus"),
        ("deal", "list", "--stage", "bogus"),
        ("log", "list", "--kind", "fax"),
        ("log", "list", "--user", "nobody"),
    ],
)
def test_a_bad_filter_writes_nothing_but_its_error(crm, command, fmt):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")

    result = crm(*command, "--format", fmt)

    assert result.exit_code in (2, 3) and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
