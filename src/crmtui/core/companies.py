"""Companies: create, find by id or name, edit, delete, list."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.audit import record_change, record_created, record_deleted
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import Company, Contact
from crmtui.core.reads import (
    FEW_CONTACTS,
    company_rows,  # noqa: F401  (one row builder for every front end)
    keyset_pages,
    user_ids,
)
from crmtui.core.records import apply_changes, check_version
from crmtui.core.schemas import CompanyInput
from crmtui.core.text import fold, search_text
from crmtui.core.users import ensure_user

EDITABLE = (
    "domain", "industry", "size", "street", "city", "region", "postal_code", "country",
    "website", "notes",
)  # fmt: skip


def clean_company_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("a company needs a name")
    return name


def find_company(session: Session, name: str) -> Company | None:
    return session.scalars(select(Company).where(Company.name_key == fold(name))).first()


def get_or_create_company(session: Session, name: str) -> Company:
    """The company with this name (case- and accent-insensitive), created if new."""
    name = clean_company_name(name)
    company = find_company(session, name)
    if company is None:
        company = Company(
            name=name,
            name_key=fold(name),
            search_text=search_text(name),
            owner_id=session.info.get("user_id"),
        )
        session.add(company)
        session.flush()
        record_change(session, "company", company.id, "create", {"name": [None, name]})
    return company


def get_company(session: Session, ref: str | int) -> Company:
    """A company by id or name."""
    text = str(ref).strip()
    company = session.get(Company, int(text)) if text.isdigit() else find_company(session, text)
    if company is None:
        raise NotFound(f"no company {text!r}")
    return company


def add_company(session: Session, data: CompanyInput) -> Company:
    name = clean_company_name(data.name)
    if find_company(session, name):
        raise Conflict(f"a company named {name!r} already exists")
    company = Company(name=name, name_key=fold(name), search_text=search_text(name))
    for key in EDITABLE:
        if getattr(data, key) is not None:
            setattr(company, key, getattr(data, key).strip() or None)
    company.owner_id = (
        ensure_user(session, data.owner, create=False).id
        if data.owner
        else session.info.get("user_id")
    )
    if data.custom_fields:
        company.custom_fields = dict(data.custom_fields)
    if data.created_at:
        company.created_at = company.updated_at = data.created_at
    session.add(company)
    session.flush()
    if data.tags:
        tagging.add_tags(session, "company", company.id, data.tags)
    record_created(session, "company", company)
    return company


def update_company(
    session: Session, company: Company, data: CompanyInput, expected_version: int | None = None
) -> dict[str, list[Any]]:
    check_version(company, expected_version, f"company {company.id}")
    values: dict[str, Any] = {
        key: (getattr(data, key).strip() or None)
        for key in EDITABLE
        if getattr(data, key) is not None
    }
    if data.name is not None:
        name = clean_company_name(data.name)
        other = find_company(session, name)
        if other is not None and other.id != company.id:
            raise Conflict(f"a company named {name!r} already exists")
        values.update(name=name, name_key=fold(name), search_text=search_text(name))
    if data.owner is not None:
        values["owner_id"] = (
            ensure_user(session, data.owner, create=False).id if data.owner else None
        )
    if data.custom_fields is not None:
        values["custom_fields"] = {**company.custom_fields, **data.custom_fields}
    changes = apply_changes(session, "company", company, values)
    if "name" in changes:
        from crmtui.core.contacts import refresh_search_text

        for contact_id in session.scalars(
            select(Contact.id).where(Contact.company_id == company.id)
        ):
            refresh_search_text(session, session.get(Contact, contact_id))
    added = tagging.tag_record(session, "company", company.id, data.tags) if data.tags else []
    return {**changes, "tags": [None, added]} if added else changes


def delete_company(session: Session, company: Company) -> None:
    """Delete the company; its contacts and deals stay, unlinked."""
    from crmtui.core.cascade import detach

    taken = detach(session, "company", company)
    change = record_deleted(session, "company", company)
    change.changes = {**change.changes, **taken}
    session.delete(company)
    session.flush()


def filtered_companies(
    session: Session, query: str | None = None, tag: str | None = None, owner: str | None = None
):
    """A select of companies narrowed by search words, tag and owner, unsorted."""
    stmt = select(Company)
    if query:
        from crmtui.core.search import matching_condition

        stmt = stmt.where(matching_condition(session, Company.id, "company", query))
    if tag:
        stmt = stmt.where(Company.id.in_(tagging.tag_filter("company", tag)))
    if owner:
        owners = user_ids(session, owner)
        stmt = stmt.where(or_(false(), *(Company.owner_id == owner_id for owner_id in owners)))
    return stmt


def list_companies(
    session: Session,
    *,
    query: str | None = None,
    tag: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> list[Company]:
    stmt, _ = _sorted_companies(session, query, tag, owner)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def _sorted_companies(
    session: Session, query: str | None, tag: str | None, owner: str | None
) -> tuple[Any, Any]:
    """A select of the companies by name, and the entity it reads them through."""
    stmt = filtered_companies(session, query, tag, owner)
    company = Company
    if owner and not query and _few_owned(session, stmt):
        # read through the owner index and sorted apart (OFFSET 0): SQLite otherwise walks the
        # name index for them, every company for an owner of none (0.9 s on the 1M demo)
        company = aliased(Company, stmt.offset(0).subquery())
        stmt = select(company)
    return stmt.order_by(company.name_key, company.id), company


def company_list_pages(
    session: Session,
    *,
    query: str | None = None,
    tag: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """`company_rows` of `list_companies`, PAGE at a time by keyset (None: all), plain rows."""
    stmt, company = _sorted_companies(session, query, tag, owner)
    columns = [getattr(company, column.key) for column in Company.__table__.columns]
    stmt = stmt.with_only_columns(*columns)
    for page in keyset_pages(session, stmt, company.name_key, company.id, limit=limit):
        yield company_rows(session, page)


def _few_owned(session: Session, owned) -> bool:
    found = owned.with_only_columns(Company.id).limit(FEW_CONTACTS).subquery()
    return session.scalar(select(func.count()).select_from(found)) < FEW_CONTACTS


def company_detail(session: Session, ref: str | int) -> dict[str, Any]:
    """A company with its contacts and deals, as plain data."""
    from crmtui.core.contacts import contact_rows
    from crmtui.core.deals import deal_rows
    from crmtui.core.models import Deal

    company = get_company(session, ref)
    contacts = session.scalars(
        select(Contact)
        .where(Contact.company_id == company.id)
        .order_by(Contact.sort_key)
        .limit(100)
    ).all()
    deals = session.scalars(
        select(Deal)
        .where(Deal.company_id == company.id)
        .order_by(Deal.created_at.desc())
        .limit(100)
    ).all()
    contact_list = [
        {k: row[k] for k in ("id", "name", "email", "phone")}
        for row in contact_rows(session, list(contacts))
    ]
    deal_list = [
        {k: row[k] for k in ("id", "title", "stage", "status", "amount", "currency")}
        for row in deal_rows(session, list(deals))
    ]
    return {
        "company": company_rows(session, [company])[0],
        "contacts": contact_list,
        "deals": deal_list,
    }
