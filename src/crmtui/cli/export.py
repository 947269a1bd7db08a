"""`crm export ...`: records as CSV, JSON, NDJSON, vCard or iCalendar."""

import sys
from contextlib import contextmanager
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import (
    ConsentFilter,
    ContactableFilter,
    ContactCompany,
    InteractionContact,
    InteractionDeal,
    InteractionKind,
    InteractionSince,
    InteractionUser,
    SegmentOption,
    WhereFilter,
    interaction_filters,
    key_values,
)
from crmtui.cli.output import message

app = typer.Typer(no_args_is_help=True)

Fmt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="csv, json, ndjson, vcf or ics; default: from -o's suffix, else csv."
    ),
]
Output = Annotated[
    str, typer.Option("--output", "-o", help="File to write; - (default) for stdout.")
]
NoEscape = Annotated[
    bool,
    typer.Option(
        "--no-escape-formulas",
        help="Write cells starting with = + - @ as they are (unsafe to open in a spreadsheet).",
    ),
]
Query = Annotated[
    str | None, typer.Option("--search", "-q", help="Only records matching these words.")
]
Tag = Annotated[str | None, typer.Option("--tag", "-t", help="Only records with this tag.")]
Mine = Annotated[bool, typer.Option("--mine", help="Only records I own.")]


@contextmanager
def _output(path: str):
    """stdout for `-`; else a file written beside the target and renamed over it once whole, so
    a failed export (a typo in a filter, a full disk) leaves the file it would replace as it was."""
    import os
    import stat
    import tempfile
    from pathlib import Path

    if path == "-":
        yield sys.stdout
        return
    target = Path(os.path.realpath(path))  # through a symlink, as writing to it would go
    if target.exists() and not target.is_file():  # /dev/stdout, a named pipe: as it is
        with open(path, "w", encoding="utf-8", newline="") as out:
            yield out
        return
    try:
        handle, part = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as exc:  # named after the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, path) from None
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(part, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~umask)
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


SUFFIX_FORMATS = {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".vcf": "vcf",
                  ".vcard": "vcf", ".ics": "ics"}  # fmt: skip


def _format(fmt: str | None, output: str, entity: str) -> str:
    """--format, else the one the output file's suffix names (`-o vip.vcf`), else CSV."""
    from pathlib import PurePath

    from crmtui.io.export import check_format

    suffix = PurePath(output).suffix.lower() if output != "-" else ""
    return check_format(fmt or SUFFIX_FORMATS.get(suffix, "csv"), entity)


def _escaping(no_escape_formulas: bool) -> bool:
    """Neutralise formula cells unless this command's or the global --no-escape-formulas says not."""
    return context.state.escape_formulas and not no_escape_formulas


SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal",
            "interactions": "interaction", "tasks": "task"}  # fmt: skip


def _done(count: int, what: str, path: str) -> None:
    if path != "-":
        message(f"exported {count:,} {SINGULAR[what] if count == 1 else what} to {path}")


@app.command("contacts")
def contacts(
    fmt: Fmt = None,
    output: Output = "-",
    query: Query = None,
    tag: Tag = None,
    company: ContactCompany = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this user's contacts.")] = None,
    mine: Mine = False,
    stage: Annotated[str | None, typer.Option("--stage", help="Only this lifecycle stage.")] = None,
    where: WhereFilter = None,
    consent: ConsentFilter = None,
    contactable: ContactableFilter = False,
    segment: SegmentOption = None,
    no_escape_formulas: NoEscape = False,
) -> None:
    """Export contacts (the same filters as `contact list`); CSV re-imports losslessly.

    Example: crm export contacts --tag vip --format vcf -o vip.vcf
    """
    from crmtui.core.schemas import ContactFilter
    from crmtui.io.export import export_contacts

    fmt = _format(fmt, output, "contacts")
    filters = ContactFilter(
        query=query, tag=tag, company=company, owner=context.owner_filter(owner, mine),
        lifecycle_stage=stage, where=key_values(where, "--where"), email_consent=consent,
        contactable=contactable,
    )  # fmt: skip
    filters = context.with_segment(segment, filters)
    with context.database().session(snapshot=True) as session, _output(output) as out:
        count = export_contacts(
            session, filters, out, fmt, escape_formulas=_escaping(no_escape_formulas)
        )
    _done(count, "contacts", output)


@app.command("companies")
def companies(
    fmt: Fmt = None,
    output: Output = "-",
    query: Query = None,
    tag: Tag = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this user's companies.")
    ] = None,
    mine: Mine = False,
    no_escape_formulas: NoEscape = False,
) -> None:
    """Export companies with their contact counts.

    Example: crm export companies --format json -o companies.json
    """
    from crmtui.io.export import company_pages, export_records

    fmt = _format(fmt, output, "companies")
    with context.database().session(snapshot=True) as session, _output(output) as out:
        pages = company_pages(session, query, tag, context.owner_filter(owner, mine))
        count = export_records(
            session, "companies", pages, out, fmt, escape_formulas=_escaping(no_escape_formulas)
        )
    _done(count, "companies", output)


@app.command("deals")
def deals(
    fmt: Fmt = None,
    output: Output = "-",
    status: Annotated[str | None, typer.Option("--status", help="open, won or lost.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Only this pipeline.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only deals in this stage.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this user's deals.")] = None,
    mine: Mine = False,
    contact: Annotated[str | None, typer.Option("--contact", help="Only this contact's.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Only this company's.")] = None,
    tag: Tag = None,
    query: Query = None,
    no_escape_formulas: NoEscape = False,
) -> None:
    """Export deals (the same filters as `deal list`).

    Example: crm export deals --status won --format csv -o won.csv
    """
    from crmtui.io.export import DealFilter, deal_pages, export_records

    fmt = _format(fmt, output, "deals")
    filters = DealFilter(
        status=status, pipeline=pipeline, stage=stage, owner=context.owner_filter(owner, mine),
        contact=contact, company=company, tag=tag, query=query,
    )  # fmt: skip
    with context.database().session(snapshot=True) as session, _output(output) as out:
        count = export_records(
            session, "deals", deal_pages(session, filters), out, fmt,
            escape_formulas=_escaping(no_escape_formulas),
        )  # fmt: skip
    _done(count, "deals", output)


@app.command("interactions")
def interactions(
    fmt: Fmt = None,
    output: Output = "-",
    contact: InteractionContact = None,
    kind: InteractionKind = None,
    deal: InteractionDeal = None,
    user: InteractionUser = None,
    since: InteractionSince = None,
    no_escape_formulas: NoEscape = False,
) -> None:
    """Export logged calls, emails, meetings, notes and chats; as iCalendar (ics), events.

    Example: crm export interactions --kind meeting --since 30d -o meetings.ics
    """
    from crmtui.io.export import export_records, interaction_pages

    fmt = _format(fmt, output, "interactions")
    filters = interaction_filters(contact, kind, deal, user, since)
    with context.database().session(snapshot=True) as session, _output(output) as out:
        count = export_records(
            session, "interactions", interaction_pages(session, **filters), out, fmt,
            escape_formulas=_escaping(no_escape_formulas),
        )  # fmt: skip
    _done(count, "interactions", output)


@app.command("tasks")
def tasks(
    fmt: Fmt = None,
    output: Output = "-",
    status: Annotated[str | None, typer.Option("--status", help="open or done.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Only this contact's.")] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="Only tasks assigned to this user.")
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only tasks assigned to me.")] = False,
    no_escape_formulas: NoEscape = False,
) -> None:
    """Export tasks; as iCalendar (ics) they are to-dos a calendar app shows and updates.

    Example: crm export tasks --status open --mine -o tasks.ics
    """
    from crmtui.io.export import export_records, task_pages

    fmt = _format(fmt, output, "tasks")
    with context.database().session(snapshot=True) as session, _output(output) as out:
        pages = task_pages(session, status, contact, context.owner_filter(assignee, mine))
        count = export_records(
            session, "tasks", pages, out, fmt, escape_formulas=_escaping(no_escape_formulas)
        )
    _done(count, "tasks", output)
