"""`crm contact ...`: add, list, show, edit, merge, delete, tag and untag contacts."""

from itertools import chain
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import (
    ConsentFilter,
    ContactableFilter,
    ContactCompany,
    ContactSearch,
    ContactTag,
    Created,
    Fields,
    SegmentOption,
    Tags,
    WhereFilter,
    confirm_or_yes,
    key_values,
    when_or_none,
)
from crmtui.cli.output import (
    Format,
    FormatOption,
    LimitOption,
    chosen_format,
    message,
    render_record,
    render_rows,
    report_added,
    report_edited,
)

app = typer.Typer(no_args_is_help=True)

LIST_COLUMNS = (
    "id",
    "name",
    "email",
    "phone",
    "company",
    "tags",
    "lifecycle_stage",
    "last_contacted_at",
)

Emails = Annotated[
    list[str] | None,
    typer.Option("--email", "-e", help="An email; the first is primary (repeatable)."),
]
Phones = Annotated[
    list[str] | None,
    typer.Option("--phone", "-p", help="A phone; the first is primary (repeatable)."),
]
Company = Annotated[
    str | None, typer.Option("--company", "-c", help="Company name; created if new.")
]
Stage = Annotated[str | None, typer.Option("--stage", help="Lifecycle stage: lead, customer, ...")]
Owner = Annotated[str | None, typer.Option("--owner", help="User who owns the record.")]
Consent = Annotated[
    str | None, typer.Option("--consent", help="Email consent: subscribed, unsubscribed, unknown.")
]
ConsentSource = Annotated[
    str | None,
    typer.Option("--consent-source", help="Where the consent was given: web form, phone call ..."),
]
Birthday = Annotated[
    str | None, typer.Option("--birthday", help="1985-04-12, or --04-12 without a year.")
]
Street = Annotated[str | None, typer.Option("--street", help="Postal address: street.")]
City = Annotated[str | None, typer.Option("--city", help="Postal address: city.")]
Region = Annotated[str | None, typer.Option("--region", help="Postal address: state or region.")]
PostalCode = Annotated[
    str | None, typer.Option("--postal-code", help="Postal address: postal code.")
]
Country = Annotated[str | None, typer.Option("--country", help="Postal address: country.")]
Website = Annotated[str | None, typer.Option("--website", help="Web site.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help='Full name, e.g. "Ada Lovelace".')],
    email: Emails = None,
    phone: Phones = None,
    company: Company = None,
    title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
    tag: Tags = None,
    stage: Stage = None,
    owner: Owner = None,
    birthday: Birthday = None,
    street: Street = None,
    city: City = None,
    region: Region = None,
    postal_code: PostalCode = None,
    country: Country = None,
    website: Website = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the contact came from.")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Free text.")] = None,
    field: Fields = None,
    consent: Consent = None,
    consent_source: ConsentSource = None,
    do_not_contact: Annotated[
        bool, typer.Option("--do-not-contact", help="Never contact this person.")
    ] = False,
    created: Created = None,
    fmt: FormatOption = None,
) -> None:
    """Add a contact.

    Example: crm contact add "Ada Lovelace" --email ada@example.com --tag vip
    """
    from crmtui.core.contacts import add_contact, contact_rows
    from crmtui.core.schemas import ContactInput

    data = ContactInput(
        name=name, emails=email or [], phones=phone or [], company=company, job_title=title,
        tags=tag or [], lifecycle_stage=stage, owner=owner, birthday=birthday, source=source,
        street=street, city=city, region=region, postal_code=postal_code, country=country,
        website=website, notes=notes, custom_fields=key_values(field), email_consent=consent,
        consent_source=consent_source, do_not_contact=do_not_contact or None,
        created_at=when_or_none(created),
    )  # fmt: skip
    db = context.database()
    with db.transaction(username=context.username()) as session:
        contact = add_contact(session, data)
        row = contact_rows(session, [contact])[0]
    report_added("contact", row, fmt)


@app.command("list")
def list_(
    query: ContactSearch = None,
    tag: ContactTag = None,
    company: ContactCompany = None,
    owner: Owner = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only contacts I own.")] = False,
    stage: Stage = None,
    where: WhereFilter = None,
    consent: ConsentFilter = None,
    contactable: ContactableFilter = False,
    segment: SegmentOption = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort", help="name, created, updated, last_contacted or id; - for descending."
        ),
    ] = "name",
    limit: LimitOption = 50,
    fmt: FormatOption = None,
) -> None:
    """List contacts, filtered and sorted.

    Example: crm contact list --tag vip --sort -created --format json
    """
    from crmtui.core.reads import contact_list_pages, contact_list_rows, contact_rows
    from crmtui.core.schemas import ContactFilter

    filters = ContactFilter(
        query=query, tag=tag, company=company, owner=context.owner_filter(owner, mine),
        lifecycle_stage=stage, where=key_values(where, "--where"), email_consent=consent,
        contactable=contactable,
    )  # fmt: skip
    filters = context.with_segment(segment, filters)
    with context.database().connection() as connection:
        # json and ndjson give every field; a table and csv only the list's columns, read in
        # fewer queries (every email and phone was a third of a long list's time)
        full = chosen_format(fmt) in (Format.json, Format.ndjson)
        pages = contact_list_pages(
            connection, filters, sort=sort, limit=limit or None,
            build=contact_rows if full else contact_list_rows,
        )  # fmt: skip
        render_rows(chain.from_iterable(pages), LIST_COLUMNS, fmt)


@app.command("show")
def show(
    contact: Annotated[str, typer.Argument(help="Id, email or name.")],
    fmt: FormatOption = None,
) -> None:
    """Show one contact with its recent interactions, deals and open tasks.

    Example: crm contact show ada@example.com --format json
    """
    from crmtui.core.contact_detail import contact_detail

    with context.database().connection() as connection:
        detail = contact_detail(connection, contact)
    render_record(detail.pop("contact"), fmt, sections=detail)


@app.command("edit")
def edit(
    contact: Annotated[str, typer.Argument(help="Id, email or name.")],
    name: Annotated[str | None, typer.Option("--name", help="New full name.")] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Replace the emails (repeatable).")
    ] = None,
    add_email: Annotated[
        list[str] | None, typer.Option("--add-email", help="Add an email.")
    ] = None,
    remove_email: Annotated[
        list[str] | None, typer.Option("--remove-email", help="Remove an email.")
    ] = None,
    phone: Annotated[
        list[str] | None, typer.Option("--phone", "-p", help="Replace the phones (repeatable).")
    ] = None,
    add_phone: Annotated[list[str] | None, typer.Option("--add-phone", help="Add a phone.")] = None,
    remove_phone: Annotated[
        list[str] | None, typer.Option("--remove-phone", help="Remove a phone.")
    ] = None,
    company: Company = None,
    title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
    stage: Stage = None,
    owner: Owner = None,
    birthday: Birthday = None,
    street: Street = None,
    city: City = None,
    region: Region = None,
    postal_code: PostalCode = None,
    country: Country = None,
    website: Website = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the contact came from.")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Free text.")] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="key=value; key= removes it.")
    ] = None,
    consent: Consent = None,
    consent_source: ConsentSource = None,
    do_not_contact: Annotated[
        bool | None,
        typer.Option("--do-not-contact/--ok-to-contact", help="Set or clear do-not-contact."),
    ] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", help="Fail unless the contact is still at this version."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When the --stage change happened, for history entered late."),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Edit a contact; options not given keep their value.

    Example: crm contact edit ada@example.com --stage customer --add-email ada@work.example
    """
    from crmtui.core.contacts import contact_rows, get_contact, update_contact
    from crmtui.core.schemas import ContactInput
    from crmtui.core.text import email_key, phone_key

    with context.database().transaction(username=context.username()) as session:
        record = get_contact(session, contact)
        current = contact_rows(session, [record])[0]
        emails = None
        if email is not None or add_email or remove_email:
            emails = list(email) if email is not None else list(current["emails"])
            emails += list(add_email or [])
            gone = {email_key(e) for e in remove_email or []}
            emails = [e for e in emails if email_key(e) not in gone]
        phones = None
        if phone is not None or add_phone or remove_phone:
            phones = list(phone) if phone is not None else list(current["phones"])
            phones += list(add_phone or [])
            gone = {phone_key(p) for p in remove_phone or []}
            phones = [p for p in phones if phone_key(p) not in gone]
        data = ContactInput(
            name=name, emails=emails, phones=phones, company=company, job_title=title,
            lifecycle_stage=stage, owner=owner, birthday=birthday, source=source, notes=notes,
            street=street, city=city, region=region, postal_code=postal_code, country=country,
            website=website,
            custom_fields=key_values(field) if field else None, email_consent=consent,
            consent_source=consent_source, do_not_contact=do_not_contact,
        )  # fmt: skip
        changes = update_contact(
            session, record, data, expected_version=if_version, stage_at=when_or_none(at)
        )
        row = contact_rows(session, [record])[0]
    report_edited("contact", row, changes, fmt)


@app.command("delete")
def delete(
    contact: Annotated[str, typer.Argument(help="Id, email or name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a contact with its interactions; its deals and tasks stay, unlinked.

    Example: crm contact delete 42 --yes
    """
    from crmtui.core.contacts import delete_contact, get_contact

    def question(session) -> str:
        record = get_contact(session, contact)
        return f"Delete contact {record.id} ({record.display_name})?"

    confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        record = get_contact(session, contact)
        label = f"{record.id} ({record.display_name})"
        delete_contact(session, record)
    message(f"deleted contact {label}")


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The contact kept: id, email or name.")],
    other: Annotated[str, typer.Argument(help="The duplicate: id, email or name.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Merge a duplicate into the contact kept, then delete the duplicate.

    Its emails, phones, tags, deals, tasks and interactions move to the contact kept, whose
    empty fields are filled from it (where both have a value, the kept one stays). An opt-out
    or do-not-contact on either wins; the stage is the further one. One entry in the history:
    `crm undo` on it splits them again.

    Example: crm contact merge ada@example.com ada@work.example --dry-run
    """
    from crmtui.core.contacts import get_contact
    from crmtui.core.merge import merge_contacts, merge_report, plan_merge

    database = context.database()
    if dry_run:
        with database.session() as session:
            plan = plan_merge(session, get_contact(session, keep), get_contact(session, other))
            report = {**merge_report(session, plan), "dry_run": True}
    else:

        def question(session) -> str:
            kept, duplicate = get_contact(session, keep), get_contact(session, other)
            return (
                f"Merge contact {duplicate.id} ({duplicate.display_name}) into contact "
                f"{kept.id} ({kept.display_name}), and delete contact {duplicate.id}?"
            )

        confirm_or_yes(question, yes)
        with database.transaction(username=context.username()) as session:
            kept, duplicate = get_contact(session, keep), get_contact(session, other)
            report = merge_contacts(session, kept, duplicate)
    sections = {name: report.pop(name) for name in ("filled", "changed", "kept")}
    if dry_run or fmt is not None:
        if chosen_format(fmt) is Format.table:  # a person reads how many; scripts get the ids
            report.update({n: len(report[n]) or None for n in ("deals", "tasks", "interactions")})
        render_record(report, fmt, sections=sections)
        return
    message(_merged_text(report, sections))


def _merged_text(report: dict, sections: dict) -> str:
    def count(items: list, plural: str) -> str:
        return f"{len(items)} {plural if len(items) != 1 else plural[:-1]}"

    moved = [
        count(report[name], name) for name in ("deals", "tasks", "interactions") if report[name]
    ]
    added = [
        count(report[f"{name}_added"], name)
        for name in ("emails", "phones", "tags")
        if report[f"{name}_added"]
    ]
    kept = [row for row in sections["kept"] if row["kept"] not in (None, "")]
    dropped = [row for row in sections["kept"] if row["kept"] in (None, "")]
    parts = [
        ("moved " + ", ".join(moved)) if moved else "",
        ("added " + ", ".join(added)) if added else "",
        ("filled " + ", ".join(row["field"] for row in sections["filled"]))
        if sections["filled"] else "",
        ", ".join(f"{row['field']} {row['to']}" for row in sections["changed"]),
        ("kept its own " + ", ".join(row["field"] for row in kept)) if kept else "",
        ("dropped the duplicate's " + ", ".join(row["field"] for row in dropped)
         + " (the two disagree)") if dropped else "",
    ]  # fmt: skip
    done = "; ".join(part for part in parts if part)
    return (
        f"merged contact {report['other_id']} ({report['other_name']}) into contact "
        f"{report['keep_id']} ({report['keep_name']})"
        + (f": {done}" if done else "")
        + f"\nundo with: crm undo {report['change_id']}"
    )


@app.command("tag")
def tag(
    contact: Annotated[str, typer.Argument(help="Id, email or name.")],
    tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
) -> None:
    """Add tags to a contact.

    Example: crm contact tag ada@example.com vip newsletter
    """
    from crmtui.core.contacts import get_contact, tag_contact

    with context.database().transaction(username=context.username()) as session:
        record = get_contact(session, contact)
        added = tag_contact(session, record, tags)
    message(
        f"contact {record.id}: " + (f"tagged {', '.join(added)}" if added else "already tagged")
    )


@app.command("untag")
def untag(
    contact: Annotated[str, typer.Argument(help="Id, email or name.")],
    tags: Annotated[list[str], typer.Argument(help="Tags to remove.")],
) -> None:
    """Remove tags from a contact.

    Example: crm contact untag ada@example.com newsletter
    """
    from crmtui.core.contacts import get_contact, untag_contact

    with context.database().transaction(username=context.username()) as session:
        record = get_contact(session, contact)
        removed = untag_contact(session, record, tags)
    message(
        f"contact {record.id}: "
        + (f"untagged {', '.join(removed)}" if removed else "had none of those tags")
    )


@app.command("assign")
def assign(
    contacts: Annotated[
        list[str] | None, typer.Argument(help="Ids, emails or names; or use the filters.")
    ] = None,
    to: Annotated[str, typer.Option("--to", help="The new owner's user name; - for nobody.")] = "",
    query: Annotated[str | None, typer.Option("--search", "-q", help="Every match.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Every contact so tagged.")] = None,
    company: Annotated[str | None, typer.Option("--company", "-c", help="Its contacts.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Now owned by this user.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Now owned by me.")] = False,
    stage: Stage = None,
    segment: SegmentOption = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", help="Fail unless the contact is still at this version."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before a bulk change.")
    ] = False,
) -> None:
    """Give contacts to a team member: the named ones, or every contact matching a filter.

    Example: crm contact assign --tag trade-show --owner sam --to kim --yes
    """
    from crmtui.core.assign import assign_contacts
    from crmtui.core.errors import Invalid
    from crmtui.core.schemas import ContactFilter

    if not to:
        raise Invalid("say who gets them: --to USER (or --to - for nobody)")
    filters = ContactFilter(
        query=query, tag=tag, company=company, owner=context.owner_filter(owner, mine),
        lifecycle_stage=stage,
    )  # fmt: skip
    filters = context.with_segment(segment, filters)
    bulk = not contacts
    if bulk and not any((query, tag, company, owner, mine, stage, segment)):
        raise Invalid("name the contacts, or give a filter (--tag, --search, --owner, ...)")
    if bulk:
        from crmtui.core.contacts import count_contacts

        confirm_or_yes(lambda s: f"Give {count_contacts(s, filters)} contacts to {to}?", yes)
    with context.database().transaction(username=context.username()) as session:
        changed = assign_contacts(
            session, to, refs=contacts, filters=filters if bulk else None,
            expected_version=if_version,
        )  # fmt: skip
    message(f"assigned {len(changed)} contact{'s' if len(changed) != 1 else ''} to {to}")
