"""The `crm` command: global options, sub-commands per noun, domain errors as one-line messages."""

import os
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from crmtui import __version__
from crmtui.cli import context


class CRMGroup(TyperGroup):
    """Maps the core's errors to a one-line message on stderr and the documented exit code."""

    def invoke(self, ctx: typer.Context):
        from crmtui.cli.errors import exit_for

        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except KeyboardInterrupt:
            typer.echo("crm: interrupted; nothing was changed", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # every error ends as one line and an exit code
            code, text = exit_for(exc)
            if os.environ.get("CRM_DEBUG"):
                raise
            typer.echo(f"crm: {text}", err=True)
            raise typer.Exit(code) from None
        finally:
            context.reset(None, None)


app = typer.Typer(
    cls=CRMGroup,
    help="crmtui: a terminal CRM. Run `crm` alone to open the full-screen app.",
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"crm {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="SQLite file to use (else CRM_DB, CRM_DATABASE_URL, or the data dir)."
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who is acting (else CRM_USER, else the OS user).")
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    context.reset(db, user)
    if ctx.invoked_subcommand is None:
        if not sys.stdout.isatty() or not sys.stdin.isatty():
            typer.echo(ctx.get_help())
            raise typer.Exit()
        from crmtui.tui import run_app

        run_app(context.database(), context.username())


def _register() -> None:
    from crmtui.cli import (
        companies,
        contacts,
        database,
        deals,
        demo,
        export,
        history,
        import_,
        log,
        pipelines,
        report,
        search,
        tasks,
        users,
    )

    app.add_typer(
        contacts.app, name="contact", help="Add, list, show, edit, tag and delete contacts."
    )
    app.add_typer(companies.app, name="company", help="Add, list, show, edit and delete companies.")
    app.add_typer(deals.app, name="deal", help="Add deals and move them through the pipeline.")
    app.add_typer(pipelines.app, name="pipeline", help="List and add pipelines and their stages.")
    app.add_typer(log.app, name="log", help="Log a call, email, meeting, note or chat.")
    app.add_typer(tasks.app, name="task", help="Add, list and complete tasks.")
    app.command("due")(tasks.due)
    app.command("search")(search.search)
    app.add_typer(database.app, name="db", help="Database location, schema version and counts.")
    app.command("demo")(demo.demo)
    app.add_typer(import_.app, name="import", help="Import CSV or vCard; import history and undo.")
    app.add_typer(export.app, name="export", help="Export contacts, companies, deals, interactions.")
    app.add_typer(users.app, name="user", help="Add, list and disable team members.")
    app.add_typer(report.app, name="report", help="Monthly report and other business figures.")
    app.command("history")(history.history)
    app.command("undo")(history.undo)


_register()


def main() -> None:
    app(prog_name="crm")
