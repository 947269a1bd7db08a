"""Tables for people: cells read as written, and a big table streams in the layout rich draws."""

import io
from contextlib import redirect_stdout
from itertools import takewhile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from crmtui.cli import output

COLUMNS = ("id", "title", "contact")
LONG = "Prepare the renewal offer for the whole purchasing team before the end of the year"


def test_a_title_that_looks_like_markup_is_printed_as_written(crm):
    crm.ok("contact", "add", "Ada [/]", "--email", "ada@example.com", "--notes", "[red]x :warning:")
    crm.ok("task", "add", "[/] :warning: [b]x", "--contact", "ada")

    listed = crm.ok("task", "list", "-f", "table").stdout
    shown = crm.ok("contact", "show", "ada@example.com", "-f", "table").stdout

    assert "[/] :warning: [b]x" in listed
    assert "Ada [/]" in listed
    assert "[red]x :warning:" in shown


def test_a_big_table_is_sized_from_its_first_rows_and_wraps_later_ones_in_their_column(
    crm, monkeypatch
):
    monkeypatch.setattr(output, "MEASURED_ROWS", 3)
    for title in ("Call", "Send plans", "Email Ada", LONG, "Tabbed\tnote", "Zoë's 中文 call"):
        crm.ok("task", "add", title)

    full = crm.ok("task", "list", "-f", "table").stdout
    first = crm.ok("task", "list", "--limit", "3", "-f", "table").stdout

    assert full.startswith(first)  # the header and first rows: the table of those rows alone
    header, *lines = full.splitlines()
    start, end = header.index("title"), header.index("due at") - 2
    assert all(len(line) == len(header) for line in lines if line.isascii())
    long_row = next(n for n, line in enumerate(lines) if line.startswith("4 "))
    continued = takewhile(lambda line: line.startswith(" "), lines[long_row + 1 :])
    title_lines = [lines[long_row][start:end], *(line[start:end] for line in continued)]
    assert len(title_lines) > 2
    assert " ".join(part.strip() for part in title_lines) == LONG
    assert "Tabbed" in full and "中文" in full


cell = st.text(
    st.sampled_from([*"ab xy-:.[]/", "é", "中", "🙂", "\u0301", "\t", "\n"]), max_size=40
)


@pytest.mark.sqlite_only  # no database at all: one run is enough
@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=5),
    widths=st.lists(st.integers(1, 20), min_size=3, max_size=3),
)
def test_streamed_rows_are_the_lines_rich_draws_for_them(rows, widths):
    streamed, drawn = io.StringIO(), io.StringIO()
    table = output._table(COLUMNS, widths=widths, header=False)
    for cells in rows:
        table.add_row(*map(Text, cells))

    with redirect_stdout(streamed):
        assert output._stream_rows(output.console(), rows, COLUMNS, widths) == len(rows)
    with redirect_stdout(drawn):
        output.console().print(table)

    assert streamed.getvalue() == drawn.getvalue()
