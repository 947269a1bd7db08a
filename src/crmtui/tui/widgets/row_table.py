"""DataTables whose cells show text as written."""

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable


def as_written(cell: Any) -> Any:
    return Text(cell) if isinstance(cell, str) else cell


class PlainTable(DataTable):
    """A DataTable reads a str cell as markup: a task "[draft] proposal" showed as " proposal".
    Here a str is shown as it is."""

    def add_row(self, *cells: Any, **kwargs: Any):
        return super().add_row(*map(as_written, cells), **kwargs)

    def update_cell(self, row_key, column_key, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, as_written(value), **kwargs)


class RowTable(PlainTable):
    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
