"""Contacts: create, find by id, email or name, edit, tag, delete, list with keyset paging."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.audit import record_change, record_created, record_deleted
from crmtui.core.companies import get_or_create_company
from crmtui.core.emails import normalize_email
from crmtui.core.errors import Ambiguous, Conflict, Invalid, NotFound
from crmtui.core.models import (
    CONSENT_STATES,
    LIFECYCLE_STAGES,
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    LifecycleChange,
    User,
)
from crmtui.core.records import apply_changes, check_version, values_by_id
from crmtui.core.schemas import ContactFilter, ContactInput
from crmtui.core.text import email_key, fold, phone_key, search_text
from crmtui.core.types import utcnow
from crmtui.core.users import ensure_user, usernames_by_id

PLAIN_FIELDS = (
    "job_title", "street", "city", "region", "postal_code", "country", "website", "notes",
    "source", "consent_source",
)  # fmt: skip
SORTS = {
    "name": Contact.sort_key,
    "created": Contact.created_at,
    "updated": Contact.updated_at,
    "last_contacted": Contact.last_contacted_at,
    "id": Contact.id,
}


def split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


def parse_birthday(text: str) -> tuple[int | None, int, int]:
    """(year or None, month, day) from `1985-04-12`, `--04-12` (no year) or a readable date."""
    value = text.strip()
    try:
        if value.startswith("--"):
            parsed = date(2000, int(value[2:4]), int(value[5:7]))
            return None, parsed.month, parsed.day
        parsed = date.fromisoformat(value)
        return parsed.year, parsed.month, parsed.day
    except ValueError:
        pass
    from crmtui.core.timeparse import parse_date

    try:
        parsed = parse_date(value)
    except Invalid:
        raise Invalid(
            f"invalid birthday {text!r}: use 1985-04-12, or --04-12 without a year"
        ) from None
    return parsed.year, parsed.month, parsed.day


def format_birthday(contact: Contact) -> str | None:
    if not contact.birthday_month or not contact.birthday_day:
        return None
    month_day = f"{contact.birthday_month:02d}-{contact.birthday_day:02d}"
    return f"{contact.birthday_year:04d}-{month_day}" if contact.birthday_year else f"--{month_day}"


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    value = value.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in choices:
        raise Invalid(f"invalid {what} {value!r}: choose one of {', '.join(choices)}")
    return value


def clean_emails(emails: list[str]) -> list[str]:
    cleaned = [normalize_email(e) for e in emails if e and e.strip()]
    return list({email_key(e): e for e in reversed(cleaned)}.values())[::-1]


def clean_phones(phones: list[str]) -> list[str]:
    cleaned = []
    for phone in phones:
        phone = " ".join(phone.split())
        if not phone:
            continue
        if not any(ch.isdigit() for ch in phone):
            raise Invalid(f"invalid phone {phone!r}: it has no digits")
        cleaned.append(phone)
    return cleaned


def _claim_emails(session: Session, contact_id: int | None, emails: list[str]) -> None:
    keys = [email_key(e) for e in emails]
    if not keys:
        return
    taken = session.execute(
        select(ContactEmail.email, ContactEmail.contact_id).where(ContactEmail.email_key.in_(keys))
    ).first()
    if taken is not None and taken.contact_id != contact_id:
        raise Conflict(f"the email {taken.email} already belongs to contact {taken.contact_id}")


def _write_emails(session: Session, contact: Contact, emails: list[str]) -> None:
    session.execute(delete(ContactEmail).where(ContactEmail.contact_id == contact.id))
    session.flush()
    for position, email in enumerate(emails):
        session.add(
            ContactEmail(
                contact_id=contact.id,
                email=email,
                email_key=email_key(email),
                is_primary=position == 0,
            )
        )


def _write_phones(session: Session, contact: Contact, phones: list[str]) -> None:
    session.execute(delete(ContactPhone).where(ContactPhone.contact_id == contact.id))
    for position, phone in enumerate(phones):
        session.add(
            ContactPhone(
                contact_id=contact.id,
                phone=phone,
                phone_key=phone_key(phone),
                is_primary=position == 0,
            )
        )


def contact_search_text(session: Session, contact: Contact) -> str:
    emails = session.scalars(
        select(ContactEmail.email).where(ContactEmail.contact_id == contact.id)
    ).all()
    phones = session.scalars(
        select(ContactPhone.phone).where(ContactPhone.contact_id == contact.id)
    ).all()
    company = session.get(Company, contact.company_id) if contact.company_id else None
    return build_contact_search_text(
        contact.display_name, emails, phones, company.name if company else None
    )


def build_contact_search_text(
    display_name: str, emails: list[str], phones: list[str], company_name: str | None
) -> str:
    """What a contact is found by: name, emails, phones (as written and as digits), company."""
    return search_text(
        display_name, *emails, *phones, *(phone_key(p) for p in phones), company_name
    )


def refresh_search_text(session: Session, contact: Contact) -> None:
    session.flush()
    contact.search_text = contact_search_text(session, contact)
    session.add(contact)
    session.flush()


def record_lifecycle(
    session: Session, contact: Contact, old: str | None, new: str, at: datetime | None = None
) -> None:
    session.add(
        LifecycleChange(
            contact_id=contact.id,
            from_stage=old,
            to_stage=new,
            changed_at=at or utcnow(),
            user_id=session.info.get("user_id"),
        )
    )


def _name_values(data: ContactInput, current: Contact | None) -> dict[str, str]:
    first = data.first_name if data.first_name is not None else None
    last = data.last_name if data.last_name is not None else None
    if data.name is not None and first is None and last is None:
        first, last = split_name(data.name)
    first = (first if first is not None else (current.first_name if current else "")).strip()
    last = (last if last is not None else (current.last_name if current else "")).strip()
    display = (data.name or "").strip() or " ".join(p for p in (first, last) if p)
    if (
        data.name is None
        and current is not None
        and data.first_name is None
        and data.last_name is None
    ):
        display = current.display_name
    return {
        "first_name": first,
        "last_name": last,
        "display_name": display,
        "sort_key": fold(display),
    }


def _field_values(session: Session, data: ContactInput) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: (getattr(data, key).strip() or None)
        for key in PLAIN_FIELDS
        if getattr(data, key) is not None
    }
    if data.company is not None:
        values["company_id"] = (
            get_or_create_company(session, data.company).id if data.company.strip() else None
        )
    if data.birthday is not None:
        year, month, day = parse_birthday(data.birthday) if data.birthday.strip() else (None,) * 3
        values.update(birthday_year=year, birthday_month=month, birthday_day=day)
    if data.lifecycle_stage is not None:
        values["lifecycle_stage"] = check_choice(
            data.lifecycle_stage, LIFECYCLE_STAGES, "lifecycle stage"
        )
    if data.email_consent is not None:
        values["email_consent"] = check_choice(data.email_consent, CONSENT_STATES, "email consent")
    if data.do_not_contact is not None:
        values["do_not_contact"] = data.do_not_contact
    if data.owner is not None:
        values["owner_id"] = ensure_user(session, data.owner).id if data.owner.strip() else None
    return values


def add_contact(session: Session, data: ContactInput) -> Contact:
    """Create a contact with its emails, phones, company and tags, in the caller's transaction."""
    names = _name_values(data, None)
    emails = clean_emails(data.emails or [])
    phones = clean_phones(data.phones or [])
    if not names["display_name"]:
        if not emails:
            raise Invalid("a contact needs a name or an email")
        names.update(display_name=emails[0], sort_key=fold(emails[0]))
    _claim_emails(session, None, emails)
    values = _field_values(session, data)
    contact = Contact(**names, **values)
    contact.email = emails[0] if emails else None
    contact.phone = phones[0] if phones else None
    contact.created_by_id = session.info.get("user_id")
    if contact.owner_id is None:
        contact.owner_id = session.info.get("user_id")
    if "email_consent" in values and values["email_consent"] != "unknown":
        contact.consent_at = data.created_at or utcnow()
    if data.custom_fields:
        contact.custom_fields = {k: v for k, v in data.custom_fields.items() if v != ""}
    if data.created_at:
        contact.created_at = contact.updated_at = data.created_at
    session.add(contact)
    session.flush()
    _write_emails(session, contact, emails)
    _write_phones(session, contact, phones)
    if data.tags:
        tagging.add_tags(session, "contact", contact.id, data.tags)
    record_lifecycle(session, contact, None, contact.lifecycle_stage, contact.created_at)
    refresh_search_text(session, contact)
    record_created(session, "contact", contact)
    return contact


def update_contact(
    session: Session,
    contact: Contact,
    data: ContactInput,
    expected_version: int | None = None,
    *,
    stage_at: datetime | None = None,
) -> dict[str, list[Any]]:
    """Apply an edit; fields left None keep their value. Returns {field: [old, new]}.

    `stage_at` back-dates a lifecycle stage change in its history (reports read that time).
    """
    check_version(contact, expected_version, f"contact {contact.id}")
    if stage_at is not None and stage_at < contact.created_at:
        raise Invalid(
            f"{stage_at.isoformat()} is before the contact was created "
            f"({contact.created_at.isoformat()})"
        )
    values = _field_values(session, data)
    if data.name is not None or data.first_name is not None or data.last_name is not None:
        values.update(_name_values(data, contact))
        if not values["display_name"]:
            raise Invalid("a contact needs a name")
    if data.custom_fields is not None:
        merged = {**contact.custom_fields, **data.custom_fields}
        values["custom_fields"] = {k: v for k, v in merged.items() if v != ""}
    if "email_consent" in values and values["email_consent"] != contact.email_consent:
        values["consent_at"] = utcnow()
    old_stage = contact.lifecycle_stage
    if data.emails is not None:
        emails = clean_emails(data.emails)
        _claim_emails(session, contact.id, emails)
        _write_emails(session, contact, emails)
        values["email"] = emails[0] if emails else None
    if data.phones is not None:
        phones = clean_phones(data.phones)
        _write_phones(session, contact, phones)
        values["phone"] = phones[0] if phones else None
    changes = apply_changes(session, "contact", contact, values)
    if "lifecycle_stage" in changes:
        record_lifecycle(session, contact, old_stage, contact.lifecycle_stage, stage_at)
    if data.tags:
        tagging.add_tags(session, "contact", contact.id, data.tags)
    if changes or data.emails is not None or data.phones is not None:
        refresh_search_text(session, contact)
    return changes


def delete_contact(session: Session, contact: Contact) -> None:
    """Delete a contact with its emails, phones and interactions; deals and tasks stay, unlinked."""
    from crmtui.core.cascade import detach

    taken = detach(session, "contact", contact)
    row = contact_rows(session, [contact])[0]
    change = record_deleted(session, "contact", contact)
    # the lists live in their own tables: logged too, so undo can restore them
    lists = {k: [row[k], None] for k in ("emails", "phones", "tags")}
    change.changes = {**change.changes, **lists, **taken}
    session.delete(contact)
    session.flush()


def tag_contact(session: Session, contact: Contact, names: list[str]) -> list[str]:
    added = tagging.add_tags(session, "contact", contact.id, names)
    if added:
        record_change(session, "contact", contact.id, "tag", {"tags": [None, added]})
    return added


def untag_contact(session: Session, contact: Contact, names: list[str]) -> list[str]:
    removed = tagging.remove_tags(session, "contact", contact.id, names)
    if removed:
        record_change(session, "contact", contact.id, "untag", {"tags": [removed, None]})
    return removed


def get_contact(session: Session, ref: str | int) -> Contact:
    """A contact by id, any of its emails, or an unambiguous name."""
    text = str(ref).strip()
    if not text:
        raise Invalid("name a contact by id, email or name")
    if text.isdigit():
        contact = session.get(Contact, int(text))
        if contact is None:
            raise NotFound(f"no contact with id {text}")
        return contact
    if "@" in text:
        contact_id = session.scalars(
            select(ContactEmail.contact_id).where(ContactEmail.email_key == email_key(text))
        ).first()
        if contact_id is None:
            raise NotFound(f"no contact with email {text}")
        return session.get(Contact, contact_id)
    exact = list(session.scalars(select(Contact).where(Contact.sort_key == fold(text)).limit(6)))
    candidates = exact or _search_candidates(session, text)
    if not candidates:
        raise NotFound(f"no contact named {text!r}")
    if len(candidates) > 1:
        listed = "; ".join(f"{c.id} {c.display_name}" for c in candidates[:5])
        more = " ..." if len(candidates) > 5 else ""
        raise Ambiguous(f"{text!r} matches several contacts: {listed}{more}; use an id or email")
    return candidates[0]


def _search_candidates(session: Session, text: str) -> list[Contact]:
    from crmtui.core.search import matching_ids

    ids = matching_ids(session, "contact", text).limit(6)
    return list(session.scalars(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id)))


def filtered_contacts(session: Session, filters: ContactFilter):
    """A select of contacts narrowed by the filter, unsorted."""
    stmt = select(Contact)
    if filters.query:
        from crmtui.core.search import matching_ids

        stmt = stmt.where(Contact.id.in_(matching_ids(session, "contact", filters.query)))
    if filters.tag:
        stmt = stmt.where(Contact.id.in_(tagging.tag_filter("contact", filters.tag)))
    if filters.company:
        stmt = stmt.join(Company, Company.id == Contact.company_id).where(
            Company.name_key == fold(filters.company)
        )
    if filters.owner:
        stmt = stmt.join(User, User.id == Contact.owner_id).where(User.username == filters.owner)
    if filters.lifecycle_stage:
        stage = check_choice(filters.lifecycle_stage, LIFECYCLE_STAGES, "lifecycle stage")
        stmt = stmt.where(Contact.lifecycle_stage == stage)
    for key, value in filters.where.items():
        stmt = stmt.where(Contact.custom_fields[key].as_string() == value)
    return stmt


def parse_sort(sort: str) -> tuple[str, bool]:
    """`name`, `-created` ...: (key, descending)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-+")
    if key not in SORTS:
        raise Invalid(f"cannot sort by {key!r}: choose one of {', '.join(SORTS)}")
    return key, descending


def list_contacts(
    session: Session,
    filters: ContactFilter | None = None,
    *,
    sort: str = "name",
    limit: int | None = 50,
    after: tuple[Any, int] | None = None,
) -> list[Contact]:
    """One page of contacts in sort order; pass the last row's `sort_value` and id as `after`."""
    key, descending = parse_sort(sort)
    column = SORTS[key]
    stmt = filtered_contacts(session, filters or ContactFilter())
    if key == "id":
        stmt = stmt.order_by(Contact.id.desc() if descending else Contact.id)
    elif descending:
        stmt = stmt.order_by(column.desc().nulls_last(), Contact.id.desc())
    else:
        stmt = stmt.order_by(column.asc().nulls_first(), Contact.id)
    if after is None:
        return list(session.scalars(stmt.limit(limit) if limit else stmt))
    contacts: list[Contact] = []
    for condition in _after(column, descending, *after):
        left = limit - len(contacts) if limit else None
        page = stmt.where(condition)
        contacts += session.scalars(page.limit(left) if left else page)
        if limit and len(contacts) >= limit:
            break
    return contacts


def _after(column, descending: bool, value: Any, last_id: int) -> list:
    """Rows after (value, last_id) in page order, as index ranges read one after the other.

    Empty values (never contacted) sort lowest. Each condition bounds the sort column on its own
    (`column >= value AND ...`): with only `column > ? OR (column = ? AND id > ?)` SQLite cannot
    tell the two parameters are equal and scans the index from the start, 150 ms deep into a
    million contacts instead of 0.1 ms.
    """
    if column is Contact.id:
        return [Contact.id < last_id if descending else Contact.id > last_id]
    if descending:
        if value is None:
            return [column.is_(None) & (Contact.id < last_id)]
        ranges = [(column <= value) & or_(column < value, Contact.id < last_id)]
        return ranges + [column.is_(None)] if column.nullable else ranges
    if value is None:
        return [column.is_(None) & (Contact.id > last_id), column.is_not(None)]
    return [(column >= value) & or_(column > value, Contact.id > last_id)]


def sort_value(contact: Contact, sort: str) -> Any:
    key, _ = parse_sort(sort)
    return getattr(contact, SORTS[key].key)


def count_contacts(session: Session, filters: ContactFilter | None = None) -> int:
    stmt = filtered_contacts(session, filters or ContactFilter()).subquery()
    return session.scalar(select(func.count()).select_from(stmt))


def contact_rows(session: Session, contacts: list[Contact]) -> list[dict[str, Any]]:
    """Plain data for output, for a page of contacts in a handful of queries."""
    ids = [c.id for c in contacts]
    emails: dict[int, list[str]] = {i: [] for i in ids}
    phones: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for contact_id, email in session.execute(
            select(ContactEmail.contact_id, ContactEmail.email)
            .where(ContactEmail.contact_id.in_(ids))
            .order_by(ContactEmail.contact_id, ContactEmail.is_primary.desc(), ContactEmail.id)
        ):
            emails[contact_id].append(email)
        for contact_id, phone in session.execute(
            select(ContactPhone.contact_id, ContactPhone.phone)
            .where(ContactPhone.contact_id.in_(ids))
            .order_by(ContactPhone.contact_id, ContactPhone.is_primary.desc(), ContactPhone.id)
        ):
            phones[contact_id].append(phone)
    company_ids = {c.company_id for c in contacts if c.company_id}
    companies = values_by_id(session, Company.id, Company.name, company_ids)
    tags = tagging.tag_names(session, "contact", ids)
    users = usernames_by_id(session, {c.owner_id for c in contacts if c.owner_id})
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
