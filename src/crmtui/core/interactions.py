"""Interactions: calls, emails, meetings, notes and chats logged against a contact."""

from sqlmodel import Session

from crmtui.core.audit import record_created
from crmtui.core.contacts import check_choice, get_contact
from crmtui.core.deals import get_deal
from crmtui.core.errors import Invalid
from crmtui.core.models import DIRECTIONS, INTERACTION_KINDS, Interaction
from crmtui.core.reads import interaction_rows, timeline  # noqa: F401  (shared with the fast reads)
from crmtui.core.schemas import InteractionInput
from crmtui.core.types import utcnow
from crmtui.core.users import ensure_user


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
        user_id=ensure_user(session, data.user, disabled_ok=True).id
        if data.user
        else session.info.get("user_id"),
    )
    session.add(interaction)
    if contact.last_contacted_at is None or interaction.occurred_at > contact.last_contacted_at:
        contact.last_contacted_at = interaction.occurred_at
        session.add(contact)
    session.flush()
    record_created(session, "interaction", interaction)
    return interaction
