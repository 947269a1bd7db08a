"""`crm db info` and `crm db copy`: where the database is, its counts; copy it elsewhere."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import Format, FormatOption, chosen_format, print_json, render_record

app = typer.Typer(no_args_is_help=True)


@app.command("info")
def info(fmt: FormatOption = None) -> None:
    """Print the database location, schema version and how many rows each table holds.

    Example: crm --db demo.db db info --format json
    """
    from crmtui.core.dbinfo import database_info

    data = database_info(context.database())
    if chosen_format(fmt) is Format.json:
        print_json(data)
    else:
        render_record(
            {k: v for k, v in data.items() if k != "counts"},
            fmt,
            sections={"rows": [{"table": t, "rows": n} for t, n in data["counts"].items()]},
        )


@app.command("copy")
def copy(
    to: Annotated[str, typer.Option("--to", help="Database URL (or SQLite file) to copy into.")],
    fmt: FormatOption = None,
) -> None:
    """Copy the whole database, ids and history included, into an empty one (SQLite or PostgreSQL).

    Example: crm db copy --to postgresql+psycopg://crm@db.example.com/crm
    """
    from crmtui.cli.output import message, render_rows
    from crmtui.core.db import path_or_url
    from crmtui.core.dbcopy import copy_database

    result = copy_database(context.database(), path_or_url(to))
    rows = [{"table": name, "rows": count} for name, count in result.counts.items()]
    if fmt is not None:
        render_rows(rows, ("table", "rows"), fmt)
    total = sum(result.counts.values())
    message(f"copied {total} rows from {result.source} to {result.target}; counts verified")
