"""Undo one change from the audit log, or refuse, changing nothing, if it was touched since."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, select
from sqlmodel import Session, SQLModel

from crmtui.core.audit import _plain, record_change, record_created, record_deleted
from crmtui.core.cascade import first_link, reattach
from crmtui.core.errors import Conflict, Invalid
from crmtui.core.models import Change, Company, Contact, Deal, Interaction, Stage, Task, User
from crmtui.core.records import apply_changes
from crmtui.core.text import fold, search_text

MODELS: dict[str, type[SQLModel]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
    "task": Task,
    "interaction": Interaction,
    "user": User,
    "stage": Stage,
}
CONTACT_LISTS = ("emails", "phones", "tags")  # logged for contacts beside the columns
CONTACT_FIELDS = (*CONTACT_LISTS, "birthday")  # `birthday` as imports log it: 1985-04-12
NEVER_RESTORED = {"id", "version", "created_at", "updated_at"}


def _columns(model: type[SQLModel]) -> dict[str, Any]:
    return {column.name: column.type for column in model.__table__.columns}


def _from_log(column_type: Any, value: Any) -> Any:
    """A logged (JSON) value back as the column's Python value."""
    if value is None or not isinstance(value, str):
        return value
    if isinstance(column_type, DateTime) or isinstance(
        getattr(column_type, "impl", None), DateTime
    ):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def _later_change(session: Session, change: Change) -> Change | None:
    return session.scalars(
        select(Change)
        .where(
            Change.entity == change.entity,
            Change.entity_id == change.entity_id,
            Change.id > change.id,
        )
        .order_by(Change.id)
        .limit(1)
    ).first()


def undo_change(session: Session, change: Change) -> dict[str, Any]:
    """Revert `change` in the caller's transaction; the revert is itself logged (and undoable)."""
    result = _revert(session, change)
    if change.entity == "interaction":  # one came back, went, or moved in time
        from crmtui.core.interactions import refresh_last_contacted

        record = session.get(Interaction, change.entity_id)
        contacts = {v for v in change.changes.get("contact_id") or [] if v is not None}
        for contact_id in contacts | ({record.contact_id} if record else set()):
            refresh_last_contacted(session, contact_id)
    return result


def _revert(session: Session, change: Change) -> dict[str, Any]:
    if change.entity == "tag":
        from crmtui.core.tag_admin import undo_tag_change

        later = _later_change(session, change)
        if later is not None:
            raise Conflict(
                f"cannot undo change {change.id}: the tag was changed since (change {later.id}); "
                "undo that first; nothing was changed"
            )
        return undo_tag_change(session, change)
    model = MODELS.get(change.entity)
    if model is None:
        raise Invalid(f"changes to a {change.entity} cannot be undone here")
    what = f"{change.entity} {change.entity_id}"
    if change.action in ("update", "tag", "untag"):
        _undo_update(session, model, change, what)
        return {"undone": change.id, "action": "restored", "entity": change.entity,
                "entity_id": change.entity_id}  # fmt: skip
    if change.action == "merge":
        from crmtui.core.merge import undo_merge

        return undo_merge(session, change)
    if change.action == "delete" and "merged_into" in change.changes:
        into = change.changes["merged_into"][1]
        raise Conflict(
            f"cannot undo change {change.id}: {what} was merged into contact "
            f"{into['contact_id']}; undo the merge instead: crm undo {into['change_id']}"
        )
    if change.action == "delete":
        _undo_delete(session, model, change, what)
        return {"undone": change.id, "action": "recreated", "entity": change.entity,
                "entity_id": change.entity_id}  # fmt: skip
    if change.action == "create":
        _undo_create(session, model, change, what)
        return {"undone": change.id, "action": "deleted", "entity": change.entity,
                "entity_id": change.entity_id}  # fmt: skip
    raise Invalid(f"a {change.action} cannot be undone")


def _current(session: Session, record: SQLModel, entity: str, field: str) -> Any:
    if entity == "contact" and field == "birthday":
        from crmtui.core.contacts import format_birthday

        return format_birthday(record)
    if entity == "contact" and field in CONTACT_LISTS:
        from crmtui.core.contacts import contact_rows

        return contact_rows(session, [record])[0][field]
    return _plain(getattr(record, field))


def _same(current: Any, logged: Any) -> bool:
    if isinstance(current, list) or isinstance(logged, list):
        return sorted(map(fold, current or [])) == sorted(map(fold, logged or []))
    return current == logged


def _undo_update(session: Session, model, change: Change, what: str) -> None:
    record = session.get(model, change.entity_id)
    if record is None:
        raise Conflict(f"cannot undo change {change.id}: {what} was deleted since")
    if change.action in ("tag", "untag"):
        _undo_tagging(session, record, change, what)
        return
    columns = _columns(model)
    moved = changed_since(session, record, change)
    if moved:
        raise Conflict(
            f"cannot undo change {change.id}: {what} was changed since ({'; '.join(moved)}); "
            "nothing was changed"
        )
    values = {
        field: _from_log(columns[field], old)
        for field, (old, _new) in change.changes.items()
        if field in columns and field not in NEVER_RESTORED
    }
    gone = _deleted_links(session, model, values)
    if gone:
        raise Conflict(
            f"cannot undo change {change.id}: {', '.join(gone)} was deleted since; "
            "nothing was changed"
        )
    lists = {f: old for f, (old, _new) in change.changes.items() if f in CONTACT_LISTS}
    if change.entity == "contact" and "birthday" in change.changes:
        from crmtui.core.contacts import parse_birthday

        old = change.changes["birthday"][0]
        year, month, day = parse_birthday(old) if old else (None, None, None)
        values.update(birthday_year=year, birthday_month=month, birthday_day=day)
    _restore(session, record, change.entity, values, lists)


def changed_since(
    session: Session, record: SQLModel, change: Change, ignored: tuple[str, ...] = ()
) -> list[str]:
    """The fields `change` wrote, `ignored` aside, that hold another value now ("city is now
    'Paris', not 'Lyon'"): what undoing it would overwrite."""
    columns = _columns(type(record))
    moved = []
    for field, (_old, new) in change.changes.items():
        if field in ignored:
            continue
        if field not in columns and not (change.entity == "contact" and field in CONTACT_FIELDS):
            continue
        current = _current(session, record, change.entity, field)
        if not _same(current, new):
            moved.append(f"{field} is now {current!r}, not {new!r}")
    return moved


def restore_logged(session: Session, entity: str, entity_id: int, changes: dict) -> None:
    """Put back the old values of one logged update, as `crm undo` would, without its checks
    (an import batch checks the whole batch first); a deal's stage goes back by a move."""
    model = MODELS[entity]
    record = session.get(model, entity_id)
    columns = _columns(model)
    values = {
        field: _from_log(columns[field], old)
        for field, (old, _new) in changes.items()
        if field in columns and field not in NEVER_RESTORED
    }
    _restore(session, record, entity, values, {})


def _deleted_links(session: Session, model, values: dict) -> list[str]:
    """The records the old values point at that are gone ("contact 12"): restoring a link to
    one would fail on its foreign key."""
    gone = []
    for field, value in values.items():
        if value is None:
            continue
        for key in model.__table__.columns[field].foreign_keys:
            if session.execute(select(key.column).where(key.column == value)).first() is None:
                gone.append(f"{key.column.table.name} {value}")
    return gone


def _restore(session: Session, record, entity: str, values: dict, lists: dict) -> None:
    if entity == "contact":
        _restore_contact(session, record, values, lists)
        return
    if entity == "company" and "name" in values:
        values.update(name_key=fold(values["name"]), search_text=search_text(values["name"]))
    if entity == "stage" and "name" in values:
        from crmtui.core.pipelines import _check_free_name

        _check_free_name(session, record, values["name"])
        values["name_key"] = fold(values["name"])
    before_stage = getattr(record, "stage_id", None)
    apply_changes(session, entity, record, values)
    if entity == "deal":
        from crmtui.core.deals import _deal_search_text, _record_move
        from crmtui.core.types import utcnow

        if "stage_id" in values and values["stage_id"] != before_stage:
            _record_move(session, record, before_stage, record.stage_id, utcnow())
        record.search_text = _deal_search_text(session, record)
        session.add(record)
        session.flush()


def _restore_contact(
    session: Session, contact: Contact, values: dict, lists: dict, *, stage_history: bool = True
) -> None:
    """Put back a contact's columns and lists; a stage put back is a new lifecycle change unless
    `stage_history` is off (the caller removes the change that moved it instead)."""
    from crmtui.core.contacts import _claim_emails, record_lifecycle, refresh_search_text

    if "display_name" in values:
        values["sort_key"] = fold(values["display_name"] or "")
    # an email put back may belong to another contact since: a conflict, not a database error
    _claim_emails(session, contact.id, lists.get("emails") or [])
    before = {field: _current(session, contact, "contact", field) for field in lists}
    values.update(_write_contact_lists(session, contact, lists))
    old_stage = contact.lifecycle_stage
    restored = {f: [before[f], old] for f, old in lists.items() if not _same(before[f], old)}
    changes = apply_changes(session, "contact", contact, values, restored)
    if "lifecycle_stage" in changes and stage_history:
        record_lifecycle(session, contact, old_stage, contact.lifecycle_stage)
    refresh_search_text(session, contact)


def _write_contact_lists(session: Session, contact: Contact, lists: dict) -> dict:
    """Put back emails, phones and tags; returns the primary email and phone columns."""
    from crmtui.core import tags as tagging
    from crmtui.core.contacts import _write_emails, _write_phones, contact_rows

    columns = {}
    if "emails" in lists:
        emails = lists["emails"] or []
        _write_emails(session, contact, emails)
        columns["email"] = emails[0] if emails else None
    if "phones" in lists:
        phones = lists["phones"] or []
        _write_phones(session, contact, phones)
        columns["phone"] = phones[0] if phones else None
    if "tags" in lists:
        have = contact_rows(session, [contact])[0]["tags"]
        want = lists["tags"] or []
        gone = [t for t in have if fold(t) not in {fold(w) for w in want}]
        if gone:
            tagging.remove_tags(session, "contact", contact.id, gone)
        if want:
            tagging.add_tags(session, "contact", contact.id, want)
    return columns


def _undo_tagging(session: Session, record, change: Change, what: str) -> None:
    from crmtui.core import tags as tagging

    entity = change.entity
    old, new = change.changes.get("tags", [None, None])
    if change.action == "tag":
        tagging.remove_tags(session, entity, record.id, new or [])
        record_change(session, entity, record.id, "untag", {"tags": [new, None]})
    else:
        tagging.add_tags(session, entity, record.id, old or [])
        record_change(session, entity, record.id, "tag", {"tags": [None, old]})


def _undo_delete(
    session: Session, model, change: Change, what: str, links: dict[str, int] | None = None
) -> None:
    if session.get(model, change.entity_id) is not None:
        raise Conflict(f"cannot undo change {change.id}: {what} exists again")
    columns = _columns(model)
    values = {
        field: _from_log(columns[field], old)
        for field, (old, _new) in change.changes.items()
        if field in columns
    }
    values["id"] = change.entity_id
    values.update(links or {})
    for field, table in _foreign_keys(model).items():
        linked = values.get(field)
        if (
            linked is not None
            and not session.execute(select(table.c.id).where(table.c.id == linked)).first()
        ):
            values[field] = None  # the linked record is gone too; restore without the link
    if change.entity == "contact":
        values["sort_key"] = fold(values.get("display_name") or "")
    if change.entity == "company":
        values.update(name_key=fold(values["name"]), search_text=search_text(values["name"]))
        if session.scalars(
            select(Company.id).where(Company.name_key == values["name_key"])
        ).first():
            raise Conflict(
                f"cannot undo change {change.id}: another company is named {values['name']!r}"
            )
    if change.entity == "stage":
        from crmtui.core.pipelines import _check_free_name

        values["name_key"] = fold(values["name"])
        _check_free_name(session, model(**values), values["name"])
    record = model(**values)
    session.add(record)
    session.flush()
    if change.entity == "stage":
        from crmtui.core.pipelines import move_stage

        move_stage(session, record, record.position)
    if change.entity == "contact":
        lists = {f: old for f, (old, _new) in change.changes.items() if f in CONTACT_LISTS}
        lists.setdefault("emails", [values["email"]] if values.get("email") else [])
        lists.setdefault("phones", [values["phone"]] if values.get("phone") else [])
        from crmtui.core.contacts import _claim_emails, refresh_search_text

        _claim_emails(session, record.id, lists["emails"])
        _write_contact_lists(session, record, lists)
        refresh_search_text(session, record)
    elif change.entity == "deal":
        from crmtui.core.deals import _deal_search_text

        record.search_text = _deal_search_text(session, record)
        session.add(record)
        session.flush()
    record_created(session, change.entity, record)
    reattach(session, change.entity, record, change.changes)


def _foreign_keys(model) -> dict[str, Any]:
    return {
        column.name: next(iter(column.foreign_keys)).column.table
        for column in model.__table__.columns
        if column.foreign_keys
    }


def _undo_create(session: Session, model, change: Change, what: str) -> None:
    record = session.get(model, change.entity_id)
    if record is None:
        raise Conflict(f"cannot undo change {change.id}: {what} was deleted since")
    later = _later_change(session, change)
    if later is not None:
        raise Conflict(
            f"cannot undo change {change.id}: {what} was changed since (change {later.id}); "
            "undo that first; nothing was changed"
        )
    linked = first_link(session, change.entity, record.id)
    if linked is not None:  # deleting would take someone's call with it, or unlink their deal
        raise Conflict(
            f"cannot undo change {change.id}: {linked[0]} {linked[1]} was linked to {what} "
            "since; nothing was changed"
        )
    if change.entity == "contact":
        from crmtui.core.contacts import delete_contact

        delete_contact(session, record)
    elif change.entity == "company":
        from crmtui.core.companies import delete_company

        delete_company(session, record)
    elif change.entity == "deal":
        from crmtui.core.deals import delete_deal

        delete_deal(session, record)
    else:
        record_deleted(session, change.entity, record)
        session.delete(record)
        session.flush()
