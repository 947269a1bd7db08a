"""Merging a duplicate contact into the one kept, in one transaction, and undoing the merge."""

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from crmtui.core.audit import _plain
from crmtui.core.errors import Conflict, Invalid
from crmtui.core.models import (
    Change,
    Company,
    Contact,
    Deal,
    Interaction,
    LifecycleChange,
    Task,
    User,
)
from crmtui.core.reads import contact_rows, format_birthday
from crmtui.core.records import apply_changes, values_by_id
from crmtui.core.text import fold, phone_key

# what follows a contact, moved from the duplicate to the contact kept
MOVED: dict[str, type[SQLModel]] = {"deal": Deal, "task": Task, "interaction": Interaction}
# a value of the duplicate's fills the kept contact's field only where that is empty
SINGLE_FIELDS = ("job_title", "company_id", "website", "source", "owner_id")
# parts of one value: filled part by part only when no part disagrees, never mixing two
# addresses (a street from one with the city of the other) or two birthdays
GROUPS = (
    ("street", "city", "region", "postal_code", "country"),
    ("birthday_year", "birthday_month", "birthday_day"),
)
NAME_FIELDS = ("first_name", "last_name", "display_name", "sort_key")
# how far along the funnel a stage is: the merged contact takes the further one; a former
# customer has been a customer (above any prospect stage), `other` says nothing
STAGE_RANK = {
    "other": -1, "subscriber": 0, "lead": 1, "marketing_qualified": 2, "sales_qualified": 3,
    "opportunity": 4, "former_customer": 5, "customer": 6, "evangelist": 7,
}  # fmt: skip


@dataclass
class MergePlan:
    """What merging `other` into `keep` does, worked out before anything is written."""

    keep: Contact
    other: Contact
    values: dict[str, Any]  # the kept contact's columns that change
    emails: list[str]
    phones: list[str]
    tags: list[str]  # the duplicate's tags the kept contact lacks
    lists_before: dict[str, list[str]]
    moved: dict[str, list[int]]
    filled: list[str] = field(default_factory=list)  # fields empty on keep, taken from other
    kept: dict[str, list[Any]] = field(default_factory=dict)  # {field: [keep's, other's]}
    why: dict[str, str] = field(default_factory=dict)  # fields changed by a rule, and the rule
    stage_at: datetime | None = None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def plan_merge(session: Session, keep: Contact, other: Contact) -> MergePlan:
    """Work out a merge without writing: what moves, what is filled, where `keep` wins."""
    if keep.id == other.id:
        raise Invalid(f"cannot merge contact {keep.id} into itself")
    keep_row, other_row = contact_rows(session, [keep, other])
    have_phones = {phone_key(p) for p in keep_row["phones"]}
    have_tags = {fold(t) for t in keep_row["tags"]}
    moved = {
        table: list(session.scalars(select(model.id).where(model.contact_id == other.id)))
        for table, model in MOVED.items()
    }
    plan = MergePlan(
        keep=keep,
        other=other,
        values={},
        # an email belongs to one contact only, so the duplicate's are never the kept one's
        emails=[*keep_row["emails"], *other_row["emails"]],
        phones=[
            *keep_row["phones"],
            *(p for p in other_row["phones"] if phone_key(p) not in have_phones),
        ],
        tags=[t for t in other_row["tags"] if fold(t) not in have_tags],
        lists_before={k: keep_row[k] for k in ("emails", "phones", "tags")},
        moved={table: sorted(ids) for table, ids in moved.items()},
    )
    _plan_fields(plan)
    _plan_rules(session, plan)
    return plan


def _plan_fields(plan: MergePlan) -> None:
    keep, other = plan.keep, plan.other
    if not keep.first_name and not keep.last_name and (other.first_name or other.last_name):
        # the kept contact was only an email address; the duplicate has a name
        plan.values.update({f: getattr(other, f) for f in NAME_FIELDS})
        plan.filled.append("display_name")
    elif other.display_name != keep.display_name and (other.first_name or other.last_name):
        plan.kept["display_name"] = [keep.display_name, other.display_name]
    for name in SINGLE_FIELDS:
        _fill(plan, (name,))
    for group in GROUPS:
        _fill(plan, group)
    if not _empty(other.notes) and other.notes != keep.notes:
        if _empty(keep.notes):
            plan.values["notes"] = other.notes
            plan.filled.append("notes")
        elif other.notes not in keep.notes:
            # free text adds up: dropping the duplicate's notes would lose what someone wrote
            plan.values["notes"] = f"{keep.notes}\n\n{other.notes}"
            plan.why["notes"] = "the duplicate's notes are added after the kept ones"
    merged = {**other.custom_fields, **keep.custom_fields}
    for key, value in other.custom_fields.items():
        if key in keep.custom_fields and keep.custom_fields[key] != value:
            plan.kept[f"custom_fields.{key}"] = [keep.custom_fields[key], value]
    if merged != keep.custom_fields:
        plan.values["custom_fields"] = merged
        plan.filled.extend(
            f"custom_fields.{k}" for k in other.custom_fields if k not in keep.custom_fields
        )


def _fill(plan: MergePlan, group: tuple[str, ...]) -> None:
    keep, other = plan.keep, plan.other
    clash = [
        name for name in group
        if not _empty(getattr(keep, name)) and not _empty(getattr(other, name))
        and getattr(keep, name) != getattr(other, name)
    ]  # fmt: skip
    if clash:
        for name in group:
            if not _empty(getattr(other, name)) and getattr(keep, name) != getattr(other, name):
                plan.kept[name] = [_plain(getattr(keep, name)), _plain(getattr(other, name))]
        return
    for name in group:
        if _empty(getattr(keep, name)) and not _empty(getattr(other, name)):
            plan.values[name] = getattr(other, name)
            plan.filled.append(name)


def _plan_rules(session: Session, plan: MergePlan) -> None:
    """Consent, lifecycle stage, primary email and phone, last contact: set by rule."""
    keep, other = plan.keep, plan.other
    # an opt-out is a legal matter: it is never lost, whichever record carried it
    if (other.email_consent == "unsubscribed" and keep.email_consent != "unsubscribed") or (
        other.email_consent == "subscribed" and keep.email_consent == "unknown"
    ):
        plan.values.update(
            email_consent=other.email_consent,
            consent_at=other.consent_at,
            consent_source=other.consent_source,
        )
        plan.why["email_consent"] = (
            "an opt-out on either wins" if other.email_consent == "unsubscribed"
            else "the duplicate's consent, with its date and source"
        )  # fmt: skip
    elif other.email_consent != keep.email_consent and other.email_consent != "unknown":
        plan.kept["email_consent"] = [keep.email_consent, other.email_consent]
    if other.do_not_contact and not keep.do_not_contact:
        plan.values["do_not_contact"] = True
        plan.why["do_not_contact"] = "a do-not-contact on either wins"
    if STAGE_RANK[other.lifecycle_stage] > STAGE_RANK[keep.lifecycle_stage]:
        plan.values["lifecycle_stage"] = other.lifecycle_stage
        plan.why["lifecycle_stage"] = "the further stage of the two"
        plan.stage_at = _stage_time(session, keep, other)
    elif other.lifecycle_stage != keep.lifecycle_stage:
        plan.kept["lifecycle_stage"] = [keep.lifecycle_stage, other.lifecycle_stage]
    if plan.emails[:1] != plan.lists_before["emails"][:1]:
        plan.values["email"] = plan.emails[0]
    if plan.phones[:1] != plan.lists_before["phones"][:1]:
        plan.values["phone"] = plan.phones[0]
    contacted = [keep.last_contacted_at, other.last_contacted_at]
    contacted.append(
        session.scalar(
            select(func.max(Interaction.occurred_at)).where(
                Interaction.contact_id.in_((keep.id, other.id))
            )
        )
    )
    latest = max((c for c in contacted if c is not None), default=None)
    if latest is not None and latest != keep.last_contacted_at:
        plan.values["last_contacted_at"] = latest
        plan.why["last_contacted_at"] = "the later of the two"


def _stage_time(session: Session, keep: Contact, other: Contact) -> datetime:
    """When the kept contact takes the duplicate's stage in its lifecycle history: when the
    duplicate reached it (monthly figures count the customer from then, not from the merge),
    though never before the kept contact's own last change, so its history still reads in
    order."""
    reached = session.scalar(
        select(func.max(LifecycleChange.changed_at)).where(
            LifecycleChange.contact_id == other.id,
            LifecycleChange.to_stage == other.lifecycle_stage,
        )
    )
    last = session.scalar(
        select(func.max(LifecycleChange.changed_at)).where(LifecycleChange.contact_id == keep.id)
    )
    return max(t for t in (reached or other.updated_at, last, keep.created_at) if t is not None)


def _move(session: Session, moved: dict[str, list[int]], contact_id: int) -> None:
    """Give the deals, tasks and interactions to `contact_id`, each move in its own history; a
    deal is then found by its new contact's name."""
    from crmtui.core.deals import _deal_search_text

    for table, ids in moved.items():
        model = MOVED[table]
        for record in session.scalars(select(model).where(model.id.in_(ids))):
            apply_changes(session, table, record, {"contact_id": contact_id})
            if table == "deal":
                record.search_text = _deal_search_text(session, record)


def merge_contacts(session: Session, keep: Contact, other: Contact) -> dict[str, Any]:
    """Merge `other` into `keep` in the caller's transaction and delete `other`; one "merge"
    entry in `keep`'s history, which `undo_merge` reverts. Returns `merge_report`."""
    from crmtui.core import tags as tagging
    from crmtui.core.contacts import (
        _write_emails,
        _write_phones,
        delete_contact,
        record_lifecycle,
        refresh_search_text,
    )

    plan = plan_merge(session, keep, other)
    report = merge_report(session, plan)
    _move(session, plan.moved, keep.id)
    # deleted before the kept contact takes its emails, which may belong to one contact only
    deleted = delete_contact(session, other)
    lists = {}
    if plan.emails != plan.lists_before["emails"]:
        _write_emails(session, keep, plan.emails)
        lists["emails"] = [plan.lists_before["emails"], plan.emails]
    if plan.phones != plan.lists_before["phones"]:
        _write_phones(session, keep, plan.phones)
        lists["phones"] = [plan.lists_before["phones"], plan.phones]
    if plan.tags:
        added = tagging.add_tags(session, "contact", keep.id, plan.tags)
        lists["tags"] = [plan.lists_before["tags"], [*plan.lists_before["tags"], *added]]
    stage_change_id = None
    if "lifecycle_stage" in plan.values:
        record_lifecycle(session, keep, keep.lifecycle_stage, plan.values["lifecycle_stage"],
                         plan.stage_at)  # fmt: skip
        session.flush()
        stage_change_id = session.scalar(
            select(func.max(LifecycleChange.id)).where(LifecycleChange.contact_id == keep.id)
        )
    merged = {
        "contact_id": other.id, "name": other.display_name, "delete_change_id": deleted.id,
        "moved": {table: ids for table, ids in plan.moved.items() if ids},
        "filled": plan.filled, "kept": plan.kept, "lifecycle_change_id": stage_change_id,
    }  # fmt: skip
    lists["merged"] = [None, merged]
    apply_changes(session, "contact", keep, plan.values, lists, action="merge")
    refresh_search_text(session, keep)
    change_id = session.scalar(
        select(func.max(Change.id)).where(
            Change.entity == "contact", Change.entity_id == keep.id, Change.action == "merge"
        )
    )
    # the duplicate's own history says where it went, and which change brings it back
    deleted.changes = {
        **deleted.changes, "merged_into": [None, {"contact_id": keep.id, "change_id": change_id}]
    }  # fmt: skip
    session.add(deleted)
    session.flush()
    return {**report, "change_id": change_id}


def merge_report(session: Session, plan: MergePlan) -> dict[str, Any]:
    """The plan as plain data: the two contacts, what moves, and sections of fields `filled`,
    `changed` by a rule and `kept` (where the contact kept wins over the duplicate)."""
    keep, other = plan.keep, plan.other
    before = {k: getattr(keep, k) for k in plan.values}
    shown = _shown_values(session, {**before, **plan.values}, plan.kept)
    filled: dict[str, Any] = {}
    for name in plan.filled:
        if name.startswith("custom_fields."):
            filled[name] = other.custom_fields[name.removeprefix("custom_fields.")]
        elif name.startswith("birthday_"):
            parts = {part: plan.values.get(part, getattr(keep, part)) for part in GROUPS[1]}
            filled["birthday"] = format_birthday(SimpleNamespace(**parts))
        else:
            filled[_label(name)] = shown(name, plan.values[name])
    changed = [
        {"field": f, "from": shown(f, before[f]), "to": shown(f, plan.values[f]), "why": why}
        for f, why in plan.why.items()
    ]
    kept = []
    for f, (k, o) in plan.kept.items():
        if not f.startswith("birthday_"):
            kept.append({"field": _label(f), "kept": shown(f, k), "dropped": shown(f, o)})
        elif not any(item["field"] == "birthday" for item in kept):  # one line for its parts
            days = [
                format_birthday(SimpleNamespace(**{p: getattr(c, p) for p in GROUPS[1]}))
                for c in (keep, other)
            ]
            kept.append({"field": "birthday", "kept": days[0], "dropped": days[1]})
    return {
        "keep_id": keep.id,
        "keep_name": keep.display_name,
        "other_id": other.id,
        "other_name": other.display_name,
        "deals": plan.moved["deal"],
        "tasks": plan.moved["task"],
        "interactions": plan.moved["interaction"],
        "emails_added": plan.emails[len(plan.lists_before["emails"]) :],
        "phones_added": plan.phones[len(plan.lists_before["phones"]) :],
        "tags_added": plan.tags,
        "filled": [{"field": name, "value": value} for name, value in filled.items()],
        "changed": changed,
        "kept": kept,
    }


def _label(name: str) -> str:
    if name.startswith("birthday_"):
        return "birthday"
    return {"company_id": "company", "owner_id": "owner", "display_name": "name"}.get(name, name)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _shown_values(session: Session, values: dict[str, Any], kept: dict[str, list[Any]]):
    """A function showing a field's value as a person reads it (a company's name, not its id)."""
    ids = {"company_id": set(), "owner_id": set()}
    for name in ids:
        ids[name].update(v for v in (values.get(name), *kept.get(name, ())) if v is not None)
    names = {
        "company_id": values_by_id(session, Company.id, Company.name, ids["company_id"]),
        "owner_id": values_by_id(session, User.id, User.username, ids["owner_id"]),
    }

    def shown(name: str, value: Any) -> Any:
        return names[name].get(value, value) if name in names else _plain(value)

    return shown


def undo_merge(session: Session, change: Change) -> dict[str, Any]:
    """Split a merge back: the duplicate restored under its id with its emails, phones, tags
    and lifecycle history, its deals, tasks and interactions moved back, the kept contact's
    fields as they were. Refused, changing nothing, if either was touched since."""
    from crmtui.core.undo import _from_log, _restore_contact, _undo_delete, changed_since

    merged = change.changes["merged"][1]
    other_id = merged["contact_id"]
    what = f"contact {change.entity_id}"
    keep = session.get(Contact, change.entity_id)
    if keep is None:
        raise Conflict(f"cannot undo change {change.id}: {what} was deleted since")
    if session.get(Contact, other_id) is not None:
        raise Conflict(f"cannot undo change {change.id}: contact {other_id} exists again")
    # the last contact follows the interactions (a call logged since moves it): not a conflict
    problems = changed_since(session, keep, change, ignored=("last_contacted_at",))
    for table, ids in merged["moved"].items():
        model = MOVED[table]
        now = values_by_id(session, model.id, model.contact_id, ids)
        problems += [f"{table} {i} was deleted" for i in ids if i not in now]
        problems += [
            f"{table} {i} was moved to contact {now[i]}"
            for i in ids if i in now and now[i] != keep.id
        ]  # fmt: skip
    if problems:
        raise Conflict(
            f"cannot undo change {change.id}: {what} was changed since ({'; '.join(problems)}); "
            "nothing was changed"
        )
    stage_change = merged.get("lifecycle_change_id")
    row = session.get(LifecycleChange, stage_change) if stage_change is not None else None
    if row is not None and row.contact_id == keep.id:
        session.delete(row)
    columns = {column.name: column.type for column in Contact.__table__.columns}
    values = {
        name: _from_log(columns[name], old)
        for name, (old, _new) in change.changes.items()
        if name in columns
    }
    lists = {name: change.changes[name][0] for name in ("emails", "phones", "tags")
             if name in change.changes}  # fmt: skip
    values.pop("last_contacted_at", None)  # each contact's from its own interactions, below
    # the kept contact gives the emails back first: an email belongs to one contact only
    _restore_contact(session, keep, values, lists, stage_history=False)
    deleted = session.get(Change, merged["delete_change_id"])
    _undo_delete(session, Contact, deleted, f"contact {other_id}")
    _move(session, merged["moved"], other_id)
    from crmtui.core.interactions import refresh_last_contacted

    for contact_id in (keep.id, other_id):
        refresh_last_contacted(session, contact_id)
    return {"undone": change.id, "action": "unmerged", "entity": "contact",
            "entity_id": keep.id, "restored": other_id}  # fmt: skip


def merge_summary(change: Change) -> str:
    """One line for the history: `merged Bob (contact 7): filled job_title, city; ...`."""
    merged = change.changes["merged"][1]
    parts = [f"merged {merged['name']} (contact {merged['contact_id']})"]
    if merged["filled"]:
        parts.append("filled " + ", ".join(dict.fromkeys(_label(f) for f in merged["filled"])))
    for name in ("lifecycle_stage", "email_consent"):
        if name in change.changes:
            old, new = change.changes[name]
            parts.append(f"{name}: {old} → {new}")
    if change.changes.get("do_not_contact"):
        parts.append("do not contact")
    for name in ("emails", "phones", "tags"):
        if name in change.changes:
            old, new = change.changes[name]
            parts.append("+" + _count(len(new) - len(old), name[:-1]))
    moved = [_count(len(ids), table) for table, ids in merged["moved"].items()]
    if moved:
        parts.append("moved " + ", ".join(moved))
    return parts[0] + (": " + "; ".join(parts[1:]) if len(parts) > 1 else "")
