"""Exporting records as CSV, JSON, NDJSON, vCard or iCalendar, streamed in keyset pages."""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.contacts import filtered_contacts
from crmtui.core.errors import Invalid
from crmtui.core.models import (
    DEAL_STATUSES,
    Company,
    Contact,
    Deal,
    Interaction,
)
from crmtui.core.schemas import ContactFilter
from crmtui.core.text import fold
from crmtui.core.usernames import username_is
from crmtui.core.users import usernames_by_id
from crmtui.io.formulas import escape_cells
from crmtui.io.values import MULTI, csv_cell, format_birthday, join_list

PAGE = 2000
FORMATS = {
    "contacts": ("csv", "json", "ndjson", "vcf"),
    "companies": ("csv", "json", "ndjson"),
    "deals": ("csv", "json", "ndjson"),
    "interactions": ("csv", "json", "ndjson", "ics"),
    "tasks": ("csv", "json", "ndjson", "ics"),
}
TASK_STATUSES = ("open", "done")

CONTACT_CSV_COLUMNS = (
    "id", "name", "first_name", "last_name", "email", "emails", "phones", "company",
    "job_title", "tags", "lifecycle_stage", "email_consent", "consent_at", "consent_source",
    "do_not_contact", "birthday",
    "street", "city", "region", "postal_code", "country", "website", "source", "owner", "notes",
    "custom_fields", "created_at", "updated_at",
)  # fmt: skip
COMPANY_CSV_COLUMNS = (
    "id", "name", "domain", "industry", "size", "website", "street", "city", "region",
    "postal_code", "country", "owner", "contacts", "tags", "notes", "custom_fields", "created_at",
)  # fmt: skip
DEAL_CSV_COLUMNS = (
    "id", "title", "pipeline", "stage", "status", "amount", "currency", "contact_email",
    "contact", "company", "owner", "expected_close", "closed_at", "lost_reason", "tags", "notes",
    "created_at",
)  # fmt: skip
INTERACTION_CSV_COLUMNS = (
    "id", "contact_email", "contact", "kind", "direction", "occurred_at", "duration_seconds",
    "subject", "body", "outcome", "deal_id", "user", "deal",
)  # fmt: skip
TASK_CSV_COLUMNS = (
    "id", "title", "due_at", "priority", "done_at", "contact_email", "contact", "deal_id",
    "assignee", "notes", "created_at",
)  # fmt: skip
_CONTACT_FIELDS = (
    Contact.id, Contact.display_name, Contact.first_name, Contact.last_name, Contact.email,
    Contact.phone, Contact.company_id, Contact.job_title, Contact.lifecycle_stage,
    Contact.owner_id, Contact.email_consent, Contact.consent_at, Contact.consent_source,
    Contact.do_not_contact, Contact.birthday_year, Contact.birthday_month, Contact.birthday_day,
    Contact.street, Contact.city, Contact.region, Contact.postal_code, Contact.country,
    Contact.website, Contact.source, Contact.notes, Contact.custom_fields,
    Contact.last_contacted_at, Contact.version, Contact.created_at, Contact.updated_at,
)  # fmt: skip


def check_format(fmt: str, entity: str) -> str:
    fmt = fmt.strip().lower()
    allowed = FORMATS[entity]
    if fmt not in allowed:
        raise Invalid(f"cannot export {entity} as {fmt!r}: choose one of {', '.join(allowed)}")
    return fmt


def _by_ids(session: Session, stmt) -> dict:
    return dict(session.execute(stmt).all())


def _iso(value: Any) -> str | None:
    """A stored UTC time as ISO 8601 with its offset, from SQLite text or a driver datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:]}+00:00"
    return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.isoformat()


def _raw_query(session: Session, stmt) -> tuple[Any, str, list[Any]]:
    """The driver cursor and the statement compiled for it, skipping per-row type processing."""
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    if compiled.positiontup is not None:
        params = [params[name] for name in compiled.positiontup]
    cursor = connection.connection.driver_connection.cursor()
    return cursor, str(compiled), params


def _children(session: Session, sql: str, lo: int, hi: int) -> dict[int, list[str]]:
    cursor, _, _ = _raw_query(session, select(Contact.id))
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    cursor.execute(sql.replace("?", mark), [lo, hi])
    result: dict[int, list[str]] = {}
    for owner_id, value in cursor:
        result.setdefault(owner_id, []).append(value)
    return result


def _contact_batches(session: Session, filters: ContactFilter) -> Iterator[tuple]:
    """Pages of raw contact tuples, in id order, with what they link to."""
    base = filtered_contacts(session, filters).with_only_columns(*_CONTACT_FIELDS)
    companies: dict[int, str] = {}
    owners: dict[int, str] = {}
    last_id = 0
    while True:
        stmt = base.where(Contact.id > last_id).order_by(Contact.id).limit(PAGE)
        cursor, sql, params = _raw_query(session, stmt)
        cursor.execute(sql, params)
        page = cursor.fetchall()
        if not page:
            return
        lo, hi = page[0][0], page[-1][0]
        last_id = hi
        # Range scans per page instead of IN lists: the page is sorted by id.
        emails = _children(session, EMAILS_BETWEEN, lo, hi)
        phones = _children(session, PHONES_BETWEEN, lo, hi)
        tags = _children(session, TAGS_BETWEEN, lo, hi)
        missing = {r[6] for r in page if r[6] and r[6] not in companies}
        if missing:
            companies.update(
                _by_ids(session, select(Company.id, Company.name).where(Company.id.in_(missing)))
            )
        missing = {r[9] for r in page if r[9] and r[9] not in owners}
        if missing:
            owners.update(usernames_by_id(session, missing))
        yield page, emails, phones, tags, companies, owners


def contact_raw_pages(session: Session, filters: ContactFilter) -> Iterator[list[dict[str, Any]]]:
    """Pages of contact rows (the `contact list --format json` shape), in id order."""
    for page, emails, phones, tags, companies, owners in _contact_batches(session, filters):
        yield [
            {
                "id": r[0],
                "name": r[1],
                "first_name": r[2],
                "last_name": r[3],
                "email": r[4],
                "phone": r[5],
                "emails": emails.get(r[0], []),
                "phones": phones.get(r[0], []),
                "company": companies.get(r[6]),
                "job_title": r[7],
                "tags": sorted(tags[r[0]], key=fold) if r[0] in tags else [],
                "lifecycle_stage": r[8],
                "owner": owners.get(r[9]),
                "email_consent": r[10],
                "consent_at": _iso(r[11]),
                "consent_source": r[12],
                "do_not_contact": bool(r[13]),
                "birthday": format_birthday(r[14], r[15], r[16]) or None,
                "street": r[17],
                "city": r[18],
                "region": r[19],
                "postal_code": r[20],
                "country": r[21],
                "website": r[22],
                "source": r[23],
                "notes": r[24],
                "custom_fields": r[25],
                "last_contacted_at": _iso(r[26]),
                "version": r[27],
                "created_at": _iso(r[28]),
                "updated_at": _iso(r[29]),
            }  # fmt: skip
            for r in page
        ]


def contact_csv_pages(session: Session, filters: ContactFilter) -> Iterator[list[list[Any]]]:
    """Pages of CSV cells in CONTACT_CSV_COLUMNS order, built straight from the raw rows."""
    for page, emails, phones, tags, companies, owners in _contact_batches(session, filters):
        yield [
            [
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                # emails and phones never hold ` ::: `, so Google's separator keeps them apart.
                MULTI.join(emails[r[0]]) if r[0] in emails else "",
                MULTI.join(phones[r[0]]) if r[0] in phones else "",
                companies.get(r[6]),
                r[7],
                join_list(sorted(tags[r[0]], key=fold)) if r[0] in tags else "",
                r[8],
                r[10],
                _iso(r[11]),
                r[12],
                "true" if r[13] else "false",
                format_birthday(r[14], r[15], r[16]) if r[15] else "",
                r[17],
                r[18],
                r[19],
                r[20],
                r[21],
                r[22],
                r[23],
                owners.get(r[9]),
                r[24],
                _custom_cell(r[25]),
                _iso(r[28]),
                _iso(r[29]),
            ]  # fmt: skip
            for r in page
        ]


def _custom_cell(custom: Any) -> str:
    if not custom or custom == "{}":
        return ""
    if isinstance(custom, str):
        if "\\u" not in custom:
            return custom  # the stored text as it is: no decoding for most rows
        # stored ASCII-only (`Z\u00fcrich`): written out as the text a spreadsheet shows
        custom = json.loads(custom)
    return json.dumps(custom, ensure_ascii=False)


def contact_pages(session: Session, filters: ContactFilter) -> Iterator[list[dict[str, Any]]]:
    """Contact rows with custom fields as objects, for JSON, NDJSON and vCard."""
    for page in contact_raw_pages(session, filters):
        for row in page:
            custom = row["custom_fields"]
            row["custom_fields"] = json.loads(custom) if isinstance(custom, str) else custom
        yield page


EMAILS_BETWEEN = (
    "SELECT contact_id, email FROM contact_email WHERE contact_id BETWEEN ? AND ? "
    "ORDER BY contact_id, is_primary DESC, id"
)
PHONES_BETWEEN = (
    "SELECT contact_id, phone FROM contact_phone WHERE contact_id BETWEEN ? AND ? "
    "ORDER BY contact_id, is_primary DESC, id"
)
TAGS_BETWEEN = (
    "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
    "WHERE ct.contact_id BETWEEN ? AND ?"
)


def _orm_pages(session: Session, model, stmt, build) -> Iterator[list[dict[str, Any]]]:
    """Pages of `stmt`'s records in id order, as plain rows with the model's columns: an ORM
    object costs about 40 us, a million interactions most of a minute."""
    stmt = stmt.with_only_columns(*model.__table__.columns)
    last_id = 0
    while True:
        records = list(
            session.execute(stmt.where(model.id > last_id).order_by(model.id).limit(PAGE))
        )
        if not records:
            return
        last_id = records[-1].id
        yield build(session, records)


def company_pages(
    session: Session, query: str | None = None, tag: str | None = None, owner: str | None = None
):
    from crmtui.core.companies import company_rows, filtered_companies

    return _orm_pages(
        session, Company, filtered_companies(session, query, tag, owner), company_rows
    )


@dataclass
class DealFilter:
    status: str | None = None
    pipeline: str | None = None
    stage: str | None = None
    owner: str | None = None
    contact: str | None = None
    company: str | None = None
    tag: str | None = None
    query: str | None = None


def deal_pages(session: Session, filters: DealFilter):
    """The filters of `deal list`, in id order."""
    from crmtui.core.companies import get_company
    from crmtui.core.contacts import check_choice, get_contact
    from crmtui.core.deals import deal_rows
    from crmtui.core.models import User
    from crmtui.core.pipelines import get_pipeline, get_stage

    stmt = select(Deal)
    if filters.status:
        stmt = stmt.where(Deal.status == check_choice(filters.status, DEAL_STATUSES, "status"))
    if filters.pipeline or filters.stage:
        pipeline = get_pipeline(session, filters.pipeline)
        stmt = stmt.where(Deal.pipeline_id == pipeline.id)
        if filters.stage:
            stmt = stmt.where(Deal.stage_id == get_stage(session, pipeline.id, filters.stage).id)
    if filters.owner:
        stmt = stmt.join(User, User.id == Deal.owner_id).where(
            username_is(User.username, filters.owner)
        )
    if filters.contact:
        stmt = stmt.where(Deal.contact_id == get_contact(session, filters.contact).id)
    if filters.company:
        stmt = stmt.where(Deal.company_id == get_company(session, filters.company).id)
    if filters.tag:
        stmt = stmt.where(Deal.id.in_(tagging.tag_filter("deal", filters.tag)))
    if filters.query:
        from crmtui.core.search import matching_ids

        stmt = stmt.where(Deal.id.in_(matching_ids(session, "deal", filters.query)))
    return _orm_pages(session, Deal, stmt, deal_rows)


def interaction_pages(session: Session, **filters: Any):
    """Pages of interactions as rows, those `filters` (as core.interactions.filtered_interactions
    takes them) leave."""
    from crmtui.core.interactions import filtered_interactions, interaction_rows

    stmt = filtered_interactions(session, **filters)

    with_emails = _with_emails(interaction_rows)

    def build(session: Session, records: list[Interaction]) -> list[dict[str, Any]]:
        # the deal by its title too: its id means nothing in another database
        rows = with_emails(session, records)
        ids = {r["deal_id"] for r in rows if r["deal_id"]}
        titles = (
            _by_ids(session, select(Deal.id, Deal.title).where(Deal.id.in_(ids))) if ids else {}
        )
        for row in rows:
            row["deal"] = titles.get(row["deal_id"])
        return rows

    return _orm_pages(session, Interaction, stmt, build)


def task_pages(
    session: Session,
    status: str | None = None,
    contact: str | None = None,
    assignee: str | None = None,
):
    """Tasks in id order: open or done ones only with `status`."""
    from crmtui.core.contacts import check_choice, get_contact
    from crmtui.core.models import Task, User
    from crmtui.core.reads import task_rows

    stmt = select(Task)
    if status:
        done = check_choice(status, TASK_STATUSES, "task status") == "done"
        stmt = stmt.where(Task.done_at.is_not(None) if done else Task.done_at.is_(None))
    if contact:
        stmt = stmt.where(Task.contact_id == get_contact(session, contact).id)
    if assignee:
        stmt = stmt.join(User, User.id == Task.assignee_id).where(
            username_is(User.username, assignee)
        )
    return _orm_pages(session, Task, stmt, _with_emails(task_rows))


def _with_emails(rows_of: Callable) -> Callable:
    """A page builder adding each row's contact email and the record's last change."""

    def build(session: Session, records: list) -> list[dict[str, Any]]:
        rows = rows_of(session, records)
        ids = {r["contact_id"] for r in rows}
        emails = _by_ids(session, select(Contact.id, Contact.email).where(Contact.id.in_(ids)))
        for row, record in zip(rows, records, strict=True):
            row["contact_email"] = emails.get(row["contact_id"])
            row["updated_at"] = record.updated_at
        return rows

    return build


# -- writing -------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_row(row: dict[str, Any]) -> str:
    return json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)


def write_export(
    pages: Iterator[list[dict[str, Any]]],
    out: TextIO,
    fmt: str,
    columns: tuple[str, ...],
    *,
    escape_formulas: bool = True,
    cells: Callable[[dict[str, Any]], list[Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every page to `out` in the format; returns the number of records."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        to_cells = cells or (lambda row: [csv_cell(row.get(c)) for c in columns])
        for page in pages:
            rows = [to_cells(row) for row in page]
            if escape_formulas:
                rows = [escape_cells(row) for row in rows]
            writer.writerows(rows)
            count += len(page)
            if progress:
                progress(count)
    elif fmt == "json":
        out.write("[")
        for page in pages:
            for row in page:
                out.write(("\n" if count == 0 else ",\n") + _json_row(row))
                count += 1
            if progress:
                progress(count)
        out.write("]\n" if count == 0 else "\n]\n")
    elif fmt == "ndjson":
        for page in pages:
            out.write("".join(_json_row(row) + "\n" for row in page))
            count += len(page)
            if progress:
                progress(count)
    else:
        from crmtui.io.vcard import contact_card

        for page in pages:
            for row in page:
                out.write(contact_card(row))
            count += len(page)
            if progress:
                progress(count)
    return count


def export_contacts(session, filters, out, fmt, *, escape_formulas=True, progress=None) -> int:
    return write_export(
        (contact_csv_pages if fmt == "csv" else contact_pages)(session, filters), out,
        check_format(fmt, "contacts"),
        CONTACT_CSV_COLUMNS, escape_formulas=escape_formulas, cells=lambda cells: cells,
        progress=progress,
    )  # fmt: skip


def export_records(session, entity, pages, out, fmt, *, escape_formulas=True, progress=None):
    columns = {
        "companies": COMPANY_CSV_COLUMNS,
        "deals": DEAL_CSV_COLUMNS,
        "interactions": INTERACTION_CSV_COLUMNS,
        "tasks": TASK_CSV_COLUMNS,
    }[entity]
    fmt = check_format(fmt, entity)
    if fmt == "ics":
        from crmtui.core.dbinfo import database_id
        from crmtui.io.ics import write_calendar

        return write_calendar(pages, out, entity, database_id(session), progress)
    return write_export(
        pages, out, fmt, columns, escape_formulas=escape_formulas,
        progress=progress,
    )  # fmt: skip
