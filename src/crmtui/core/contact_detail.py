"""Everything about one contact on one page: fields, timeline, deals, open tasks."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.contacts import contact_rows, get_contact
from crmtui.core.deals import deal_rows
from crmtui.core.interactions import interaction_rows, timeline
from crmtui.core.models import Deal, Task
from crmtui.core.tasks import task_rows


def contact_detail(session: Session, ref: str | int, *, timeline_limit: int = 20) -> dict[str, Any]:
    contact = get_contact(session, ref)
    deals = list(
        session.scalars(
            select(Deal).where(Deal.contact_id == contact.id).order_by(Deal.created_at.desc())
        )
    )
    tasks = list(
        session.scalars(
            select(Task)
            .where(Task.contact_id == contact.id, Task.done_at.is_(None))
            .order_by(Task.due_at.is_(None), Task.due_at)
        )
    )
    return {
        "contact": contact_rows(session, [contact])[0],
        "interactions": interaction_rows(session, timeline(session, contact, limit=timeline_limit)),
        "deals": deal_rows(session, deals),
        "tasks": task_rows(session, tasks),
    }
