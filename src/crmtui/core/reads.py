"""Records read as plain rows with SQL on the bare tables, so short commands never build the ORM."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    Date,
    Integer,
    any_,
    bindparam,
    column,
    exists,
    false,
    func,
    or_,
    select,
    table,
    text,
    type_coerce,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.types import NullType

from crmtui.core.choices import CONSENT_STATES, LIFECYCLE_STAGES, check_choice
from crmtui.core.errors import Ambiguous, Invalid, NotFound
from crmtui.core.money import format_amount
from crmtui.core.schemas import ContactFilter
from crmtui.core.text import email_key, fold
from crmtui.core.types import UTCDateTime, utcnow
from crmtui.core.usernames import username_is

if TYPE_CHECKING:
    from sqlmodel import Session

# Building the SQLModel classes costs a short command more than its queries. The rows read here
# carry the models' attribute names and Python types (aware datetimes, dicts, bools), and the row
# builders take model instances too: every front end turns records into plain data one way.

# The columns whose stored values need converting, as models.py declares them (a test compares).
TYPED_COLUMNS: dict[str, dict[str, Any]] = {
    "contact": {
        "consent_at": UTCDateTime,
        "last_contacted_at": UTCDateTime,
        "created_at": UTCDateTime,
        "updated_at": UTCDateTime,
        "custom_fields": JSON,
        "do_not_contact": Boolean,
    },
    "company": {"created_at": UTCDateTime, "updated_at": UTCDateTime, "custom_fields": JSON},
    "deal": {
        "expected_close": Date,
        "closed_at": UTCDateTime,
        "stage_entered_at": UTCDateTime,
        "created_at": UTCDateTime,
        "updated_at": UTCDateTime,
    },
    "interaction": {
        "occurred_at": UTCDateTime,
        "created_at": UTCDateTime,
        "updated_at": UTCDateTime,
    },
    "task": {
        "due_at": UTCDateTime,
        "done_at": UTCDateTime,
        "created_at": UTCDateTime,
        "updated_at": UTCDateTime,
    },
}

# Every column, in the models' order (a test compares): a page query selects whole rows, which
# also keeps SQLite on its keyset plan (an id-only query scans the covering index from the top).
CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "display_name", "sort_key", "email", "phone", "job_title",
    "company_id", "birthday_year", "birthday_month", "birthday_day", "street", "city", "region",
    "postal_code", "country", "website", "notes", "source", "lifecycle_stage", "owner_id",
    "email_consent", "consent_at", "consent_source", "do_not_contact", "custom_fields",
    "last_contacted_at", "search_text", "version", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
CONTACT = table(
    "contact",
    *(column(name, TYPED_COLUMNS["contact"].get(name, Integer if name == "id" else None))
      for name in CONTACT_COLUMNS),
)  # fmt: skip
_CONTACT_TAG = table("contact_tag", column("contact_id", Integer), column("tag_id", Integer))
_TAG = table("tag", column("id", Integer), column("name_key"))
_COMPANY = table("company", column("id", Integer), column("name_key"))
_USER = table("user", column("id", Integer), column("username"))
# Rows read at a time by the streaming reads.
PAGE = 2000
_TASK = table(
    "task",
    *(column(name, TYPED_COLUMNS["task"].get(name, Integer if name.endswith("id") else None))
      for name in ("id", "title", "due_at", "priority", "contact_id", "deal_id", "assignee_id",
                   "done_at", "notes", "created_at")),
)  # fmt: skip

CONTACT_SORTS = {
    "name": "sort_key",
    "created": "created_at",
    "updated": "updated_at",
    "last_contacted": "last_contacted_at",
    "id": "id",
}
NULLABLE_SORTS = {"last_contacted"}
_TAG_LINKS = {
    "contact": ("contact_tag", "contact_id"),
    "company": ("company_tag", "company_id"),
    "deal": ("deal_tag", "deal_id"),
}


def read_sql(
    session: Session | Connection,
    sql: str,
    params: dict[str, Any],
    *,
    entity: str | None = None,
    types: dict[str, Any] | None = None,
):
    """Run SQL text; `ids` is a list parameter, `types` type other parameters, and an entity's
    typed columns are converted."""
    if getattr(session, "autoflush", False):
        session.flush()  # as the ORM does before a query: pending edits must be seen
    stmt = text(sql)
    binds = [bindparam(name, type_=type_) for name, type_ in (types or {}).items()]
    if "ids" in params:
        binds.append(bindparam("ids", expanding=True))
    if binds:
        stmt = stmt.bindparams(*binds)
    if entity is not None:
        stmt = stmt.columns(**TYPED_COLUMNS[entity])
    return session.execute(stmt, params)


def records(session: Session | Connection, entity: str, ids: Sequence[int]) -> list[Row]:
    """Whole rows of `entity` for these ids, in the order of the ids (missing ones left out)."""
    if not ids:
        return []
    found = {
        row.id: row
        for row in read_sql(
            session, f"SELECT * FROM {entity} WHERE id IN :ids", {"ids": list(ids)}, entity=entity
        )
    }
    return [found[i] for i in ids if i in found]


def _values_by_id(
    session: Session | Connection, table_name: str, value: str, ids: Iterable
) -> dict[int, Any]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = read_sql(
        session, f"SELECT id, {value} FROM {table_name} WHERE id IN :ids", {"ids": wanted}
    )
    return dict(rows.all())


def usernames_by_id(session: Session | Connection, ids: Iterable) -> dict[int, str]:
    return _values_by_id(session, '"user"', "username", ids)


def _emails_and_phones(session: Session | Connection, ids: list[int]):
    """{contact id: [emails]} and {contact id: [phones]}, primary first, in one query (on
    PostgreSQL each round trip counts)."""
    emails: dict[int, list[str]] = {i: [] for i in ids}
    phones: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = read_sql(
            session,
            "SELECT 'e', contact_id, email, is_primary, id FROM contact_email "
            "WHERE contact_id IN :ids UNION ALL "
            "SELECT 'p', contact_id, phone, is_primary, id FROM contact_phone "
            "WHERE contact_id IN :ids ORDER BY 2, 4 DESC, 5",
            {"ids": ids},
        ).all()  # at once: a row at a time through the result costs a fifth more
        for kind, owner_id, item, _primary, _id in rows:
            (emails if kind == "e" else phones)[owner_id].append(item)
    return emails, phones


def tag_names(session: Session | Connection, entity: str, ids: list[int]) -> dict[int, list[str]]:
    """Tag names per record, sorted, for a page of records in one query."""
    if not ids:
        return {}
    link, owner = _TAG_LINKS[entity]
    rows = read_sql(
        session,
        f"SELECT {link}.{owner}, tag.name FROM {link} JOIN tag ON tag.id = {link}.tag_id "
        f"WHERE {link}.{owner} IN :ids",
        {"ids": ids},
    )
    result: dict[int, list[str]] = {i: [] for i in ids}
    for owner_id, name in rows:
        result[owner_id].append(name)
    for names in result.values():
        names.sort(key=fold)
    return result


def format_birthday(contact: Any) -> str | None:
    if not contact.birthday_month or not contact.birthday_day:
        return None
    month_day = f"{contact.birthday_month:02d}-{contact.birthday_day:02d}"
    return f"{contact.birthday_year:04d}-{month_day}" if contact.birthday_year else f"--{month_day}"


def contact_rows(session: Session | Connection, contacts: Sequence[Any]) -> list[dict[str, Any]]:
    """Plain data for output, for a page of contacts in a handful of queries."""
    ids = [c.id for c in contacts]
    emails, phones = _emails_and_phones(session, ids)
    companies = _values_by_id(session, "company", "name", {c.company_id for c in contacts})
    tags = tag_names(session, "contact", ids)
    users = usernames_by_id(session, {c.owner_id for c in contacts})
    return [
        {
            "id": c.id,
            "name": c.display_name,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "email": c.email,
            "phone": c.phone,
            "emails": emails.get(c.id, []),
            "phones": phones.get(c.id, []),
            "company": companies.get(c.company_id),
            "job_title": c.job_title,
            "tags": tags.get(c.id, []),
            "lifecycle_stage": c.lifecycle_stage,
            "owner": users.get(c.owner_id),
            "email_consent": c.email_consent,
            "consent_at": c.consent_at,
            "consent_source": c.consent_source,
            "do_not_contact": c.do_not_contact,
            "birthday": format_birthday(c),
            "street": c.street,
            "city": c.city,
            "region": c.region,
            "postal_code": c.postal_code,
            "country": c.country,
            "website": c.website,
            "source": c.source,
            "notes": c.notes,
            "custom_fields": c.custom_fields,
            "last_contacted_at": c.last_contacted_at,
            "version": c.version,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
        }
        for c in contacts
    ]


def company_rows(session: Session | Connection, companies: Sequence[Any]) -> list[dict[str, Any]]:
    """Plain data for output: one dict per company, with contact counts and tags."""
    ids = [c.id for c in companies]
    counts = (
        dict(
            read_sql(
                session,
                "SELECT company_id, count(*) FROM contact WHERE company_id IN :ids "
                "GROUP BY company_id",
                {"ids": ids},
            ).all()
        )
        if ids
        else {}
    )
    tags = tag_names(session, "company", ids)
    owners = usernames_by_id(session, {c.owner_id for c in companies})
    return [
        {
            "id": c.id,
            "name": c.name,
            "domain": c.domain,
            "industry": c.industry,
            "size": c.size,
            "website": c.website,
            "street": c.street,
            "city": c.city,
            "region": c.region,
            "postal_code": c.postal_code,
            "country": c.country,
            "notes": c.notes,
            "owner": owners.get(c.owner_id),
            "contacts": counts.get(c.id, 0),
            "tags": tags.get(c.id, []),
            "custom_fields": c.custom_fields,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
        }
        for c in companies
    ]


def deal_rows(session: Session | Connection, deals: Sequence[Any]) -> list[dict[str, Any]]:
    """Plain data for output, for a page of deals in a handful of queries."""
    ids = [d.id for d in deals]
    stage_ids = sorted({d.stage_id for d in deals})
    stages = (
        {
            row.id: row
            for row in read_sql(
                session,
                "SELECT id, name, probability FROM stage WHERE id IN :ids",
                {"ids": stage_ids},
            )
        }
        if stage_ids
        else {}
    )
    pipelines = _values_by_id(session, "pipeline", "name", {d.pipeline_id for d in deals})
    contact_ids = sorted({d.contact_id for d in deals if d.contact_id})
    contacts = (
        {
            row.id: row
            for row in read_sql(
                session,
                "SELECT id, display_name, email FROM contact WHERE id IN :ids",
                {"ids": contact_ids},
            )
        }
        if contact_ids
        else {}
    )
    companies = _values_by_id(session, "company", "name", {d.company_id for d in deals})
    tags = tag_names(session, "deal", ids)
    users = usernames_by_id(session, {d.owner_id for d in deals})
    rows = []
    for d in deals:
        stage = stages.get(d.stage_id)
        contact = contacts.get(d.contact_id)
        rows.append(
            {
                "id": d.id,
                "title": d.title,
                "pipeline": pipelines.get(d.pipeline_id),
                "stage": stage.name if stage else None,
                "probability": stage.probability if stage else None,
                "status": d.status,
                "amount": format_amount(d.amount_units, d.currency),
                "currency": d.currency,
                "contact": contact.display_name if contact else None,
                "contact_id": d.contact_id,
                "contact_email": contact.email if contact else None,
                "company": companies.get(d.company_id),
                "company_id": d.company_id,
                "owner": users.get(d.owner_id),
                "expected_close": d.expected_close,
                "closed_at": d.closed_at,
                "lost_reason": d.lost_reason,
                "stage_entered_at": d.stage_entered_at,
                "notes": d.notes,
                "tags": tags.get(d.id, []),
                "version": d.version,
                "created_at": d.created_at,
                "updated_at": d.updated_at,
            }
        )
    return rows


def interaction_rows(
    session: Session | Connection, interactions: Sequence[Any]
) -> list[dict[str, Any]]:
    users = usernames_by_id(session, {i.user_id for i in interactions})
    names = _values_by_id(session, "contact", "display_name", {i.contact_id for i in interactions})
    return [
        {
            "id": i.id,
            "contact_id": i.contact_id,
            "contact": names.get(i.contact_id),
            "deal_id": i.deal_id,
            "kind": i.kind,
            "direction": i.direction,
            "occurred_at": i.occurred_at,
            "duration_seconds": i.duration_seconds,
            "subject": i.subject,
            "body": i.body,
            "outcome": i.outcome,
            "user": users.get(i.user_id),
        }
        for i in interactions
    ]


def task_rows(session: Session | Connection, tasks: Sequence[Any]) -> list[dict[str, Any]]:
    users = usernames_by_id(session, {t.assignee_id for t in tasks})
    names = _values_by_id(session, "contact", "display_name", {t.contact_id for t in tasks})
    return [
        {
            "id": t.id,
            "title": t.title,
            "due_at": t.due_at,
            "priority": t.priority,
            "contact_id": t.contact_id,
            "contact": names.get(t.contact_id),
            "deal_id": t.deal_id,
            "assignee": users.get(t.assignee_id),
            "done_at": t.done_at,
            "notes": t.notes,
            "created_at": t.created_at,
        }
        for t in tasks
    ]


def _tasks(
    session: Session | Connection,
    include_done: bool = False,
    contact: str | None = None,
    assignee: str | None = None,
):
    t = _TASK.c
    stmt = select(_TASK)
    if not include_done:
        stmt = stmt.where(t.done_at.is_(None))
    if contact:
        stmt = stmt.where(t.contact_id == find_contact(session, contact).id)
    if assignee:
        named = select(_USER.c.id).where(username_is(_USER.c.username, assignee))
        stmt = stmt.where(t.assignee_id.in_(named))
    # dated then undated, each in an order the open-tasks index gives: `ORDER BY due_at IS NULL`
    # sorted every open task for a page (180,000 on the 1M demo)
    dated = stmt.where(t.due_at.is_not(None)).order_by(t.due_at, t.id)
    return dated, stmt.where(t.due_at.is_(None)).order_by(t.id)


def list_tasks(
    session: Session | Connection,
    *,
    include_done: bool = False,
    contact: str | None = None,
    assignee: str | None = None,
    limit: int | None = 100,
) -> list[Row]:
    """Open (or all) tasks, soonest due first, then the undated by id."""
    dated, undated = _tasks(session, include_done, contact, assignee)
    tasks = session.execute(dated.limit(limit) if limit else dated).all()
    if not limit or len(tasks) < limit:
        tasks += session.execute(undated.limit(limit - len(tasks)) if limit else undated).all()
    return tasks


def task_list_pages(
    session: Session | Connection,
    *,
    include_done: bool = False,
    contact: str | None = None,
    assignee: str | None = None,
    limit: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """`task_rows` of `list_tasks`, PAGE at a time (`limit` None: all)."""
    dated, undated = _tasks(session, include_done, contact, assignee)
    t, left = _TASK.c, limit
    for stmt, column_ in ((dated, t.due_at), (undated, t.id)):
        for page in keyset_pages(session, stmt, column_, t.id, limit=left):
            yield task_rows(session, page)
            left = None if left is None else left - len(page)
        if left == 0:
            return


def due_bounds(now: datetime, within: timedelta) -> tuple[datetime, datetime]:
    """The end of today in local time, and of the span of `within` after it."""
    from crmtui.core.timeparse import local_tz

    start_today = now.astimezone(local_tz()).replace(hour=0, minute=0, second=0, microsecond=0)
    end_today = start_today + timedelta(days=1)
    return end_today, max(end_today, end_today + within)


def due_task_rows(
    session: Session | Connection,
    *,
    within: timedelta = timedelta(0),
    now: datetime | None = None,
    assignee: str | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Open tasks overdue, due today and (with `within`) upcoming, in local days: (group, row)
    in due order, rows as `task_rows` makes them, read a page at a time.

    Plain rows, not ORM objects: the demo's 75,000 overdue tasks among a million contacts took
    4 s as objects, half of it building them. Names are looked up a page at a time in id order: joined in due order, each
    task's contact is a random read of the big contact table, 30 % slower.
    """
    now = now or utcnow()
    end_today, horizon = due_bounds(now, within)
    t = _TASK.c
    stmt = (
        select(
            t.id,
            t.title,
            stored(t.due_at),
            t.priority,
            t.contact_id,
            t.deal_id,
            t.assignee_id,
            t.notes,
            stored(t.created_at),
        )
        .where(t.done_at.is_(None), t.due_at < horizon)
        .order_by(t.due_at, t.id)
    )
    if assignee:
        named = select(_USER.c.id).where(username_is(_USER.c.username, assignee))
        stmt = stmt.where(t.assignee_id.in_(named))
    result = session.execute(stmt)
    users: dict[int, str] = {}
    while page := result.fetchmany(PAGE):
        names = _values_by_id(session, "contact", "display_name", (r[4] for r in page))
        users.update(usernames_by_id(session, {r[6] for r in page} - users.keys()))
        for id_, title, due, priority, contact_id, deal_id, assignee_id, notes, created in page:
            due_at = utc(due)
            group = "overdue" if due_at < now else "today" if due_at < end_today else "upcoming"
            yield (
                group,
                {
                    "id": id_,
                    "title": title,
                    "due_at": due_at,
                    "priority": priority,
                    "contact_id": contact_id,
                    "contact": names.get(contact_id),
                    "deal_id": deal_id,
                    "assignee": users.get(assignee_id),
                    "done_at": None,
                    "notes": notes,
                    "created_at": utc(created),
                },
            )


def due_summary(
    session: Session | Connection,
    *,
    within: timedelta = timedelta(0),
    now: datetime | None = None,
    assignee: str | None = None,
    limit: int = 100,
) -> dict[str, dict[str, Any]]:
    """What is due (grouped as `due_task_rows` lists it) for a screen: each group's count and
    first `limit` tasks, never all of them; and `undated`, the open tasks with no due date (a
    follow-up logged without one), newest first, so that no open task is out of sight.

    Overdue comes most recently due first (what slipped yesterday matters more than last year).
    Plain rows, not ORM objects: the Tasks view then never builds the models, which took the
    first showing of it on the 1M demo 150 ms, more than its queries.
    """
    now = now or utcnow()
    end_today, horizon = due_bounds(now, within)
    t = _TASK.c
    due = t.due_at
    groups = {
        "overdue": ((due < now,), (due.desc(), t.id.desc())),
        "today": ((due >= now, due < end_today), (due, t.id)),
        "upcoming": ((due >= end_today, due < horizon), (due, t.id)),
        "undated": ((due.is_(None),), (t.created_at.desc(), t.id.desc())),
    }
    base = select(_TASK).where(t.done_at.is_(None))
    if assignee:
        named = select(_USER.c.id).where(username_is(_USER.c.username, assignee))
        base = base.where(t.assignee_id.in_(named))
    summary: dict[str, dict[str, Any]] = {}
    for name, (conditions, order) in groups.items():
        stmt = base.where(*conditions)
        count = session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
        tasks = session.execute(stmt.order_by(*order).limit(limit)).all() if count else []
        summary[name] = {"count": count, "tasks": tasks}
    return summary


def stored(time_column):
    """A UTC time column read as stored, for `utc` to convert: SQLAlchemy's own conversion
    costs twice as much, which shows over tens of thousands of rows."""
    return type_coerce(time_column, NullType)


def utc(value: str | datetime) -> datetime:
    """A `stored` time as `UTCDateTime` reads it: SQLite text, or a driver's naive datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def find_contact(session: Session | Connection, ref: str | int) -> Row:
    """A contact by id, any of its emails, or an unambiguous name."""
    ref_text = str(ref).strip()
    if not ref_text:
        raise Invalid("name a contact by id, email or name")
    if ref_text.isdigit():
        found = records(session, "contact", [int(ref_text)])
        if not found:
            raise NotFound(f"no contact with id {ref_text}")
        return found[0]
    if "@" in ref_text:
        contact_id = read_sql(
            session,
            "SELECT contact_id FROM contact_email WHERE email_key = :key",
            {"key": email_key(ref_text)},
        ).scalar()
        if contact_id is None:
            raise NotFound(f"no contact with email {ref_text}")
        return records(session, "contact", [contact_id])[0]
    exact = read_sql(
        session,
        "SELECT * FROM contact WHERE sort_key = :key ORDER BY id LIMIT 6",
        {"key": fold(ref_text)},
        entity="contact",
    ).all()
    candidates = exact or _search_candidates(session, ref_text)
    if not candidates:
        raise NotFound(f"no contact named {ref_text!r}")
    if len(candidates) > 1:
        listed = "; ".join(f"{c.id} {c.display_name}" for c in candidates[:5])
        more = " ..." if len(candidates) > 5 else ""
        raise Ambiguous(
            f"{ref_text!r} matches several contacts: {listed}{more}; use an id or email"
        )
    return candidates[0]


def _search_candidates(session: Session | Connection, query: str) -> list[Row]:
    from crmtui.core.search import matching_ids

    ids = session.scalars(matching_ids(session, "contact", query).limit(6)).all()
    return records(session, "contact", sorted(ids))


def user_ids(session: Session | Connection, username: str) -> list[int]:
    """The ids of the user of this name, whatever its case (two older ones may differ in case)."""
    return list(session.scalars(select(_USER.c.id).where(username_is(_USER.c.username, username))))


def _tag_id(tag: str):
    return select(_TAG.c.id).where(_TAG.c.name_key == fold(tag)).scalar_subquery()


def _tagged(columns, tag: str, *, row_by_row: bool = False):
    """Contacts with the tag: found through the tag's links, or (`row_by_row`) checked for each
    contact as a sort index is walked, which SQLite cannot turn into reading every link."""
    links = _CONTACT_TAG.c
    if row_by_row:
        return exists().where(links.contact_id == columns.id, links.tag_id == _tag_id(tag))
    return columns.id.in_(select(links.contact_id).where(links.tag_id == _tag_id(tag)))


def contact_conditions(session: Session | Connection, columns, filters: ContactFilter) -> list:
    """WHERE conditions narrowing contacts by the filter; `columns` are the contact table's
    (the models' for an ORM query, CONTACT.c for a plain one)."""
    conditions = []
    if filters.query:
        from crmtui.core.search import matching_condition

        conditions.append(matching_condition(session, columns.id, "contact", filters.query))
    if filters.tag:
        conditions.append(_tagged(columns, filters.tag))
    if filters.company:
        named = select(_COMPANY.c.id).where(_COMPANY.c.name_key == fold(filters.company))
        conditions.append(columns.company_id.in_(named))
    if filters.owner:
        # ids, not a subquery: `owner_id IN (SELECT ...)` keeps SQLite off the index on (owner,
        # created), so the newest of an owner's contacts walked every contact (1 s for none)
        owners = user_ids(session, filters.owner)
        conditions.append(or_(false(), *(columns.owner_id == owner for owner in owners)))
    if filters.lifecycle_stage:
        stage = check_choice(filters.lifecycle_stage, LIFECYCLE_STAGES, "lifecycle stage")
        conditions.append(columns.lifecycle_stage == stage)
    for key, value in filters.where.items():
        conditions.append(columns.custom_fields[key].as_string() == value)
    if filters.email_consent:
        consent = check_choice(filters.email_consent, CONSENT_STATES, "email consent")
        conditions.append(columns.email_consent == consent)
    if filters.contactable:
        conditions.append(columns.do_not_contact.is_(False))
        conditions.append(columns.email_consent != "unsubscribed")
    return conditions


def parse_sort(sort: str) -> tuple[str, bool]:
    """`name`, `-created` ...: (key, descending)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-+")
    if key not in CONTACT_SORTS:
        raise Invalid(f"cannot sort by {key!r}: choose one of {', '.join(CONTACT_SORTS)}")
    return key, descending


def contact_page(
    session: Session | Connection,
    filters: ContactFilter | None = None,
    *,
    sort: str = "name",
    limit: int | None = 50,
    after: tuple[Any, int] | None = None,
) -> list[Row]:
    """One page of contacts in sort order; pass the last row's `sort_value` and id as `after`."""
    from crmtui.core.search import dialect_name, few_matching_ids, matching_ids

    key, descending = parse_sort(sort)
    filters = filters or ContactFilter()
    others = contact_conditions(session, CONTACT.c, replace(filters, query=None, tag=None))
    few = few_matching_ids(session, "contact", filters.query) if filters.query else None
    if few == []:
        return []
    sparse = None
    if not filters.query and dialect_name(session) == "sqlite":
        sparse = _sparse_filter(session, filters, key)
    if filters.tag:
        # a tag's links are read whole: right for the filter that narrows most, else each
        # contact is checked as the sort index is walked (newsletter: 1.6 s a page, 1 ms)
        by_links = filters.query or sparse == "tag" or dialect_name(session) != "sqlite"
        others.append(_tagged(CONTACT.c, filters.tag, row_by_row=not by_links))
    if few is not None:
        # A few matches on PostgreSQL: sorted on their own (OFFSET 0 keeps them apart), or its
        # planner walks the sort index past every other contact to find them: 50 ms for a first
        # name, whose matches all sort last, among 100,000 contacts; 5 ms this way.
        found = bindparam("matching_ids", few, type_=ARRAY(Integer), unique=True)
        matches = select(CONTACT).where(CONTACT.c.id == any_(found), *others).offset(0)
        stmt = select(matches.subquery())
    elif filters.query:
        matching = matching_ids(session, "contact", filters.query)
        stmt = select(CONTACT).where(CONTACT.c.id.in_(matching), *others)
    elif sparse:
        # read through that filter's index and sorted apart, as for a few search matches
        stmt = select(select(CONTACT).where(*others).offset(0).subquery())
    else:
        stmt = select(CONTACT).where(*others)
    columns = stmt.selected_columns
    column_ = columns[CONTACT_SORTS[key]]
    ident = columns.id
    if key == "id":
        stmt = stmt.order_by(ident.desc() if descending else ident)
    elif key not in NULLABLE_SORTS:  # a NULLS clause would keep PostgreSQL off the index
        stmt = (
            stmt.order_by(column_.desc(), ident.desc())
            if descending
            else stmt.order_by(column_, ident)
        )
    elif descending:
        stmt = stmt.order_by(column_.desc().nulls_last(), ident.desc())
    else:
        stmt = stmt.order_by(column_.asc().nulls_first(), ident)
    if after is None:
        return session.execute(stmt.limit(limit) if limit else stmt).all()
    return read_after(session, stmt, _after(columns, key, descending, *after), limit)


def contact_list_pages(
    session: Session | Connection,
    filters: ContactFilter | None = None,
    *,
    sort: str = "name",
    limit: int | None = None,
    build: Callable[[Any, list[Row]], list[dict[str, Any]]] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Rows of the contacts in sort order, PAGE at a time (`limit` None: all), as `build` makes
    them from a page (`contact_rows`, or `contact_list_rows` for the columns a list shows).

    Keyset pages, not one query: a whole list read at once held every row and every email in
    memory (a million contacts: gigabytes) and looked names up in IN lists as long as the table.
    """
    after, left = None, limit
    while left is None or left > 0:
        size = PAGE if left is None else min(left, PAGE)
        contacts = contact_page(session, filters, sort=sort, limit=size, after=after)
        if contacts:
            yield (build or contact_rows)(session, contacts)
        if len(contacts) < size:
            return
        after = (sort_value(contacts[-1], sort), contacts[-1].id)
        if left is not None:
            left -= len(contacts)


def keyset_pages(
    session: Session | Connection,
    stmt,
    column_,
    ident,
    *,
    descending: bool = False,
    nullable: bool = False,
    limit: int | None = None,
) -> Iterator[list[Row]]:
    """The rows of `stmt`, sorted by (column_, ident), PAGE at a time through `keyset_after`
    (`limit` None: all): a long list never held whole, each page found along the sort index."""
    after, left = None, limit
    while left is None or left > 0:
        size = PAGE if left is None else min(left, PAGE)
        if after is None:
            rows = session.execute(stmt.limit(size)).all()
        else:
            rows = read_after(session, stmt, after, size)
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]
        value = getattr(last, column_.key)
        after = keyset_after(column_, ident, descending, value, last.id, nullable)
        if left is not None:
            left -= len(rows)


def read_after(session: Session | Connection, stmt, ranges: list, limit: int | None) -> list[Row]:
    """Up to `limit` rows of a sorted `stmt` from the keyset `ranges` (as `keyset_after` gives
    them), reading the next range only while the page is short."""
    rows: list[Row] = []
    for condition in ranges:
        left = limit - len(rows) if limit else None
        page = stmt.where(condition)
        rows += session.execute(page.limit(left) if left else page).all()
        if limit and len(rows) >= limit:
            break
    return rows


# A filter matching fewer contacts than this has them read and sorted rather than found along
# a sort index (SQLite: its statistics know an owner has 250,000 contacts on average, not that
# this one has none, and walked the whole name index for them: 4 s among a million).
FEW_CONTACTS = 10_000


def _sparse_filter(session: Session | Connection, filters: ContactFilter, key: str) -> str | None:
    """The first indexed filter (tag, owner, company, stage) matching fewer than FEW_CONTACTS
    contacts, counted on its own index no further than that; not one whose index is in the
    sort order already (an owner's newest, a stage by name)."""
    in_order = {"created": "owner", "name": "lifecycle_stage"}.get(key)
    for name in ("tag", "owner", "company", "lifecycle_stage"):
        value = getattr(filters, name)
        if not value or name == in_order:
            continue
        if name == "tag":
            links = _CONTACT_TAG.c
            found = select(links.contact_id).where(links.tag_id == _tag_id(value))
        else:
            only = contact_conditions(session, CONTACT.c, ContactFilter(**{name: value}))
            found = select(CONTACT.c.id).where(*only)
        counted = select(func.count()).select_from(found.limit(FEW_CONTACTS).subquery())
        if session.execute(counted).scalar() < FEW_CONTACTS:
            return name
    return None


def _after(columns, key: str, descending: bool, value: Any, last_id: int) -> list:
    """A contact list's keyset ranges after (value, last_id) in the sort `key`."""
    column_, ident = columns[CONTACT_SORTS[key]], columns.id
    if key == "id":
        return [ident < last_id if descending else ident > last_id]
    return keyset_after(column_, ident, descending, value, last_id, key in NULLABLE_SORTS)


def keyset_after(
    column_, ident, descending: bool, value: Any, last_id: int, nullable: bool = False
) -> list:
    """Rows after (value, last_id) in the order (column_, ident), as index ranges read one after
    the other (`read_after`).

    Empty values (never contacted) sort lowest. Each condition bounds the sort column on its own
    (`column >= value AND ...`): with only `column > ? OR (column = ? AND id > ?)` SQLite cannot
    tell the two parameters are equal and scans the index from the start, 150 ms deep into a
    million contacts instead of 0.1 ms.
    """
    if descending:
        if value is None:
            return [column_.is_(None) & (ident < last_id)]
        ranges = [(column_ <= value) & or_(column_ < value, ident < last_id)]
        return ranges + [column_.is_(None)] if nullable else ranges
    if value is None:
        return [column_.is_(None) & (ident > last_id), column_.is_not(None)]
    return [(column_ >= value) & or_(column_ > value, ident > last_id)]


def sort_value(contact: Any, sort: str) -> Any:
    key, _ = parse_sort(sort)
    return getattr(contact, CONTACT_SORTS[key])


def timeline(
    session: Session | Connection,
    contact: Any,
    *,
    limit: int | None = 50,
    before: tuple[Any, int] | None = None,
) -> list[Row]:
    """The contact's interactions, newest first; `before` continues from the last one shown."""
    sql = "SELECT * FROM interaction WHERE contact_id = :contact_id"
    params: dict[str, Any] = {"contact_id": contact.id}
    if before is not None:
        sql += " AND (occurred_at < :at OR (occurred_at = :at AND id < :last_id))"
        params.update(at=before[0], last_id=before[1])
    sql += " ORDER BY occurred_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    types = {"at": UTCDateTime} if before is not None else None
    return read_sql(session, sql, params, entity="interaction", types=types).all()


def contact_list_rows(session: Session | Connection, contacts: list[Any]) -> list[dict[str, Any]]:
    """What a contact list shows of a page (name, company, primary email and phone, last
    contacted, tags, stage) in two queries; `contact_rows` reads every email and phone too."""
    companies = _values_by_id(session, "company", "name", {c.company_id for c in contacts})
    tags = tag_names(session, "contact", [c.id for c in contacts])
    return [
        {
            "id": c.id,
            "name": c.display_name,
            "company": companies.get(c.company_id),
            "email": c.email,
            "phone": c.phone,
            "last_contacted_at": c.last_contacted_at,
            "tags": tags.get(c.id, []),
            "lifecycle_stage": c.lifecycle_stage,
        }
        for c in contacts
    ]


def search_page_by_id(
    session: Session | Connection,
    query: str,
    *,
    after_id: int | None = None,
    descending: bool = False,
    limit: int = 100,
) -> list[Row]:
    """A page of the contacts matching a search, in id order, read off the search index itself.

    For a search matching a large share of the contacts: `contact.id IN (matches)` first collects
    every match (140 ms for `l` among a million on SQLite), while the index hands its matches over
    in id order and stops at the page.
    """
    from crmtui.core.search import matching_ids

    matches = matching_ids(session, "contact", query)
    ident = matches.selected_columns[0]
    if after_id is not None:
        matches = matches.where(ident < after_id if descending else ident > after_id)
    matches = matches.order_by(ident.desc() if descending else ident).limit(limit)
    return records(session, "contact", list(session.execute(matches).scalars()))


def open_deal_counts(session: Session | Connection, contact_ids: list[int]) -> dict[int, int]:
    """How many open deals each of these contacts has (a page at a time; absent means none)."""
    if not contact_ids:
        return {}
    # no status condition in SQL: SQLite would pick the status index and scan every open deal
    counts: dict[int, int] = {}
    rows = read_sql(
        session, "SELECT contact_id, status FROM deal WHERE contact_id IN :ids",
        {"ids": list(contact_ids)},
    )  # fmt: skip
    for contact_id, status in rows:
        if status == "open":
            counts[contact_id] = counts.get(contact_id, 0) + 1
    return counts


def company_page(
    session: Session | Connection,
    *,
    after: tuple[str, int] | None = None,
    descending: bool = False,
    limit: int = 50,
    query: str | None = None,
) -> list[Row]:
    """One page of companies by name (whole rows), of those matching `query` if given; pass
    the last one's `name_key` and id as `after`, `descending` for the page before it."""
    from crmtui.core.search import matching_condition

    c = _COMPANY.c
    ids = select(c.id).order_by(
        *((c.name_key.desc(), c.id.desc()) if descending else (c.name_key, c.id))
    )
    if query:
        ids = ids.where(matching_condition(session, c.id, "company", query))
    if after is None:
        found = session.execute(ids.limit(limit)).all()
    else:
        found = read_after(session, ids, keyset_after(c.name_key, c.id, descending, *after), limit)
    return records(session, "company", [row.id for row in found])


def count_companies(session: Session | Connection) -> int:
    return session.execute(select(func.count()).select_from(_COMPANY)).scalar()


def count_contacts(session: Session | Connection, filters: ContactFilter | None = None) -> int:
    conditions = contact_conditions(session, CONTACT.c, filters or ContactFilter())
    return session.execute(select(func.count()).select_from(CONTACT).where(*conditions)).scalar()
