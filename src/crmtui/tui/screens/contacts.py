"""The start screen: every contact in a table paged by keyset as you scroll, searchable as you type."""

from functools import partial
from typing import Any

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import joined, local_date
from crmtui.tui.screens.paged_list import PagedList, WindowTable
from crmtui.tui.widgets.footer import KeysFooter

# a page is 50 rows: on a cold cache each row is a disk read (100 rows took up to 220 ms)
PAGE = 50
BROAD_SEARCH = 2000
COUNT_CAP = 100_000  # a search counts its matches this far (a first letter matches most people)
# (key, label, first direction): each has an index keyset pages walk; updated_at and company
# have none (sorting a million rows by updated_at takes two seconds), so they are not offered
SORTS = (
    ("name", "name", ""),
    ("last_contacted", "last contacted", "-"),
    ("created", "created", "-"),
)
HEADER_SORTS = {"name": "name", "last": "last_contacted"}
# (key, label, share of the width left after the fixed columns); last contacted and deals fixed
COLUMNS = (
    ("name", "Name", 24),
    ("company", "Company", 20),
    ("email", "Email", 28),
    ("phone", "Phone", 16),
    ("last", "Contacted", 0),
    ("deals", "Deals", 0),
    ("tags", "Tags", 12),
)
FIXED = {"last": 12, "deals": 5}


NARROW_HIDES = ("phone", "tags")  # under 100 cells wide the rest need the room


def visible_columns(total: int) -> list[tuple[str, str, int]]:
    """(key, label, width) of the columns that fit `total` cells (2 cells of padding each)."""
    columns = [c for c in COLUMNS if total >= 100 or c[0] not in NARROW_HIDES]
    fixed = sum(FIXED.get(key, 0) for key, _label, _share in columns)
    free = max(40, total - 2 * len(columns) - fixed - 2)
    shares = sum(share for _key, _label, share in columns)
    return [
        (key, label, FIXED.get(key) or max(6, free * share // shares))
        for key, label, share in columns
    ]


def row_cells(row: dict[str, Any], open_deals: int | None) -> dict[str, str]:
    return {
        "name": row["name"],
        "company": row["company"] or "",
        "email": row["email"] or "",
        "phone": row["phone"] or "",
        "last": local_date(row["last_contacted_at"]),
        "deals": str(open_deals or ""),
        "tags": joined(row["tags"]),
    }


def flipped(sort: str) -> str:
    return sort[1:] if sort.startswith("-") else f"-{sort}"


def sort_label(sort: str) -> str:
    """`-last_contacted` as `last contacted ▼`."""
    label = next(label for key, label, _first in SORTS if key == sort.lstrip("-"))
    return f"{label} {'▼' if sort.startswith('-') else '▲'}"


def read_page(
    session, filters: dict[str, Any], sort: str, after, direction: str = "down"
) -> dict[str, Any]:
    """One page of rows after the keyset position `after` ("down"), the page before it ("up"),
    or the last page of the list ("end"), each row with its keyset position.

    A search matching more than BROAD_SEARCH contacts is listed in id order (the index's own
    order) rather than by name: sorting 300,000 matches of `ma` by name costs 300 ms, reading the
    first hundred in id order off the search index 5 ms. The order chosen on the first page is
    kept for the next ones.
    """
    # core.reads, not the services: the first screen then never builds the ORM models
    from crmtui.core.reads import (
        contact_list_rows,
        contact_page,
        open_deal_counts,
        search_page_by_id,
        sort_value,
    )
    from crmtui.core.schemas import ContactFilter
    from crmtui.core.search import match_count

    query = filters.get("query")
    if (
        direction == "down"
        and after is None
        and query
        and match_count(session, "contact", query, BROAD_SEARCH) == BROAD_SEARCH
    ):
        sort = "id"
    backwards = direction in ("up", "end")
    if direction == "end":
        after = None
    if sort == "id" and query and not any(v for k, v in filters.items() if k != "query"):
        contacts = search_page_by_id(
            session, query, after_id=after and after[1], descending=backwards, limit=PAGE
        )
    else:
        contacts = contact_page(
            session,
            ContactFilter(**filters),
            sort=flipped(sort) if backwards else sort,
            limit=PAGE,
            after=after,
        )
    if backwards:
        contacts.reverse()
    rows = contact_list_rows(session, contacts)
    deals = open_deal_counts(session, [c.id for c in contacts])
    return {
        "rows": [
            (row["id"], row_cells(row, deals.get(row["id"])), (sort_value(c, sort), c.id))
            for row, c in zip(rows, contacts, strict=True)
        ],
        "done": len(contacts) < PAGE,
        "sort": sort,
    }


def read_page_at(session, filters: dict[str, Any], sort: str, contact_id: int) -> dict[str, Any]:
    """The page that starts at one contact (a new one): the list as if scrolled down to it,
    with its name. A contact with no value to sort by (never contacted) sorts last: the first
    page then, and no name."""
    from crmtui.core.reads import find_contact, sort_value

    contact = find_contact(session, contact_id)
    value = sort_value(contact, sort)
    if value is None:
        return {**read_page(session, filters, sort, None), "name": None}
    # the position just before it, whichever way the list runs
    after = (value, contact_id + (1 if sort.startswith("-") else -1))
    page = read_page(session, filters, sort, after)
    return {**page, "at_start": False, "name": contact.display_name}


def count_matches(session, filters: dict[str, Any]) -> tuple[int, bool]:
    """(how many contacts the list holds, whether that stopped at COUNT_CAP)."""
    from crmtui.core.reads import count_contacts
    from crmtui.core.schemas import ContactFilter
    from crmtui.core.search import match_count

    query = filters.get("query")
    if query and not any(v for k, v in filters.items() if k != "query"):
        found = match_count(session, "contact", query, COUNT_CAP)
        return found, found == COUNT_CAP
    return count_contacts(session, ContactFilter(**filters)), False


def warm_search(session) -> None:
    """Read a search once in the background: the first keystroke then finds the search index's
    pages in memory and its statements compiled (a cold first letter took 100 ms, the next 20)."""
    read_page(session, {"query": "a"}, "name", None)


class ContactsScreen(PagedList, Screen):
    BINDINGS = [
        # priority: the box takes focus as "/" arrives, so the letters typed straight after it go
        # into the search rather than to the list's own keys (s sorts, l logs)
        Binding("slash", "search", "Search", key_display="/", id="search", priority=True),
        # likewise enter from the search box to the list: a second enter typed at once opens
        Binding("enter", "to_list", show=False, priority=True),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding(
            "S", "reverse_sort", "Reverse sort", key_display="S", id="reverse_sort", show=False
        ),
        Binding("f", "filter", "Filter", id="filter"),
        Binding("n", "new_contact", "New", id="new_contact"),
        Binding("l", "log", "Log", id="log"),
        Binding("e", "edit", "Edit", id="edit", show=False),
        Binding("d", "new_deal", "Deal", id="new_deal", show=False),
        Binding("D,delete", "delete", "Delete", id="delete_contact", show=False),
        Binding("m", "merge", "Merge a duplicate in", id="merge_into_listed", show=False),
        Binding(
            "escape", "clear_search", "Clear search", id="clear_search", show=False, priority=True
        ),  # priority: done before the keys typed after it reach the search box
    ]

    def __init__(self) -> None:
        super().__init__()
        self.search_text = ""
        self.filters: dict[str, Any] = {}
        self.sort = SORTS[0][0]
        self.start_paging()
        self.page_sort = self.sort
        self.columns: list[str] = []
        self.column_layout: list[
            tuple[str, str, int]
        ] = []  # (key, label, width) of the columns shown
        self.search_warmed = False
        self.saved_contact: int | None = None  # a new contact the list is read again at
        self.events_seen = 0  # of app.record_events: deletes and undos the list has taken in

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/  search name, email, company, phone", id="search")
        yield Static("", id="contacts-status", classes="status")
        yield WindowTable(id="contacts")
        yield KeysFooter()

    @property
    def table(self) -> DataTable:
        return self.query_one("#contacts", DataTable)

    def on_mount(self) -> None:
        self._fit_columns()
        self.follow_scrolling()
        self.set_focus(self.table)
        self.refresh_data()

    def on_resize(self, _event) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The columns that fit the terminal's width, laid out again when it changes."""
        layout = visible_columns(self.app.size.width)
        if layout == self.column_layout:
            return
        self.column_layout = layout
        table = self.table
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, label, width in layout:
            table.add_column(label, key=key, width=width)
        self.columns = [key for key, _label, _width in layout]
        self._mark_sorted_column()
        self._rebuild(cursor)

    def page_reader(self, mode: str, after: tuple[Any, int] | None):
        """Modes as PagedList's, and at: the page starting at `saved_contact`."""
        filters = dict(self.filters, query=self.search_text or None)
        sort = self.sort if mode in ("reset", "at") else self.page_sort
        if mode == "at":
            return partial(read_page_at, filters=filters, sort=sort, contact_id=self.saved_contact)
        direction = {"reset": "down"}.get(mode, mode)
        return partial(read_page, filters=filters, sort=sort, after=after, direction=direction)

    def count_reader(self):
        return partial(count_matches, filters=dict(self.filters, query=self.search_text or None))

    def page_arrived(self, mode: str, page: dict[str, Any]) -> None:
        self.page_sort = page["sort"]
        rows = page["rows"]
        placed = mode == "at" and page["name"]  # None: listed from the top, not at it
        if placed and (not rows or rows[0][0] != self.saved_contact):
            self.notify(f"{page['name']} is saved; the filter leaves it out of the list")

    def list_restarted(self) -> None:
        self._mark_sorted_column()  # none while a broad search is in id order
        if not self.search_warmed:
            self.search_warmed = True
            run_db(self, warm_search, group="warm-search", on_error=lambda _message: None)

    def show_status(self) -> None:
        order = sort_label(self.sort) if self.page_sort == self.sort else "id (broad search)"
        shown = self.count_text("contact", "contacts")
        if not self.window and not self.search_text and not any(self.filters.values()):
            shown = "No contacts yet: n adds one, `crm import contacts FILE` imports a CSV"
            self.query_one("#contacts-status", Static).update(shown)
            return
        parts = [shown, f"sort: {order}"]
        if self.search_text:
            parts.append(f"search: {self.search_text}")
        parts += [
            key.replace("_", " ") if value is True else f"{key.replace('_', ' ')}: {value}"
            for key, value in self.filters.items()
            if value
        ]
        self.query_one("#contacts-status", Static).update("  ·  ".join(parts))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_contact(int(event.row_key.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        from crmtui.core.text import search_tokens

        text = event.value.strip()
        tokens = search_tokens(text)
        if tokens == search_tokens(self.search_text):
            self.search_text = text  # a space or a dash: the same words, the same results
            self.show_status()
            return
        self.search_text = text
        self.refresh_data()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:
            raise SkipAction()  # a "/" typed in the search box is part of the search
        self.set_focus(search)  # at once: `focus()` waits its turn behind the keys typed next

    def action_to_list(self) -> None:
        if self.focused is not self.query_one("#search", Input):  # (has_focus lags a key)
            raise SkipAction()  # enter on the list: the row's own, it opens the contact
        self.set_focus(self.table)

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.set_focus(self.table)

    def action_cycle_sort(self) -> None:
        """The next sort key, in the direction people usually want it first."""
        keys = [key for key, _label, _first in SORTS]
        key, _label, first = SORTS[(keys.index(self.sort.lstrip("-")) + 1) % len(SORTS)]
        self.sort_by(first + key)

    def action_reverse_sort(self) -> None:
        self.sort_by(flipped(self.sort))

    def sort_by(self, sort: str) -> None:
        self.sort = sort
        self._mark_sorted_column()
        self.refresh_data()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a sortable header sorts by it; a second click reverses."""
        key = HEADER_SORTS.get(event.column_key.value)
        if key is None:
            self.notify("Sort by name, last contacted or created (s; S reverses)", timeout=3)
        elif self.sort.lstrip("-") == key:
            self.action_reverse_sort()
        else:
            self.sort_by(next(first for k, _l, first in SORTS if k == key) + key)

    def _mark_sorted_column(self) -> None:
        """▲ or ▼ on the header of the column the list is sorted by."""
        table = self.table
        sort = "" if self.page_sort == "id" else self.sort
        for key, label, _width in self.column_layout:
            arrow = ""
            if HEADER_SORTS.get(key) == sort.lstrip("-"):
                arrow = " ▼" if self.sort.startswith("-") else " ▲"
            table.columns[key].label = Text(label + arrow)
        table.refresh()

    def action_filter(self) -> None:
        from crmtui.tui.screens.forms import FilterScreen

        def chosen(filters: dict[str, Any] | None) -> None:
            if filters is not None:
                self.apply_filters(filters)

        self.app.push_screen(FilterScreen(self.filters), chosen)

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """Narrow the list to these ContactFilter fields (a saved segment's, or the form's)."""
        self.filters = filters
        self.refresh_data()

    def selected_contact(self) -> int | None:
        table = self.table
        if table.row_count == 0:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def contact_to_act_on(self) -> int | None:
        """The selected contact, or None and a word why nothing opens."""
        contact_id = self.selected_contact()
        if contact_id is None:
            self.notify("No contact to act on: n adds one", timeout=3)
        return contact_id

    def action_new_contact(self) -> None:
        from crmtui.tui.screens.forms import ContactFormScreen

        self.app.push_screen(ContactFormScreen(), self._saved)

    def action_edit(self) -> None:
        from crmtui.tui.screens.forms import ContactFormScreen

        if (contact_id := self.contact_to_act_on()) is not None:
            self.app.push_screen(ContactFormScreen(contact_id), self._saved_row)

    def action_log(self) -> None:
        from crmtui.tui.screens.forms import LogInteractionScreen

        if (contact_id := self.contact_to_act_on()) is not None:
            name = next((cells["name"] for i, cells, _key in self.window if i == contact_id), "")
            self.app.push_screen(LogInteractionScreen(contact_id, str(name)), self._saved_row)

    def action_new_deal(self) -> None:
        from crmtui.tui.screens.forms import DealFormScreen

        if (contact_id := self.contact_to_act_on()) is not None:
            self.app.push_screen(DealFormScreen(contact_id), self._saved_row)

    def action_delete(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        if (contact_id := self.contact_to_act_on()) is not None:
            ask_to_delete(
                self, "contact", contact_id, lambda: self.record_deleted("contact", contact_id)
            )

    def action_merge(self) -> None:
        from crmtui.tui.screens.merge import ask_to_merge

        if (contact_id := self.contact_to_act_on()) is not None:
            name = next((cells["name"] for i, cells, _key in self.window if i == contact_id), "")

            def merged(report: dict[str, Any]) -> None:
                self.forget_row(report["other_id"])
                self.refresh_contact(contact_id)

            ask_to_merge(self, contact_id, str(name), merged)

    def record_deleted(self, entity: str, record_id: int) -> None:
        """A contact deleted here or on its page: its row goes (see PagedList.forget_row)."""
        if entity == "contact":
            self.forget_row(record_id)

    def on_screen_resume(self) -> None:
        """Contacts deleted or brought back in another view (on a page opened from the board or
        the Tasks view) leave the list or come back to it."""
        for event, entity, record_id in self.app.record_events[self.events_seen :]:
            if entity != "contact":
                continue
            if event == "deleted":
                self.forget_row(record_id)
            elif all(row[0] != record_id for row in self.window):
                self.record_restored(entity, record_id)
        self.events_seen = len(self.app.record_events)

    def record_restored(self, entity: str, record_id: int) -> None:
        """A deleted contact back (its history's undo): the list read again at it."""
        if entity == "contact":
            self._saved(record_id)
        else:
            self.refresh_data()

    def _saved(self, contact_id: int | None) -> None:
        """A new contact: the list read again at it, the cursor on it (not back at the top)."""
        if contact_id is None:
            return
        if self.search_text:  # a search lists its matches its own way: from the top
            self.refresh_data()
        else:
            self.saved_contact = contact_id
            self.fetch_page("at")

    def _saved_row(self, result: Any) -> None:
        if result is not None and (contact_id := self.selected_contact()) is not None:
            self.refresh_contact(contact_id)

    def refresh_contact(self, contact_id: int) -> None:
        """Re-read one contact's row in place, keeping the cursor where it is."""

        def read(session) -> dict[str, Any]:
            from crmtui.core.contacts import contact_rows, get_contact
            from crmtui.core.deals import open_deal_counts

            row = contact_rows(session, [get_contact(session, contact_id)])[0]
            return {"row": row, "deals": open_deal_counts(session, [contact_id])}

        run_db(self, read, self._apply_row, group="contact-row")

    def _apply_row(self, data: dict[str, Any]) -> None:
        row = data["row"]
        key = str(row["id"])
        cells = row_cells(row, data["deals"].get(row["id"]))
        self.window = [
            (contact_id, cells if contact_id == row["id"] else old, position)
            for contact_id, old, position in self.window
        ]
        table = self.table
        if key not in table.rows:
            return
        for column in self.columns:
            table.update_cell(key, column, cells[column])
