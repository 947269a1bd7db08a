"""`crm search QUERY`: contacts, companies and deals matching every word."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import FormatOption, LimitOption, render_rows

COLUMNS = ("type", "id", "name", "email", "company")


def search(
    query: Annotated[str, typer.Argument(help="Words to find; case and accents do not matter.")],
    limit: LimitOption = 20,
    fmt: FormatOption = None,
) -> None:
    """Search contacts, companies and deals by name, email, phone or company.

    Example: crm search zoe --format json
    """
    from crmtui.core.search import search_all

    with context.database().connection() as connection:
        rows = search_all(connection, query, limit=limit or 1000)
    for row in rows:
        row.setdefault("name", row.get("title"))
    render_rows(rows, COLUMNS, fmt)
