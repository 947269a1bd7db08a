"""Who changed a record, when, and what: the audit log of one contact or deal."""

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import local_time

HISTORY_LIMIT = 200


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,h", "dismiss", "Close", id="close_history")]

    def __init__(self, entity: str, entity_id: int, title: str) -> None:
        super().__init__()
        self.entity, self.entity_id, self.title_text = entity, entity_id, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="history"):
            yield Label(f"History of {self.title_text}", classes="form-title")
            yield DataTable(id="history", cursor_type="row")
            yield Static("", id="history-empty")

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for label, width in (("#", 6), ("When", 16), ("Who", 8), ("What", 8), ("Change", 60)):
            table.add_column(label, width=width)
        table.focus()
        entity, entity_id = self.entity, self.entity_id

        def read(session) -> list[dict[str, Any]]:
            from crmtui.core.history import change_rows, list_changes

            changes = list_changes(session, entity=entity, entity_id=entity_id, limit=HISTORY_LIMIT)
            return change_rows(session, changes)

        run_db(self, read, self._show)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            self.query_one("#history-empty", Static).update(
                "No recorded changes: demo data and bulk-built records carry none."
            )
        table = self.query_one("#history", DataTable)
        for row in rows:
            table.add_row(
                str(row["id"]), local_time(row["at"]), row["user"] or "", row["action"],
                row["summary"], key=str(row["id"]),
            )  # fmt: skip
