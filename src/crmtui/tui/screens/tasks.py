"""What is due: overdue, today, this week and with no date."""

from datetime import timedelta
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import local_time
from crmtui.tui.screens.task_keys import TaskKeys
from crmtui.tui.widgets.footer import KeysFooter
from crmtui.tui.widgets.row_table import RowTable

PER_GROUP = 200
CONTACT_WIDTH = 20
GROUPS = (
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("upcoming", "This week"),
    ("undated", "No date"),
)


class TasksScreen(TaskKeys, Screen):
    BINDINGS = [
        Binding("x,space", "task_done", "Done", key_display="x", id="done"),
        Binding("enter", "open_contact", "Contact", id="open_contact", show=False),
        Binding("e", "edit_task", "Reschedule", id="edit_task"),
        Binding("n", "new_task", "New task", id="new_task"),
        Binding("D,delete", "delete_task", "Delete", id="delete_task"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.contacts: dict[str, int | None] = {}
        self.read_after_writes = -1  # app.writes_saved when last read; -1: never read
        self.task_width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="tasks-status", classes="status")
        yield RowTable(id="tasks")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit_columns()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Read on first showing, and again if the app saved anything since (a task done or
        added on a contact's page); not on closing help, which would only redraw 800 rows."""
        if self.read_after_writes != self.app.writes_saved:
            self.refresh_data()

    def on_resize(self, _event) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the width the fixed columns leave, the title first; rows and cursor kept."""
        room = max(30, self.app.size.width - 9 - 16 - 8 - 2 * 5 - 2)
        # a narrow terminal cuts the contact's name rather than the task
        contact_width = min(CONTACT_WIDTH, room // 3)
        task_width = room - contact_width
        if task_width == self.task_width:
            return
        self.task_width = task_width
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        rows = [(key, table.get_row(key)) for key in table.rows]
        table.clear(columns=True)
        for label, width in (
            ("", 9),
            ("Due", 16),
            ("Task", task_width),
            ("Contact", contact_width),
            ("Priority", 8),
        ):
            table.add_column(label, width=width)
        for key, cells in rows:
            table.add_row(*cells, key=key.value)
        if rows:
            table.move_cursor(row=cursor, animate=False)

    def refresh_data(self) -> None:
        self.read_after_writes = self.app.writes_saved
        now = self.app.now()

        def read(session) -> dict[str, dict[str, Any]]:
            from crmtui.core.reads import due_summary, task_rows

            groups = due_summary(session, within=timedelta(days=6), now=now, limit=PER_GROUP)
            return {
                name: {"count": group["count"], "rows": task_rows(session, group["tasks"])}
                for name, group in groups.items()
            }

        run_db(self, read, self._show, group="tasks", exclusive=True)

    def _show(self, groups: dict[str, dict[str, Any]]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.contacts = {}
        for name, label in GROUPS:
            for task in groups[name]["rows"]:
                key = str(task["id"])
                self.contacts[key] = task["contact_id"]
                table.add_row(
                    label, local_time(task["due_at"]), task["title"], task["contact"] or "",
                    task["priority"], key=key,
                )  # fmt: skip
        counts = " · ".join(f"{label}: {groups[name]['count']:,}" for name, label in GROUPS)
        if any(groups[name]["count"] > PER_GROUP for name, _label in GROUPS):
            counts += f"  ({PER_GROUP} a group)"
        self.query_one("#tasks-status", Static).update(counts)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.refresh_bindings()  # done and reschedule come and go with the tasks

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("task_done", "edit_task", "open_contact", "delete_task"):  # with a task
            return bool(self.query_one(DataTable).row_count)
        return True

    def selected_task(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_new_task(self) -> None:
        from crmtui.tui.screens.forms import TaskFormScreen

        self.app.push_screen(TaskFormScreen(), self._saved)

    def _saved(self, task_id: int | None) -> None:
        if task_id is not None:
            self.refresh_data()

    def action_open_contact(self) -> None:
        task_id = self.selected_task()
        contact_id = self.contacts.get(task_id) if task_id else None
        if contact_id:
            self.app.open_contact(contact_id)
        elif task_id:
            self.notify("This task has no contact", timeout=2)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_contact()
