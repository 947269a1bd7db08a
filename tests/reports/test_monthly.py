"""The monthly report's building blocks, on a database filled through the core services."""

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crmtui.core.contacts import add_contact, get_contact, update_contact
from crmtui.core.deals import add_deal, get_deal, lose_deal, move_deal, win_deal
from crmtui.core.errors import Invalid
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import ContactInput, DealInput, InteractionInput
from crmtui.core.timeparse import parse_when
from crmtui.reports.monthly import (
    customers_at,
    difference,
    month_figures,
    monthly,
    monthly_series,
)
from crmtui.reports.periods import Month, parse_month


@pytest.fixture
def new_york(monkeypatch):
    """The user's zone is New York: October 2026 is UTC-4, December UTC-5."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_a_month_is_local_midnight_to_local_midnight(new_york):
    october = Month(2026, 10)

    assert october.start == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
    assert october.end == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert Month(2026, 11).end == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # after DST ends
    assert str(Month(2026, 1).previous) == "2025-12"


def test_an_interaction_at_2330_on_the_last_day_counts_in_that_local_month(db, new_york):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"],
                                          created_at=parse_when("2026-10-31 23:30")))  # fmt: skip
        for when, kind in (("2026-10-31 23:30", "call"), ("2026-11-01 00:30", "note")):
            log_interaction(session, InteractionInput(
                contact="ada@example.com", kind=kind, subject=kind, occurred_at=parse_when(when)
            ))  # fmt: skip

    with db.session() as session:
        october = month_figures(session, Month(2026, 10))
        november = month_figures(session, Month(2026, 11))

    # 23:30 in New York on 31 October is 03:30 UTC on 1 November: still October here.
    assert october["interactions"]["by_kind"]["call"] == 1
    assert october["interactions"]["total"] == 1
    assert october["contacts"] == {"new": 1, "total": 1}
    assert november["interactions"]["by_kind"] == {
        "call": 0, "email": 0, "meeting": 0, "note": 1, "chat": 0
    }  # fmt: skip
    assert november["contacts"] == {"new": 0, "total": 1}


def test_month_option_values():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    assert str(parse_month(None, now=now)) == "2026-10"
    assert str(parse_month("current", now=now)) == "2026-11"
    assert str(parse_month("2025-02", now=now)) == "2025-02"
    for bad in ("2026-13", "2026-1", "october"):
        with pytest.raises(Invalid):
            parse_month(bad, now=now)


def test_customers_at_a_date_replay_every_stage_change(db):
    def at(text: str) -> datetime:
        return parse_when(text)

    with db.transaction(username="sam") as session:
        add_contact(
            session,
            ContactInput(
                name="Ada",
                emails=["ada@example.com"],
                lifecycle_stage="customer",
                created_at=at("2026-01-10"),
            ),
        )
        add_contact(session, ContactInput(name="Bob", emails=["bob@example.com"],
                                          created_at=at("2026-02-01")))  # fmt: skip
        ada = get_contact(session, "ada@example.com")
        bob = get_contact(session, "bob@example.com")
        update_contact(session, ada, ContactInput(lifecycle_stage="evangelist"),
                       stage_at=at("2026-03-01"))  # still a customer  # fmt: skip
        update_contact(session, ada, ContactInput(lifecycle_stage="former_customer"),
                       stage_at=at("2026-04-15"))  # fmt: skip
        update_contact(session, bob, ContactInput(lifecycle_stage="customer"),
                       stage_at=at("2026-04-20"))  # fmt: skip
        update_contact(session, ada, ContactInput(lifecycle_stage="customer"),
                       stage_at=at("2026-06-01"))  # fmt: skip

    with db.session() as session:
        counts = {
            day: customers_at(session, at(day), None)
            for day in ("2026-01-01", "2026-02-01", "2026-04-16", "2026-05-01", "2026-07-01")
        }
        april = month_figures(session, Month(2026, 4))["customers"]
        march = month_figures(session, Month(2026, 3))["customers"]

    assert counts == {
        "2026-01-01": 0, "2026-02-01": 1, "2026-04-16": 0, "2026-05-01": 1, "2026-07-01": 2
    }  # fmt: skip
    assert april == {"at_start": 1, "new": 1, "lost": 1, "at_end": 1, "churn_rate": 100.0}
    # customer -> evangelist is neither new nor lost
    assert march == {"at_start": 1, "new": 0, "lost": 0, "at_end": 1, "churn_rate": 0.0}


def test_series_and_three_decimal_currencies_stay_exact(db):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"],
                                          created_at=parse_when("2026-01-05")))  # fmt: skip
        for amount, currency in (("0.105", "KWD"), ("0.205", "KWD"), ("0.1", "EUR")):
            deal = add_deal(session, DealInput(
                title=f"{amount} {currency}", contact="ada@example.com", amount=amount,
                currency=currency, created_at=parse_when("2026-01-06"),
            ))  # fmt: skip
            win_deal(session, get_deal(session, deal.id), parse_when("2026-02-07"))

    with db.session() as session:
        series = monthly_series(session, Month(2026, 3), count=3)

    assert [m["month"] for m in series] == ["2026-01", "2026-02", "2026-03"]
    assert [m["new_contacts"] for m in series] == [1, 0, 0]
    assert series[1]["won"] == 3
    assert series[1]["won_amount"] == {"EUR": Decimal("0.10"), "KWD": Decimal("0.310")}
    assert series[2]["won_amount"] == {}


def test_difference_treats_a_missing_currency_or_kind_as_zero():
    assert difference({"EUR": Decimal("5.00")}, {"USD": Decimal("2.50")}) == {
        "EUR": Decimal("5.00"),
        "USD": Decimal("-2.50"),
    }
    assert difference({"sam": 3}, {"kim": 1, "sam": 1}) == {"sam": 2, "kim": -1}
    assert difference({"win_rate": 0.75}, {"win_rate": None}) == {"win_rate": None}
    assert difference({"churn_rate": 12.5, "lost": 2}, {"churn_rate": 10.0, "lost": 1}) == {
        "churn_rate": 2.5,
        "lost": 1,
    }


def test_pipeline_at_both_month_ends_walks_back_moves_made_in_either_month(db):
    def deal(title, created, stage, amount, currency="EUR"):
        return add_deal(session, DealInput(
            title=title, contact="ada@example.com", stage=stage, amount=amount,
            currency=currency, created_at=parse_when(created),
        ))  # fmt: skip

    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"],
                                          created_at=parse_when("2026-08-01 09:00")))  # fmt: skip
        moved_twice = deal("Moved in October and November", "2026-09-10 10:00", "Lead", "1000")
        move_deal(session, moved_twice, "Proposal", at=parse_when("2026-10-05 10:00"))
        move_deal(session, moved_twice, "Negotiation", at=parse_when("2026-11-02 10:00"))
        made_in_october = deal("Made in October", "2026-10-10 10:00", "Qualified", "2000", "USD")
        win_deal(session, made_in_october, at=parse_when("2026-11-05 10:00"))
        lost_early = deal("Lost in September", "2026-08-20 10:00", "Lead", "300")
        lose_deal(session, lost_early, at=parse_when("2026-09-15 10:00"))
        deal("Made in November", "2026-11-03 10:00", "Lead", "700")
        won_in_october = deal("Won in October", "2026-09-01 10:00", "Lead", "500")
        win_deal(session, won_in_october, at=parse_when("2026-10-20 10:00"))

    with db.session() as session:
        report = monthly(session, Month(2026, 10))
    october, september = report["pipeline"], report["previous"]["pipeline"]

    assert september["open"] == 2
    assert september["amount"] == {"EUR": Decimal("1500.00")}
    assert september["weighted_amount"] == {"EUR": Decimal("150.00")}
    assert [(s["stage"], s["open"]) for s in september["by_stage"]] == [("Lead", 2)]
    assert october["open"] == 2
    assert october["amount"] == {"EUR": Decimal("1000.00"), "USD": Decimal("2000.00")}
    assert october["weighted_amount"] == {"EUR": Decimal("500.00"), "USD": Decimal("500.00")}
    assert [(s["stage"], s["open"]) for s in october["by_stage"]] == [
        ("Qualified", 1), ("Proposal", 1)
    ]  # fmt: skip


def test_average_cycle_rounds_the_exact_mean_even_a_microsecond_off_a_boundary(db):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"],
                                          created_at=parse_when("2026-08-01 09:00")))  # fmt: skip
        # 1.05 days (25 h 12 min) exactly, and 1.05 days less a microsecond from a creation at
        # 999 microseconds past the second, which millisecond clock arithmetic would round up
        for created, won in (
            (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 2, 1, 12, tzinfo=UTC)),
            (
                datetime(2026, 9, 1, 0, 0, 0, 999, tzinfo=UTC),
                datetime(2026, 9, 2, 1, 12, 0, 998, tzinfo=UTC),
            ),
        ):
            deal = add_deal(session, DealInput(title="Cycle", contact="ada@example.com",
                                               amount="100", created_at=created))  # fmt: skip
            win_deal(session, deal, at=won)

    with db.session() as session:
        october = month_figures(session, Month(2026, 10))["deals"]
        september = month_figures(session, Month(2026, 9))["deals"]

    assert october["avg_cycle_days"] == 1.1
    assert september["avg_cycle_days"] == 1.0
