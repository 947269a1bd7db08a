"""The audit log read back: who changed what and when, for one record or the whole team."""

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.errors import Invalid, NotFound
from crmtui.core.models import Change, User
from crmtui.core.types import utcnow
from crmtui.core.users import usernames_by_id

_AGO = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LABEL_FIELDS = ("display_name", "name", "title", "username", "subject")


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w`, `30m` ago, or a date or time (`2026-05-01`, `yesterday`)."""
    value = text.strip().lower()
    match = _AGO.fullmatch(value)
    if match:
        amount, unit = match.groups()
        return (now or utcnow()) - timedelta(**{_UNITS[unit]: int(amount)})
    from crmtui.core.timeparse import parse_when

    try:
        return parse_when(text)
    except Invalid:
        raise Invalid(f"cannot read --since {text!r}: try 7d, 12h, 2w or a date") from None


def list_changes(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    since: datetime | None = None,
    username: str | None = None,
    batch_id: int | None = None,
    limit: int | None = 100,
) -> list[Change]:
    """Changes newest first, narrowed by record, time, author or import batch."""
    stmt = select(Change)
    if entity:
        stmt = stmt.where(Change.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(Change.entity_id == entity_id)
    if since is not None:
        stmt = stmt.where(Change.at >= since)
    if username:
        user_id = session.scalar(select(User.id).where(User.username == username.strip()))
        if user_id is None:
            raise NotFound(f"no user named {username!r}")
        stmt = stmt.where(Change.user_id == user_id)
    if batch_id is not None:
        stmt = stmt.where(Change.batch_id == batch_id)
    stmt = stmt.order_by(Change.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_change(session: Session, change_id: int) -> Change:
    change = session.get(Change, change_id)
    if change is None:
        raise NotFound(f"no change with id {change_id}")
    return change


def _short(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def summarize(change: Change) -> str:
    """`amount_units: 50000 → 75000; notes: - → call back` (creates and deletes list fields)."""
    if change.action in ("create", "delete"):
        index = 1 if change.action == "create" else 0
        for field in LABEL_FIELDS:
            if field in change.changes and change.changes[field][index]:
                return f"{change.action}d {_short(change.changes[field][index])}"
        return f"{change.action}d"
    return "; ".join(
        f"{field}: {_short(old)} → {_short(new)}" for field, (old, new) in change.changes.items()
    )


def change_rows(session: Session, changes: list[Change]) -> list[dict[str, Any]]:
    users = usernames_by_id(session, {c.user_id for c in changes if c.user_id})
    return [
        {
            "id": c.id,
            "at": c.at,
            "user": users.get(c.user_id),
            "entity": c.entity,
            "entity_id": c.entity_id,
            "action": c.action,
            "summary": summarize(c),
            "changes": c.changes,
            "batch_id": c.batch_id,
        }
        for c in changes
    ]
