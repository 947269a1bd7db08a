"""`crm contact merge` through the real command, on both backends."""

import re

from sqlalchemy import MetaData, select


def add_duplicates(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com",
           "--title", "Countess", "--consent", "subscribed")  # fmt: skip
    crm.ok("contact", "add", "A. Lovelace", "--email", "ada@work.example",
           "--phone", "+44 20 7946 0000", "--title", "Analyst", "--city", "London",
           "--tag", "engines", "--consent", "unsubscribed", "--stage", "customer")  # fmt: skip
    crm.ok("deal", "add", "Engines", "--contact", "ada@work.example", "--amount", "500")
    crm.ok("log", "call", "ada@work.example", "--summary", "Talked engines")


def dump(db) -> dict:
    """Every row of every table, in a stable order."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.connect() as connection:
        return {
            name: sorted(map(repr, connection.execute(select(table)).all()))
            for name, table in metadata.tables.items()
        }


def test_merge_by_email_moves_the_duplicate_and_says_how_to_undo(crm):
    add_duplicates(crm)

    result = crm.ok("contact", "merge", "ada@example.com", "ada@work.example")

    assert "merged contact 2 (A. Lovelace) into contact 1 (Ada Lovelace)" in result.stderr
    assert "moved 1 deal, 1 interaction" in result.stderr
    assert "crm undo" in result.stderr
    ada = crm.json("contact", "show", "ada@work.example")
    assert ada["id"] == 1
    assert ada["emails"] == ["ada@example.com", "ada@work.example"]
    assert ada["job_title"] == "Countess" and ada["city"] == "London"
    assert ada["email_consent"] == "unsubscribed" and ada["lifecycle_stage"] == "customer"
    assert [d["contact"] for d in crm.json("deal", "list")] == ["Ada Lovelace"]
    assert crm("contact", "show", "2").exit_code == 3


def test_history_shows_the_merge_as_one_entry_naming_the_duplicate(crm):
    add_duplicates(crm)
    crm.ok("contact", "merge", "1", "2")

    history = crm.json("history", "1")

    assert [h["action"] for h in history] == ["merge", "create"]
    summary = history[0]["summary"]
    assert summary.startswith("merged A. Lovelace (contact 2): filled city;")
    assert (
        "lifecycle_stage: lead → customer" in summary and "moved 1 deal, 1 interaction" in summary
    )
    assert crm.json("history", "2")[0]["summary"] == "merged into contact 1"


def test_undo_of_the_merge_splits_them_again(crm):
    add_duplicates(crm)
    change_id = crm.json("contact", "merge", "1", "2")["change_id"]

    undone = crm.json("undo", str(change_id))

    assert undone["action"] == "unmerged" and undone["restored"] == 2
    assert crm.json("contact", "show", "ada@work.example")["id"] == 2
    assert crm.json("contact", "show", "1")["emails"] == ["ada@example.com"]
    assert [d["contact"] for d in crm.json("deal", "list")] == ["A. Lovelace"]


def test_undo_after_a_later_edit_is_a_conflict_that_says_what_changed(crm):
    add_duplicates(crm)
    change_id = crm.json("contact", "merge", "1", "2")["change_id"]
    crm.ok("contact", "edit", "1", "--city", "Paris")

    result = crm("undo", str(change_id))

    assert result.exit_code == 4
    assert result.stderr == (
        f"crm: cannot undo change {change_id}: contact 1 was changed since "
        "(city is now 'Paris', not 'London'); nothing was changed\n"
    )
    assert crm("contact", "show", "2").exit_code == 3


def test_self_merge_and_unknown_contacts_are_refused_in_one_line(crm):
    add_duplicates(crm)

    itself = crm("contact", "merge", "1", "ada@example.com")
    unknown = crm("contact", "merge", "1", "nobody@example.com")
    unknown_keep = crm("contact", "merge", "42", "2")

    assert (itself.exit_code, itself.stderr) == (2, "crm: cannot merge contact 1 into itself\n")
    assert (unknown.exit_code, unknown.stderr) == (
        3, "crm: no contact with email nobody@example.com\n"
    )  # fmt: skip
    assert (unknown_keep.exit_code, unknown_keep.stderr) == (3, "crm: no contact with id 42\n")


def test_dry_run_shows_the_plan_and_writes_nothing(crm, db):
    add_duplicates(crm)
    before = dump(db)

    plan = crm.json("contact", "merge", "1", "2", "--dry-run")
    table = crm.ok("contact", "merge", "1", "2", "--dry-run", "--format", "table").stdout

    assert dump(db) == before
    assert plan["dry_run"] is True and "change_id" not in plan
    assert (plan["deals"], plan["interactions"], plan["emails_added"]) == (
        [1], [1], ["ada@work.example"]
    )  # fmt: skip
    assert plan["filled"] == [{"field": "city", "value": "London"}]
    assert {"field": "job_title", "kept": "Countess", "dropped": "Analyst"} in plan["kept"]
    assert {"field": "email_consent", "from": "subscribed", "to": "unsubscribed",
            "why": "an opt-out on either wins"} in plan["changed"]  # fmt: skip
    words = " ".join(table.split())  # the table wraps a long reason in its column
    assert "kept" in table and "Analyst" in table and "an opt-out on either wins" in words
    # a person reads how many records move; the ids are for scripts
    assert re.search(r"^interactions +1 *$", table, re.M) and "tasks" not in table


def test_undoing_the_split_is_a_conflict_while_the_duplicate_holds_its_emails(crm):
    add_duplicates(crm)
    crm.ok("undo", str(crm.json("contact", "merge", "1", "2")["change_id"]))
    split = crm.json("history", "1")[0]
    assert split["action"] == "update" and "emails" in split["changes"]

    result = crm("undo", str(split["id"]))

    assert result.exit_code == 4
    assert result.stderr == "crm: the email ada@work.example already belongs to contact 2\n"
    assert crm.json("contact", "show", "1")["emails"] == ["ada@example.com"]


def test_the_message_says_which_of_the_duplicates_values_were_dropped(crm):
    crm.ok("contact", "add", "Zed One", "--email", "zed1@x.org", "--country", "France")
    crm.ok("contact", "add", "Zed Two", "--email", "zed2@x.org", "--city", "Lyon",
           "--country", "Spain")  # fmt: skip

    said = " ".join(crm.ok("contact", "merge", "1", "2").stderr.split())

    assert "kept its own name, country" in said
    assert "dropped the duplicate's city (the two disagree)" in said


def test_a_piped_plan_in_csv_keeps_every_section_as_json_in_its_cell(crm):
    import csv
    import io
    import json

    add_duplicates(crm)

    piped = crm.ok("contact", "merge", "ada@example.com", "ada@work.example", "--dry-run").stdout
    as_json = crm.json("contact", "merge", "ada@example.com", "ada@work.example", "--dry-run")
    (row,) = csv.DictReader(io.StringIO(piped))

    for section in ("filled", "changed", "kept"):
        assert json.loads(row[section]) == as_json[section]
    assert any(item["field"] == "city" for item in json.loads(row["filled"]))
    deals = json.loads(next(csv.DictReader(io.StringIO(crm.ok("deal", "show", "1").stdout)))[
        "history"])  # fmt: skip
    assert [move["to"] for move in deals] == ["Lead"]


def test_birthdays_that_disagree_are_one_line_of_the_plan_as_dates(crm):
    crm.ok(
        "contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--birthday", "1815-12-10"
    )
    crm.ok("contact", "add", "A. Lovelace", "--email", "ada@work.example", "--birthday", "--05-26")

    plan = crm.json("contact", "merge", "1", "2", "--dry-run")

    assert [k for k in plan["kept"] if k["field"] == "birthday"] == [
        {"field": "birthday", "kept": "1815-12-10", "dropped": "--05-26"}
    ]
