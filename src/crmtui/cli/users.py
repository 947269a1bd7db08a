"""`crm user ...`: the team members who own records and sign changes."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import FormatOption, message, render_rows, report_added

app = typer.Typer(no_args_is_help=True)

COLUMNS = ("id", "username", "name", "email", "active")


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Short login-like name, e.g. kim.")],
    name: Annotated[str | None, typer.Option("--name", help="Full name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Add a team member.

    Example: crm user add kim --name "Kim Lee" --email kim@example.com
    """
    from crmtui.core.users import add_user, user_rows

    with context.database().transaction(username=context.username()) as session:
        row = user_rows(session, [add_user(session, username, name, email)])[0]
    report_added("user", {**row, "name": row["username"]}, fmt)


@app.command("list")
def list_(fmt: FormatOption = None) -> None:
    """List team members, active or not.

    Example: crm user list --format json
    """
    from crmtui.core.users import list_users, user_rows

    with context.database().session() as session:
        rows = user_rows(session, list_users(session))
    render_rows(rows, COLUMNS, fmt)


@app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="The user to disable.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
) -> None:
    """Disable a team member: they can no longer make changes or be given records.

    Example: crm user disable kim
    """
    from crmtui.core.users import set_user_active

    with context.database().transaction(username=context.username()) as session:
        set_user_active(session, username, enable)
    message(f"{'enabled' if enable else 'disabled'} user {username}")
