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
    """Search contacts, companies and deals by name, email, phone or company: the best matches
    first; with --limit 0 every match, contacts then companies then deals, each by id.

    Example: crm search zoe --format json
    """
    from crmtui.core.search import every_match, search_all

    with context.database().connection() as connection:
        rows = every_match(connection, query) if not limit else search_all(connection, query, limit)
        render_rows(
            ({**row, "name": row.get("name", row.get("title"))} for row in rows), COLUMNS, fmt
        )
