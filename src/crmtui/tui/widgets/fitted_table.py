"""A table of rows whose columns share the terminal's width: fixed ones, then shares of the rest."""

from typing import Any

from textual.binding import Binding

from crmtui.tui.widgets.row_table import PlainTable

# dropped first when the shared columns would get fewer cells than this in all
NARROW_DROPS = ("Outcome", "Status", "Phone")
MIN_SHARED = 30
CARD_WIDTH = 32  # #detail-fields in app.tcss


def fitted_columns(specs: tuple[tuple[str, int, int], ...], total: int) -> list[tuple[str, int]]:
    """(label, width) of the columns that fit `total` cells (2 of padding each, 2 of scrollbar).

    A spec is (label, width) for a fixed column, (label, 0, share) for one that takes a share
    of the room the fixed ones leave."""
    for dropping in (False, True):
        columns = [s for s in specs if not (dropping and s[0] in NARROW_DROPS)]
        room = total - 2 - 2 * len(columns) - sum(width for _label, width, _share in columns)
        if room >= MIN_SHARED or dropping:
            break
    shares = sum(share for _label, _width, share in columns)
    return [(label, width or max(6, room * share // shares)) for label, width, share in columns]


class FittedTable(PlainTable):
    """Columns laid out for the width, not the data (the same layout however soon the data
    arrives); rows given as cells by column label, a column left out for want of room left out."""

    def __init__(self, specs: tuple[tuple[str, int, int], ...], **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)
        self.specs = specs
        self.laid_out_for = 0
        self.shown: list[tuple[int, dict[str, str]]] = []  # the rows, every column's cell

    def fit(self, total: int) -> None:
        """Lay the columns out for `total` cells, the rows and the cursor kept."""
        if total == self.laid_out_for:
            return
        self.laid_out_for = total
        cursor = self.cursor_row
        self.clear(columns=True)
        for label, width in fitted_columns(self.specs, total):
            self.add_column(label, key=label, width=width)
        self.fill(self.shown, cursor)

    def fill(self, rows: list[tuple[int, dict[str, str]]], cursor: int | None = None) -> None:
        """The rows, keyed by id, the cursor kept on the same line."""
        cursor = self.cursor_row if cursor is None else cursor
        self.clear()
        self.shown = []
        self.append(rows)
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)

    def append(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        labels = [str(column.label) for column in self.columns.values()]
        for row_id, cells in rows:
            self.add_row(*(cells[label] for label in labels), key=str(row_id))
        self.shown += rows


class DealTable(FittedTable):
    """A record page's deals; while it has the focus D deletes the one under the cursor."""

    BINDINGS = [Binding("D,delete", "screen.delete_deal", "Delete deal", id="delete_deal")]

    def selected_deal(self) -> int | None:
        if not self.row_count:
            return None
        return int(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)


class BesideCard:
    """A record's page: a card of CARD_WIDTH on the left, FittedTables refitted beside it as the
    terminal is resized."""

    def on_resize(self, _event) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        for table in self.query(FittedTable):
            table.fit(self.app.size.width - CARD_WIDTH)

    def action_delete_deal(self) -> None:
        """D on the deals: the deal under the cursor, the page read again once it is gone."""
        from crmtui.tui.screens.delete import ask_to_delete

        if (deal_id := self.query_one(DealTable).selected_deal()) is not None:
            ask_to_delete(self, "deal", deal_id, self.deal_deleted)

    def deal_deleted(self) -> None:
        self.refresh_data()
