"""Helpers every service uses: applying edits with an audit entry, optimistic version checks."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from crmtui.core.audit import diff, record_change
from crmtui.core.errors import Conflict
from crmtui.core.types import utcnow


def check_version(record: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise Conflict(
            f"{what} was changed by someone else (version {record.version}, "
            f"you edited version {expected_version}); reload and try again"
        )


def apply_changes(
    session: Session,
    entity: str,
    record: SQLModel,
    values: dict[str, Any],
    lists: dict[str, list[Any]] | None = None,
    *,
    action: str = "update",
) -> dict[str, list[Any]]:
    """Set the values that differ, bump version and updated_at, and log the change.

    `lists`, {name: [old, new]}, are changes already written to other tables (a contact's
    emails): part of the same edit, logged and versioned with it. `action` names the edit in
    the log when it is more than an update (a merge).
    """
    before = {key: getattr(record, key) for key in values}
    changes = {**(lists or {}), **diff(before, values)}
    if not changes:
        return {}
    for key, value in values.items():
        setattr(record, key, value)
    if hasattr(record, "version"):
        record.version += 1
    record.updated_at = utcnow()
    session.add(record)
    session.flush()
    record_change(session, entity, record.id, action, changes)
    return changes


def values_by_id(session: Session, id_column, value_column, ids) -> dict[int, Any]:
    """{id: value} for a page of ids in one query; no query at all when there are none."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(id_column, value_column).where(id_column.in_(wanted)))
    return dict(rows.all())
