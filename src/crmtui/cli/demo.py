"""`crm demo`: build (or reuse) a realistic demo database and open the app on it."""

from pathlib import Path
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import message


def demo(
    contacts: Annotated[int, typer.Option("--contacts", min=1, help="How many contacts.")] = 500,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")
    ] = 1,
    db: Annotated[
        str | None, typer.Option("--db", help="Demo file (default demo.db in the data dir).")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Rebuild even if the demo exists.")
    ] = False,
    open_app: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the app when built.")
    ] = True,
) -> None:
    """Build a deterministic demo database (never your real one) and open the app on it.

    Example: crm demo --contacts 1000 --seed 7 --db demo.db --no-open
    """
    import shlex
    import sys

    from crmtui.core.db import Database, default_data_dir, sqlite_url
    from crmtui.core.demo import build_demo

    path = Path(db or context.state.db_path or default_data_dir() / "demo.db")
    progress = message if sys.stderr.isatty() else None
    summary = build_demo(path, contacts=contacts, seed=seed, fresh=fresh, progress=progress)
    message(summary)
    # the other commands work on your own database: say how to point them at this one
    message(f"try it from the command line: crm --db {shlex.quote(str(path))} contact list")
    if open_app and sys.stdout.isatty() and sys.stdin.isatty():
        from crmtui.tui import run_app

        run_app(Database(sqlite_url(path)), context.username())
