"""The audit log read back: who changed what and when, for one record or the whole team."""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.audit import DERIVED_FIELDS
from crmtui.core.errors import Invalid, NotFound
from crmtui.core.models import Change, Company, Contact, Deal, Pipeline, Stage, User
from crmtui.core.money import from_units
from crmtui.core.reads import keyset_pages
from crmtui.core.records import values_by_id
from crmtui.core.types import utcnow
from crmtui.core.usernames import username_is
from crmtui.core.users import usernames_by_id

_AGO = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LABEL_FIELDS = ("display_name", "name", "title", "username", "subject")
# left out of summaries: kept in step with other fields (a deal's stage time with its stage)
UNSHOWN_FIELDS = DERIVED_FIELDS | {"stage_entered_at"}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w`, `30m` ago, or a date or time (`2026-05-01`, `yesterday`)."""
    value = text.strip().lower()
    match = _AGO.fullmatch(value)
    if match:
        amount, unit = match.groups()
        return (now or utcnow()) - timedelta(**{_UNITS[unit]: int(amount)})
    from crmtui.core.timeparse import parse_when

    try:
        return parse_when(text)
    except Invalid:
        raise Invalid(f"cannot read --since {text!r}: try 7d, 12h, 2w or a date") from None


def _changes(
    session: Session,
    entity: str | None = None,
    entity_id: int | None = None,
    since: datetime | None = None,
    username: str | None = None,
    batch_id: int | None = None,
):
    stmt = select(Change)
    if entity:
        stmt = stmt.where(Change.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(Change.entity_id == entity_id)
    if since is not None:
        stmt = stmt.where(Change.at >= since)
    if username:
        user_id = session.scalar(select(User.id).where(username_is(User.username, username)))
        if user_id is None:
            raise NotFound(f"no user named {username!r}")
        stmt = stmt.where(Change.user_id == user_id)
    if batch_id is not None:
        stmt = stmt.where(Change.batch_id == batch_id)
    return stmt.order_by(Change.id.desc())


def list_changes(session: Session, *, limit: int | None = 100, **filters: Any) -> list[Change]:
    """Changes newest first, narrowed by record (`entity`, `entity_id`), time (`since`), author
    (`username`) or import batch (`batch_id`)."""
    stmt = _changes(session, **filters)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def change_pages(
    session: Session, *, limit: int | None = None, **filters: Any
) -> Iterator[list[dict[str, Any]]]:
    """`change_rows` of `list_changes`, a keyset page of plain rows at a time (None: all)."""
    stmt = _changes(session, **filters).with_only_columns(*Change.__table__.columns)
    for page in keyset_pages(session, stmt, Change.id, Change.id, descending=True, limit=limit):
        yield change_rows(session, page)


def get_change(session: Session, change_id: int) -> Change:
    change = session.get(Change, change_id)
    if change is None:
        raise NotFound(f"no change with id {change_id}")
    return change


def _short(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def summarize(
    change: Change, names: dict[str, dict[int, str]] | None = None, currency: str | None = None
) -> str:
    """`amount: 500.00 EUR → 750.00 EUR; stage: Lead → Qualified` (creates and deletes: the name).

    `names` holds, per link field (`stage_id`...), the name of each record it points at;
    `currency` is the one a deal's amount was in before the change. Fields kept in step with others (a name's sort key,
    the time a deal entered its stage) are left out."""
    if change.action == "merge":
        from crmtui.core.merge import merge_summary

        return merge_summary(change)
    if change.entity == "tag":
        from crmtui.core.tag_admin import tag_summary

        return tag_summary(change)
    if change.action == "delete" and "merged_into" in change.changes:
        return f"merged into contact {change.changes['merged_into'][1]['contact_id']}"
    if change.action in ("create", "delete"):
        index = 1 if change.action == "create" else 0
        for field in LABEL_FIELDS:
            if field in change.changes and change.changes[field][index]:
                return f"{change.action}d {_short(change.changes[field][index])}"
        return f"{change.action}d"
    parts = []
    for field, (old, new) in change.changes.items():
        if field in UNSHOWN_FIELDS:
            continue
        named = (names or {}).get(field)
        if named is not None:
            field, old, new = field.removesuffix("_id"), named.get(old, old), named.get(new, new)
        elif field == "amount_units" and currency:
            old_currency, new_currency = change.changes.get("currency", [currency, currency])
            field = "amount"
            old = None if old is None else f"{from_units(old, old_currency)} {old_currency}"
            new = None if new is None else f"{from_units(new, new_currency)} {new_currency}"
        parts.append(f"{field}: {_short(old)} → {_short(new)}")
    return "; ".join(parts) or "updated"


def _link_names(session: Session, changes: list[Change]) -> dict[str, dict[int, str]]:
    """The names behind the ids that edits to links logged, one query per kind of link."""
    columns = {
        "stage_id": (Stage.id, Stage.name),
        "pipeline_id": (Pipeline.id, Pipeline.name),
        "company_id": (Company.id, Company.name),
        "contact_id": (Contact.id, Contact.display_name),
        "owner_id": (User.id, User.username),
        "assignee_id": (User.id, User.username),
    }
    wanted: dict[str, set[int]] = {field: set() for field in columns}
    for change in changes:
        if change.action == "update":
            for field in wanted.keys() & change.changes.keys():
                wanted[field].update(v for v in change.changes[field] if isinstance(v, int))
    return {
        field: values_by_id(session, *columns[field], ids) for field, ids in wanted.items() if ids
    }


def _amount_currencies(session: Session, changes: list[Change]) -> dict[int, str]:
    """{change id: currency} for the edits of a deal's amount among these changes: the deal's
    currency now, unless a later edit changed it (then that edit's old currency)."""
    edits = [
        c for c in changes
        if c.entity == "deal" and c.action == "update" and "amount_units" in c.changes
    ]  # fmt: skip
    if not edits:
        return {}
    deal_ids = {c.entity_id for c in edits}
    currencies = values_by_id(session, Deal.id, Deal.currency, deal_ids)
    switches = [
        c
        for c in session.scalars(
            select(Change)
            .where(Change.entity == "deal", Change.entity_id.in_(deal_ids))
            .where(Change.action == "update")
            .order_by(Change.id)
        )
        if "currency" in c.changes
    ]
    found = {}
    for edit in edits:
        later = [c for c in switches if c.entity_id == edit.entity_id and c.id > edit.id]
        currency = later[0].changes["currency"][0] if later else currencies.get(edit.entity_id)
        if currency:
            found[edit.id] = currency
    return found


def change_rows(session: Session, changes: list[Change]) -> list[dict[str, Any]]:
    users = usernames_by_id(session, {c.user_id for c in changes if c.user_id})
    names = _link_names(session, changes)
    currencies = _amount_currencies(session, changes)
    return [
        {
            "id": c.id,
            "at": c.at,
            "user": users.get(c.user_id),
            "entity": c.entity,
            "entity_id": c.entity_id,
            "action": c.action,
            "summary": summarize(c, names, currencies.get(c.id)),
            "changes": c.changes,
            "batch_id": c.batch_id,
        }
        for c in changes
    ]
