"""The audit log: who changed which record, and each field's old and new value."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel

from crmtui.core.models import Change


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


DERIVED_FIELDS = {"search_text", "sort_key", "name_key", "email_key", "phone_key"}


def _fields(record: SQLModel) -> dict[str, list[Any]]:
    values = {k: v for k, v in record.model_dump().items() if k not in DERIVED_FIELDS}
    return diff({}, values)


def record_created(session: Session, entity: str, record: SQLModel) -> Change:
    """A create, with every field's value as [None, new]."""
    return record_change(session, entity, record.id, "create", _fields(record))


def record_deleted(session: Session, entity: str, record: SQLModel) -> Change:
    """A delete, with every field's last value as [old, None], so it can be restored."""
    fields = {key: [new, old] for key, (old, new) in _fields(record).items()}
    return record_change(session, entity, record.id, "delete", fields)


def record_change(
    session: Session, entity: str, entity_id: int, action: str, changes: dict | None = None
) -> Change:
    change = Change(
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=changes or {},
        user_id=session.info.get("user_id"),
        batch_id=session.info.get("batch_id"),
    )
    session.add(change)
    return change
