"""`crm report monthly`: a history entered after the fact through the CLI, figures checked by hand.

The story (TZ=UTC, pipeline Sales: Lead 10 %, Qualified 25 %, Proposal 50 %, Negotiation 75 %):

September 2026 — no deal closes.
  contacts: Grace (created 09-03 as a customer), Alan (09-20); Ada exists since 08-15.
  Ada becomes a customer on 09-10.                      customers: 0 at start, +2 new, 2 at end
  deals: Ada's 1000.00 EUR (created 09-12, Proposal on 09-20), Grace's 2500.50 USD (09-05, Lead)
  interactions: a call with Ada 09-15 (sam), a note 09-30 23:59:59 (sam)
  task "Call Ada" due 09-20, done 10-02: overdue at the end of September.

October 2026
  contacts: Charles (10-02), Edsger (10-31 23:30).
  Ada leaves (former customer) on 10-12; Alan becomes a customer on 10-05.    churn 1 / 2 = 50 %
  deals: Ada's won 10-03 (21 days), Grace's won 10-20 (45 days), Alan's 300.00 EUR created 10-01
  and lost 10-15, Charles's 5000.00 EUR created 10-02 in Qualified (moved to Negotiation on
  11-05, so Qualified at the end of October), Grace's 400.00 EUR upsell by kim created 10-10 and
  won 10-25 (15 days).  win rate 3 / 4, average cycle (21 + 45 + 15) / 3 = 27.0 days
  interactions: a meeting 10-01 00:00 (kim), an email 10-31 23:30 (sam)
  task "Call Ada" done 10-02; "Send offer" due 10-10 still open: overdue at the end of October.
"""

import csv
import io
import json

import pytest


@pytest.fixture
def story(crm):
    crm.ok("user", "add", "kim")
    add = ("contact", "add")
    crm.ok(*add, "Ada Lovelace", "--email", "ada@example.com", "--created", "2026-08-15 09:00")
    crm.ok(*add, "Grace Hopper", "--email", "grace@example.com", "--stage", "customer",
           "--created", "2026-09-03 10:00")  # fmt: skip
    crm.ok(*add, "Alan Turing", "--email", "alan@example.com", "--created", "2026-09-20 12:00")
    crm.ok(*add, "Charles Babbage", "--email", "charles@example.com", "--created", "2026-10-02")
    crm.ok(
        *add, "Edsger Dijkstra", "--email", "edsger@example.com", "--created", "2026-10-31 23:30"
    )
    crm.ok("contact", "edit", "ada@example.com", "--stage", "customer", "--at", "2026-09-10")
    crm.ok("contact", "edit", "ada@example.com", "--stage", "former_customer", "--at", "2026-10-12")
    crm.ok("contact", "edit", "alan@example.com", "--stage", "customer", "--at", "2026-10-05")

    deal = ("deal", "add")
    crm.ok(*deal, "Ada's engine", "--contact", "ada@example.com", "--amount", "1000.00",
           "--created", "2026-09-12")  # fmt: skip
    crm.ok(*deal, "Grace's compiler", "--contact", "grace@example.com", "--amount", "2500.50",
           "--currency", "USD", "--created", "2026-09-05")  # fmt: skip
    crm.ok(*deal, "Alan's machine", "--contact", "alan@example.com", "--amount", "300.00",
           "--created", "2026-10-01")  # fmt: skip
    crm.ok(*deal, "Difference engine", "--contact", "charles@example.com", "--amount", "5000",
           "--stage", "Qualified", "--created", "2026-10-02")  # fmt: skip
    crm.ok(*deal, "Grace's upsell", "--contact", "grace@example.com", "--amount", "400",
           "--owner", "kim", "--created", "2026-10-10")  # fmt: skip
    crm.ok("deal", "move", "1", "Proposal", "--at", "2026-09-20")
    crm.ok("deal", "won", "1", "--at", "2026-10-03")
    crm.ok("deal", "won", "2", "--at", "2026-10-20")
    crm.ok("deal", "lost", "3", "--at", "2026-10-15")
    crm.ok("deal", "move", "4", "Negotiation", "--at", "2026-11-05")
    crm.ok("--user", "kim", "deal", "won", "5", "--at", "2026-10-25")

    crm.ok("log", "call", "ada@example.com", "-s", "Intro", "--at", "2026-09-15 10:00")
    crm.ok("log", "note", "ada@example.com", "-s", "Late", "--at", "2026-09-30 23:59:59")
    crm.ok(
        "--user",
        "kim",
        "log",
        "meeting",
        "alan@example.com",
        "-s",
        "Demo",
        "--at",
        "2026-10-01 00:00",
    )
    crm.ok("log", "email", "grace@example.com", "-s", "Offer", "--at", "2026-10-31 23:30")

    crm.ok("task", "add", "Call Ada", "--due", "2026-09-20")
    crm.ok("task", "done", "1", "--at", "2026-10-02")
    crm.ok("task", "add", "Send offer", "--due", "2026-10-10")
    return crm


def monthly(crm, *args: str) -> dict:
    return json.loads(crm.ok("report", "monthly", "--format", "json", *args).stdout)


def test_october_figures_match_the_hand_computed_ones(story):
    report = monthly(story, "--month", "2026-10")

    assert report["month"] == "2026-10"
    assert report["contacts"] == {"new": 2, "total": 5}
    assert report["interactions"] == {
        "total": 2,
        "by_kind": {"call": 0, "email": 1, "meeting": 1, "note": 0, "chat": 0},
        "by_user": {"kim": 1, "sam": 1},
    }
    deals = report["deals"]
    assert (deals["created"], deals["won"], deals["lost"]) == (3, 3, 1)
    assert deals["created_amount"] == {"EUR": "5700.00"}
    assert deals["won_amount"] == {"EUR": "1400.00", "USD": "2500.50"}
    assert deals["lost_amount"] == {"EUR": "300.00"}
    assert deals["win_rate"] == 0.75
    assert deals["avg_cycle_days"] == 27.0
    pipeline = report["pipeline"]
    assert pipeline["open"] == 1
    assert pipeline["amount"] == {"EUR": "5000.00"}
    assert pipeline["weighted_amount"] == {"EUR": "1250.00"}
    assert [(s["stage"], s["probability"], s["open"]) for s in pipeline["by_stage"]] == [
        ("Qualified", 25, 1)
    ]
    assert report["tasks"] == {"completed": 1, "overdue": 1}
    assert report["customers"] == {
        "at_start": 2, "new": 1, "lost": 1, "at_end": 2, "churn_rate": 50.0
    }  # fmt: skip
    assert [(c["name"], c["won_amount"], c["deals"]) for c in report["top_customers"]] == [
        ("Ada Lovelace", {"EUR": "1000.00"}, 1),
        ("Grace Hopper", {"EUR": "400.00"}, 1),
        ("Grace Hopper", {"USD": "2500.50"}, 1),
    ]


def test_september_has_no_closed_deals_and_is_the_previous_month_of_october(story):
    report = monthly(story, "--month", "2026-10")
    september = report["previous"]

    assert september["month"] == "2026-09"
    assert september["contacts"] == {"new": 2, "total": 3}
    assert september["interactions"]["total"] == 2
    assert september["interactions"]["by_kind"] == {
        "call": 1, "email": 0, "meeting": 0, "note": 1, "chat": 0
    }  # fmt: skip
    assert september["interactions"]["by_user"] == {"sam": 2}
    deals = september["deals"]
    assert (deals["created"], deals["won"], deals["lost"]) == (2, 0, 0)
    assert deals["won_amount"] == {} and deals["lost_amount"] == {}
    assert deals["win_rate"] is None and deals["avg_cycle_days"] is None
    assert september["pipeline"]["open"] == 2
    assert september["pipeline"]["amount"] == {"EUR": "1000.00", "USD": "2500.50"}
    assert september["pipeline"]["weighted_amount"] == {"EUR": "500.00", "USD": "250.05"}
    assert september["tasks"] == {"completed": 0, "overdue": 1}
    assert september["customers"] == {
        "at_start": 0, "new": 2, "lost": 0, "at_end": 2, "churn_rate": None
    }  # fmt: skip
    assert september["top_customers"] == []
    assert "previous" not in september

    change = report["change"]
    assert change["deals"]["won"] == 3
    assert change["deals"]["win_rate"] is None
    assert change["deals"]["won_amount"] == {"EUR": "1400.00", "USD": "2500.50"}
    assert change["pipeline"]["amount"] == {"EUR": "4000.00", "USD": "-2500.50"}
    assert change["interactions"]["by_kind"]["note"] == -1
    assert change["customers"]["lost"] == 1


def test_owner_narrows_deals_and_interactions_to_one_user(story):
    report = monthly(story, "--month", "2026-10", "--owner", "kim")

    assert report["owner"] == "kim"
    assert report["deals"]["won"] == 1
    assert report["deals"]["won_amount"] == {"EUR": "400.00"}
    assert report["interactions"]["by_user"] == {"kim": 1}
    assert report["top_customers"][0]["name"] == "Grace Hopper"


def test_unknown_owner_and_bad_month_are_usage_errors(story):
    assert story("report", "monthly", "--owner", "nobody").exit_code == 3
    result = story("report", "monthly", "--month", "2026-13")
    assert result.exit_code == 2
    assert "invalid month" in result.stderr


def test_a_month_beyond_the_calendar_is_a_usage_error(story):
    for report, month in (("monthly", "0000-01"), ("monthly", "9999-12"), ("clv", "0001-06")):
        result = story("report", report, "--month", month)

        assert (result.exit_code, result.stderr) == (
            2, f"crm: invalid month '{month}': use YYYY-MM (such as 2026-10) or 'current'\n"
        )  # fmt: skip


def test_stale_beyond_a_century_is_a_usage_error(story):
    result = story("report", "stale", "--days", "1000000")

    assert result.exit_code == 2
    assert "less than or equal to 36600" in result.stderr


def test_markdown_csv_and_html_carry_the_same_figures(story, tmp_path):
    markdown = story.ok("report", "monthly", "--month", "2026-10", "-f", "markdown").stdout
    assert "# Monthly report 2026-10" in markdown
    assert "| won amount (USD) | 2,500.50 | – | +2,500.50 |" in markdown  # grouped for people
    assert "| win rate | 0.75 | – | – |" in markdown

    rows = list(csv.DictReader(io.StringIO(
        story.ok("report", "monthly", "--month", "2026-10", "-f", "csv").stdout
    )))  # fmt: skip
    by_key = {(r["figure"], r["name"], r["currency"]): r for r in rows}
    assert by_key[("customers.churn_rate", "", "")]["value"] == "50.0"
    assert by_key[("interactions.by_kind", "email", "")]["value"] == "1"
    assert by_key[("deals.won_amount", "", "EUR")]["previous"] == ""

    out = tmp_path / "october.html"
    story.ok("report", "monthly", "--month", "2026-10", "-o", str(out))
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "2,500.50" in html and "http" not in html.lower().replace("<!doctype html>", "")


def test_table_fits_80_columns(story):
    table = story.ok("report", "monthly", "--month", "2026-10", "-f", "table").stdout
    assert "Monthly report 2026-10" in table
    assert "won amount (EUR)" in table
    assert "2,500.50 USD" in table  # a top customer's won amount, grouped
    assert max(len(line) for line in table.splitlines()) <= 80


def test_contact_edit_at_back_dates_the_stage_change(story):
    result = story("contact", "edit", "edsger@example.com", "--stage", "customer",
                   "--at", "2026-10-01")  # fmt: skip
    assert result.exit_code == 2
    assert "before the contact was created" in result.stderr


def test_pipeline_funnel_and_churn_commands(story):
    pipeline = story.json("report", "pipeline")
    stages = {s["stage"]: s for s in pipeline["stages"]}
    assert pipeline["pipeline"] == "Sales" and pipeline["open"] == 1
    assert stages["Negotiation"]["amount"] == {"EUR": "5000.00"}
    assert stages["Negotiation"]["weighted_amount"] == {"EUR": "3750.00"}
    # furthest stage: Ada's, Grace's two: Won; Alan's: Lead (then lost); Charles's: Negotiation
    assert [stages[n]["reached"] for n in ("Lead", "Qualified", "Proposal", "Negotiation")] == [
        5, 4, 4, 4
    ]  # fmt: skip

    funnel = story.json("report", "funnel", "--from", "2026-10-01", "--to", "2026-10-31")
    assert [(s["stage"], s["reached"]) for s in funnel["stages"]] == [
        ("Lead", 5), ("Qualified", 4), ("Proposal", 3), ("Negotiation", 3), ("Won", 3)
    ]  # fmt: skip

    churn = story.json("report", "churn", "--month", "2026-10", "--months", "2")
    assert [(m["month"], m["at_start"], m["new"], m["lost"], m["churn_rate"]) for m in churn] == [
        ("2026-09", 0, 2, 0, None), ("2026-10", 2, 1, 1, 50.0)
    ]  # fmt: skip
    table = story.ok("report", "churn", "--month", "2026-10", "--months", "2", "-f", "csv").stdout
    assert table.splitlines()[0] == "month,at_start,new,lost,at_end,churn_rate"


def test_clv_reads_the_acquisition_cost_setting(story):
    story.ok("report", "acquisition-cost", "250.00")
    assert story.ok("report", "acquisition-cost").stdout == "default 250.00\n"
    assert story("report", "acquisition-cost", "-5").exit_code == 2

    clv = story.json("report", "clv", "--month", "2026-10", "--months", "2")
    # Lost 1 over 0 + 2 customer-months: 50 % a month, 600 % a year, lifespan 1/6 year.
    assert (clv["customer_months"], clv["customers_lost"], clv["annual_churn_rate"]) == (
        2,
        1,
        600.0,
    )
    eur = clv["currencies"]["EUR"]
    # EUR won in Sep-Oct: 1000 (Ada) + 400 (Grace) from 2 payers over 1/6 year: 4200 a year each.
    assert (eur["won_amount"], eur["paying_customers"]) == ("1400.00", 2)
    assert eur["annual_revenue_per_customer"] == "4200.00"
    assert eur["clv"] == "450.00"  # 4200 / 6 - 250
    assert clv["currencies"]["USD"]["clv"] == "2250.50"  # 2500.50 x 6 / 6 - 250


def test_stale_activity_and_forecast_commands(story):
    stale = story.json("report", "stale", "--days", "0")
    assert [(r["name"], r["open_deals"], r["lifecycle_stage"]) for r in stale] == [
        ("Charles Babbage", 1, "lead"),
        ("Alan Turing", 0, "customer"),
        ("Grace Hopper", 0, "customer"),
    ]

    activity = story.json("report", "activity", "--by", "user", "--from", "2026-09-01",
                          "--to", "2026-10-31")  # fmt: skip
    assert [(r["period"], r["counts"]) for r in activity["rows"]] == [
        ("2026-09", {"kim": 0, "sam": 2}), ("2026-10", {"kim": 1, "sam": 1})
    ]  # fmt: skip
    assert story("report", "activity", "--period", "day").exit_code == 2

    forecast = story.json("report", "forecast", "--months", "2")
    assert len(forecast["forecast"]) == 2
    assert forecast["undated"]["deals"] == 1
    assert forecast["undated"]["weighted_amount"] == {"EUR": "3750.00"}
