"""`crm task ...` and `crm due`: follow-ups and what needs doing now."""

from itertools import chain, islice
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import When, confirm_or_yes, when_or_none
from crmtui.cli.output import (
    Format,
    FormatOption,
    LimitOption,
    chosen_format,
    message,
    print_json_groups,
    render_rows,
    report_added,
    report_edited,
)

app = typer.Typer(no_args_is_help=True)

COLUMNS = ("id", "title", "due_at", "priority", "contact", "assignee")


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help="What to do.")],
    due: Annotated[
        str | None, typer.Option("--due", help="When it is due: tomorrow, +3d, 2026-12-01 9:00 ...")
    ] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="Contact id, email or name.")
    ] = None,
    deal: Annotated[int | None, typer.Option("--deal", help="Deal id.")] = None,
    priority: Annotated[str, typer.Option("--priority", help="low, normal or high.")] = "normal",
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="User to do it (default you).")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    fmt: FormatOption = None,
) -> None:
    """Add a task.

    Example: crm task add "Send proposal" --contact ada@example.com --due tomorrow
    """
    from crmtui.core.schemas import TaskInput
    from crmtui.core.tasks import add_task, task_rows

    data = TaskInput(
        title=title, due_at=when_or_none(due), contact=contact, deal_id=deal, priority=priority,
        assignee=assignee, notes=notes,
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        row = task_rows(session, [add_task(session, data)])[0]
    report_added("task", row, fmt)


@app.command("edit")
def edit(
    task: Annotated[int, typer.Argument(help="Task id.")],
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="A new due time: tomorrow 9:00, +3d, 2026-12-01 ...")
    ] = None,
    no_due: Annotated[bool, typer.Option("--no-due", help="Take the due time off.")] = False,
    priority: Annotated[str | None, typer.Option("--priority", help="low, normal or high.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Rename, reschedule or reprioritise an open task; options not given keep their value.

    Example: crm task edit 12 --due "tomorrow 9:00"
    """
    from crmtui.core.errors import Invalid
    from crmtui.core.tasks import edit_task, get_task, task_rows

    if due is not None and no_due:
        raise Invalid("give --due or --no-due, not both")
    with context.database().transaction(username=context.username()) as session:
        record = get_task(session, task)
        before = {"title": record.title, "due_at": record.due_at, "priority": record.priority}
        edit_task(
            session, record, title=record.title if title is None else title,
            due_at=None if no_due else when_or_none(due) or record.due_at,
            priority=priority or record.priority,
        )  # fmt: skip
        changes = {k: [v, getattr(record, k)] for k, v in before.items() if getattr(record, k) != v}
        row = task_rows(session, [record])[0]
    report_edited("task", row, changes, fmt)


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include done tasks.")] = False,
    contact: Annotated[str | None, typer.Option("--contact")] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", "--owner", help="Only tasks of this user.")
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only my tasks.")] = False,
    limit: LimitOption = 100,
    fmt: FormatOption = None,
) -> None:
    """List open tasks, soonest due first.

    Example: crm task list --assignee kim --format json
    """
    from crmtui.core.reads import task_list_pages

    assignee = context.username() if mine else assignee
    with context.database().connection() as connection:
        pages = task_list_pages(
            connection, include_done=all_, contact=contact, assignee=assignee, limit=limit or None
        )
        render_rows(chain.from_iterable(pages), COLUMNS + (("done_at",) if all_ else ()), fmt)


@app.command("done")
def done(
    task: Annotated[int, typer.Argument(help="Task id.")],
    at: When = None,
) -> None:
    """Mark a task done.

    Example: crm task done 3
    """
    from crmtui.core.tasks import complete_task, get_task

    with context.database().transaction(username=context.username()) as session:
        record = complete_task(session, get_task(session, task), when_or_none(at))
    message(f"task {record.id} done: {record.title}")


@app.command("delete")
def delete(
    task: Annotated[int, typer.Argument(help="Task id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a task, open or done; `crm undo` brings it back.

    Example: crm task delete 12 --yes
    """
    from crmtui.core.tasks import delete_task, get_task

    def question(session) -> str:
        record = get_task(session, task)
        return f"Delete task {record.id} ({record.title})?"

    confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        record = get_task(session, task)
        label = f"{record.id} ({record.title})"
        delete_task(session, record)
    message(f"deleted task {label}")


def due(
    within: Annotated[
        str | None, typer.Option("--within", help="Also list what is due in this span: 7d, 2w.")
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only tasks assigned to you.")] = False,
    limit: LimitOption = 0,
    fmt: FormatOption = None,
) -> None:
    """Overdue tasks and those due today (and within a span), grouped, the most overdue first.

    Example: crm due --within 7d --limit 20 --format json
    """
    from datetime import timedelta
    from itertools import groupby

    from crmtui.core.reads import due_task_rows
    from crmtui.core.timeparse import parse_duration

    span = timedelta(seconds=parse_duration(within)) if within else timedelta(0)
    assignee = context.username() if mine else None
    fmt = chosen_format(fmt)
    with context.database().connection() as connection:
        rows = due_task_rows(connection, within=span, assignee=assignee)
        if limit:
            rows = islice(rows, limit)
        if fmt is Format.json:
            print_json_groups(rows, ("overdue", "today", "upcoming"))
        elif fmt is Format.table:
            shown = False
            for name, items in groupby(rows, key=lambda item: item[0]):
                render_rows((row for _, row in items), COLUMNS, fmt, title=name)
                shown = True
            if not shown:
                message("nothing due")
        else:
            render_rows(({"group": name, **row} for name, row in rows), ("group",) + COLUMNS, fmt)
