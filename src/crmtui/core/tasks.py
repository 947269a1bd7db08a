"""Tasks and follow-ups: add, complete, edit, delete, list, and what is due."""

from datetime import datetime

from sqlmodel import Session

from crmtui.core.audit import record_created, record_deleted
from crmtui.core.contacts import check_choice, get_contact
from crmtui.core.deals import get_deal
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import TASK_PRIORITIES, Task
from crmtui.core.reads import (  # one row builder and one summary for every front end
    due_summary,  # noqa: F401
    task_rows,  # noqa: F401
)
from crmtui.core.records import apply_changes
from crmtui.core.schemas import TaskInput
from crmtui.core.types import utcnow
from crmtui.core.users import ensure_user


def add_task(session: Session, data: TaskInput) -> Task:
    title = data.title.strip()
    if not title:
        raise Invalid("a task needs a title")
    contact = get_contact(session, data.contact) if data.contact else None
    if data.deal_id is not None:
        get_deal(session, data.deal_id)
    task = Task(
        title=title,
        due_at=data.due_at,
        contact_id=contact.id if contact else None,
        deal_id=data.deal_id,
        priority=check_choice(data.priority, TASK_PRIORITIES, "priority"),
        assignee_id=ensure_user(session, data.assignee, create=False).id
        if data.assignee
        else session.info.get("user_id"),
        notes=(data.notes or "").strip() or None,
        created_by_id=session.info.get("user_id"),
    )
    session.add(task)
    session.flush()
    record_created(session, "task", task)
    return task


def get_task(session: Session, ref: str | int) -> Task:
    text = str(ref).strip()
    task = session.get(Task, int(text)) if text.isdigit() else None
    if task is None:
        raise NotFound(f"no task with id {text}")
    return task


def complete_task(session: Session, task: Task, at: datetime | None = None) -> Task:
    if task.done_at is not None:
        raise Conflict(f"task {task.id} is already done")
    apply_changes(session, "task", task, {"done_at": at or utcnow()})
    return task


def edit_task(
    session: Session, task: Task, *, title: str, due_at: datetime | None, priority: str
) -> Task:
    """Rename, reschedule (None: no date) or reprioritise an open task; recorded in history."""
    if task.done_at is not None:
        raise Conflict(f"task {task.id} is already done")
    if not title.strip():
        raise Invalid("a task needs a title")
    values = {
        "title": title.strip(),
        "due_at": due_at,
        "priority": check_choice(priority, TASK_PRIORITIES, "priority"),
    }
    apply_changes(session, "task", task, values)
    return task


def delete_task(session: Session, task: Task) -> None:
    """Delete a task, done or open; logged whole, so undo brings it back with its links."""
    record_deleted(session, "task", task)
    session.delete(task)
    session.flush()
