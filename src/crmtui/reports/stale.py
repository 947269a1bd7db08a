"""`crm report stale`: customers and contacts with open deals that nobody has talked to lately."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
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
    open_deals = (
        select(Deal.contact_id, func.count().label("open_deals"))
        .where(Deal.status == "open", Deal.contact_id.is_not(None))
        .group_by(Deal.contact_id)
        .subquery()
    )
    statement = (
        select(
            Contact.id, Contact.display_name, Contact.email, Contact.lifecycle_stage,
            Contact.last_contacted_at, Contact.created_at, User.username,
            func.coalesce(open_deals.c.open_deals, 0),
        )
        .outerjoin(open_deals, open_deals.c.contact_id == Contact.id)
        .outerjoin(User, User.id == Contact.owner_id)
        .where(
            or_(Contact.lifecycle_stage.in_(CUSTOMER_STAGES), open_deals.c.open_deals > 0),
            or_(Contact.last_contacted_at.is_(None), Contact.last_contacted_at < cutoff),
        )
        .order_by(Contact.last_contacted_at.is_not(None), Contact.last_contacted_at, Contact.id)
    )  # fmt: skip
    if limit:
        statement = statement.limit(limit)
    rows = []
    for cid, name, email, stage, last, created, owner, deals in session.execute(statement):
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
