"""The pipeline's daily flow stays equal to its moves, whichever write path changes them."""

from collections import Counter

import pytest
from sqlalchemy import text

from crmtui.core.db import Database

# the flow recomputed from every move, independently of the triggers that keep it
RECOMPUTED = """
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
KEPT = "SELECT day, owner_key, stage_id, currency, deals, units FROM pipeline_flow"


def flows(database_url: str) -> tuple[Counter, Counter]:
    """(kept by the triggers, recomputed from the moves), without the rows that sum to nothing."""
    database = Database(database_url)
    try:
        with database.connection() as conn:
            if conn.dialect.name == "sqlite":
                recomputed = RECOMPUTED.replace("CAST(m.changed_at AS DATE)", "date(m.changed_at)")
            else:
                recomputed = RECOMPUTED

            def read(sql: str) -> Counter:
                return Counter(
                    {
                        (str(day), owner, stage, currency): (int(deals), int(units))
                        for day, owner, stage, currency, deals, units in conn.execute(text(sql))
                        if deals or units
                    }
                )

            return read(KEPT), read(recomputed)
    finally:
        database.dispose()


def assert_flow_matches(database_url: str) -> None:
    kept, recomputed = flows(database_url)
    assert kept == recomputed
    assert recomputed  # the scenario left deals behind


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


def test_a_copied_database_has_the_same_flow(crm, database_url, new_database_url, deals):
    engines, looms, _ = deals
    crm.ok("deal", "move", engines, "Qualified", "--at", "2026-09-10 09:00")
    crm.ok("deal", "won", looms, "--at", "2026-10-02 12:00")
    target = new_database_url()

    crm.ok("db", "copy", "--to", target)

    assert_flow_matches(target)
    assert flows(target)[0] == flows(database_url)[0]
