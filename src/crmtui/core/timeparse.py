"""Reading times people type (`today`, `-2h`, `2026-10-05 10:00`) and durations (`15m`)."""

import re
from datetime import UTC, date, datetime, time, timedelta

from crmtui.core.errors import Invalid

_RELATIVE = re.compile(r"^([+-])\s*(\d+)\s*(m|min|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|min|s|d|w)")
# 05.10.2026: written day first wherever dots separate a date (Germany, Russia, ...)
_DOTTED_DATE = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# a day inside Python's calendar at each end, so every time zone can still show the time
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
LONGEST_SECONDS = 100 * 366 * 86400


def local_tz():
    """The local zone with its daylight-saving rules (a fixed offset would be wrong half the year)."""
    from dateutil.tz import tzlocal

    return tzlocal()


def now_utc() -> datetime:
    return datetime.now(UTC)


def _start_of_local_day(day: date):
    return datetime.combine(day, time(0, 0), tzinfo=local_tz())


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """An aware UTC datetime; naive input is local time. Raises Invalid on anything unreadable."""
    try:
        when = _read_when(text, now or now_utc())
    except OverflowError:  # `+99999999d`, or year 1 in a zone east of UTC
        when = None
    if when is None or not EARLIEST <= when <= LATEST:
        raise _unreadable_date(text)
    return when


def _unreadable_date(text: str) -> Invalid:
    return Invalid(f"cannot read the date {text!r}: try 2026-10-05, 'today' or '-2h'")


def _read_when(text: str, now: datetime) -> datetime:
    value = text.strip().lower()
    if value == "now":
        return now
    try:  # ISO 8601 first: an export's times, read a million at a time by an import
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = _read_words(value, text, now)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_tz())
    return parsed.astimezone(UTC)


def _read_words(value: str, text: str, now: datetime) -> datetime:
    """`today`, `tomorrow 9:00`, `-2h`, `5 Oct 2026`: naive where it says no zone (local)."""
    today = now.astimezone(local_tz()).date()
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if value in named:
        return _start_of_local_day(today + timedelta(days=named[value])).astimezone(UTC)
    word, _, rest = value.partition(" ")
    if word in named:  # `tomorrow 9:00`, `today at 6pm`: a time on that day
        day = today + timedelta(days=named[word])
        return _parse_with_dateutil(rest.strip().removeprefix("at "), day, original=text)
    if match := _RELATIVE.match(value):
        sign, count, unit = match.groups()
        delta = timedelta(seconds=int(count) * _UNIT_SECONDS[unit])
        return now + delta if sign == "+" else now - delta
    return _parse_with_dateutil(text, today)  # a bare `18:00` is on the day of `now`


def _parse_with_dateutil(text: str, day: date, original: str | None = None) -> datetime:
    from dateutil import parser

    try:
        return parser.parse(
            text, default=datetime.combine(day, time(0, 0)), dayfirst=bool(_DOTTED_DATE.match(text))
        )
    except (ValueError, OverflowError, parser.ParserError):
        raise _unreadable_date(original or text) from None


def parse_date(text: str) -> date:
    """A calendar date in local time."""
    return parse_when(text).astimezone(local_tz()).date()


def parse_duration(text: str) -> int:
    """Seconds from `15m`, `1h30m`, `90s`, `1:30` (h:mm) or a bare number of minutes."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+", value):
        seconds = float(value) * 60
    elif re.fullmatch(r"\d+:\d{2}", value):
        hours, minutes = value.split(":")
        seconds = float(hours) * 3600 + float(minutes) * 60
    else:
        parts = _DURATION_PART.findall(value)
        if not parts or _DURATION_PART.sub("", value).strip():
            raise Invalid(f"cannot read the duration {text!r}: try 15m, 1h30m or 90s")
        seconds = sum(float(n) * _UNIT_SECONDS[unit] for n, unit in parts)
    if seconds > LONGEST_SECONDS:  # it would not fit a date, nor a database integer
        raise Invalid(f"the duration {text!r} is longer than a century")
    return int(seconds)


def format_duration(seconds: int | None) -> str:
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
