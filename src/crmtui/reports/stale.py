"""`crm report stale`: customers and contacts with open deals that nobody has talked to lately."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from crmtui.core.models import CUSTOMER_STAGES, Contact, Deal, User
from crmtui.core.timeparse import now_utc


def stale_contacts(
    session: Session, days: int = 30, *, limit: int = 100, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Contacts with an open deal or a customer stage and no interaction for `days` days.

    Never contacted first, then the longest silence first: the follow-up list. The last contact
    is `contact.last_contacted_at`, which every logged interaction moves forward.
    """
    now = now or now_utc()
    cutoff = now - timedelta(days=days)
    # Summed over the contact's deals found by contact alone: given the status too, SQLite walks
    # the status index through every open deal, for each contact.
    open_deals = (
        select(func.coalesce(func.sum(case((Deal.status == "open", 1), else_=0)), 0))
        .where(Deal.contact_id == Contact.id)
        .scalar_subquery()
    )
    followed_up = (
        select(
            Contact.id, Contact.display_name, Contact.email, Contact.lifecycle_stage,
            Contact.last_contacted_at, Contact.created_at, User.username, open_deals,
        )
        .outerjoin(User, User.id == Contact.owner_id)
        .where(or_(Contact.lifecycle_stage.in_(CUSTOMER_STAGES), open_deals > 0))
    )  # fmt: skip
    # Each part walks the index on the last contact in its order, until the page is full.
    never = followed_up.where(Contact.last_contacted_at.is_(None)).order_by(Contact.id)
    silent = followed_up.where(Contact.last_contacted_at < cutoff).order_by(
        Contact.last_contacted_at, Contact.id
    )
    found: list = []
    for statement in (never, silent):
        if limit:
            statement = statement.limit(limit - len(found))
        found.extend(session.execute(statement))
        if limit and len(found) >= limit:
            break
    rows = []
    for cid, name, email, stage, last, created, owner, deals in found:
        rows.append(
            {
                "id": cid,
                "name": name,
                "email": email,
                "lifecycle_stage": stage,
                "open_deals": deals,
                "last_contacted_at": last,
                "days_since_contact": (now - last).days if last else None,
                "owner": owner,
                "created_at": created,
            }
        )
    return rows
