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


@pytest.mark.sqlite_only
def test_what_is_due_is_read_without_building_the_models(db, db_path):
    """The Tasks view's summary: importing the models took its first showing on the 1M demo
    150 ms, more than its queries."""
    import subprocess
    import sys

    now = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    with db.transaction(username="sam") as session:
        add_task(session, TaskInput(title="late", due_at=now - timedelta(days=2)))
        add_task(session, TaskInput(title="some day"))
    code = (
        "import sys; from datetime import datetime, UTC; from sqlalchemy import create_engine\n"
        "from crmtui.core.reads import due_summary\n"
        f"with create_engine('sqlite:///{db_path}').connect() as connection:\n"
        "    summary = due_summary(connection, now=datetime(2026, 3, 16, 12, tzinfo=UTC))\n"
        "print({k: [t.title for t in v['tasks']] for k, v in summary.items()})\n"
        "print(sorted({'crmtui.core.models', 'sqlalchemy.orm', 'sqlmodel'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    found, models = result.stdout.splitlines()
    assert found == str({"overdue": ["late"], "today": [], "upcoming": [], "undated": ["some day"]})
    assert models == "[]", result.stderr
