"""Interactions: calls, emails, meetings, notes and chats logged against a contact."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.audit import record_created
from crmtui.core.contacts import check_choice, get_contact
from crmtui.core.deals import get_deal
from crmtui.core.errors import Invalid
from crmtui.core.models import DIRECTIONS, INTERACTION_KINDS, Contact, Interaction
from crmtui.core.records import values_by_id
from crmtui.core.schemas import InteractionInput
from crmtui.core.types import utcnow
from crmtui.core.users import usernames_by_id


def log_interaction(session: Session, data: InteractionInput) -> Interaction:
    """Record an interaction and move the contact's `last_contacted_at` forward."""
    kind = check_choice(data.kind, INTERACTION_KINDS, "interaction kind")
    direction = check_choice(data.direction, DIRECTIONS, "direction")
    contact = get_contact(session, data.contact)
    if data.deal_id is not None:
        deal = get_deal(session, data.deal_id)
        if deal.contact_id not in (None, contact.id):
            raise Invalid(f"deal {deal.id} belongs to another contact")
    if data.duration_seconds is not None and data.duration_seconds < 0:
        raise Invalid("a duration cannot be negative")
    subject = (data.subject or "").strip()
    if not subject and not (data.body or "").strip():
        raise Invalid("say what happened: give a summary")
    interaction = Interaction(
        contact_id=contact.id,
        deal_id=data.deal_id,
        kind=kind,
        direction=direction,
        occurred_at=data.occurred_at or utcnow(),
        duration_seconds=data.duration_seconds,
        subject=subject,
        body=(data.body or "").strip() or None,
        outcome=(data.outcome or "").strip() or None,
        user_id=session.info.get("user_id"),
    )
    session.add(interaction)
    if contact.last_contacted_at is None or interaction.occurred_at > contact.last_contacted_at:
        contact.last_contacted_at = interaction.occurred_at
        session.add(contact)
    session.flush()
    record_created(session, "interaction", interaction)
    return interaction


def timeline(
    session: Session,
    contact: Contact,
    *,
    limit: int | None = 50,
    before: tuple[datetime, int] | None = None,
) -> list[Interaction]:
    """The contact's interactions, newest first; `before` continues from the last one shown."""
    stmt = select(Interaction).where(Interaction.contact_id == contact.id)
    if before is not None:
        at, last_id = before
        stmt = stmt.where(
            (Interaction.occurred_at < at)
            | ((Interaction.occurred_at == at) & (Interaction.id < last_id))
        )
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def interaction_rows(session: Session, interactions: list[Interaction]) -> list[dict[str, Any]]:
    users = usernames_by_id(session, {i.user_id for i in interactions if i.user_id})
    contact_ids = {i.contact_id for i in interactions}
    names = values_by_id(session, Contact.id, Contact.display_name, contact_ids)
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
