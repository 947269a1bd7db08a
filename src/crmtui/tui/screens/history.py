"""Who changed a record, when, and what: the audit log of one contact or deal, and undo."""

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import local_time
from crmtui.tui.widgets.row_table import PlainTable

HISTORY_LIMIT = 200
HISTORY_WIDTH = 104  # the dialog's width in app.tcss, less on a narrower terminal
FIXED_COLUMNS = 6 + 16 + 8 + 8  # #, When, Who, What


class HistoryScreen(ModalScreen[bool]):
    """Dismisses with whether a change was undone, so the screen underneath reads it again."""

    BINDINGS = [
        Binding("escape,h", "close", "Close", id="close_history"),
        Binding("u", "undo", "Undo the change", id="undo_change"),
    ]

    def __init__(self, entity: str, entity_id: int, title: str) -> None:
        super().__init__()
        self.entity, self.entity_id, self.title_text = entity, entity_id, title
        self.rows: dict[str, dict[str, Any]] = {}
        self.undone = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="history"):
            yield Label(f"History of {self.title_text}", classes="form-title")
            yield PlainTable(id="history", cursor_type="row")
            yield Static("", id="history-empty")
            yield Static("", id="history-error", classes="field-error")
            yield Static("", id="history-detail")
            yield Static("u undoes the change under the cursor · esc closes", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        # the change takes what the others leave: a summary names every field changed
        inner = min(HISTORY_WIDTH, self.app.size.width) - 2 * 3  # border and padding
        change_width = max(20, inner - FIXED_COLUMNS - 2 * 5 - 2)
        for label, width in (("#", 6), ("When", 16), ("Who", 8), ("What", 8)):
            table.add_column(label, width=width)
        table.add_column("Change", width=change_width)
        table.focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        entity, entity_id = self.entity, self.entity_id

        def read(session) -> list[dict[str, Any]]:
            from crmtui.core.history import change_rows, list_changes

            changes = list_changes(session, entity=entity, entity_id=entity_id, limit=HISTORY_LIMIT)
            return change_rows(session, changes)

        run_db(self, read, self._show, group="history", exclusive=True)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.query_one("#history-empty", Static).update(
            "" if rows else "No recorded changes: demo data and bulk-built records carry none."
        )
        table = self.query_one("#history", DataTable)
        table.clear()
        self.rows = {str(row["id"]): row for row in rows}
        for row in rows:
            table.add_row(
                str(row["id"]), local_time(row["at"]), row["user"] or "", row["action"],
                row["summary"], key=str(row["id"]),
            )  # fmt: skip
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.highlighted()
        self.query_one("#history-detail", Static).update(
            f"{row['action']} by {row['user'] or 'unknown'}: {row['summary']}" if row else ""
        )

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def highlighted(self) -> dict[str, Any] | None:
        table = self.query_one("#history", DataTable)
        if not table.row_count:
            return None
        return self.rows.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_undo(self) -> None:
        row = self.highlighted()
        error = self.query_one("#history-error", Static)
        if row is None:
            return
        if row["action"] == "create" and row["entity"] == self.entity:
            # undoing the creation deletes the record this history (and the screen under it) is of
            error.update(
                f"Undoing change {row['id']} deletes the {self.entity}: `crm undo {row['id']}` does"
            )
            return
        change_id = row["id"]

        def undo(session) -> dict[str, Any]:
            from crmtui.core.history import get_change
            from crmtui.core.undo import undo_change

            return undo_change(session, get_change(session, change_id))

        def undone(result: dict[str, Any]) -> None:
            self.undone = True
            if result["action"] == "unmerged":  # the duplicate is back: lists show it again
                self.app.record_events.append(("restored", "contact", result["restored"]))
            error.update("")
            self.notify(f"Undid change {change_id}", timeout=2)
            self.refresh_data()

        run_db(self, undo, undone, write=True, group="history-undo", on_error=error.update)

    def action_close(self) -> None:
        self.dismiss(self.undone)
