"""`crm log KIND CONTACT`: record a call, email, meeting, note or chat; list, edit, delete."""

from typing import Annotated, Any

import typer

from crmtui.cli import context
from crmtui.cli.options import (
    InteractionContact,
    InteractionDeal,
    InteractionKind,
    InteractionSince,
    InteractionUser,
    When,
    confirm_or_yes,
    interaction_filters,
    when_or_none,
)
from crmtui.cli.output import (
    FormatOption,
    LimitOption,
    message,
    render_record,
    render_rows,
    report_edited,
)

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
            str | None,
            typer.Option(
                "--summary", "--subject", "-s", help="What it was about (the subject column)."
            ),
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


@app.command("list")
def list_(
    contact: InteractionContact = None,
    kind: InteractionKind = None,
    deal: InteractionDeal = None,
    user: InteractionUser = None,
    since: InteractionSince = None,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
) -> None:
    """List logged interactions, newest first, with the ids `edit` and `delete` take.

    Example: crm log list --contact ada@example.com --kind call --since 30d
    """
    from crmtui.core.interactions import list_interactions

    with context.database().session() as session:
        rows = list_interactions(
            session, **interaction_filters(contact, kind, deal, user, since), limit=limit or None
        )
        render_rows(rows, LIST_COLUMNS, fmt)


LIST_COLUMNS = ["id", "occurred_at", "kind", "direction", "contact", "subject", "outcome", "user"]


@app.command("edit")
def edit(
    interaction: Annotated[int, typer.Argument(help="Interaction id (crm log list shows them).")],
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary", "--subject", "-s", help="What it was about (the subject column)."
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When: ISO 8601, yesterday 15:00, -2h, ...")
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", "-d", help="15m, 1h30m, 90s ...; '' for none.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="call, email, meeting, note or chat.")
    ] = None,
    deal: Annotated[int | None, typer.Option("--deal", help="Deal id it relates to.")] = None,
    no_deal: Annotated[bool, typer.Option("--no-deal", help="Unlink it from its deal.")] = False,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="How it went; '' for none.")
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help="Longer notes; '' for none.")] = None,
    direction: Annotated[str | None, typer.Option("--direction", help="in or out.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Correct what was logged; options not given keep their value.

    Example: crm log edit 38 --at "2026-10-05 10:30" --duration 25m --outcome "call back"
    """
    from crmtui.core.errors import Invalid
    from crmtui.core.interactions import edit_interaction, get_interaction, interaction_rows
    from crmtui.core.timeparse import parse_duration

    if deal is not None and no_deal:
        raise Invalid("give --deal or --no-deal, not both")
    given = {
        "subject": summary, "occurred_at": when_or_none(at), "kind": kind, "outcome": outcome,
        "body": body, "direction": direction, "deal_id": deal,
    }  # fmt: skip
    values = {field: value for field, value in given.items() if value is not None}
    if duration is not None:
        values["duration_seconds"] = parse_duration(duration) if duration.strip() else None
    if no_deal:
        values["deal_id"] = None
    with context.database().transaction(username=context.username()) as session:
        record = get_interaction(session, interaction)
        changes = edit_interaction(session, record, **values)
        row = interaction_rows(session, [record])[0]
    report_edited("interaction", row, changes, fmt)


@app.command("delete")
def delete(
    interaction: Annotated[int, typer.Argument(help="Interaction id (crm log list shows them).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a logged interaction; `crm undo` brings it back.

    Example: crm log delete 38 --yes
    """
    from crmtui.core.interactions import delete_interaction, get_interaction, interaction_rows

    def labelled(session) -> tuple[Any, str]:
        record = get_interaction(session, interaction)
        row = interaction_rows(session, [record])[0]
        return record, f"{record.id} ({record.kind} with {row['contact']}: {record.label})"

    confirm_or_yes(lambda session: f"Delete interaction {labelled(session)[1]}?", yes)
    with context.database().transaction(username=context.username()) as session:
        record, label = labelled(session)
        delete_interaction(session, record)
    message(f"deleted interaction {label}")
