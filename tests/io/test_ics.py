"""The calendar writer: what icalendar reads back is what was written, whatever the text."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from crmtui.io.ics import duration, write_calendar

pytestmark = pytest.mark.sqlite_only  # no database at all: one run is enough
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
# what a value may hold: any text but control characters, newlines (as \n) and tabs aside
_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(["\n", "\t", ",", ";", ":", "\\", '"', "^", "é", "🙂", "中"]),
    min_size=1,
    max_size=120,
).filter(lambda s: s.strip() == s and s.strip())


def written(entity: str, rows: list[dict]) -> str:
    out = io.StringIO(newline="")
    assert write_calendar(iter([rows]), out, entity, "0123abcd") == len(rows)
    return out.getvalue()


def physical_lines(text: str) -> list[bytes]:
    assert text.endswith("\r\n")
    return text.encode().split(b"\r\n")[:-1]


def task(**fields) -> dict:
    return {"id": 7, "title": "Call", "due_at": WHEN, "done_at": None, "priority": "normal",
            "contact": None, "contact_email": None, "notes": None, "created_at": WHEN,
            "updated_at": WHEN, **fields}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(title=_text, notes=_text, contact=_text)
def test_any_text_survives_a_calendar_app_reading_it(title, notes, contact):
    text = written("tasks", [task(title=title, notes=notes, contact=contact,
                                  contact_email="a@example.com")])  # fmt: skip

    (todo,) = Calendar.from_ical(text).walk("VTODO")
    assert str(todo["summary"]) == title
    assert str(todo["description"]) == notes
    assert str(todo["contact"]) == f"{contact} <a@example.com>"
    assert all(len(line) <= 75 for line in physical_lines(text))


@settings(max_examples=100, deadline=None)
@given(name=_text.filter(lambda s: s.replace("\\", "").strip() and "\n" not in s))
def test_an_attendee_name_of_any_text_is_its_parameter(name):
    event = {"id": 1, "kind": "meeting", "contact": name, "contact_email": "a@example.com",
             "occurred_at": WHEN, "duration_seconds": 3605, "subject": None, "body": None,
             "outcome": None, "updated_at": WHEN}  # fmt: skip

    (parsed,) = Calendar.from_ical(written("interactions", [event])).walk("VEVENT")

    assert parsed["attendee"].params["CN"] == name.replace("\\", "")
    assert parsed.decoded("duration") == timedelta(hours=1, seconds=5)
    assert str(parsed["summary"]) == f"Meeting with {name}"


def test_durations_name_each_unit_from_the_first_to_the_last_used():
    assert [duration(s) for s in (0, 45, 90, 3600, 5400, 3605, 90061)] == [
        "PT0S", "PT45S", "PT1M30S", "PT1H", "PT1H30M", "PT1H0M5S", "PT25H1M1S"
    ]  # fmt: skip


def test_control_characters_are_left_out_and_line_breaks_kept():
    (todo,) = Calendar.from_ical(
        written("tasks", [task(title="a\x00b\x1bc", notes="one\r\ntwo\rthree")])
    ).walk("VTODO")

    assert (str(todo["summary"]), str(todo["description"])) == ("abc", "one\ntwo\nthree")


def test_a_uid_names_the_record_and_its_database():
    text = written("tasks", [task(id=7), task(id=8)])

    todos = Calendar.from_ical(text).walk("VTODO")

    assert [str(todo["uid"]) for todo in todos] == [
        "task-7.0123abcd@crmtui",
        "task-8.0123abcd@crmtui",
    ]
