"""`crm log KIND CONTACT`: record a call, email, meeting, note or chat."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import When, when_or_none
from crmtui.cli.output import FormatOption, message, render_record

app = typer.Typer(no_args_is_help=True)

KINDS = ("call", "email", "meeting", "note", "chat")


def _log(
    kind: str, contact: str, summary, at, duration, deal, outcome, body, direction, fmt
) -> None:
    from crmtui.core.interactions import interaction_rows, log_interaction
    from crmtui.core.schemas import InteractionInput
    from crmtui.core.timeparse import parse_duration

    data = InteractionInput(
        contact=contact, kind=kind, subject=summary or "", occurred_at=when_or_none(at),
        duration_seconds=parse_duration(duration) if duration else None, deal_id=deal,
        outcome=outcome, body=body, direction=direction,
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        row = interaction_rows(session, [log_interaction(session, data)])[0]
    if fmt is None:
        message(f"logged {kind} {row['id']} with {row['contact']}")
    else:
        render_record(row, fmt)


def _make(kind: str):
    def command(
        contact: Annotated[str, typer.Argument(help="Contact id, email or name.")],
        summary: Annotated[
            str | None, typer.Option("--summary", "-s", help="What it was about.")
        ] = None,
        at: When = None,
        duration: Annotated[
            str | None, typer.Option("--duration", "-d", help="15m, 1h30m, 90s ...")
        ] = None,
        deal: Annotated[int | None, typer.Option("--deal", help="Deal id it relates to.")] = None,
        outcome: Annotated[str | None, typer.Option("--outcome", help="How it went.")] = None,
        body: Annotated[str | None, typer.Option("--body", help="Longer notes.")] = None,
        direction: Annotated[str, typer.Option("--direction", help="in or out.")] = "out",
        fmt: FormatOption = None,
    ) -> None:
        _log(kind, contact, summary, at, duration, deal, outcome, body, direction, fmt)

    article = "an" if kind[0] in "aeiou" else "a"
    command.__doc__ = (
        f"Log {article} {kind} with a contact.\n\n"
        f'Example: crm log {kind} ada@example.com --summary "Intro {kind}" --at "2026-10-05 10:00"'
    )
    command.__name__ = kind
    return command


for _kind in KINDS:
    app.command(_kind)(_make(_kind))
