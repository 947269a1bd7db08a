"""Every company by name, or those a search finds; enter opens one with its people and deals,
D deletes one."""

from functools import partial
from typing import Any

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.widgets.fitted_table import FittedTable
from crmtui.tui.widgets.footer import KeysFooter

SHOWN = 200  # a search narrows a longer list; there is no paging through every company
COLUMNS = (
    ("Name", 0, 3), ("Industry", 0, 1), ("City", 0, 1), ("Country", 0, 1), ("People", 6, 0),
)  # fmt: skip


def read_companies(session, query: str) -> dict[str, Any]:
    """The first SHOWN companies by name, or the SHOWN best matches of `query` by name."""
    from crmtui.core.companies import list_companies
    from crmtui.core.reads import company_rows, records
    from crmtui.core.search import match_count, ranked_ids
    from crmtui.core.text import fold

    if query:
        found = records(session, "company", ranked_ids(session, "company", query, SHOWN))
        rows = sorted(company_rows(session, found), key=lambda row: (fold(row["name"]), row["id"]))
        return {"rows": rows, "more": match_count(session, "company", query, SHOWN + 1) > SHOWN}
    rows = company_rows(session, list_companies(session, limit=SHOWN + 1))
    return {"rows": rows[:SHOWN], "more": len(rows) > SHOWN}


class CompaniesScreen(Screen):
    BINDINGS = [
        # priority, as on the contact list: the letters typed straight after go into the search
        Binding("slash", "search", "Search", key_display="/", id="search_companies", priority=True),
        Binding("enter", "to_list", show=False, priority=True),
        Binding("escape", "clear_search", "Clear search", id="clear_company_search", show=False),
        Binding("D,delete", "delete", "Delete", id="delete_company"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/  search company name", id="search")
        yield Static("", id="companies-status", classes="status")
        yield FittedTable(COLUMNS, id="companies", zebra_stripes=True)
        yield KeysFooter()

    @property
    def table(self) -> FittedTable:
        return self.query_one("#companies", FittedTable)

    @property
    def width(self) -> int:
        return self.app.size.width - 2  # the table's, inside the screen's gutter

    def on_mount(self) -> None:
        self.table.fit(self.width)
        self.table.focus()
        self.refresh_data()

    def on_resize(self, _event) -> None:
        self.table.fit(self.width)

    def refresh_data(self) -> None:
        run_db(
            self, partial(read_companies, query=self.query_text), self._show,
            group="companies", exclusive=True,
        )  # fmt: skip

    def _show(self, found: dict[str, Any]) -> None:
        rows = found["rows"]
        self.table.fill([
            (c["id"], {
                "Name": c["name"], "Industry": c["industry"] or "", "City": c["city"] or "",
                "Country": c["country"] or "", "People": f"{c['contacts']:,}",
            })
            for c in rows
        ])  # fmt: skip
        if found["more"]:
            shown = f"the first {len(rows)} " + ("matches" if self.query_text else "by name")
            shown += ": type to narrow"
        else:
            shown = f"{len(rows):,} compan{'y' if len(rows) == 1 else 'ies'}"
        if self.query_text:
            shown += f"  ·  search: {self.query_text}"
        self.query_one("#companies-status", Static).update(shown)

    def on_input_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text != self.query_text:
            self.query_text = text
            self.refresh_data()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:
            raise SkipAction()
        self.set_focus(search)

    def action_to_list(self) -> None:
        if self.focused is not self.query_one("#search", Input):
            raise SkipAction()  # enter on the list opens the company
        self.set_focus(self.table)

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = self.table.get_row(event.row_key)[0]
        self.app.open_company(str(name))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":  # only with a company to delete
            return bool(self.table.row_count)
        return True

    def action_delete(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        table = self.table
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            ask_to_delete(self, "company", int(row_key.value), self.refresh_data)

    def record_deleted(self, entity: str, record_id: int) -> None:
        if entity == "company":  # on its page: the list read again, the cursor on the same line
            self.refresh_data()
