"""A list read a page at a time by keyset as the cursor moves: a window of rows over any length."""

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.widgets import DataTable, Input

from crmtui.tui.dbwork import run_db
from crmtui.tui.widgets.row_table import RowTable

MAX_ROWS = 400  # rows held in the table at once: a window over a list of any length
# rows left below the cursor when the next page is asked for: two screens, so a page is on its
# way long before a held-down key reaches the last row
PREFETCH = 80


class WindowTable(RowTable):
    """home and end go to the first and last row of the list, not of the rows loaded."""

    def action_scroll_top(self) -> None:
        self.screen.action_first()

    def action_scroll_bottom(self) -> None:
        self.screen.action_last()


class PagedList:
    """For a Screen whose WindowTable (`table`, its column keys in `columns`) lists rows read a
    page at a time: the rows held are `window`, each (id, cells by column key, keyset position).

    The screen says how to read a page (`page_reader`: a page is {"rows", "done"}, rows in list
    order, done when it reached the start or end of the list) and to count the list
    (`count_reader`: (count, capped)), and shows `count_text` in its status line (`show_status`).
    Modes: reset (the first page), down (the page after the window), up (the page before it),
    end (the last page) and whatever else the screen's reader knows, read afresh like reset.
    """

    table: DataTable
    columns: list[str]
    pages_group = "pages"

    def start_paging(self) -> None:
        """The state of an empty list, from the screen's __init__."""
        self.generation = 0
        self.window: list[tuple[int, dict[str, str], tuple[Any, int]]] = []
        self.at_start = True
        self.at_end = False
        self.loading = False
        self.requested_at = 0.0
        self.timings: list[tuple[str, float]] = []  # (mode, seconds), for benchmarks/bench_tui.py
        self.total: tuple[int, bool] | None = None  # (count, capped) of the whole list

    def page_reader(self, mode: str, after: tuple[Any, int] | None) -> Callable[[Any], dict]:
        raise NotImplementedError

    def count_reader(self) -> Callable[[Any], tuple[int, bool]]:
        raise NotImplementedError

    def show_status(self) -> None:
        raise NotImplementedError

    def page_arrived(self, mode: str, page: dict[str, Any]) -> None:
        """Before the page's rows go in: what else the screen takes from it."""

    def list_restarted(self) -> None:
        """After a fresh first page is in the table."""

    def refresh_data(self) -> None:
        """Start again from the first page."""
        self.fetch_page("reset")

    def fetch_page(self, mode: str) -> None:
        fresh = mode not in ("down", "up")
        if fresh:
            self.generation += 1  # pages asked for before this one no longer apply
        self.loading = True
        self.requested_at = time.perf_counter()
        after = None
        if mode == "down" and self.window:
            after = self.window[-1][2]
        elif mode == "up" and self.window:
            after = self.window[0][2]
        run_db(
            self,
            self.page_reader(mode, after),
            partial(self._apply_page, self.generation, mode),
            group=self.pages_group,
            exclusive=fresh,
            on_error=self._failed,
        )

    def _count(self, generation: int) -> None:
        def apply(total: tuple[int, bool]) -> None:
            if generation == self.generation:
                self.total = total
                self.show_status()

        run_db(
            self, self.count_reader(), apply,
            group=f"{self.pages_group}-count", exclusive=True, on_error=lambda _message: None,
        )  # fmt: skip

    def _failed(self, message: str) -> None:
        self.loading = False
        self.notify(message, severity="error", title="crm")

    def _apply_page(self, generation: int, mode: str, page: dict[str, Any]) -> None:
        if generation != self.generation:
            return  # an older search, sort or jump answered late
        rows = page["rows"]
        table = self.table
        cursor = table.cursor_row
        self.page_arrived(mode, page)
        if mode == "end":
            self.window, self.at_end, self.at_start = rows, True, page["done"]
            self._rebuild(len(rows) - 1)
        elif mode == "down":
            self.window = self.window + rows
            self.at_end = page["done"]
            # never the rows just above the cursor: those would only be read again
            drop = min(len(self.window) - MAX_ROWS, cursor - PREFETCH)
            for row_id, cells, _key in rows:
                table.add_row(*(cells[key] for key in self.columns), key=str(row_id))
            if drop > 0:  # keep memory flat: forget the rows far above
                self._forget_above(drop, cursor)
        elif mode == "up":
            self.window = rows + self.window
            self.at_start = page["done"]
            below = len(self.window) - (cursor + len(rows)) - 1
            cut = min(len(self.window) - MAX_ROWS, below - PREFETCH)
            if cut > 0:
                self.window = self.window[:-cut]
                self.at_end = False
            self._rebuild(cursor + len(rows))
        else:  # a first page
            self.window, self.at_end = rows, page["done"]
            self.at_start = page.get("at_start", True)
            self.total = (len(rows), False) if page["done"] and self.at_start else None
            if self.total is None:
                self._count(generation)
            self._rebuild(0)
            self.list_restarted()
        # request to rows in the table, for benchmarks/bench_tui.py
        self.timings.append((mode, time.perf_counter() - self.requested_at))
        del self.timings[:-1000]
        self.loading = False
        self.show_status()
        self.maybe_load_more()

    def _forget_above(self, drop: int, cursor: int) -> None:
        """Remove the first `drop` rows, keeping the cursor and the view on the same rows.

        Row by row rather than clear-and-refill: clearing a DataTable throws its render caches
        away as reference cycles (12,000 objects a page), and Python's full collections of them
        took 100-350 ms in the middle of keystrokes.
        """
        table = self.table
        scroll_y = table.scroll_y
        for row_id, _cells, _key in self.window[:drop]:
            table.remove_row(str(row_id))
        self.window = self.window[drop:]
        self.at_start = False
        table.move_cursor(row=max(0, cursor - drop), animate=False, scroll=False)
        table.scroll_to(y=max(0, scroll_y - drop), animate=False, immediate=True)

    def forget_row(self, row_id: int) -> None:
        """A row deleted: it goes and the cursor stays on the same line, now on the next row (or
        on its own row if another went); the rest of the window is still right, so not read again."""
        index = next((i for i, row in enumerate(self.window) if row[0] == row_id), None)
        if index is None:
            return
        table = self.table
        cursor = table.cursor_row - (index < table.cursor_row)
        del self.window[index]
        table.remove_row(str(row_id))
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1), animate=False)
        if self.total is not None:
            self.total = (self.total[0] - 1, self.total[1])
        if not self.window:
            self.refresh_data()  # the last row held: the rows beyond it, if any
            return
        self.show_status()
        self.maybe_load_more()

    def _rebuild(self, cursor: int) -> None:
        table = self.table
        table.clear()
        for row_id, cells, _key in self.window:
            table.add_row(*(cells[key] for key in self.columns), key=str(row_id))
        if table.row_count:
            table.move_cursor(row=max(0, min(cursor, table.row_count - 1)), animate=False)

    def count_text(self, one: str, many: str) -> str:
        """How many rows the list holds, as far as it is known: `1,234 contacts`, `50+ ...`."""
        count = len(self.window)
        if self.total is not None:
            noun = one if self.total == (1, False) else many
            return f"{self.total[0]:,}{'+' if self.total[1] else ''} {noun}"
        if self.at_start and self.at_end:
            return f"{count:,} {one if count == 1 else many}"
        if self.at_start:
            return f"{count:,}+ {many}"
        return f"{count:,} {many} loaded ({'to the end' if self.at_end else 'a window'})"

    def maybe_load_more(self) -> None:
        """Ask for the next (or previous) page when the cursor nears the edge of the rows held."""
        if self.loading or not self.window:
            return
        table = self.table
        cursor = table.cursor_row
        # while a search is typed, only what shows: pages read ahead would slow the next letter
        ahead = 0 if self.query_one("#search", Input).has_focus else PREFETCH
        near_bottom = cursor >= table.row_count - ahead
        if not near_bottom and len(self.window) < MAX_ROWS:  # the mouse wheel, until it is full
            near_bottom = int(table.scroll_y) + table.size.height >= table.row_count - ahead
        if near_bottom and not self.at_end:
            self.fetch_page("down")
        elif cursor < PREFETCH and not self.at_start:
            self.fetch_page("up")

    def action_first(self) -> None:
        if self.at_start:
            self.table.move_cursor(row=0, animate=False)
        else:
            self.refresh_data()

    def action_last(self) -> None:
        if self.at_end:
            self.table.move_cursor(row=self.table.row_count - 1, animate=False)
        else:
            self.fetch_page("end")

    def follow_scrolling(self) -> None:
        """Read on as the mouse wheel scrolls the table, not only as the cursor moves."""
        self.watch(self.table, "scroll_y", lambda _value: self.maybe_load_more(), init=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.maybe_load_more()

    def on_descendant_focus(self, event) -> None:
        if event.widget is self.table:  # back from the search box: read ahead again
            self.maybe_load_more()
