"""Every company by name, a page at a time as you scroll, or those a search finds."""

from functools import partial
from typing import Any

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from crmtui.tui.screens.paged_list import PagedList, WindowTable
from crmtui.tui.widgets.fitted_table import fitted_columns
from crmtui.tui.widgets.footer import KeysFooter

PAGE = 50  # as the contact list's: each row is a random read on a cold cache
COUNT_CAP = 100_000  # a search counts its matches this far, as the contact list's
COLUMNS = (
    ("Name", 0, 3), ("Industry", 0, 1), ("City", 0, 1), ("Country", 0, 1), ("People", 6, 0),
)  # fmt: skip


def row_cells(row: dict[str, Any]) -> dict[str, str]:
    return {
        "Name": row["name"], "Industry": row["industry"] or "", "City": row["city"] or "",
        "Country": row["country"] or "", "People": f"{row['contacts']:,}",
    }  # fmt: skip


def read_page(session, query: str, after, direction: str = "down") -> dict[str, Any]:
    """One page of companies (those the search finds, if any) by name after the keyset
    position `after` ("down"), the page before it ("up") or the last page ("end"), each row
    with its keyset position."""
    from crmtui.core.reads import company_page, company_rows

    backwards = direction in ("up", "end")
    companies = company_page(
        session, after=None if direction == "end" else after, descending=backwards, limit=PAGE,
        query=query or None,
    )  # fmt: skip
    if backwards:
        companies.reverse()
    return {
        "rows": [
            (c.id, row_cells(row), (c.name_key, c.id))
            for row, c in zip(company_rows(session, companies), companies, strict=True)
        ],
        "done": len(companies) < PAGE,
    }


def count_matches(session, query: str) -> tuple[int, bool]:
    """(how many companies the list holds, whether that stopped at COUNT_CAP)."""
    from crmtui.core.reads import count_companies
    from crmtui.core.search import match_count

    if not query:
        return count_companies(session), False
    found = match_count(session, "company", query, COUNT_CAP)
    return found, found == COUNT_CAP


class CompaniesScreen(PagedList, Screen):
    BINDINGS = [
        # priority, as on the contact list: the letters typed straight after go into the search
        Binding("slash", "search", "Search", key_display="/", id="search_companies", priority=True),
        Binding("enter", "to_list", show=False, priority=True),
        Binding(
            "escape",
            "clear_search",
            "Clear search",
            id="clear_company_search",
            show=False,
            priority=True,
        ),  # priority: done before the keys typed after it reach the search box
        Binding("D,delete", "delete", "Delete", id="delete_company"),
    ]

    pages_group = "companies"

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.start_paging()
        self.columns: list[str] = []
        self.laid_out_for = 0

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/  search company name", id="search")
        yield Static("", id="companies-status", classes="status")
        yield WindowTable(id="companies")
        yield KeysFooter()

    @property
    def table(self) -> DataTable:
        return self.query_one("#companies", DataTable)

    @property
    def width(self) -> int:
        return self.app.size.width - 2  # the table's, inside the screen's gutter

    def on_mount(self) -> None:
        self._fit_columns()
        self.follow_scrolling()
        self.set_focus(self.table)
        self.refresh_data()

    def on_resize(self, _event) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The columns laid out for the width, again when it changes; rows and cursor kept."""
        if self.width == self.laid_out_for:
            return
        self.laid_out_for = self.width
        table = self.table
        cursor = table.cursor_row
        table.clear(columns=True)
        layout = fitted_columns(COLUMNS, self.width)
        for label, width in layout:
            table.add_column(label, key=label, width=width)
        self.columns = [label for label, _width in layout]
        self._rebuild(cursor)

    def page_reader(self, mode: str, after):
        direction = {"reset": "down"}.get(mode, mode)
        return partial(read_page, query=self.query_text, after=after, direction=direction)

    def count_reader(self):
        return partial(count_matches, query=self.query_text)

    def show_status(self) -> None:
        shown = self.count_text("company", "companies")
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
        self.set_focus(self.table)

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
            company_id = int(row_key.value)
            ask_to_delete(
                self, "company", company_id, lambda: self.record_deleted("company", company_id)
            )

    def record_deleted(self, entity: str, record_id: int) -> None:
        if entity == "company":  # here or on its page: its row goes, the rest are kept
            self.forget_row(record_id)
