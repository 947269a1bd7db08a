"""Everything about one contact on one page: fields, timeline, deals, open tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from crmtui.core.reads import (
    contact_rows,
    deal_rows,
    find_contact,
    interaction_rows,
    read_sql,
    task_rows,
    timeline,
)

if TYPE_CHECKING:
    from sqlmodel import Session


def contact_detail(
    session: Session | Connection, ref: str | int, *, timeline_limit: int = 20
) -> dict[str, Any]:
    contact = find_contact(session, ref)
    deals = read_sql(
        session,
        "SELECT * FROM deal WHERE contact_id = :contact_id ORDER BY created_at DESC",
        {"contact_id": contact.id},
        entity="deal",
    ).all()
    tasks = read_sql(
        session,
        "SELECT * FROM task WHERE contact_id = :contact_id AND done_at IS NULL "
        "ORDER BY due_at IS NULL, due_at",
        {"contact_id": contact.id},
        entity="task",
    ).all()
    return {
        "contact": contact_rows(session, [contact])[0],
        "interactions": interaction_rows(session, timeline(session, contact, limit=timeline_limit)),
        "deals": deal_rows(session, deals),
        "tasks": task_rows(session, tasks),
    }
