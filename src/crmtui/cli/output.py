"""Rendering plain rows for people (tables) and for scripts (json, ndjson, csv)."""

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import chain, islice
from typing import Annotated, Any

import typer

from crmtui.cli import context
from crmtui.io.formulas import escape_cells


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    ndjson = "ndjson"


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default on a terminal), json, csv (default when piped) or ndjson.",
    ),
]
# A table past this many rows is sized from its first rows and streamed: rich measures every cell
# before it draws a line, and draws a row in about half a millisecond (75,000 tasks: a minute).
MEASURED_ROWS = 1000
STREAMED_LINES = 1000  # written at once
_GAP = "  "  # between two cells: rich's padding of one space each side, none at the edges


def _limit_in_range(limit: int) -> int:
    # Long lists are read a page at a time, so no query sees the limit to refuse it itself.
    if limit >= 2**63:
        from crmtui.core.errors import Invalid

        raise Invalid("number out of range")
    return limit


LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", "-n", min=0, callback=_limit_in_range, help="At most this many rows (0: all)."
    ),
]


def chosen_format(fmt: Format | None) -> Format:
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.csv


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def text_value(value: Any) -> str:
    """A cell for people: local times, lists joined, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(text_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={text_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(csv_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_cells(values: Iterable[Any]) -> list[str]:
    """A CSV row, safe to open in a spreadsheet unless --no-escape-formulas said otherwise."""
    cells = [csv_value(value) for value in values]
    return escape_cells(cells) if context.state.escape_formulas else cells


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(json_value(data), ensure_ascii=False, indent=2) + "\n")


def print_json_groups(items: Iterable[tuple[str, dict[str, Any]]], groups: Sequence[str]) -> None:
    """`print_json` of {group: [rows]} (every group, empty or not) from (group, row) pairs that
    come group after group, written as they come."""
    sys.stdout.write("{")
    items = iter(items)
    pending = next(items, None)
    for number, group in enumerate(groups):
        sys.stdout.write(("\n" if number == 0 else ",\n") + f"  {json.dumps(group)}: [")
        empty = True
        while pending is not None and pending[0] == group:
            text = json.dumps(json_value(pending[1]), ensure_ascii=False, indent=2)
            sys.stdout.write(("\n    " if empty else ",\n    ") + text.replace("\n", "\n    "))
            empty = False
            pending = next(items, None)
        sys.stdout.write("]" if empty else "\n  ]")
    sys.stdout.write("\n}\n")


def render_rows(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format | None,
    *,
    title: str | None = None,
) -> None:
    """Lists: every key in json/ndjson, the chosen columns in table and csv.

    Nothing is written before the first row is read: a generator checks its filters then, and a
    bad one must leave only its one-line error, not a `[` or a header."""
    fmt = chosen_format(fmt)
    rows = iter(rows)
    first = next(rows, None)
    rows = iter(()) if first is None else chain([first], rows)
    if fmt is Format.json:
        empty = True
        sys.stdout.write("[")
        for row in rows:
            sys.stdout.write(
                ("\n" if empty else ",\n") + json.dumps(json_value(row), ensure_ascii=False)
            )
            empty = False
        sys.stdout.write("]\n" if empty else "\n]\n")
    elif fmt is Format.ndjson:
        for row in rows:
            sys.stdout.write(json.dumps(json_value(row), ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(csv_cells(row.get(column) for column in columns))
    else:
        cells = ([text_value(row.get(column)) for column in columns] for row in rows)
        if print_table(cells, columns, title) == 0:
            message("no rows")


def _table(
    columns: Sequence[str],
    title: str | None = None,
    widths: Sequence[int] | None = None,
    *,
    header: bool = True,
):
    from rich.table import Table

    table = Table(title=title, header_style="bold", box=None, pad_edge=False, show_header=header)
    for number, column in enumerate(columns):
        width = widths[number] if widths else None
        table.add_column(column.replace("_", " "), overflow="fold", width=width)
    return table


def print_table(rows: Iterable[list[str]], columns: Sequence[str], title: str | None) -> int:
    """Rows of cells as a table for people; returns how many rows it printed.

    A cell is text, never rich markup: a task called `[/]` or `:warning:` reads as it is. Past
    MEASURED_ROWS rows, the columns are sized from the first ones and the rows streamed.
    """
    from rich.text import Text

    out = console()
    table = _table(columns, title)
    rows = iter(rows)
    first = list(islice(rows, MEASURED_ROWS))
    for cells in first:
        table.add_row(*map(Text, cells))
    following = next(rows, None)
    if following is None:
        out.print(table)
        return len(first)
    # the widths rich would draw the first rows with, padding left out (private: rich has no
    # public way to ask; tests/cli/test_tables.py notices a change)
    widths = [
        width - table._get_padding_width(number)
        for number, width in enumerate(table._calculate_column_widths(out, out.options))
    ]
    out.print(_table(columns, title, widths))
    return _stream_rows(out, chain(first, [following], rows), columns, widths)


def _stream_rows(out, rows: Iterable[list[str]], columns: Sequence[str], widths: list[int]) -> int:
    """Rows under a header printed with these widths, as the lines rich would draw: a row of
    printable cells written straight out, each wrapped in its column as rich wraps it; a row
    with tabs or line breaks through rich itself."""
    from rich.cells import cell_len
    from rich.text import Text

    count, lines = 0, []

    def flush() -> None:
        sys.stdout.write("".join(line + "\n" for line in lines))
        lines.clear()

    for cells in rows:
        count += 1
        if not all(map(str.isprintable, cells)):  # tabs, line breaks: as rich lays them out
            flush()
            table = _table(columns, widths=widths, header=False)
            table.add_row(*map(Text, cells))
            out.print(table)
            continue
        lengths = [len(cell) if cell.isascii() else cell_len(cell) for cell in cells]
        wrapped = [
            [cell + " " * (width - length)] if length <= width else _wrapped(cell, width)
            for cell, length, width in zip(cells, lengths, widths, strict=True)
        ]
        for number in range(max(map(len, wrapped))):
            lines.append(_GAP.join([
                parts[number] if number < len(parts) else " " * width
                for parts, width in zip(wrapped, widths, strict=True)
            ]))  # fmt: skip
        if len(lines) >= STREAMED_LINES:
            flush()
    flush()
    return count


def _wrapped(cell: str, width: int) -> list[str]:
    """A printable cell in lines of `width` cells, as rich wraps it in a column that folds: its
    Text.wrap without the Text objects, which took a third of a big table's time."""
    from rich._wrap import divide_line
    from rich.cells import cell_len, set_cell_size

    offsets = [0, *divide_line(cell, width, fold=True), len(cell)]
    lines = []
    for start, end in zip(offsets, offsets[1:], strict=False):
        line = cell[start:end]
        if len(line) > width:  # the spaces a line ends with, as far as they go past the width
            line = line[: len(line) - min(len(line) - len(line.rstrip()), len(line) - width)]
        length = cell_len(line)
        lines.append(
            set_cell_size(line, width) if length > width else line + " " * (width - length)
        )
    return lines


def render_record(
    record: dict[str, Any], fmt: Format | None, *, sections: dict[str, Any] | None = None
) -> None:
    """One record: key/value lines in a table, an object in json, a one-row csv (its sections
    as JSON text cells)."""
    fmt = chosen_format(fmt)
    full = {**record, **(sections or {})}
    if fmt in (Format.json, Format.ndjson):
        if fmt is Format.json:
            print_json(full)
        else:
            sys.stdout.write(json.dumps(json_value(full), ensure_ascii=False) + "\n")
        return
    if fmt is Format.csv:
        # a section (rows of their own) goes into one cell as JSON text: the row keeps it all
        row = {**record, **{name: json.dumps(json_value(rows), ensure_ascii=False)
                            for name, rows in (sections or {}).items()}}  # fmt: skip
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(row.keys())
        writer.writerow(csv_cells(row.values()))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in record.items():
        if value not in (None, "", [], {}):
            table.add_row(key.replace("_", " "), Text(text_value(value)))
    console().print(table)
    for name, rows in (sections or {}).items():
        if rows:
            console().print(f"\n[bold]{name.replace('_', ' ')}[/bold]")
            columns = section_columns(name, rows)
            section = _table(columns)
            for row in rows:
                section.add_row(*(Text(text_value(row.get(column))) for column in columns))
            console().print(section)


# What the table of a record's section shows: the rows' own facts; the record they belong to
# (each interaction's contact on a contact's page) and the ids of links are in the json.
SECTION_COLUMNS = {
    "interactions": ("id", "occurred_at", "kind", "subject", "outcome", "user"),
    "deals": ("id", "title", "stage", "status", "amount", "currency"),
    "tasks": ("id", "due_at", "title", "priority", "assignee"),
}


def section_columns(name: str, rows: list[dict[str, Any]]) -> list[str]:
    """The columns of a section's table: those SECTION_COLUMNS names, else every key but links'
    ids, and only those with a value in some row."""
    keys = SECTION_COLUMNS.get(name) or [k for k in rows[0] if not k.endswith("_id")]
    return [k for k in keys if any(row.get(k) not in (None, "", [], {}) for row in rows)]


def console():
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit 1 on its own; the app ends a closed pipe like any other output
            raise BrokenPipeError

    return _Console(soft_wrap=False)


def message(text: str) -> None:
    """A note for the person at the terminal: stderr, so stdout stays data."""
    typer.echo(text, err=True)


def report_added(kind: str, row: dict[str, Any], fmt: Format | None) -> None:
    """After an add: the record in the format asked for, else its id on stdout for scripts."""
    if fmt is not None:
        render_record(row, fmt)
        return
    label = row.get("name") or row.get("title") or ""
    message(f"added {kind} {row['id']}: {label}".rstrip(": "))
    if not sys.stdout.isatty():
        sys.stdout.write(f"{row['id']}\n")


# Stored columns by the name the record shows them under (`crm ... show`, --format json).
SHOWN_AS = {"amount_units": "amount", "display_name": "name", "birthday_day": "birthday",
            "birthday_month": "birthday", "birthday_year": "birthday"}  # fmt: skip


def shown_fields(columns: Iterable[str]) -> list[str]:
    """Changed columns as a person reads the record: `amount`, not `amount_units`; `company`,
    not `company_id`; nothing for the keys kept only for searching and sorting."""
    from crmtui.core.audit import DERIVED_FIELDS

    return sorted({
        SHOWN_AS.get(column, column.removesuffix("_id"))
        for column in columns if column not in DERIVED_FIELDS
    })  # fmt: skip


def report_edited(kind: str, row: dict[str, Any], changes: dict, fmt: Format | None) -> None:
    """After an edit: the record in the format asked for, else which fields changed."""
    if fmt is not None:
        render_record(row, fmt)
        return
    fields = shown_fields(changes)
    changed = ", ".join(fields) + " changed" if fields else "nothing changed"
    message(f"{kind} {row['id']}: {changed}")
