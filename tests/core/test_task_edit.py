"""Editing a task: rename, reschedule, reprioritise; recorded, refused once done."""

from datetime import UTC, datetime

import pytest

from crmtui.core.errors import Conflict, Invalid
from crmtui.core.history import list_changes
from crmtui.core.schemas import TaskInput
from crmtui.core.tasks import add_task, complete_task, edit_task, get_task

DUE = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_a_task_is_rescheduled_and_the_change_recorded(db):
    with db.transaction(username="kim") as session:
        task_id = add_task(session, TaskInput(title="Call back")).id
    with db.transaction(username="kim") as session:
        edit_task(
            session, get_task(session, task_id), title="Call back", due_at=DUE, priority="high"
        )
    with db.session() as session:
        task = get_task(session, task_id)
        assert (task.due_at, task.priority) == (DUE, "high")
        change = list_changes(session, entity="task", entity_id=task_id, limit=1)[0]
        assert change.action == "update" and set(change.changes) == {"due_at", "priority"}


def test_a_done_task_or_an_empty_title_is_refused(db):
    with db.transaction(username="kim") as session:
        task = add_task(session, TaskInput(title="Call back"))
        with pytest.raises(Invalid):
            edit_task(session, task, title=" ", due_at=None, priority="normal")
        with pytest.raises(Invalid):
            edit_task(session, task, title="Call back", due_at=None, priority="urgent")
        complete_task(session, task)
        with pytest.raises(Conflict):
            edit_task(session, task, title="Call back", due_at=DUE, priority="normal")
