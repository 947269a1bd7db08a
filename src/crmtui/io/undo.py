"""Reverting an import batch from its `change` rows: delete inserts, restore updates."""

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from crmtui.core.contacts import build_contact_search_text
from crmtui.core.errors import Conflict
from crmtui.core.text import email_key, fold, phone_key
from crmtui.core.undo import restore_logged
from crmtui.io.bulk import IN_CHUNK, BulkWriter
from crmtui.io.values import parse_birthday

TABLES = {"interaction": "interaction", "deal": "deal", "contact": "contact", "company": "company"}
RESTORABLE = {
    "contact": {
        "first_name", "last_name", "display_name", "job_title", "company_id", "street", "city",
        "region", "postal_code", "country", "website", "notes", "source", "lifecycle_stage",
        "owner_id", "email_consent", "do_not_contact", "custom_fields",
    },
    "company": {
        "domain", "industry", "size", "street", "city", "region", "postal_code", "country",
        "website", "notes", "custom_fields", "owner_id",
    },
}  # fmt: skip
# Records that would lose their link, or vanish by cascade, if a created row were deleted.
REFERENCES = {
    "contact": (("deal", "contact_id"), ("task", "contact_id"), ("interaction", "contact_id")),
    "deal": (("task", "deal_id"), ("interaction", "deal_id")),
    "company": (("contact", "company_id"), ("deal", "company_id")),
    "interaction": (),
}


def revert_batch(session: Session, batch_id: int) -> dict[str, int]:
    w = BulkWriter(session)
    _refuse_if_changed_later(w, batch_id)
    restored: set[tuple[str, int]] = set()
    updates = w.query(
        "SELECT entity, entity_id, action, changes FROM change "
        "WHERE batch_id = ? AND action IN ('update', 'tag') ORDER BY id DESC",
        [batch_id],
    )
    created_deals = {row[0] for row in w.query(
        "SELECT entity_id FROM change WHERE batch_id = ? AND entity = 'deal' AND action = 'create'",
        [batch_id],
    )}  # fmt: skip
    for entity, entity_id, action, changes in updates:
        changes = json.loads(changes) if isinstance(changes, str) else changes
        if action == "tag":  # tags a batch attached to a record it found (core.tags.tag_record)
            _untag(w, entity, entity_id, changes["tags"][1])
        elif entity == "deal":
            if entity_id in created_deals:  # moved as it was imported: it goes as a whole
                continue
            _restore_deal(session, batch_id, entity_id, changes)
        elif entity == "contact":
            _restore_contact(w, entity_id, changes)
        else:
            _restore_fields(w, entity, entity_id, changes)
        restored.add((entity, entity_id))
    deleted = 0
    created = "SELECT entity_id FROM change WHERE batch_id = ? AND entity = ? AND action = 'create'"
    for entity, table in TABLES.items():
        for other, column in REFERENCES[entity]:
            linked = w.query(
                f"SELECT {other}.id FROM {other} WHERE {column} IN ({created}) LIMIT 1",
                [batch_id, entity],
            )
            if linked:
                raise Conflict(
                    f"cannot undo import batch {batch_id}: {other} {linked[0][0]} was added "
                    f"since and links to a {entity} it created"
                )
        contacted = _contacts_of_interactions(w, batch_id) if entity == "interaction" else []
        w.execute(f"DELETE FROM {table} WHERE id IN ({created})", [batch_id, entity])
        deleted += max(w.cursor.rowcount, 0)
        _reset_last_contacted(w, contacted)
    return {"deleted": deleted, "restored": len(restored)}


def _contacts_of_interactions(w: BulkWriter, batch_id: int) -> list[int]:
    return [row[0] for row in w.query(
        "SELECT DISTINCT contact_id FROM interaction WHERE id IN (SELECT entity_id FROM change "
        "WHERE batch_id = ? AND entity = 'interaction' AND action = 'create')",
        [batch_id],
    )]  # fmt: skip


def _reset_last_contacted(w: BulkWriter, contact_ids: list[int]) -> None:
    """Logging an interaction moves a contact's last_contacted_at to it: back to the newest left."""
    for start in range(0, len(contact_ids), IN_CHUNK):
        chunk = contact_ids[start : start + IN_CHUNK]
        w.execute(
            "UPDATE contact SET last_contacted_at = (SELECT MAX(occurred_at) FROM interaction "
            f"WHERE interaction.contact_id = contact.id) WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        )


def _refuse_if_changed_later(w: BulkWriter, batch_id: int) -> None:
    rows = w.query(
        "SELECT later.entity, later.entity_id FROM change mine JOIN change later "
        "ON later.entity = mine.entity AND later.entity_id = mine.entity_id AND later.id > mine.id "
        "WHERE mine.batch_id = ? AND (later.batch_id IS NULL OR (later.batch_id != mine.batch_id "
        "AND later.batch_id NOT IN (SELECT id FROM import_batch WHERE undone_at IS NOT NULL))) "
        "LIMIT 1",
        [batch_id],
    )
    if rows:
        entity, entity_id = rows[0]
        raise Conflict(
            f"cannot undo import batch {batch_id}: {entity} {entity_id} was changed after it; "
            "nothing was undone"
        )


def _column_value(w: BulkWriter, value: Any) -> Any:
    return w.json(value) if isinstance(value, dict) else value


def _restore_fields(w: BulkWriter, entity: str, entity_id: int, changes: dict) -> None:
    allowed = RESTORABLE.get(entity, set())
    columns = {k: _column_value(w, old) for k, (old, _new) in changes.items() if k in allowed}
    if entity == "company" and "name" in changes:
        name = changes["name"][0]
        columns.update(name=name, name_key=fold(name))
    if not columns:
        return
    assignments = ", ".join(f"{k} = ?" for k in columns)
    w.execute(
        f"UPDATE {TABLES[entity]} SET {assignments}, version = version + 1 WHERE id = ?",
        [*columns.values(), entity_id],
    )


def _restore_deal(session: Session, batch_id: int, deal_id: int, changes: dict) -> None:
    """Through the service, so the stage goes back by a logged move; logged under the batch
    undone, so undoing an earlier batch does not take the revert for a later change."""
    session.info["batch_id"] = batch_id
    try:
        restore_logged(session, "deal", deal_id, changes)
    finally:
        session.info.pop("batch_id", None)


def _untag(w: BulkWriter, entity: str, entity_id: int, names: Iterable[str]) -> None:
    for key in {fold(name) for name in names}:
        w.execute(
            f"DELETE FROM {entity}_tag WHERE {entity}_id = ? AND tag_id IN "
            "(SELECT id FROM tag WHERE name_key = ?)",
            [entity_id, key],
        )


def _restore_contact(w: BulkWriter, contact_id: int, changes: dict) -> None:
    columns = {
        k: _column_value(w, old) for k, (old, _new) in changes.items() if k in RESTORABLE["contact"]
    }
    if changes.get("email_consent", [None])[0] == "unknown":
        columns["consent_at"] = None
    if "birthday" in changes:
        old = changes["birthday"][0]
        year, month, day = parse_birthday(old) if old else (None, None, None)
        columns.update(birthday_year=year, birthday_month=month, birthday_day=day)
    if "emails" in changes:
        old = changes["emails"][0]
        keep = {email_key(e) for e in old}
        for row_id, key in w.query(
            "SELECT id, email_key FROM contact_email WHERE contact_id = ?", [contact_id]
        ):
            if key not in keep:
                w.execute("DELETE FROM contact_email WHERE id = ?", [row_id])
        columns["email"] = old[0] if old else None
    if "phones" in changes:
        old = changes["phones"][0]
        keep = {phone_key(p) for p in old}
        for row_id, key in w.query(
            "SELECT id, phone_key FROM contact_phone WHERE contact_id = ?", [contact_id]
        ):
            if key not in keep:
                w.execute("DELETE FROM contact_phone WHERE id = ?", [row_id])
        columns["phone"] = old[0] if old else None
    if "tags" in changes:
        old, new = changes["tags"]
        _untag(w, "contact", contact_id, set(new) - set(old))
    if columns:
        assignments = ", ".join(f"{k} = ?" for k in columns)
        w.execute(f"UPDATE contact SET {assignments} WHERE id = ?", [*columns.values(), contact_id])
    _refresh_contact(w, contact_id)


def _refresh_contact(w: BulkWriter, contact_id: int) -> None:
    """Derived columns from the restored state: sort key, search text, version, updated_at."""
    ((display, company_id),) = w.query(
        "SELECT display_name, company_id FROM contact WHERE id = ?", [contact_id]
    )
    emails = [r[0] for r in w.query(
        "SELECT email FROM contact_email WHERE contact_id = ? ORDER BY is_primary DESC, id",
        [contact_id],
    )]  # fmt: skip
    phones = [r[0] for r in w.query(
        "SELECT phone FROM contact_phone WHERE contact_id = ? ORDER BY is_primary DESC, id",
        [contact_id],
    )]  # fmt: skip
    company = w.query("SELECT name FROM company WHERE id = ?", [company_id]) if company_id else []
    search = build_contact_search_text(display, emails, phones, company[0][0] if company else None)
    w.execute(
        "UPDATE contact SET sort_key = ?, search_text = ?, version = version + 1, "
        "updated_at = ? WHERE id = ?",
        [fold(display), search, w.timestamp(), contact_id],
    )
