"""`crm history` and `crm undo`: read the audit log and revert one change."""

from itertools import chain
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import FormatOption, LimitOption, message, render_rows

COLUMNS = ("id", "at", "user", "entity", "entity_id", "action", "summary")


def history(
    contact: Annotated[
        str | None, typer.Argument(help="A contact (id, email or name); else every record.")
    ] = None,
    deal: Annotated[int | None, typer.Option("--deal", help="Only this deal.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Only this company.")] = None,
    task: Annotated[int | None, typer.Option("--task", help="Only this task.")] = None,
    interaction: Annotated[
        int | None, typer.Option("--interaction", help="Only this logged call, email, ...")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only changes since: 7d, 12h, 2w or a date.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", "--by", help="Only changes by this user.")
    ] = None,
    batch: Annotated[int | None, typer.Option("--batch", help="Only this import batch.")] = None,
    limit: LimitOption = 100,
    fmt: FormatOption = None,
) -> None:
    """Show who changed what and when, newest first.

    Example: crm history --deal 12 --since 7d --user kim
    """
    from crmtui.core.history import change_pages, parse_since

    entity, entity_id = None, None
    with context.database().session() as session:
        if contact is not None:
            entity, entity_id = "contact", _contact_id(session, contact)
        elif deal is not None:
            entity, entity_id = "deal", deal
        elif company is not None:
            from crmtui.core.companies import get_company

            entity, entity_id = "company", get_company(session, company).id
        elif task is not None:
            entity, entity_id = "task", task
        elif interaction is not None:
            entity, entity_id = "interaction", interaction
        pages = change_pages(
            session, entity=entity, entity_id=entity_id,
            since=parse_since(since) if since else None, username=user, batch_id=batch,
            limit=limit or None,
        )  # fmt: skip
        render_rows(chain.from_iterable(pages), COLUMNS, fmt)


def _contact_id(session, ref: str) -> int:
    """The contact's id; a deleted contact is still found by its id."""
    from crmtui.core.contacts import get_contact
    from crmtui.core.errors import NotFound

    try:
        return get_contact(session, ref).id
    except NotFound:
        if ref.strip().isdigit():
            return int(ref)
        raise


def undo(
    change_id: Annotated[int, typer.Argument(help="The change id, from `crm history`.")],
    fmt: FormatOption = None,
) -> None:
    """Revert one change if nothing touched those fields since; else explain and change nothing.

    Example: crm undo 431
    """
    from crmtui.cli.output import render_record
    from crmtui.core.history import get_change
    from crmtui.core.undo import undo_change

    with context.database().transaction(username=context.username()) as session:
        result = undo_change(session, get_change(session, change_id))
    if fmt is not None:
        render_record(result, fmt)
    else:
        message(
            f"undid change {change_id}: {result['action']} {result['entity']} {result['entity_id']}"
        )
