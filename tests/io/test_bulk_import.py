"""What a big contact import leaves behind: full audit entries, indexes, search, name matches."""

from pathlib import Path

import pytest
from sqlalchemy import text

from crmtui.core.contacts import add_contact, build_contact_search_text, get_contact
from crmtui.core.history import list_changes
from crmtui.core.schemas import ContactInput
from crmtui.core.search import contact_names
from crmtui.io import bulk, suspended_triggers

DATA = Path(__file__).parent.parent / "data" / "import"


def test_the_audit_of_an_imported_contact_holds_every_field_it_set(importer, tmp_path, db):
    (tmp_path / "people.csv").write_text(
        "name,email,phone,company,city,job title,birthday,tags,lifecycle stage\n"
        "Ada Lovelace,ada@example.com ::: ada@engines.org,+44 20 7946 0000,Analytical Engines,"
        "London,Countess,1815-12-10,poet;maths,customer\n"
    )

    result = importer(tmp_path / "people.csv")

    with db.session() as session:
        ada = get_contact(session, "ada@example.com")
        (created,) = list_changes(session, entity="contact", batch_id=result.batch)
    assert created.action == "create"
    assert created.changes == {
        "first_name": [None, "Ada"],
        "last_name": [None, "Lovelace"],
        "display_name": [None, "Ada Lovelace"],
        "email": [None, "ada@example.com"],
        "emails": [None, ["ada@example.com", "ada@engines.org"]],
        "phone": [None, "+44 20 7946 0000"],
        "company_id": [None, ada.company_id],
        "city": [None, "London"],
        "job_title": [None, "Countess"],
        "birthday": [None, "1815-12-10"],
        "tags": [None, ["poet", "maths"]],
        "lifecycle_stage": [None, "customer"],
        "email_consent": [None, "unknown"],
        "owner_id": [None, ada.owner_id],
    }


@pytest.mark.sqlite_only
def test_a_big_import_rebuilds_the_indexes_and_still_matches_names(
    importer, tmp_path, db, monkeypatch
):
    (tmp_path / "old.csv").write_text("name,city\nGrace Hopper,Arlington\n")
    importer(tmp_path / "old.csv")
    with db.session() as session:
        indexes = set(session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
    monkeypatch.setattr(bulk, "SUSPEND_AFTER_ROWS", 3)
    suspended = []
    restore = bulk.SuspendedIndexes.restore

    def noting_restore(self):
        suspended.extend(self.dropped)
        restore(self)

    monkeypatch.setattr(bulk.SuspendedIndexes, "restore", noting_restore)
    (tmp_path / "new.csv").write_text(
        "name,email,phone,company\n"
        + "".join(f"Zoë Núñez {n},zoe{n}@example.com,+1 555 010{n},Acme\n" for n in range(5))
        # the same person again: the batch so far is written (and the indexes dropped) first
        + "Zoë Núñez 0,ZOE0@example.com,,\n"
        + "Grace Hopper,,,\n"
    )

    result = importer(tmp_path / "new.csv")

    assert (result.inserted, result.unchanged, result.rejected) == (5, 2, 0)
    assert {"contact", "contact_email", "change"} <= set(suspended)
    with db.session() as session:
        after = set(session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        assert after == indexes
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert [name for _, name, _ in contact_names(session, "nunez 3")] == ["Zoë Núñez 3"]
        zoe = get_contact(session, "zoe3@example.com")
        assert zoe.search_text == build_contact_search_text(
            zoe.display_name, ["zoe3@example.com"], ["+1 555 0103"], "Acme"
        )
        temp = session.execute(text("SELECT COUNT(*) FROM sqlite_temp_master")).scalar()
        assert temp == 0


@pytest.mark.sqlite_only
@pytest.mark.parametrize("catch_up_rows", [1, 20_000])
def test_the_search_index_of_an_import_holds_every_contact_as_last_written(
    importer, tmp_path, db, monkeypatch, catch_up_rows
):
    monkeypatch.setattr(suspended_triggers, "CATCH_UP_ROWS", catch_up_rows)
    (tmp_path / "people.csv").write_text(
        "name,email\n"
        + "".join(f"Person {n},p{n}@example.com\n" for n in range(10))
        # the same address again: renames a contact this import added, still to be indexed
        + "Renamed Someone,p9@example.com\nLast One,last@example.com\n"
    )

    result = importer(tmp_path / "people.csv", on_duplicate="update")

    assert (result.inserted, result.updated) == (11, 1)
    with db.session() as session:
        session.execute(text("INSERT INTO contact_fts (contact_fts) VALUES ('integrity-check')"))
        assert [name for _, name, _ in contact_names(session, "renamed")] == ["Renamed Someone"]
        assert [name for _, name, _ in contact_names(session, "last")] == ["Last One"]
        assert len(contact_names(session, "person")) == 9
        config = dict(session.execute(text("SELECT k, v FROM contact_fts_config")).all())
    assert (config["automerge"], config["hashsize"]) == (4, 1024 * 1024)  # FTS5's defaults


@pytest.mark.sqlite_only
def test_a_failure_after_the_indexes_were_dropped_leaves_them_and_the_data(
    ctrl_c_on_second_batch, importer, tmp_path, db, monkeypatch
):
    importer(DATA / "google.csv")
    with db.session() as session:
        schema = set(session.execute(text("SELECT type, name, sql FROM sqlite_master")))
        counts = {t: importer.count(t) for t in ("contact", "change", "contact_email")}
    monkeypatch.setattr(bulk, "SUSPEND_AFTER_ROWS", 3)
    path = tmp_path / "many.csv"
    path.write_text("name,email\n" + "".join(f"P {i},p{i}@example.com\n" for i in range(4500)))
    calls = ctrl_c_on_second_batch()

    with pytest.raises(KeyboardInterrupt):
        importer(path)

    assert calls == [2000, 2000]
    with db.session() as session:
        assert set(session.execute(text("SELECT type, name, sql FROM sqlite_master"))) == schema
        assert {t: importer.count(t) for t in counts} == counts
        assert session.execute(text("SELECT COUNT(*) FROM sqlite_temp_master")).scalar() == 0


def test_text_that_copy_would_misread_is_imported_as_written(importer, tmp_path, db):
    # PostgreSQL loads the rows by COPY, whose text format gives tabs, backslashes, newlines
    # and \N meanings of their own.
    notes = "line one\nline\ttwo \\N C:\\path\\to \\. end"
    (tmp_path / "odd.csv").write_text(
        "name,email,notes,city,ref\n"
        f'"Tab\tBack\\slash",odd@example.com,"{notes}",\\N,"{{""a"": ""\\\\x""}}"\n',
        encoding="utf-8",
    )

    result = importer(tmp_path / "odd.csv", keep_unknown=True)

    assert result.inserted == 1
    with db.session() as session:
        odd = get_contact(session, "odd@example.com")
        (created,) = list_changes(session, entity="contact", batch_id=result.batch)
    assert (odd.display_name, odd.notes, odd.city) == ("Tab\tBack\\slash", notes, "\\N")
    assert odd.custom_fields == {"ref": '{"a": "\\\\x"}'}
    assert created.changes["notes"] == [None, notes]


def test_the_companies_a_batch_names_are_found_or_created_once_each(importer, tmp_path, db):
    (tmp_path / "old.csv").write_text("name,company\nGrace Hopper,Navy\n")
    importer(tmp_path / "old.csv")
    (tmp_path / "new.csv").write_text(
        "name,email,company\n"
        "Ada Lovelace,ada@example.com,Analytical Engines\n"
        "Zoë Núñez,zoe@example.com,ANALYTICAL ENGINES\n"
        "Alan Turing,alan@example.com,navy\n"
    )

    result = importer(tmp_path / "new.csv")

    with db.session() as session:
        ada, zoe = get_contact(session, "ada@example.com"), get_contact(session, "zoe@example.com")
        alan = get_contact(session, "alan@example.com")
        created = list_changes(session, entity="company", batch_id=result.batch)
        companies = session.execute(text("SELECT name, owner_id, search_text FROM company")).all()
    assert ada.company_id == zoe.company_id != alan.company_id
    assert [(c.action, c.entity_id, c.changes) for c in created] == [
        ("create", ada.company_id, {"name": [None, "Analytical Engines"]})
    ]
    assert sorted(companies) == [
        ("Analytical Engines", ada.owner_id, "analytical engines"),
        ("Navy", ada.owner_id, "navy"),
    ]
    assert alan.search_text == build_contact_search_text(
        "Alan Turing", ["alan@example.com"], [], "Navy"
    )


@pytest.mark.sqlite_only
def test_values_shared_by_every_row_are_stored_as_when_bound_one_by_one(db):
    shared = (None, True, 0, 12, "2026-01-02 03:04:05.000006", "{}", "it's", "São Paulo", "x" * 99)
    # equal values of different types: 1, True and 1.0 are stored differently
    mixed = [(1, "1"), (True, "1"), (1.0, 1)]
    rows = [(n, *shared, *tail) for n, tail in enumerate(mixed)]
    columns = [f"c{n}" for n in range(len(rows[0]))]
    typed = ", ".join(f"{c}, typeof({c})" for c in columns)

    with db.transaction() as session:
        writer = bulk.BulkWriter(session)
        for table in ("bulk", "bound"):
            writer.execute(f"CREATE TEMP TABLE {table} ({', '.join(columns)})")
        writer.insert("temp.bulk", columns, rows)
        writer.many(bulk.insert_sql("temp.bound", columns), rows)
        bulk_rows, bound_rows = (
            writer.query(f"SELECT {typed} FROM temp.{table} ORDER BY c0")
            for table in ("bulk", "bound")
        )

    assert bulk_rows == bound_rows
    assert bulk_rows[1][-4:] == (1, "integer", "1", "text")


def test_each_imported_contact_starts_its_lifecycle_history_as_one_added_by_hand(
    importer, tmp_path, db
):
    (tmp_path / "people.csv").write_text(
        "name,email,lifecycle stage\nAda,ada@example.com,customer\nBob,bob@example.com,\n"
    )

    result = importer(tmp_path / "people.csv")

    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Cy", emails=["cy@example.com"]))
    with db.session() as session:
        history = session.execute(
            text(
                "SELECT c.display_name, l.from_stage, l.to_stage, l.changed_at = c.created_at, "
                "l.user_id = c.created_by_id FROM lifecycle_change l "
                "JOIN contact c ON c.id = l.contact_id ORDER BY l.id"
            )
        ).all()
    assert result.inserted == 2
    assert [tuple(row) for row in history] == [
        ("Ada", None, "customer", True, True),
        ("Bob", None, "lead", True, True),
        ("Cy", None, "lead", True, True),
    ]


def test_emails_in_any_script_match_again_whatever_their_case(importer, tmp_path, db):
    (tmp_path / "first.csv").write_text(
        "name,email\nAda,Ada.King@Example.com\nZoë,ZOË@exämple.com\n"
    )
    (tmp_path / "again.csv").write_text(
        "name,email\nAda,ada.king@example.COM\nZoë,zoë@EXÄMPLE.com\n"
    )
    importer(tmp_path / "first.csv")

    again = importer(tmp_path / "again.csv")

    assert (again.inserted, again.unchanged) == (0, 2)
    with db.session() as session:
        stored = session.execute(text("SELECT email, email_key FROM contact_email ORDER BY id"))
        assert [tuple(row) for row in stored] == [
            ("Ada.King@example.com", "ada.king@example.com"),
            ("ZOË@exämple.com", "zoë@exämple.com"),
        ]
