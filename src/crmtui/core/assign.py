"""Owners: give contacts, companies and deals to a team member, one by one or every match."""

from sqlmodel import Session

from crmtui.core.errors import Invalid
from crmtui.core.models import Contact
from crmtui.core.records import apply_changes, check_version
from crmtui.core.schemas import ContactFilter
from crmtui.core.users import ensure_user, get_user


def _owner_id(session: Session, username: str | None) -> int | None:
    """The owner's id, or None to unassign (`-`); the user must exist and be active."""
    if username is None or username.strip() in ("", "-"):
        return None
    user = get_user(session, username)
    return ensure_user(session, user.username).id  # refuses a disabled user


def assign_contacts(
    session: Session,
    username: str | None,
    *,
    refs: list[str] | None = None,
    filters: ContactFilter | None = None,
    expected_version: int | None = None,
) -> list[int]:
    """Set the owner of the named contacts, or of every contact matching `filters`.

    Returns the ids whose owner changed; each change is in the audit log.
    """
    from crmtui.core.contacts import filtered_contacts, get_contact

    owner_id = _owner_id(session, username)
    if refs:
        contacts = [get_contact(session, ref) for ref in refs]
    elif filters is not None:
        contacts = list(session.scalars(filtered_contacts(session, filters).order_by(Contact.id)))
    else:
        raise Invalid("name the contacts to assign, or give a filter")
    if expected_version is not None and len(contacts) != 1:
        raise Invalid("--if-version needs exactly one contact")
    changed = []
    for contact in contacts:
        check_version(contact, expected_version, f"contact {contact.id}")
        if apply_changes(session, "contact", contact, {"owner_id": owner_id}):
            changed.append(contact.id)
    return changed


def assign_deals(
    session: Session,
    username: str | None,
    *,
    ids: list[int] | None = None,
    filters: dict | None = None,
    expected_version: int | None = None,
) -> list[int]:
    """Set the owner of the given deals, or of every deal matching `filters` (see list_deals)."""
    from crmtui.core.deals import get_deal, list_deals

    owner_id = _owner_id(session, username)
    if ids:
        deals = [get_deal(session, deal_id) for deal_id in ids]
    elif filters is not None:
        deals = list_deals(session, **filters, sort="id", limit=None)
    else:
        raise Invalid("name the deals to assign, or give a filter")
    if expected_version is not None and len(deals) != 1:
        raise Invalid("--if-version needs exactly one deal")
    changed = []
    for deal in deals:
        check_version(deal, expected_version, f"deal {deal.id}")
        if apply_changes(session, "deal", deal, {"owner_id": owner_id}):
            changed.append(deal.id)
    return changed


def assign_companies(
    session: Session,
    username: str | None,
    *,
    refs: list[str] | None = None,
    filters: dict | None = None,
) -> list[int]:
    """Set the owner of the named companies, or of every company matching `filters`."""
    from crmtui.core.companies import get_company, list_companies

    owner_id = _owner_id(session, username)
    if refs:
        companies = [get_company(session, ref) for ref in refs]
    elif filters is not None:
        companies = list_companies(session, **filters, limit=None)
    else:
        raise Invalid("name the companies to assign, or give a filter")
    return [
        company.id
        for company in companies
        if apply_changes(session, "company", company, {"owner_id": owner_id})
    ]
