"""Interactions: calls, emails, meetings, notes and chats logged against a contact."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from crmtui.core.audit import record_created, record_deleted
from crmtui.core.contacts import check_choice, get_contact
from crmtui.core.deals import get_deal
from crmtui.core.errors import Invalid, NotFound
from crmtui.core.models import DIRECTIONS, INTERACTION_KINDS, Contact, Interaction
from crmtui.core.reads import (  # noqa: F401  (timeline: shared with the fast reads)
    interaction_rows,
    keyset_after,
    timeline,
)
from crmtui.core.records import apply_changes
from crmtui.core.schemas import InteractionInput
from crmtui.core.types import utcnow
from crmtui.core.users import ensure_user, get_user


def log_interaction(session: Session, data: InteractionInput) -> Interaction:
    """Record an interaction and move the contact's `last_contacted_at` forward."""
    contact = get_contact(session, data.contact)
    values = _checked(
        session, contact.id, kind=data.kind, direction=data.direction,
        occurred_at=data.occurred_at or utcnow(), duration_seconds=data.duration_seconds,
        subject=data.subject, body=data.body, outcome=data.outcome, deal_id=data.deal_id,
    )  # fmt: skip
    interaction = Interaction(
        contact_id=contact.id,
        **values,
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


EDITABLE = (
    "kind", "direction", "occurred_at", "duration_seconds", "subject", "body", "outcome", "deal_id",
)  # fmt: skip


def _checked(session: Session, contact_id: int, **values: Any) -> dict[str, Any]:
    """An interaction's editable values, checked and tidied as logging and editing store them."""
    if values["deal_id"] is not None:
        deal = get_deal(session, values["deal_id"])
        if deal.contact_id not in (None, contact_id):
            raise Invalid(f"deal {deal.id} belongs to another contact")
    if values["duration_seconds"] is not None and values["duration_seconds"] < 0:
        raise Invalid("a duration cannot be negative")
    subject = (values["subject"] or "").strip()
    body = (values["body"] or "").strip() or None
    if not subject and not body:
        raise Invalid("say what happened: give a summary")
    return {
        **values,
        "kind": check_choice(values["kind"], INTERACTION_KINDS, "interaction kind"),
        "direction": check_choice(values["direction"], DIRECTIONS, "direction"),
        "subject": subject,
        "body": body,
        "outcome": (values["outcome"] or "").strip() or None,
    }


def get_interaction(session: Session, ref: str | int) -> Interaction:
    text = str(ref).strip()
    interaction = session.get(Interaction, int(text)) if text.isdigit() else None
    if interaction is None:
        raise NotFound(f"no interaction with id {text}")
    return interaction


def edit_interaction(
    session: Session, interaction: Interaction, **values: Any
) -> dict[str, list[Any]]:
    """Change what was logged (any of EDITABLE; those not given keep their value); recorded in
    history. Moving it in time moves the contact's last contacted time with it."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise Invalid(f"an interaction has no {', '.join(sorted(unknown))} to edit")
    current = {field: getattr(interaction, field) for field in EDITABLE}
    checked = _checked(session, interaction.contact_id, **{**current, **values})
    changes = apply_changes(session, "interaction", interaction, checked)
    if "occurred_at" in changes:
        refresh_last_contacted(session, interaction.contact_id)
    return changes


def delete_interaction(session: Session, interaction: Interaction) -> None:
    """Delete a logged interaction; logged whole, so undo brings it back."""
    record_deleted(session, "interaction", interaction)
    session.delete(interaction)
    session.flush()
    refresh_last_contacted(session, interaction.contact_id)


def refresh_last_contacted(session: Session, contact_id: int) -> None:
    """Set the contact's last contacted time to its latest interaction's, after one moved or
    went: derived data, so not an edit of the contact's own."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return
    latest = session.scalar(
        select(func.max(Interaction.occurred_at)).where(Interaction.contact_id == contact_id)
    )
    if latest != contact.last_contacted_at:
        contact.last_contacted_at = latest
        session.add(contact)
        session.flush()


LIST_PAGE = 500


def filtered_interactions(
    session: Session,
    *,
    contact: str | None = None,
    kind: str | None = None,
    deal_id: int | None = None,
    username: str | None = None,
    since: datetime | None = None,
):
    """A query of the interactions these filters leave; an unknown contact, kind, deal or
    user is refused here, before any is read."""
    stmt = select(Interaction)
    if contact:
        stmt = stmt.where(Interaction.contact_id == get_contact(session, contact).id)
    if kind:
        stmt = stmt.where(
            Interaction.kind == check_choice(kind, INTERACTION_KINDS, "interaction kind")
        )
    if deal_id is not None:
        stmt = stmt.where(Interaction.deal_id == get_deal(session, deal_id).id)
    if username:
        stmt = stmt.where(Interaction.user_id == get_user(session, username).id)
    if since is not None:
        stmt = stmt.where(Interaction.occurred_at >= since)
    return stmt


def list_interactions(
    session: Session, *, limit: int | None = 50, **filters: Any
) -> Iterator[dict[str, Any]]:
    """Logged interactions as rows, newest first, read a page at a time (None: no limit);
    `filters` as filtered_interactions takes them."""
    # plain rows: an ORM object costs about 40 us
    stmt = (
        filtered_interactions(session, **filters)
        .with_only_columns(*Interaction.__table__.columns)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    )
    return _newest_first(session, stmt, limit)


def _newest_first(session: Session, stmt, limit: int | None) -> Iterator[dict[str, Any]]:
    page_stmt, left = stmt, limit
    while left is None or left > 0:
        size = LIST_PAGE if left is None else min(left, LIST_PAGE)
        page = list(session.execute(page_stmt.limit(size)))
        yield from interaction_rows(session, page)
        if len(page) < size:
            return
        last = page[-1]
        (after,) = keyset_after(
            Interaction.occurred_at, Interaction.id, True, last.occurred_at, last.id
        )
        page_stmt = stmt.where(after)
        if left is not None:
            left -= len(page)
