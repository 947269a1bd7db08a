"""Tasks as iCalendar to-dos and interactions as events (RFC 5545), written a record at a time."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from icalendar import Calendar, Event, Todo, vCalAddress

from crmtui import __version__

# RFC 5545 ranks 1 (highest) to 9 (lowest); 5 is medium
PRIORITIES = {"high": 1, "normal": 5, "low": 9}
# the name of a kind of interaction in an event's summary, before the contact's name
KIND_TITLES = {"call": "Call with", "email": "Email with", "meeting": "Meeting with",
               "note": "Note about", "chat": "Chat with"}  # fmt: skip


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _who(row: dict[str, Any]) -> str | None:
    name, email = row.get("contact"), row.get("contact_email")
    if name and email and name != email:
        return f"{name} <{email}>"
    return name or email


def task_todo(row: dict[str, Any]) -> Todo:
    """A task as a VTODO: due time, done or not, priority, notes and the contact it is about."""
    todo = Todo()
    todo.add("uid", f"task-{row['id']}@crmtui")
    # without METHOD, DTSTAMP is the last change (RFC 5545 3.8.7.2): an unchanged task is
    # written the same way every time
    todo.add("dtstamp", _utc(row["updated_at"]))
    todo.add("created", _utc(row["created_at"]))
    todo.add("summary", row["title"])
    if row["due_at"] is not None:
        todo.add("due", _utc(row["due_at"]))
    if row["done_at"] is not None:
        todo.add("status", "COMPLETED")
        todo.add("completed", _utc(row["done_at"]))
    else:
        todo.add("status", "NEEDS-ACTION")
    todo.add("priority", PRIORITIES.get(row["priority"], 0))
    if who := _who(row):
        todo.add("contact", who)
    if row["notes"]:
        todo.add("description", row["notes"])
    return todo


def interaction_event(row: dict[str, Any]) -> Event:
    """An interaction as a VEVENT at its time, as long as it lasted, with the contact attending."""
    event = Event()
    event.add("uid", f"interaction-{row['id']}@crmtui")
    event.add("dtstamp", _utc(row["updated_at"]))
    event.add("dtstart", _utc(row["occurred_at"]))
    if row["duration_seconds"]:
        event.add("duration", timedelta(seconds=row["duration_seconds"]))
    title = f"{KIND_TITLES.get(row['kind'], row['kind'].capitalize())} {row['contact'] or ''}"
    event.add("summary", f"{title.strip()}: {row['subject']}" if row["subject"] else title.strip())
    event.add("categories", [row["kind"]])
    if row.get("contact_email"):
        attendee = vCalAddress(f"mailto:{row['contact_email']}")
        if row["contact"]:
            attendee.params["cn"] = row["contact"]
        event.add("attendee", attendee)
    description = [text for text in (row["body"], row["outcome"] and f"Outcome: {row['outcome']}")
                   if text]  # fmt: skip
    if description:
        event.add("description", "\n\n".join(description))
    return event


COMPONENTS: dict[str, Callable[[dict[str, Any]], Todo | Event]] = {
    "tasks": task_todo,
    "interactions": interaction_event,
}


def write_calendar(
    pages: Iterator[list[dict[str, Any]]],
    out: TextIO,
    entity: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """One VCALENDAR holding a component per record; returns the number of records."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//crmtui//crmtui {__version__}//EN")
    calendar.add("x-wr-calname", f"crmtui {entity}")
    head, _end = calendar.to_ical().decode().rsplit("END:VCALENDAR", 1)
    out.write(head)
    component, count = COMPONENTS[entity], 0
    for page in pages:
        out.write("".join(component(row).to_ical().decode() for row in page))
        count += len(page)
        if progress:
            progress(count)
    out.write("END:VCALENDAR\r\n")
    return count
