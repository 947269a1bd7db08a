"""`crm export tasks|interactions --format ics`: calendars an address book's neighbour reads."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from icalendar import Calendar


def components(text: str, kind: str) -> list:
    return Calendar.from_ical(text).walk(kind)


def uids(text: str, kind: str) -> list[str]:
    return [str(component["uid"]) for component in components(text, kind)]


def test_open_tasks_become_to_dos_a_calendar_reads(crm, tmp_path):
    crm.ok("contact", "add", "Zoë Núñez", "--email", "zoe@example.com")
    notes = "Bring: prices; the 2027 list\nand samples"
    crm.ok("task", "add", "Send proposal, v2", "--contact", "zoe", "--due", "2026-12-01T09:30:00Z",
           "--priority", "high", "--notes", notes)  # fmt: skip
    crm.ok("task", "add", "Think about pricing")
    crm.ok("task", "add", "Old chore", "--due", "2026-01-05T10:00:00Z")
    crm.ok("task", "done", "3", "--at", "2026-01-06T08:00:00Z")
    out = tmp_path / "tasks.ics"

    result = crm.ok("export", "tasks", "--status", "open", "-o", out)

    text = out.read_bytes().decode("utf-8")
    todos = components(text, "VTODO")
    assert "exported 2 tasks" in result.stderr
    assert [str(t["summary"]) for t in todos] == ["Send proposal, v2", "Think about pricing"]
    first, undated = todos
    assert first.decoded("due") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert (first["priority"], str(first["status"])) == (1, "NEEDS-ACTION")
    assert str(first["description"]) == notes
    assert str(first["contact"]) == "Zoë Núñez <zoe@example.com>"
    assert "due" not in undated
    database_id = crm.json("db", "info")["database_id"]
    assert uids(text, "VTODO") == [f"task-1.{database_id}@crmtui", f"task-2.{database_id}@crmtui"]
    assert all(line.endswith("\r") and len(line.encode()) <= 76 for line in text.split("\n")[:-1])


def test_a_done_task_is_completed_and_an_unchanged_export_is_the_same(crm):
    crm.ok("task", "add", "Old chore", "--due", "2026-01-05T10:00:00Z")
    crm.ok("task", "done", "1", "--at", "2026-01-06T08:00:00Z")

    text = crm.ok("export", "tasks", "-f", "ics").stdout

    (todo,) = components(text, "VTODO")
    assert str(todo["status"]) == "COMPLETED"
    assert todo.decoded("completed") == datetime(2026, 1, 6, 8, tzinfo=UTC)
    assert crm.ok("export", "tasks", "-f", "ics").stdout == text
    assert components(crm.ok("export", "tasks", "--status", "open", "-f", "ics").stdout,
                      "VTODO") == []  # fmt: skip


def test_meetings_become_events_with_their_length_and_the_contact_attending(crm, tmp_path):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("log", "meeting", "ada", "--summary", "Engine review", "--at", "2026-10-05T10:00:00Z",
           "--duration", "1h30m", "--body", "Went through the cards.", "--outcome", "next: demo")  # fmt: skip
    crm.ok("log", "call", "ada", "--summary", "Quick check", "--at", "2026-10-06T10:00:00Z")

    crm.ok("export", "interactions", "--kind", "meeting", "-o", tmp_path / "meetings.ics")

    (event,) = components((tmp_path / "meetings.ics").read_text(encoding="utf-8"), "VEVENT")
    assert str(event["summary"]) == "Meeting with Ada Lovelace: Engine review"
    assert event.decoded("dtstart") == datetime(2026, 10, 5, 10, tzinfo=UTC)
    assert event.decoded("duration") == timedelta(hours=1, minutes=30)
    assert str(event["attendee"]) == "mailto:ada@example.com"
    assert event["attendee"].params["CN"] == "Ada Lovelace"
    assert str(event["description"]) == "Went through the cards.\n\nOutcome: next: demo"
    assert event["categories"].cats == ["meeting"]


def test_two_databases_never_share_a_uid_and_each_keeps_its_own(crm, new_database_url):
    other = ("--db", new_database_url())
    for db in ((), other):
        crm.ok(*db, "contact", "add", "Ada", "--email", "ada@example.com")
        crm.ok(*db, "log", "call", "ada", "--summary", "Hello", "--at", "2026-10-06T10:00:00Z")
        crm.ok(*db, "task", "add", "Call back", "--contact", "ada")

    mine = [crm.ok("export", kind, "-f", "ics").stdout for kind in ("tasks", "interactions")]
    theirs = [
        crm.ok(*other, "export", kind, "-f", "ics").stdout for kind in ("tasks", "interactions")
    ]
    crm.ok("task", "add", "Write up")
    again = crm.ok("export", "tasks", "-f", "ics").stdout

    mine_ids = uids(mine[0], "VTODO") + uids(mine[1], "VEVENT")
    their_ids = uids(theirs[0], "VTODO") + uids(theirs[1], "VEVENT")
    assert len(mine_ids) == len(their_ids) == 2
    assert not set(mine_ids) & set(their_ids)
    assert uids(again, "VTODO")[0] == mine_ids[0]
    own, others = (
        crm.json("db", "info")["database_id"],
        crm.json(*other, "db", "info")["database_id"],
    )
    assert mine_ids[1] == f"interaction-1.{own}@crmtui"
    assert their_ids[1] == f"interaction-1.{others}@crmtui"


def test_a_copied_database_exports_the_same_calendar(crm, new_database_url):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("log", "meeting", "ada", "--summary", "Review", "--at", "2026-10-05T10:00:00Z")
    crm.ok("task", "add", "Send plans", "--contact", "ada", "--due", "2026-12-01")
    copy = ("--db", new_database_url())

    crm.ok("db", "copy", "--to", copy[1])

    for kind in ("tasks", "interactions"):
        assert (
            crm.ok(*copy, "export", kind, "-f", "ics").stdout
            == crm.ok("export", kind, "-f", "ics").stdout
        )
    assert crm.json(*copy, "db", "info")["database_id"] == crm.json("db", "info")["database_id"]


def test_tasks_as_csv_and_json(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("task", "add", "=Call back", "--contact", "ada", "--due", "2026-12-01T09:00:00Z")

    (row,) = csv.DictReader(io.StringIO(crm.ok("export", "tasks").stdout))
    (item,) = json.loads(crm.ok("export", "tasks", "-f", "json").stdout)

    assert (row["title"], row["contact_email"]) == ("'=Call back", "ada@example.com")
    assert (item["title"], item["due_at"]) == ("=Call back", "2026-12-01T09:00:00+00:00")


def test_a_calendar_is_only_for_tasks_and_interactions(crm, tmp_path):
    contacts = crm("export", "contacts", "-o", tmp_path / "people.ics")
    status = crm("export", "tasks", "--status", "later")

    assert contacts.exit_code == 2
    assert "cannot export contacts as 'ics'" in contacts.stderr
    assert not (tmp_path / "people.ics").exists()
    assert status.exit_code == 2 and "task status" in status.stderr
