"""Tasks as iCalendar to-dos and interactions as events (RFC 5545), streamed line by line.

Written here rather than through the icalendar package's components, which cost about 300 us
each (a million interactions: 5 minutes); the tests read every file back with icalendar.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from crmtui import __version__

# RFC 5545 ranks 1 (highest) to 9 (lowest); 5 is medium
PRIORITIES = {"high": 1, "normal": 5, "low": 9}
# the name of a kind of interaction in an event's summary, before the contact's name
KIND_TITLES = {"call": "Call with", "email": "Email with", "meeting": "Meeting with",
               "note": "Note about", "chat": "Chat with"}  # fmt: skip
LINE_OCTETS = 75
# control characters other than tab may appear in no value (3.1); a TEXT value escapes these
_CONTROLS = {chr(c): None for c in (*range(0x09), *range(0x0A, 0x20), 0x7F)}
_TEXT = str.maketrans({**_CONTROLS, "\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
# a parameter value escapes ^ and quotes as RFC 6868 says; readers differ on backslashes: a
# name keeps none
_PARAM = str.maketrans({**_CONTROLS, "^": "^^", '"': "^'", "\\": None})


def text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT)


def param(value: str) -> str:
    """A parameter value, always quoted: it may hold separators and spaces then (3.2)."""
    return f'"{value.translate(_PARAM)}"'


def utc(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y%m%dT%H%M%SZ")


def duration(seconds: int) -> str:
    """PT1H30M, PT45S, PT1H0M5S: from the first unit that is not zero to the last (3.3.6)."""
    units = [(seconds // 3600, "H"), (seconds // 60 % 60, "M"), (seconds % 60, "S")]
    used = [i for i, (amount, _) in enumerate(units) if amount]
    if not used:
        return "PT0S"
    return "PT" + "".join(f"{amount}{unit}" for amount, unit in units[used[0] : used[-1] + 1])


def fold(line: str) -> str:
    """A content line ended by CRLF, folded every 75 octets, never inside a character (3.1)."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line + "\r\n"
    encoded, parts, start, limit = line.encode(), [], 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and encoded[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # a continuation line starts with a space
    return "\r\n ".join(parts) + "\r\n"


def _who(row: dict[str, Any]) -> str | None:
    name, email = row.get("contact"), row.get("contact_email")
    if name and email and name != email:
        return f"{name} <{email}>"
    return name or email


def uid(kind: str, record_id: int, database_id: str) -> str:
    """Globally unique (3.8.4.7) and the same on every export of one database: a calendar app
    updates the to-do or event it imported before; another database's never overwrite it."""
    return f"UID:{kind}-{record_id}.{database_id}@crmtui"


def task_todo(row: dict[str, Any], database_id: str) -> list[str]:
    """A task as a VTODO: due time, done or not, priority, notes and the contact it is about."""
    lines = [
        "BEGIN:VTODO",
        uid("task", row["id"], database_id),
        # without METHOD, DTSTAMP is the last change (3.8.7.2): an unchanged task is written the
        # same way every time
        f"DTSTAMP:{utc(row['updated_at'])}",
        f"CREATED:{utc(row['created_at'])}",
        f"SUMMARY:{text(row['title'])}",
    ]
    if row["due_at"] is not None:
        lines.append(f"DUE:{utc(row['due_at'])}")
    if row["done_at"] is not None:
        lines += ["STATUS:COMPLETED", f"COMPLETED:{utc(row['done_at'])}"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    lines.append(f"PRIORITY:{PRIORITIES.get(row['priority'], 0)}")
    if who := _who(row):
        lines.append(f"CONTACT:{text(who)}")
    if row["notes"]:
        lines.append(f"DESCRIPTION:{text(row['notes'])}")
    lines.append("END:VTODO")
    return lines


def interaction_event(row: dict[str, Any], database_id: str) -> list[str]:
    """An interaction as a VEVENT at its time, as long as it lasted, with the contact attending."""
    title = f"{KIND_TITLES.get(row['kind'], row['kind'].capitalize())} {row['contact'] or ''}"
    title = f"{title.strip()}: {row['subject']}" if row["subject"] else title.strip()
    lines = [
        "BEGIN:VEVENT",
        uid("interaction", row["id"], database_id),
        f"DTSTAMP:{utc(row['updated_at'])}",
        f"DTSTART:{utc(row['occurred_at'])}",
    ]
    if row["duration_seconds"]:
        lines.append(f"DURATION:{duration(row['duration_seconds'])}")
    lines += [f"SUMMARY:{text(title)}", f"CATEGORIES:{text(row['kind'])}"]
    if row.get("contact_email"):
        name = f";CN={param(row['contact'])}" if row["contact"] else ""
        lines.append(f"ATTENDEE{name}:mailto:{row['contact_email']}")
    outcome = row["outcome"] and f"Outcome: {row['outcome']}"
    if description := "\n\n".join(part for part in (row["body"], outcome) if part):
        lines.append(f"DESCRIPTION:{text(description)}")
    lines.append("END:VEVENT")
    return lines


COMPONENTS: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    "tasks": task_todo,
    "interactions": interaction_event,
}


def write_calendar(
    pages: Iterator[list[dict[str, Any]]],
    out: TextIO,
    entity: str,
    database_id: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """One VCALENDAR holding a component per record of the database `database_id` names;
    returns the number of records."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//crmtui//crmtui {__version__}//EN",
            f"NAME:crmtui {entity}", f"X-WR-CALNAME:crmtui {entity}"]  # fmt: skip
    out.write("".join(map(fold, head)))
    component, count = COMPONENTS[entity], 0
    for page in pages:
        out.write("".join(fold(line) for row in page for line in component(row, database_id)))
        count += len(page)
        if progress:
            progress(count)
    out.write("END:VCALENDAR\r\n")
    return count
