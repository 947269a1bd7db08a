"""`crm deal ...`: add, list, show, edit, move, win, lose and reopen deals."""

from itertools import chain
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import Created, Tags, When, confirm_or_yes, when_or_none
from crmtui.cli.output import (
    FormatOption,
    LimitOption,
    message,
    render_record,
    render_rows,
    report_added,
    report_edited,
)

app = typer.Typer(no_args_is_help=True)

LIST_COLUMNS = (
    "id",
    "title",
    "stage",
    "status",
    "amount",
    "currency",
    "contact",
    "company",
    "expected_close",
)
DealId = Annotated[str, typer.Argument(help="Deal id.")]


def _date_or_none(text: str | None):
    if text is None:
        return None
    from crmtui.core.timeparse import parse_date

    return parse_date(text)


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help="What is being sold.")],
    contact: Annotated[
        str | None, typer.Option("--contact", help="Contact id, email or name.")
    ] = None,
    company: Annotated[
        str | None, typer.Option("--company", help="Company name (created if new).")
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="Exact amount, e.g. 1500.00.")
    ] = None,
    currency: Annotated[str, typer.Option("--currency", help="ISO currency code.")] = "EUR",
    pipeline: Annotated[
        str | None, typer.Option("--pipeline", help="Pipeline name (default: the first).")
    ] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Starting stage (default: the first).")
    ] = None,
    close: Annotated[str | None, typer.Option("--close", help="Expected close date.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="User who owns the deal.")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    tag: Tags = None,
    created: Created = None,
    fmt: FormatOption = None,
) -> None:
    """Add a deal to a pipeline.

    Example: crm deal add "Engine order" --contact ada@example.com --amount 1500.00 --currency EUR
    """
    from crmtui.core.deals import add_deal, deal_rows
    from crmtui.core.schemas import DealInput

    data = DealInput(
        title=title, contact=contact, company=company, amount=amount, currency=currency,
        pipeline=pipeline, stage=stage, expected_close=_date_or_none(close), owner=owner,
        notes=notes, tags=tag or [], created_at=when_or_none(created),
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        row = deal_rows(session, [add_deal(session, data)])[0]
    report_added("deal", row, fmt)


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option("--status", help="open, won or lost.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only deals in this stage.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only deals I own.")] = False,
    contact: Annotated[str | None, typer.Option("--contact")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t")] = None,
    query: Annotated[
        str | None, typer.Option("--search", "-q", help="Only deals matching these words.")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="created, amount, close, title or id; - for descending.")
    ] = "-created",
    limit: LimitOption = 50,
    fmt: FormatOption = None,
) -> None:
    """List deals, newest first.

    Example: crm deal list --status open --format json
    """
    from crmtui.core.deals import deal_list_pages

    owner = context.owner_filter(owner, mine)
    with context.database().session() as session:
        pages = deal_list_pages(
            session, status=status, stage=stage, pipeline=pipeline, owner=owner, contact=contact,
            company=company, tag=tag, query=query, sort=sort, limit=limit or None,
        )  # fmt: skip
        render_rows(chain.from_iterable(pages), LIST_COLUMNS, fmt)


@app.command("show")
def show(deal: DealId, fmt: FormatOption = None) -> None:
    """Show a deal with its stage history.

    Example: crm deal show 1 --format json
    """
    from crmtui.core.deals import deal_history, deal_rows, get_deal

    with context.database().session() as session:
        record = get_deal(session, deal)
        row = deal_rows(session, [record])[0]
        history = deal_history(session, record)
    render_record(row, fmt, sections={"history": history})


@app.command("edit")
def edit(
    deal: DealId,
    title: Annotated[str | None, typer.Option("--title")] = None,
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    close: Annotated[str | None, typer.Option("--close", help="Expected close date.")] = None,
    contact: Annotated[str | None, typer.Option("--contact")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    tag: Tags = None,
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Fail unless still at this version.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Edit a deal's details; use `move`, `won` or `lost` for its stage.

    Example: crm deal edit 1 --amount 1800.00 --close 2026-12-15
    """
    from crmtui.core.deals import deal_rows, get_deal, update_deal
    from crmtui.core.schemas import DealInput

    data = DealInput(
        title=title, amount=amount, currency=currency, expected_close=_date_or_none(close),
        contact=contact, company=company, owner=owner, notes=notes, tags=tag or [],
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        record = get_deal(session, deal)
        changes = update_deal(session, record, data, expected_version=if_version)
        row = deal_rows(session, [record])[0]
    report_edited("deal", row, changes, fmt)


def _stage_command(deal: str, fmt, act) -> None:
    from crmtui.core.deals import deal_rows, get_deal

    with context.database().transaction(username=context.username()) as session:
        record = get_deal(session, deal)
        act(session, record)
        row = deal_rows(session, [record])[0]
    if fmt is None:
        message(f"deal {row['id']} is now {row['stage']} ({row['status']})")
    else:
        render_record(row, fmt)


@app.command("move")
def move(
    deal: DealId,
    stage: Annotated[str, typer.Argument(help="Stage name or id in the deal's pipeline.")],
    at: When = None,
    fmt: FormatOption = None,
) -> None:
    """Move an open deal to another stage.

    Example: crm deal move 1 Qualified
    """
    from crmtui.core.deals import move_deal

    when = when_or_none(at)
    _stage_command(deal, fmt, lambda session, record: move_deal(session, record, stage, when))


@app.command("won")
def won(deal: DealId, at: When = None, fmt: FormatOption = None) -> None:
    """Mark a deal won.

    Example: crm deal won 1 --at 2026-10-20
    """
    from crmtui.core.deals import win_deal

    when = when_or_none(at)
    _stage_command(deal, fmt, lambda session, record: win_deal(session, record, when))


@app.command("lost")
def lost(
    deal: DealId,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it was lost.")] = None,
    at: When = None,
    fmt: FormatOption = None,
) -> None:
    """Mark a deal lost, with a reason.

    Example: crm deal lost 2 --reason "went with a competitor"
    """
    from crmtui.core.deals import lose_deal

    when = when_or_none(at)
    _stage_command(deal, fmt, lambda session, record: lose_deal(session, record, reason, when))


@app.command("reopen")
def reopen(
    deal: DealId,
    stage: Annotated[str | None, typer.Option("--stage", help="Open stage to return to.")] = None,
    at: When = None,
    fmt: FormatOption = None,
) -> None:
    """Reopen a won or lost deal.

    Example: crm deal reopen 2 --stage Proposal
    """
    from crmtui.core.deals import reopen_deal

    when = when_or_none(at)
    _stage_command(deal, fmt, lambda session, record: reopen_deal(session, record, stage, when))


@app.command("delete")
def delete(
    deal: DealId, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False
) -> None:
    """Delete a deal and its stage history.

    Example: crm deal delete 3 --yes
    """
    from crmtui.core.deals import delete_deal, get_deal

    def question(session) -> str:
        record = get_deal(session, deal)
        return f"Delete deal {record.id} ({record.title})?"

    confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        record = get_deal(session, deal)
        label = f"{record.id} ({record.title})"
        delete_deal(session, record)
    message(f"deleted deal {label}")


@app.command("assign")
def assign(
    deals: Annotated[list[int] | None, typer.Argument(help="Deal ids; or use the filters.")] = None,
    to: Annotated[str, typer.Option("--to", help="The new owner's user name; - for nobody.")] = "",
    status: Annotated[str | None, typer.Option("--status", help="open, won or lost.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Every deal in this stage.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Now owned by this user.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Now owned by me.")] = False,
    company: Annotated[str | None, typer.Option("--company")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t")] = None,
    query: Annotated[str | None, typer.Option("--search", "-q", help="Every match.")] = None,
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Fail unless still at this version.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before a bulk change.")
    ] = False,
) -> None:
    """Give deals to a team member: the given ids, or every deal matching a filter.

    Example: crm deal assign --status open --owner sam --to kim --yes
    """
    from crmtui.core.assign import assign_deals
    from crmtui.core.errors import Invalid

    if not to:
        raise Invalid("say who gets them: --to USER (or --to - for nobody)")
    filters = {
        "status": status, "stage": stage, "pipeline": pipeline, "company": company, "tag": tag,
        "owner": context.owner_filter(owner, mine), "query": query,
    }  # fmt: skip
    bulk = not deals
    if bulk and not any(filters.values()):
        raise Invalid("name the deals, or give a filter (--status, --owner, --tag, ...)")
    if bulk:
        from crmtui.core.deals import list_deals

        def question(session) -> str:
            return (
                f"Give {len(list_deals(session, **filters, sort='id', limit=None))} deals to {to}?"
            )

        confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        changed = assign_deals(
            session, to, ids=deals, filters=filters if bulk else None, expected_version=if_version
        )
    message(f"assigned {len(changed)} deal{'s' if len(changed) != 1 else ''} to {to}")
