"""`crm company ...`: add, list, show, edit and delete companies."""

from itertools import chain
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import Created, Fields, Tags, confirm_or_yes, key_values, when_or_none
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

LIST_COLUMNS = ("id", "name", "domain", "industry", "owner", "contacts", "tags")
CompanyRef = Annotated[str, typer.Argument(help="Id or name.")]


def _input(**values):
    from crmtui.core.schemas import CompanyInput

    return CompanyInput(**values)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Company name (unique, case-insensitive).")],
    domain: Annotated[
        str | None, typer.Option("--domain", help="Web domain, e.g. example.com.")
    ] = None,
    industry: Annotated[str | None, typer.Option("--industry")] = None,
    size: Annotated[
        str | None, typer.Option("--size", help="Head count or a band such as 11-50.")
    ] = None,
    website: Annotated[str | None, typer.Option("--website")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="User who owns the company.")] = None,
    tag: Tags = None,
    field: Fields = None,
    created: Created = None,
    fmt: FormatOption = None,
) -> None:
    """Add a company.

    Example: crm company add "Analytical Engines" --domain engines.example --industry Computing
    """
    from crmtui.core.companies import add_company, company_rows

    data = _input(
        name=name, domain=domain, industry=industry, size=size, website=website, city=city,
        country=country, notes=notes, owner=owner, tags=tag or [], custom_fields=key_values(field),
        created_at=when_or_none(created),
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        row = company_rows(session, [add_company(session, data)])[0]
    report_added("company", row, fmt)


@app.command("list")
def list_(
    query: Annotated[
        str | None, typer.Option("--search", "-q", help="Only companies matching these words.")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only companies with this tag.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this user's.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only companies I own.")] = False,
    limit: LimitOption = 50,
    fmt: FormatOption = None,
) -> None:
    """List companies by name, with their number of contacts.

    Example: crm company list --mine --format json
    """
    from crmtui.core.companies import company_list_pages

    owner = context.owner_filter(owner, mine)
    with context.database().session() as session:
        pages = company_list_pages(session, query=query, tag=tag, owner=owner, limit=limit or None)
        render_rows(chain.from_iterable(pages), LIST_COLUMNS, fmt)


@app.command("assign")
def assign(
    companies: Annotated[
        list[str] | None, typer.Argument(help="Ids or names; or use the filters.")
    ] = None,
    to: Annotated[str, typer.Option("--to", help="The new owner's user name; - for nobody.")] = "",
    query: Annotated[str | None, typer.Option("--search", "-q", help="Every match.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Every company so tagged.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Now owned by this user.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Now owned by me.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before a bulk change.")
    ] = False,
) -> None:
    """Give companies to a team member: the named ones, or every company matching a filter.

    Example: crm company assign --tag enterprise --to kim --yes
    """
    from crmtui.core.assign import assign_companies
    from crmtui.core.errors import Invalid

    if not to:
        raise Invalid("say who gets them: --to USER (or --to - for nobody)")
    filters = {"query": query, "tag": tag, "owner": context.owner_filter(owner, mine)}
    bulk = not companies
    if bulk and not any(filters.values()):
        raise Invalid("name the companies, or give a filter (--tag, --search, --owner, ...)")
    if bulk:
        from crmtui.core.companies import list_companies

        def question(session) -> str:
            return f"Give {len(list_companies(session, **filters, limit=None))} companies to {to}?"

        confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        changed = assign_companies(session, to, refs=companies, filters=filters if bulk else None)
    message(f"assigned {len(changed)} compan{'ies' if len(changed) != 1 else 'y'} to {to}")


@app.command("show")
def show(company: CompanyRef, fmt: FormatOption = None) -> None:
    """Show a company with its contacts and deals.

    Example: crm company show "Analytical Engines"
    """
    from crmtui.core.companies import company_detail

    with context.database().session() as session:
        detail = company_detail(session, company)
    render_record(detail.pop("company"), fmt, sections=detail)


@app.command("edit")
def edit(
    company: CompanyRef,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    domain: Annotated[str | None, typer.Option("--domain")] = None,
    industry: Annotated[str | None, typer.Option("--industry")] = None,
    size: Annotated[str | None, typer.Option("--size")] = None,
    website: Annotated[str | None, typer.Option("--website")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    tag: Tags = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="key=value; key= removes it.")
    ] = None,
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Fail unless still at this version.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Edit a company; options not given keep their value.

    Example: crm company edit "Analytical Engines" --domain engines.example
    """
    from crmtui.core.companies import company_rows, get_company, update_company

    data = _input(
        name=name, domain=domain, industry=industry, size=size, website=website, city=city,
        country=country, notes=notes, owner=owner, tags=tag or [],
        custom_fields=key_values(field) if field else None,
    )  # fmt: skip
    with context.database().transaction(username=context.username()) as session:
        record = get_company(session, company)
        changes = update_company(session, record, data, expected_version=if_version)
        row = company_rows(session, [record])[0]
    report_edited("company", row, changes, fmt)


@app.command("delete")
def delete(
    company: CompanyRef,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a company; its contacts and deals stay, unlinked.

    Example: crm company delete "Analytical Engines" --yes
    """
    from crmtui.core.companies import delete_company, get_company

    def question(session) -> str:
        record = get_company(session, company)
        return f"Delete company {record.id} ({record.name})?"

    confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        record = get_company(session, company)
        label = f"{record.id} ({record.name})"
        delete_company(session, record)
    message(f"deleted company {label}")
