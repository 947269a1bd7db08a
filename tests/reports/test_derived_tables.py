"""The tables reports sum stay equal to the rows they derive from, whichever write changes those."""

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crmtui.core.db import Database
from crmtui.io import suspended_triggers

# each recomputed from the rows it derives from, independently of the triggers that keep it
FLOW_RECOMPUTED = """
SELECT day, owner_key, stage_id, currency, sum(deals), sum(units) FROM (
  SELECT CAST(m.changed_at AS DATE) AS day, coalesce(d.owner_id, 0) AS owner_key,
         m.to_stage_id AS stage_id, d.currency AS currency, 1 AS deals, d.amount_units AS units
  FROM deal_stage_change m JOIN deal d ON d.id = m.deal_id
  UNION ALL
  SELECT CAST(m.changed_at AS DATE), coalesce(d.owner_id, 0), m.from_stage_id, d.currency,
         -1, -d.amount_units
  FROM deal_stage_change m JOIN deal d ON d.id = m.deal_id WHERE m.from_stage_id IS NOT NULL
) AS moves GROUP BY day, owner_key, stage_id, currency
"""
FLOW_KEPT = "SELECT day, owner_key, stage_id, currency, deals, units FROM pipeline_flow"
DAYS_RECOMPUTED = """
SELECT CAST(occurred_at AS DATE), kind, coalesce(user_id, 0), count(*) FROM interaction
GROUP BY CAST(occurred_at AS DATE), kind, coalesce(user_id, 0)
"""
DAYS_KEPT = "SELECT day, kind, user_key, interactions FROM interaction_day"
CONTACTS_RECOMPUTED = """
SELECT CAST(created_at AS DATE), coalesce(owner_id, 0), coalesce(lifecycle_stage, ''), count(*)
FROM contact GROUP BY CAST(created_at AS DATE), coalesce(owner_id, 0), coalesce(lifecycle_stage, '')
"""
CONTACTS_KEPT = "SELECT day, owner_key, stage, contacts FROM contact_day"


def derived(database_url: str, kept: str, recomputed: str, values: int) -> tuple[Counter, Counter]:
    """(kept by the triggers, recomputed): {key: the last `values` columns}, none all zero."""
    database = Database(database_url)
    try:
        with database.connection() as conn:
            if conn.dialect.name == "sqlite":
                recomputed = re.sub(r"CAST\((\S+) AS DATE\)", r"date(\1)", recomputed)

            def read(sql: str) -> Counter:
                return Counter(
                    {
                        (str(row[0]), *row[1:-values]): tuple(int(v) for v in row[-values:])
                        for row in conn.execute(text(sql))
                        if any(row[-values:])
                    }
                )

            return read(kept), read(recomputed)
    finally:
        database.dispose()


def flows(database_url: str) -> tuple[Counter, Counter]:
    return derived(database_url, FLOW_KEPT, FLOW_RECOMPUTED, values=2)


def assert_flow_matches(database_url: str) -> None:
    kept, recomputed = flows(database_url)
    assert kept == recomputed
    assert recomputed  # the scenario left deals behind


def assert_contact_days_match(database_url: str) -> None:
    kept, recomputed = derived(database_url, CONTACTS_KEPT, CONTACTS_RECOMPUTED, values=1)
    assert kept == recomputed
    assert recomputed


def assert_interaction_days_match(database_url: str) -> None:
    kept, recomputed = derived(database_url, DAYS_KEPT, DAYS_RECOMPUTED, values=1)
    assert kept == recomputed
    assert recomputed


@pytest.fixture
def deals(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    made = []
    for title, amount, currency, created in (
        ("Engines", "1500.00", "EUR", "2026-09-03 10:00"),
        ("Looms", "990.50", "USD", "2026-09-20 23:30"),
        ("Tables", "300.00", "EUR", "2026-10-01 00:10"),
    ):
        made.append(
            crm.json(
                "deal", "add", title, "--contact", "ada@example.com", "--amount", amount,
                "--currency", currency, "--created", created,
            )["id"]
        )  # fmt: skip
    return made


def test_moves_closings_and_reopenings_keep_the_flow(crm, database_url, deals):
    engines, looms, tables = deals
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "won", engines, "--at", "2026-10-02 12:00")
    crm.ok("deal", "lost", looms, "--at", "2026-10-05 08:00")
    crm.ok("deal", "reopen", looms, "--at", "2026-10-06 08:00")
    crm.ok("deal", "move", tables, "Proposal", "--at", "2026-10-03 17:45")

    assert_flow_matches(database_url)


def test_edits_of_amount_currency_and_owner_move_the_deals_whole_history(crm, database_url, deals):
    engines, looms, _ = deals
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "edit", engines, "--amount", "1750.25")
    crm.ok("deal", "edit", looms, "--currency", "GBP")
    crm.ok("deal", "edit", engines, "--owner", "kim")
    crm.ok("deal", "assign", looms, "--to", "kim", "--yes")

    assert_flow_matches(database_url)


def test_delete_and_its_undo_take_the_flow_away_and_back(crm, database_url, deals):
    engines, looms, _ = deals
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "delete", engines, "--yes")
    crm.ok("deal", "delete", looms, "--yes")
    assert_flow_matches(database_url)
    deleted_flow, _ = flows(database_url)

    deleted = [
        entry["id"]
        for entry in crm.json("history", "--deal", str(engines))
        if entry["action"] == "delete"
    ]
    crm.ok("undo", deleted[0])
    assert_flow_matches(database_url)
    restored_flow, _ = flows(database_url)
    assert restored_flow != deleted_flow


def test_statements_over_many_moves_and_deals_keep_the_flow(crm, database_url, deals):
    engines, looms, tables = deals
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "won", looms, "--at", "2026-10-02 12:00")
    crm.ok("deal", "move", tables, "Proposal", "--at", "2026-10-03 17:45")
    database = Database(database_url)
    try:
        # by hand, as a fix in SQL would: each statement changes several moves or deals at once
        with database.engine.begin() as conn:
            conn.execute(
                text("UPDATE deal_stage_change SET changed_at = :at WHERE deal_id IN (:a, :b)"),
                {"at": datetime(2026, 10, 20, 9, 30, tzinfo=UTC), "a": engines, "b": looms},
            )
            conn.execute(
                text("UPDATE deal_stage_change SET deal_id = :to WHERE deal_id = :from"),
                {"to": tables, "from": engines},
            )
        assert_flow_matches(database_url)

        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM deal WHERE id IN (:a, :b)"), {"a": engines, "b": looms})
        assert_flow_matches(database_url)
    finally:
        database.dispose()


def test_an_imported_batch_and_its_undo_keep_the_flow(crm, database_url, deals, tmp_path):
    rows = tmp_path / "deals.csv"
    rows.write_text(
        "title,contact,amount,currency,stage\n"
        "Renewal,ada@example.com,120.00,EUR,Qualified\n"
        "Upsell,ada@example.com,80.00,USD,Won\n"
    )
    batch = crm.json("import", "deals", str(rows))["batch"]
    assert_flow_matches(database_url)

    crm.ok("import", "undo", batch)
    assert_flow_matches(database_url)


def test_a_copied_database_has_the_same_derived_tables(crm, database_url, new_database_url, deals):
    engines, looms, _ = deals
    crm.ok("log", "call", "ada@example.com", "--at", "2026-10-12 16:00", "-s", "Pricing")
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "won", looms, "--at", "2026-10-02 12:00")
    target = new_database_url()

    crm.ok("db", "copy", "--to", target)

    assert_flow_matches(target)
    assert flows(target)[0] == flows(database_url)[0]
    assert_interaction_days_match(target)
    assert_contact_days_match(target)


def test_logging_deleting_and_undoing_keep_the_interaction_counts(crm, database_url):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("contact", "add", "Charles Babbage", "--email", "charles@example.com")
    for kind, who, at in (
        ("call", "ada@example.com", "2026-10-31 23:30"),
        ("note", "ada@example.com", "2026-11-01 00:30"),
        ("email", "charles@example.com", "2026-10-12 09:00"),
        ("meeting", "charles@example.com", "2026-10-12 15:00"),
    ):
        crm.ok("log", kind, who, "--at", at, "--summary", kind)
    crm.ok("--user", "kim", "log", "call", "charles@example.com", "--at", "2026-10-12 16:00",
           "-s", "Pricing")  # fmt: skip
    assert_interaction_days_match(database_url)

    crm.ok("contact", "delete", "ada@example.com", "--yes")
    assert_interaction_days_match(database_url)
    (contact_deleted,) = [
        e["id"]
        for e in crm.json("history", "--since", "1d")
        if e["action"] == "delete" and e["entity"] == "contact"
    ]
    crm.ok("undo", contact_deleted)
    assert_interaction_days_match(database_url)
    assert crm.json("report", "monthly", "--month", "2026-10")["interactions"]["total"] == 4


def test_an_imported_batch_of_interactions_and_its_undo_keep_the_counts(
    crm, database_url, tmp_path
):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    rows = tmp_path / "calls.csv"
    rows.write_text(
        "contact,kind,occurred,summary\n"
        "ada@example.com,call,2026-10-02 10:00,Intro\n"
        "ada@example.com,email,2026-10-03 11:00,Follow-up\n"
    )
    batch = crm.json("import", "interactions", str(rows))["batch"]
    assert_interaction_days_match(database_url)

    crm.ok("import", "undo", batch)
    kept, _ = derived(database_url, DAYS_KEPT, DAYS_RECOMPUTED, values=1)
    assert kept == Counter()


def test_adding_editing_importing_deleting_and_undoing_keep_the_contact_counts(
    crm, database_url, tmp_path
):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com",
           "--created", "2026-09-30 23:30")  # fmt: skip
    crm.ok("contact", "add", "Charles Babbage", "--email", "charles@example.com")
    crm.ok("contact", "edit", "ada@example.com", "--stage", "customer")
    crm.ok("contact", "assign", "charles@example.com", "--to", "kim", "--yes")
    rows = tmp_path / "people.csv"
    rows.write_text("name,email\nGrace Hopper,grace@example.com\nAlan Turing,alan@example.com\n")
    batch = crm.json("import", "contacts", str(rows))["batch"]
    assert_contact_days_match(database_url)

    crm.ok("contact", "delete", "ada@example.com", "--yes")
    crm.ok("import", "undo", batch)
    assert_contact_days_match(database_url)
    crm.ok("undo", next(e["id"] for e in crm.json("history", "1") if e["action"] == "delete"))
    assert_contact_days_match(database_url)
    report = crm.json("report", "monthly", "--month", "2026-09")
    assert report["contacts"] == {"new": 1, "total": 1}
    assert report["customers"]["at_end"] == 0


@pytest.mark.parametrize("catch_up_rows", [1, 20_000])
def test_an_import_that_changes_its_own_new_contacts_keeps_the_contact_counts(
    crm, database_url, tmp_path, monkeypatch, catch_up_rows
):
    monkeypatch.setattr(suspended_triggers, "CATCH_UP_ROWS", catch_up_rows)
    crm.ok("user", "add", "kim")
    rows = tmp_path / "people.csv"
    rows.write_text(
        "name,email,lifecycle stage,owner\n"
        + "".join(f"P {n},p{n}@example.com,lead,\n" for n in range(5))
        # a contact this import added moves to another stage and owner, and is counted once
        + "P 2,p2@example.com,customer,kim\n"
    )
    summary = crm.json("import", "contacts", str(rows), "--on-duplicate", "update")
    assert (summary["inserted"], summary["updated"]) == (5, 1)
    assert_contact_days_match(database_url)
    kept, _ = derived(database_url, CONTACTS_KEPT, CONTACTS_RECOMPUTED, values=1)
    assert sorted((stage, n) for (_, _, stage), (n,) in kept.items()) == [
        ("customer", 1),
        ("lead", 4),
    ]
