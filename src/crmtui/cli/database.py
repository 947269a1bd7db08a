"""`crm db info`: where the database is, its schema version and row counts."""

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
            sections={"counts": [data["counts"]]},
        )
