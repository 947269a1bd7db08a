"""What people type shows as typed in the app's tables, brackets and colons included."""

from textual.widgets import DataTable

from crmtui.core.schemas import TaskInput
from crmtui.core.tasks import add_task

from .conftest import NOW

SIZE = (120, 40)


async def test_a_title_that_looks_like_markup_shows_as_written(db, data, make_app, settle):
    titles = ["[draft] proposal", "[/] or [bold]not bold[/bold]", "Call :warning: back"]
    with db.transaction(username="sam") as session:
        for title in titles:
            add_task(session, TaskInput(title=title, due_at=NOW, contact=str(data["zora"])))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        shown = {table.get_row_at(i)[2].plain for i in range(table.row_count)}
    assert set(titles) <= shown
