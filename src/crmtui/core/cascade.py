"""What deleting a record takes with it, kept in its delete log entry so undo can bring it back."""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from crmtui.core.audit import _plain, record_deleted
from crmtui.core.models import (
    Change,
    Contact,
    Deal,
    DealStageChange,
    Interaction,
    LifecycleChange,
    Task,
)
from crmtui.core.records import apply_changes

# records that point at the deleted one and stay, unlinked (each unlink in the log)
UNLINKED: dict[str, tuple[type[SQLModel], ...]] = {
    "contact": (Deal, Task),
    "company": (Contact, Deal),
    "deal": (Task, Interaction),
}
# records the database deletes with it: logged ones get their own delete entry, history rows
# (stage moves, lifecycle changes) are kept whole in the parent's entry
DELETED: dict[str, tuple[type[SQLModel], ...]] = {"contact": (Interaction,)}
HISTORY: dict[str, type[SQLModel]] = {"contact": LifecycleChange, "deal": DealStageChange}


def first_link(session: Session, entity: str, record_id: int) -> tuple[str, int] | None:
    """A record pointing at this one (a call or deal at its contact), as (table, id), or None."""
    link = f"{entity}_id"
    for model in (*DELETED.get(entity, ()), *UNLINKED.get(entity, ())):
        linked = session.scalar(select(model.id).where(getattr(model, link) == record_id).limit(1))
        if linked is not None:
            return model.__tablename__, linked
    return None


def what_goes_with(session: Session, entity: str, record_id: int) -> dict[str, dict[str, int]]:
    """How many records deleting this one takes with it ("deleted") and leaves unlinked
    ("unlinked"), by table, the tables with none left out: what a confirmation can name."""
    link = f"{entity}_id"
    counts: dict[str, dict[str, int]] = {"deleted": {}, "unlinked": {}}
    for kind, models in (("deleted", DELETED), ("unlinked", UNLINKED)):
        for model in models.get(entity, ()):
            count = session.scalar(
                select(func.count()).select_from(model).where(getattr(model, link) == record_id)
            )
            if count:
                counts[kind][model.__tablename__] = count
    return counts


def detach(session: Session, entity: str, record: SQLModel) -> dict[str, list[Any]]:
    """Unlink and log what depends on `record`; returns the fields its delete entry adds."""
    link = f"{entity}_id"
    unlinked: dict[str, list[int]] = {}
    for model in UNLINKED.get(entity, ()):
        column = getattr(model, link)
        for linked in list(session.scalars(select(model).where(column == record.id))):
            apply_changes(session, model.__tablename__, linked, {link: None})
            unlinked.setdefault(model.__tablename__, []).append(linked.id)
    deleted: dict[str, list[int]] = {}
    for model in DELETED.get(entity, ()):
        for gone in session.scalars(select(model).where(getattr(model, link) == record.id)):
            record_deleted(session, model.__tablename__, gone)
            deleted.setdefault(model.__tablename__, []).append(gone.id)
    fields: dict[str, list[Any]] = {}
    if unlinked:
        fields["unlinked"] = [unlinked, None]
    if deleted:
        fields["deleted_with_it"] = [deleted, None]
    history = HISTORY.get(entity)
    if history is not None:
        rows = session.scalars(
            select(history).where(getattr(history, link) == record.id).order_by(history.id)
        )
        kept = [{k: _plain(v) for k, v in row.model_dump().items()} for row in rows]
        if kept:
            fields["history"] = [kept, None]
    return fields


def reattach(session: Session, entity: str, record: SQLModel, logged: dict[str, list]) -> None:
    """Undo what `detach` did for a record now restored (possibly under a new id)."""
    from crmtui.core.undo import MODELS, _from_log, _undo_delete

    link = f"{entity}_id"
    for table, ids in (logged.get("unlinked") or [{}])[0].items():
        model = MODELS[table]
        for linked in session.scalars(select(model).where(model.id.in_(ids))):
            if getattr(linked, link) is None:  # linked elsewhere since: leave it there
                apply_changes(session, table, linked, {link: record.id})
    for table, ids in (logged.get("deleted_with_it") or [{}])[0].items():
        model = MODELS[table]
        for change in session.scalars(
            select(Change)
            .where(Change.entity == table, Change.entity_id.in_(ids), Change.action == "delete")
            .order_by(Change.id)
        ):
            _undo_delete(session, model, change, f"{table} {change.entity_id}", {link: record.id})
    history = HISTORY.get(entity)
    if history is not None:
        columns = {column.name: column.type for column in history.__table__.columns}
        for row in (logged.get("history") or [[]])[0]:
            values = {k: _from_log(columns[k], v) for k, v in row.items() if k in columns}
            values[link] = record.id
            if session.get(history, values["id"]) is not None:
                del values["id"]
            session.add(history(**values))
        session.flush()
