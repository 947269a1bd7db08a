"""Open tasks list soonest due first, then the undated, off the open-tasks index."""

from datetime import UTC, datetime, timedelta

import pytest
from query_plans import query_plans  # tests/query_plans.py

from crmtui.core.reads import list_tasks
from crmtui.core.schemas import TaskInput
from crmtui.core.tasks import add_task, complete_task


@pytest.mark.sqlite_only
@pytest.mark.parametrize("limit", [None, 2, 4])
def test_open_tasks_come_dated_then_undated_without_sorting_them_all(db, limit):
    """Not every open task read and sorted for a page: 180,000 on the 1M demo."""
    soon = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    with db.transaction(username="sam") as session:
        for title, days in [("Later", 3), ("Undated", None), ("Sooner", 1), ("Done", 0)]:
            due = soon + timedelta(days=days) if days is not None else None
            task = add_task(session, TaskInput(title=title, due_at=due))
        complete_task(session, task)
        add_task(session, TaskInput(title="Undated too"))
    with db.session() as session, query_plans(session, "task ") as plans:
        titles = [t.title for t in list_tasks(session, limit=limit)]

    assert titles == ["Sooner", "Later", "Undated", "Undated too"][:limit]
    dated = plans[:2]  # (the undated, few, are sorted by id)
    assert "ix_task_done_due_assignee" in dated[0], plans
    assert "USE TEMP B-TREE FOR ORDER BY" not in dated, plans
