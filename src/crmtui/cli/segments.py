"""`crm segment ...`: contact filters saved under a name, used again with `--segment NAME`."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.contacts import Stage
from crmtui.cli.options import (
    ConsentFilter,
    ContactableFilter,
    ContactCompany,
    ContactSearch,
    ContactTag,
    WhereFilter,
    key_values,
)
from crmtui.cli.output import FormatOption, message, render_record, render_rows

app = typer.Typer(no_args_is_help=True)

COLUMNS = ("id", "name", "filters")
Name = Annotated[str, typer.Argument(help="The segment's name.")]


@app.command("add")
def add(
    name: Name,
    query: ContactSearch = None,
    tag: ContactTag = None,
    company: ContactCompany = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Contacts this user owns.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Contacts I own.")] = False,
    stage: Stage = None,
    where: WhereFilter = None,
    consent: ConsentFilter = None,
    contactable: ContactableFilter = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Give an existing segment this filter instead.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Save a contact filter as a segment, for `--segment NAME` on contact list, export and assign.

    Example: crm segment add newsletter --consent subscribed --contactable
    """
    from crmtui.core.schemas import ContactFilter
    from crmtui.core.segments import describe, save_segment

    filters = ContactFilter(
        query=query, tag=tag, company=company, owner=context.username() if mine else owner,
        lifecycle_stage=stage, where=key_values(where, "--where"), email_consent=consent,
        contactable=contactable,
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        segment = save_segment(session, name, filters, replace=replace)
        row = {"id": segment.id, "name": segment.name, "filters": describe(segment.filters)}
    if fmt is not None:
        render_record(row, fmt)
    else:
        message(f"saved segment {row['name']}: {row['filters']}")


@app.command("list")
def list_(
    count: Annotated[
        bool, typer.Option("--count", help="Count each segment's contacts too.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """List segments and their filters.

    Example: crm segment list --count
    """
    from crmtui.core.segments import segment_rows

    with context.database().session(snapshot=True) as session:
        rows = segment_rows(session, counted=count)
    render_rows(rows, (*COLUMNS, "contacts") if count else COLUMNS, fmt)


@app.command("show")
def show(name: Name, fmt: FormatOption = None) -> None:
    """Show a segment's filter and how many contacts it holds now.

    Example: crm segment show newsletter
    """
    from crmtui.core.reads import count_contacts
    from crmtui.core.segments import describe, get_segment, stored_filter

    with context.database().session(snapshot=True) as session:
        segment = get_segment(session, name)
        row = {
            "id": segment.id,
            "name": segment.name,
            "filters": describe(segment.filters),
            "contacts": count_contacts(session, stored_filter(segment)),
        }
    render_record(row, fmt)


@app.command("delete")
def delete(name: Name) -> None:
    """Delete a segment (its contacts stay as they are).

    Example: crm segment delete newsletter
    """
    from crmtui.core.segments import delete_segment

    with context.database().transaction(username=context.username()) as session:
        delete_segment(session, name)
    message(f"deleted segment {name.strip()}")
