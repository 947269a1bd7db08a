"""Builds docs/cli.md from the real `--help` of every command: `python -m crmtui.cli.reference`."""

import sys

import typer
from typer.testing import CliRunner

from crmtui.cli import app

HEADER = (
    "# CLI reference\n\n"
    "Generated from `crm ... --help` by `python -m crmtui.cli.reference > docs/cli.md`;"
    " a test fails when it is stale. Do not edit by hand.\n"
)


def command_paths(command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            paths += command_paths(command.get_command(ctx, name), prefix + (name,))
    return paths


def cli_reference() -> str:
    runner = CliRunner()
    sections = [HEADER]
    for path in command_paths(typer.main.get_command(app)):
        result = runner.invoke(
            app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"}, prog_name="crm"
        )
        title = " ".join(("crm",) + path)
        sections.append(f"## `{title}`\n\n```\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    sys.stdout.write(cli_reference())
