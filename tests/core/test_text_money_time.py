"""Pure helpers: folding, email validation, exact money, times people type."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crmtui.core.emails import normalize_email
from crmtui.core.errors import Invalid
from crmtui.core.money import format_amount, parse_amount, to_units
from crmtui.core.text import fold, phone_key, search_tokens
from crmtui.core.timeparse import parse_duration, parse_when


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Zoë", "zoe"), ("NÚÑEZ", "nunez"), ("Łukasz  Søren", "lukasz soren"), ("Straße", "strasse")],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_search_tokens_split_emails_and_fold():
    assert search_tokens("Zoë@Example.org") == ["zoe", "example", "org"]


def test_phone_key_keeps_plus_and_digits():
    assert phone_key("+44 (20) 7946-0000") == "+442079460000"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [(" ada@Example.COM ", "ada@example.com"), ("o'brien@example.ie", "o'brien@example.ie")],
)
def test_valid_emails(raw, clean):
    assert normalize_email(raw) == clean


@pytest.mark.parametrize("raw", ["nope", "a@b", "a..b@example.com", "@example.com", "a@-x.com", ""])
def test_invalid_emails(raw):
    with pytest.raises(Invalid):
        normalize_email(raw)


def test_money_round_trips_exactly():
    total = sum(to_units(parse_amount("0.10", "EUR")) for _ in range(3))
    assert format_amount(total, "EUR") == "0.30"
    assert parse_amount("1,500.00", "EUR") == Decimal("1500.00")


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1500,50", "1500.50"),  # a European file's decimal comma: not 150050
        ("1,5", "1.50"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),  # a narrow no-break space between thousands
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("1,234", "1234"),
        ("1'234.50", "1234.50"),
    ],
)
def test_amounts_as_spreadsheets_write_them(raw, amount):
    assert parse_amount(raw, "EUR") == Decimal(amount)


def test_a_dot_before_three_digits_is_refused_where_it_could_be_either():
    with pytest.raises(Invalid, match="1500 or 1.5"):
        parse_amount("1.500", "EUR")  # a German file's 1500, or 1.50?
    assert parse_amount("1.500", "KWD") == Decimal("1.5")  # three decimals: a decimal point
    assert parse_amount("1.500,00", "EUR") == Decimal("1500")


@pytest.mark.parametrize(
    "raw", ["-1", "abc", "NaN", "Infinity", "1.001", "1e20", "1,2,3", "1.5,2.5", "1,23,4"]
)
def test_bad_amounts(raw):
    with pytest.raises(Invalid):
        parse_amount(raw, "EUR")


def test_zero_decimal_currency():
    with pytest.raises(Invalid):
        parse_amount("10.5", "JPY")
    assert format_amount(to_units(parse_amount("10", "JPY")), "JPY") == "10"


NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("now", NOW),
        ("today", datetime(2026, 11, 23, tzinfo=UTC)),
        ("yesterday", datetime(2026, 11, 22, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 11, 24, tzinfo=UTC)),
        ("-2h", datetime(2026, 11, 23, 13, 30, tzinfo=UTC)),
        ("+3d", datetime(2026, 11, 26, 15, 30, tzinfo=UTC)),
        ("2026-10-05 10:00", datetime(2026, 10, 5, 10, 0, tzinfo=UTC)),
        ("2026-10-05T10:00:00+02:00", datetime(2026, 10, 5, 8, 0, tzinfo=UTC)),
        ("October 5 2026 10am", datetime(2026, 10, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_when_in_utc_zone(raw, expected):
    assert parse_when(raw, now=NOW) == expected


def test_parse_when_treats_naive_times_as_local(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        assert parse_when("2026-10-05 10:00") == datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


@pytest.mark.parametrize(
    ("raw", "seconds"), [("15m", 900), ("1h30m", 5400), ("90s", 90), ("1:30", 5400), ("20", 1200)]
)
def test_durations(raw, seconds):
    assert parse_duration(raw) == seconds


def test_bad_duration():
    with pytest.raises(Invalid):
        parse_duration("a while")


@pytest.mark.parametrize("raw", ["9" * 400, "99999999999999999999s", "1000000w"])
def test_a_duration_beyond_a_century_is_refused(raw):
    with pytest.raises(Invalid, match="longer than a century"):
        parse_duration(raw)


@pytest.mark.parametrize("raw", ["+999999999d", "-99999999999999999999w", "9999-12-31 23:00"])
def test_times_beyond_the_calendar_are_unreadable(raw):
    with pytest.raises(Invalid, match="cannot read the date"):
        parse_when(raw, now=NOW)


def test_year_one_east_of_utc_is_unreadable_not_a_crash(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        with pytest.raises(Invalid, match="cannot read the date"):
            parse_when("0001-01-01")
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05.10.2026", datetime(2026, 10, 5, tzinfo=UTC)),  # dotted dates are day first
        ("5.1.2026 14:30", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        ("10/05/2026", datetime(2026, 10, 5, tzinfo=UTC)),  # slashed: US month first
    ],
)
def test_dates_as_european_and_us_files_write_them(raw, expected):
    assert parse_when(raw, now=NOW) == expected
