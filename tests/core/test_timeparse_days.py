"""A named day with a time (`tomorrow 9:00`), and bare times on the day of the `now` given."""

from datetime import UTC, datetime

import pytest

from crmtui.core.timeparse import parse_when

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # not today: the clock of a test or of the app


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("today 18:00", datetime(2026, 3, 16, 18, 0, tzinfo=UTC)),
        ("tomorrow 9:00", datetime(2026, 3, 17, 9, 0, tzinfo=UTC)),
        ("Tomorrow 9am", datetime(2026, 3, 17, 9, 0, tzinfo=UTC)),
        ("tomorrow at 14:30", datetime(2026, 3, 17, 14, 30, tzinfo=UTC)),
        ("yesterday 17:45", datetime(2026, 3, 15, 17, 45, tzinfo=UTC)),
        ("18:00", datetime(2026, 3, 16, 18, 0, tzinfo=UTC)),
        ("3pm", datetime(2026, 3, 16, 15, 0, tzinfo=UTC)),
    ],
)
def test_a_day_and_a_time(raw, expected):
    assert parse_when(raw, now=NOW) == expected
