"""The `crm` command: global options, sub-commands per noun, domain errors as one-line messages."""

import importlib
import os
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from crmtui import __version__
from crmtui.cli import context


class CRMGroup(TyperGroup):
    """Loads sub-commands on demand, and maps the core's errors to a one-line message on stderr
    and the documented exit code."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, name: str):
        if name not in COMMANDS:
            return None
        module_name, attribute, help_text = COMMANDS[name]
        target = getattr(importlib.import_module(f"crmtui.cli.{module_name}"), attribute)
        if not isinstance(target, typer.Typer):
            single = typer.Typer()
            single.command(name)(target)
            target = single
        # Built on its own, not through add_typer: keep the root's plain help, no completion options.
        target._add_completion = False
        target.rich_markup_mode = None
        command = typer.main.get_command(target)
        command.name = name
        if attribute == "app":
            command.help = help_text
        return command

    def format_commands(self, ctx: typer.Context, formatter) -> None:
        """List the sub-commands from COMMANDS without importing their modules."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, _, help_text) in COMMANDS.items()])

    def invoke(self, ctx: typer.Context):
        from crmtui.cli.errors import exit_for

        if sys.stdout is None:  # started with stdout closed (`>&-`): as good as /dev/null
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        try:
            result = super().invoke(ctx)
            # output that fits in the buffer meets a closed pipe only here, not at each write
            sys.stdout.flush()
            return result
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:
            # The reader stopped early (`| head`): that is fine, and not worth a message.
            _discard_stdout()
            raise typer.Exit(0) from None
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


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered does not fail again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
            "--db",
            help="SQLite file or database URL to use (else CRM_DB, CRM_DATABASE_URL, "
            "or the data dir).",
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who is acting (else CRM_USER, else the OS user).")
    ] = None,
    no_escape_formulas: Annotated[
        bool,
        typer.Option(
            "--no-escape-formulas",
            help="Write CSV cells starting with = + - @ as they are, in every command "
            "(unsafe to open in a spreadsheet).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    context.reset(db, user, escape_formulas=not no_escape_formulas)
    if ctx.invoked_subcommand is None:
        if not sys.stdout.isatty() or not sys.stdin.isatty():
            typer.echo(ctx.get_help())
            raise typer.Exit()
        from crmtui.tui import run_app

        run_app(context.database(), context.username())


COMMANDS: dict[str, tuple[str, str, str]] = {
    "contact": ("contacts", "app", "Add, list, show, edit, tag, merge and delete contacts."),
    "company": ("companies", "app", "Add, list, show, edit and delete companies."),
    "deal": ("deals", "app", "Add deals and move them through the pipeline."),
    "pipeline": ("pipelines", "app", "List and add pipelines and their stages."),
    "log": ("log", "app", "Log calls, emails, meetings, notes and chats; list, edit, delete."),
    "task": ("tasks", "app", "Add, edit, list, complete and delete tasks."),
    "due": ("tasks", "due", "Overdue tasks and those due today (and within a span), grouped."),
    "search": ("search", "search", "Search contacts, companies and deals by name, email, phone."),
    "report": ("report", "app", "Monthly report and other business figures."),
    "import": ("import_", "app", "Import CSV, JSON, NDJSON or vCard; import history and undo."),
    "export": ("export", "app", "Export contacts, companies, deals, interactions and tasks."),
    "history": ("history", "history", "Show who changed what and when, newest first."),
    "undo": ("history", "undo", "Revert one change if nothing has touched those fields since."),
    "segment": ("segments", "app", "Save contact filters by name: lists, exports, assigns."),
    "tag": ("tags", "app", "List tags with how many records carry each; rename, merge, delete."),
    "user": ("users", "app", "Add, list and disable team members."),
    "db": ("database", "app", "Database location, copy, schema version and counts."),
    "demo": ("demo", "demo", "Build a deterministic demo database and open the app on it."),
}
"""Sub-commands by name: (module in crmtui.cli, its Typer app or command function, one-line help).

Each module is imported only when its command runs (or `--help` lists it), so a command pays
for its own imports and `crm --version` for none.
"""


def main() -> None:
    app(prog_name="crm")
