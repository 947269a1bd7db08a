"""Contacts: create, find by id, email or name, edit, tag, delete, list with keyset paging."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.audit import record_change, record_created, record_deleted
from crmtui.core.choices import CONSENT_STATES, LIFECYCLE_STAGES, check_choice
from crmtui.core.companies import get_or_create_company
from crmtui.core.emails import normalize_email
from crmtui.core.errors import Conflict, Invalid
from crmtui.core.models import (
    Change,
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    LifecycleChange,
)
from crmtui.core.reads import (  # noqa: F401  (the contact reads, used through this module too)
    contact_conditions,
    contact_list_rows,
    contact_page,
    contact_rows,
    count_contacts,
    find_contact,
    format_birthday,
    parse_sort,
    search_page_by_id,
    sort_value,
)
from crmtui.core.records import apply_changes, check_version
from crmtui.core.schemas import ContactFilter, ContactInput
from crmtui.core.text import email_key, fold, phone_key, search_text
from crmtui.core.types import utcnow
from crmtui.core.users import ensure_user

PLAIN_FIELDS = (
    "job_title", "street", "city", "region", "postal_code", "country", "website", "notes",
    "source", "consent_source",
)  # fmt: skip


NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"))


def split_name(name: str) -> tuple[str, str]:
    """(first, last): `Ada Lovelace`; `Lovelace, Ada` as address books file people; `Sammy
    Davis, Jr.` keeps its suffix with the last name."""
    before, comma, after = (part.strip() for part in name.partition(","))
    if comma and before and after and "," not in after:
        if after.rstrip(".").lower() not in NAME_SUFFIXES:
            return after, before
        first, last = split_name(before)
        return (first, f"{last}, {after}") if last else (name.strip(), "")
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


def clean_emails(emails: list[str]) -> list[str]:
    cleaned = [normalize_email(e) for e in emails if e and e.strip()]
    return list({email_key(e): e for e in reversed(cleaned)}.values())[::-1]


def clean_phones(phones: list[str]) -> list[str]:
    """The phones tidied, in order; one written again another way (`+44 20 7946 0000`,
    `+442079460000`) is the same number and kept once, as first written."""
    cleaned: dict[str, str] = {}
    for phone in phones:
        phone = " ".join(phone.split())
        if not phone:
            continue
        if not any(ch.isdigit() for ch in phone):
            raise Invalid(f"invalid phone {phone!r}: it has no digits")
        cleaned.setdefault(phone_key(phone), phone)
    return list(cleaned.values())


def _claim_emails(session: Session, contact_id: int | None, emails: list[str]) -> None:
    keys = [email_key(e) for e in emails]
    if not keys:
        return
    query = select(ContactEmail.email, ContactEmail.contact_id).where(
        ContactEmail.email_key.in_(keys)
    )
    if contact_id is not None:  # the contact's own emails are not taken, the others may be
        query = query.where(ContactEmail.contact_id != contact_id)
    taken = session.execute(query).first()
    if taken is not None:
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
        values["owner_id"] = (
            ensure_user(session, data.owner, create=False).id if data.owner.strip() else None
        )
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
    lists = _update_lists(session, contact, data)
    for name, primary in (("emails", "email"), ("phones", "phone")):
        if name in lists:
            values[primary] = lists[name][1][0] if lists[name][1] else None
    changes = apply_changes(session, "contact", contact, values, lists)
    if "lifecycle_stage" in changes:
        record_lifecycle(session, contact, old_stage, contact.lifecycle_stage, stage_at)
    if changes:
        refresh_search_text(session, contact)
    return changes


def _update_lists(session: Session, contact: Contact, data: ContactInput) -> dict[str, list]:
    """Write the emails, phones and added tags that differ; {list: [old, new]} for the log."""
    if data.emails is None and data.phones is None and not data.tags:
        return {}
    current = contact_rows(session, [contact])[0]
    lists: dict[str, list] = {}
    if data.emails is not None:
        emails = clean_emails(data.emails)
        if emails != current["emails"]:
            _claim_emails(session, contact.id, emails)
            _write_emails(session, contact, emails)
            lists["emails"] = [current["emails"], emails]
    if data.phones is not None:
        phones = clean_phones(data.phones)
        if phones != current["phones"]:
            _write_phones(session, contact, phones)
            lists["phones"] = [current["phones"], phones]
    added = tagging.add_tags(session, "contact", contact.id, data.tags) if data.tags else []
    if added:
        lists["tags"] = [current["tags"], [*current["tags"], *added]]
    return lists


def delete_contact(session: Session, contact: Contact) -> Change:
    """Delete a contact with its emails, phones and interactions; deals and tasks stay, unlinked.
    Returns its log entry."""
    from crmtui.core.cascade import detach

    taken = detach(session, "contact", contact)
    row = contact_rows(session, [contact])[0]
    change = record_deleted(session, "contact", contact)
    # the lists live in their own tables: logged too, so undo can restore them
    lists = {k: [row[k], None] for k in ("emails", "phones", "tags")}
    change.changes = {**change.changes, **lists, **taken}
    session.delete(contact)
    session.flush()
    return change


def tag_contact(session: Session, contact: Contact, names: list[str]) -> list[str]:
    return tagging.tag_record(session, "contact", contact.id, names)


def untag_contact(session: Session, contact: Contact, names: list[str]) -> list[str]:
    removed = tagging.remove_tags(session, "contact", contact.id, names)
    if removed:
        record_change(session, "contact", contact.id, "untag", {"tags": [removed, None]})
    return removed


def untag_dropped(
    session: Session, contact: Contact, shown: list[str], kept: list[str]
) -> list[str]:
    """Take off the tags of `shown` (the list an edit started from) that `kept` leaves out,
    comparing as tags match, case and accents aside: `Partner` typed over `partner` keeps it."""
    keys = {fold(name) for name in kept}
    return untag_contact(session, contact, [name for name in shown if fold(name) not in keys])


def get_contact(session: Session, ref: str | int) -> Contact:
    """A contact by id, any of its emails, or an unambiguous name."""
    return session.get(Contact, find_contact(session, ref).id)


def filtered_contacts(session: Session, filters: ContactFilter):
    """A select of contacts narrowed by the filter, unsorted."""
    return select(Contact).where(*contact_conditions(session, Contact.__table__.c, filters))


def list_contacts(
    session: Session,
    filters: ContactFilter | None = None,
    *,
    sort: str = "name",
    limit: int | None = 50,
    after: tuple[Any, int] | None = None,
):
    """One page of contacts (plain rows) in sort order; pass the last row's `sort_value` and id
    as `after`."""
    return contact_page(session, filters, sort=sort, limit=limit, after=after)
