"""Calendar months in the user's local time zone, as half-open UTC ranges for indexed queries."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from crmtui.core.errors import Invalid
from crmtui.core.timeparse import local_tz, now_utc

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# a report reads up to ten years back and a month ahead; Python dates end at years 1 and 9999
YEARS = range(1000, 9999)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shifted(self, months: int) -> "Month":
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def previous(self) -> "Month":
        return self.shifted(-1)

    @property
    def start(self) -> datetime:
        """The first instant of the month, local midnight on the 1st, in UTC."""
        local = datetime(self.year, self.month, 1, tzinfo=local_tz())
        return local.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant of the next month (exclusive bound), in UTC."""
        return self.shifted(1).start

    @classmethod
    def containing(cls, when: datetime) -> "Month":
        local = when.astimezone(local_tz())
        return cls(local.year, local.month)


def parse_month(text: str | None, *, now: datetime | None = None) -> Month:
    """`YYYY-MM`; `current` for month to date; None for the last complete month."""
    this_month = Month.containing(now or now_utc())
    if text is None or text.strip() in ("", "last", "previous"):
        return this_month.previous
    value = text.strip().lower()
    if value in ("current", "this"):
        return this_month
    match = _MONTH.match(value)
    if not match or int(match.group(1)) not in YEARS or not 1 <= int(match.group(2)) <= 12:
        raise Invalid(f"invalid month {text!r}: use YYYY-MM (such as 2026-10) or 'current'")
    return Month(int(match.group(1)), int(match.group(2)))


def months_back(last: Month, count: int) -> list[Month]:
    """`count` months ending with `last`, oldest first."""
    return [last.shifted(-offset) for offset in range(count - 1, -1, -1)]
