"""Pipeline, funnel, forecast, stale, activity, churn and CLV on a small story told by hand.

Pipeline Sales: Lead 10 %, Qualified 25 %, Proposal 50 %, Negotiation 75 %, Won, Lost. TZ=UTC.
  d1 Bob's 1000 EUR, created 01-01 in Lead, Qualified 01-11, Proposal 01-21, expected 02-20: open
  d2 Ada's 300 EUR, created 01-05, Qualified 01-15, lost 01-20
  d3 Cleo's 1200 EUR, created 01-10, won 01-25 (straight from Lead)
  d4 Ada's 200 USD, created 02-01 in Lead, no expected close: open
Customers: Ada (created 2025-12-01 as a customer, former customer on 02-10), Cleo (2025-12-15).
Interactions: Bob 01-10 (call, sam), Ada 03-01 (email, kim). Dan is a lead with nothing.
"""

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crmtui.core.contacts import add_contact, get_contact, update_contact
from crmtui.core.deals import add_deal, get_deal, lose_deal, move_deal, win_deal
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import ContactInput, DealInput, InteractionInput
from crmtui.core.timeparse import parse_when
from crmtui.reports.activity import activity_report
from crmtui.reports.churn import churn_series, clv_report, set_acquisition_cost
from crmtui.reports.forecast import forecast_report
from crmtui.reports.periods import Month
from crmtui.reports.pipeline import funnel_report, pipeline_report
from crmtui.reports.stale import stale_contacts


def at(text: str) -> datetime:
    return parse_when(text)


@pytest.fixture
def story(db):
    with db.transaction(username="sam") as s:
        for name, stage, created in (
            ("Ada", "customer", "2025-12-01"), ("Bob", "lead", "2025-12-20"),
            ("Cleo", "customer", "2025-12-15"), ("Dan", "lead", "2025-12-21"),
        ):  # fmt: skip
            add_contact(s, ContactInput(name=name, emails=[f"{name.lower()}@example.com"],
                                        lifecycle_stage=stage, created_at=at(created)))  # fmt: skip

        def deal(contact, amount, currency, created, expected=None):
            return add_deal(s, DealInput(title=f"{contact} {amount}", contact=f"{contact}@example.com",
                                         amount=amount, currency=currency, created_at=at(created),
                                         expected_close=expected)).id  # fmt: skip

        d1 = deal("bob", "1000", "EUR", "2026-01-01", date(2026, 2, 20))
        d2 = deal("ada", "300", "EUR", "2026-01-05")
        d3 = deal("cleo", "1200", "EUR", "2026-01-10")
        move_deal(s, get_deal(s, d1), "Qualified", at("2026-01-11"))
        move_deal(s, get_deal(s, d1), "Proposal", at("2026-01-21"))
        move_deal(s, get_deal(s, d2), "Qualified", at("2026-01-15"))
        lose_deal(s, get_deal(s, d2), "price", at("2026-01-20"))
        win_deal(s, get_deal(s, d3), at("2026-01-25"))
        deal("ada", "200", "USD", "2026-02-01")
        update_contact(s, get_contact(s, "ada@example.com"),
                       ContactInput(lifecycle_stage="former_customer"), stage_at=at("2026-02-10"))  # fmt: skip
        log_interaction(s, InteractionInput(contact="bob@example.com", kind="call", subject="x",
                                            occurred_at=at("2026-01-10")))  # fmt: skip
    with db.transaction(username="kim") as s:
        log_interaction(s, InteractionInput(contact="ada@example.com", kind="email", subject="y",
                                            occurred_at=at("2026-03-01")))  # fmt: skip
    return db


def test_pipeline_now_per_stage(story):
    with story.session() as s:
        report = pipeline_report(s, now=at("2026-02-11"))

    stages = {row["stage"]: row for row in report["stages"]}
    assert report["open"] == 2
    assert report["amount"] == {"EUR": Decimal("1000.00"), "USD": Decimal("200.00")}
    assert report["weighted_amount"] == {"EUR": Decimal("500.00"), "USD": Decimal("20.00")}
    assert (stages["Proposal"]["open"], stages["Proposal"]["avg_days_in_stage"]) == (1, 21.0)
    assert (stages["Lead"]["open"], stages["Lead"]["avg_days_in_stage"]) == (1, 10.0)
    assert stages["Qualified"]["avg_days_in_stage"] is None
    assert [stages[n]["reached"] for n in ("Lead", "Qualified", "Proposal", "Negotiation", "Won")] == [
        4, 3, 2, 1, 1
    ]  # fmt: skip
    assert [stages[n]["conversion_to_next"] for n in ("Lead", "Qualified", "Proposal", "Negotiation")] == [
        0.75, 0.6667, 0.5, 1.0
    ]  # fmt: skip
    assert stages["Won"]["conversion_to_next"] is None and stages["Lost"]["reached"] is None


def test_funnel_counts_only_the_moves_in_the_window(story):
    with story.session() as s:
        january = funnel_report(s, None, at("2026-01-01"), at("2026-02-01"))
        february = funnel_report(s, None, at("2026-02-01"), at("2026-03-01"))

    assert [(r["stage"], r["reached"], r["conversion_to_next"]) for r in january["stages"]] == [
        ("Lead", 3, 1.0), ("Qualified", 3, 0.6667), ("Proposal", 2, 0.5),
        ("Negotiation", 1, 1.0), ("Won", 1, None),
    ]  # fmt: skip
    assert [r["conversion_from_first"] for r in january["stages"]] == [
        1.0,
        1.0,
        0.6667,
        0.3333,
        0.3333,
    ]
    assert [r["reached"] for r in february["stages"]] == [1, 0, 0, 0, 0]


def test_forecast_by_expected_close_and_by_win_rate(story):
    with story.session() as s:
        report = forecast_report(s, 2, now=at("2026-02-11"))

    assert report["history"] == {
        "from": "2025-02",
        "to": "2026-01",
        "won": 1,
        "lost": 1,
        "win_rate": 0.5,
    }
    february, march = report["forecast"]
    assert (february["month"], february["deals"]) == ("2026-02", 1)
    assert february["amount"] == {"EUR": Decimal("1000.00")}
    assert february["weighted_amount"] == {"EUR": Decimal("500.00")}
    assert february["win_rate_amount"] == {"EUR": Decimal("500.00")}
    assert (march["month"], march["deals"], march["amount"]) == ("2026-03", 0, {})
    assert report["undated"]["weighted_amount"] == {"USD": Decimal("20.00")}
    assert report["undated"]["win_rate_amount"] == {"USD": Decimal("100.00")}
    assert report["overdue"]["deals"] == 0


def test_days_in_stage_are_summed_to_the_microsecond(db):
    """Two Lead deals, 4320.3 s and 4319.7 s in the stage: their mean is exactly 0.05 day, which
    rounds up; a microsecond earlier it rounds down."""
    with db.transaction(username="sam") as s:
        for entered in (datetime(2026, 2, 28, 22, 47, 59, 700000, tzinfo=UTC),
                        datetime(2026, 2, 28, 22, 48, 0, 300000, tzinfo=UTC)):  # fmt: skip
            add_deal(s, DealInput(title=str(entered), amount="1", currency="EUR",
                                  created_at=entered))  # fmt: skip
    boundary = datetime(2026, 3, 1, tzinfo=UTC)
    with db.session() as s:
        on_it = pipeline_report(s, now=boundary)["stages"][0]
        before = pipeline_report(s, now=boundary - timedelta(microseconds=1))["stages"][0]

    assert (on_it["stage"], on_it["open"], on_it["avg_days_in_stage"]) == ("Lead", 2, 0.1)
    assert before["avg_days_in_stage"] == 0.0


def test_stale_lists_silent_customers_and_deal_holders_oldest_first(story):
    with story.session() as s:
        rows = stale_contacts(s, 30, now=at("2026-03-15"))
        first = stale_contacts(s, 30, limit=1, now=at("2026-03-15"))
        longer = stale_contacts(s, 10, now=at("2026-03-15"))

    # Cleo (customer, never contacted) first, then Bob (open deal, 64 days); Ada was called on
    # 03-01 and Dan has neither a deal nor a customer stage.
    assert [(r["name"], r["days_since_contact"], r["open_deals"]) for r in rows] == [
        ("Cleo", None, 0), ("Bob", 64, 1)
    ]  # fmt: skip
    assert [r["name"] for r in first] == ["Cleo"]
    assert [r["name"] for r in longer] == ["Cleo", "Bob", "Ada"]


def test_activity_by_user_per_week_and_by_kind_per_month(story):
    with story.session() as s:
        weeks = activity_report(s, "user", "week", date(2026, 2, 23), date(2026, 3, 8))
        months = activity_report(s, "kind", "month", date(2026, 1, 1), date(2026, 3, 31))

    assert [(r["period"], r["total"], r["counts"]) for r in weeks["rows"]] == [
        ("2026-W09", 1, {"kim": 1}), ("2026-W10", 0, {"kim": 0})
    ]  # fmt: skip
    assert weeks["rows"][0]["start"] == datetime(2026, 2, 23, tzinfo=UTC)
    assert [(r["period"], r["counts"]["call"], r["counts"]["email"]) for r in months["rows"]] == [
        ("2026-01", 1, 0), ("2026-02", 0, 0), ("2026-03", 0, 1)
    ]  # fmt: skip


def test_activity_counts_each_interaction_in_its_local_week_and_month(db, monkeypatch):
    """Whole UTC days come from the day counts; New York's weeks and months start at 04:00 or
    05:00 UTC, so the hours around local midnight are counted one interaction at a time."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    times = ["2026-02-28 12:00", "2026-03-01 23:30", "2026-03-02 00:30", "2026-03-04 09:00",
             "2026-03-31 23:59", "2026-04-01 00:01"]  # fmt: skip
    try:
        with db.transaction(username="sam") as s:
            add_contact(s, ContactInput(name="Ada", emails=["ada@example.com"]))
            for when in times:
                log_interaction(s, InteractionInput(contact="ada@example.com", kind="call",
                                                    subject=when, occurred_at=at(when)))  # fmt: skip
        with db.session() as s:
            weeks = activity_report(s, "kind", "week", date(2026, 2, 23), date(2026, 3, 8))
            months = activity_report(s, "user", "month", date(2026, 2, 1), date(2026, 4, 30))
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()

    # Sunday 23:30 in New York is Monday 04:30 UTC: still the local week 9.
    assert [(r["period"], r["counts"]["call"]) for r in weeks["rows"]] == [
        ("2026-W09", 2), ("2026-W10", 2)
    ]  # fmt: skip
    assert [(r["period"], r["counts"]) for r in months["rows"]] == [
        ("2026-02", {"sam": 1}), ("2026-03", {"sam": 4}), ("2026-04", {"sam": 1})
    ]  # fmt: skip


def test_churn_series_and_clv_with_an_acquisition_cost(story):
    with story.transaction(username="sam") as s:
        set_acquisition_cost(s, "100.00")
    with story.session() as s:
        series = churn_series(s, Month(2026, 2), 2)
        clv = clv_report(s, Month(2026, 2), 2)

    assert [(m["month"], m["at_start"], m["lost"], m["churn_rate"]) for m in series] == [
        ("2026-01", 2, 0, 0.0), ("2026-02", 2, 1, 50.0)
    ]  # fmt: skip
    # 1 lost over 4 customer-months: 25 % a month, 300 % a year, a lifespan of 1/3 year;
    # 1200 EUR from one payer in 2 months is 7200 a year; 7200 / 3 - 100 = 2300.
    assert (clv["customer_months"], clv["customers_lost"]) == (4, 1)
    assert (clv["annual_churn_rate"], clv["lifespan_years"]) == (300.0, 0.33)
    assert clv["currencies"] == {
        "EUR": {
            "won_amount": Decimal("1200.00"),
            "paying_customers": 1,
            "annual_revenue_per_customer": Decimal("7200.00"),
            "acquisition_cost": Decimal("100.00"),
            "clv": Decimal("2300.00"),
        }
    }
