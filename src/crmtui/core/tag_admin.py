"""Tags as a whole: listed with how many records carry each, renamed, merged, deleted, undone."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from crmtui.core.audit import record_change
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import Change, Segment, Tag
from crmtui.core.tags import LINKS, clean_tag
from crmtui.core.text import fold

ENTITIES = tuple(LINKS)  # contact, company, deal


def _owner(entity: str):
    link = LINKS[entity]
    return getattr(link, f"{entity}_id")


def tag_counts(session: Session) -> Iterator[dict[str, Any]]:
    """Every tag by name with how many contacts, companies and deals carry it: each count read
    off the link table's tag index."""
    counts = {
        entity: select(func.count())
        .select_from(LINKS[entity])
        .where(LINKS[entity].tag_id == Tag.id)
        .scalar_subquery()
        for entity in ENTITIES
    }
    stmt = select(Tag.name, *(counts[e].label(e) for e in ENTITIES)).order_by(Tag.name_key)
    for name, contacts, companies, deals in session.execute(stmt):
        yield {"name": name, "contacts": contacts, "companies": companies, "deals": deals}


def get_tag(session: Session, name: str) -> Tag:
    tag = session.scalars(select(Tag).where(Tag.name_key == fold(clean_tag(name)))).first()
    if tag is None:
        raise NotFound(f"no tag {name.strip()!r} (crm tag list shows them)")
    return tag


def tagged(session: Session, tag_id: int) -> dict[str, list[int]]:
    """The ids of the records carrying a tag, by entity."""
    return {
        entity: list(session.scalars(select(_owner(entity)).where(LINKS[entity].tag_id == tag_id)))
        for entity in ENTITIES
    }


def _segments_naming(session: Session, name_key: str) -> list[Segment]:
    return [
        segment
        for segment in session.scalars(select(Segment))
        if fold(segment.filters.get("tag") or "") == name_key
    ]


def rename_tag(session: Session, old: str, new: str) -> dict[str, Any]:
    """Rename a tag, saved segments filtering on it included; to a tag that exists already, the
    two become one (a record carrying both keeps one). One history entry, which undo reverts."""
    tag = get_tag(session, old)
    new = clean_tag(new)
    if new == tag.name:
        return {"tag": new, "merged": False, "records": None}  # nothing to change
    into = session.scalars(select(Tag).where(Tag.name_key == fold(new), Tag.id != tag.id)).first()
    segments = _segments_naming(session, tag.name_key)
    for segment in segments:
        segment.filters = {**segment.filters, "tag": new}
    logged: dict[str, Any] = {"name": [tag.name, new], "segments": [[s.id for s in segments], None]}
    if into is None:
        tag.name, tag.name_key = new, fold(new)
        record_change(session, "tag", tag.id, "rename", logged)
        return {
            "tag": new,
            "merged": False,
            "records": sum(map(len, tagged(session, tag.id).values())),
        }
    moved = tagged(session, tag.id)
    had_both = {}
    for entity, ids in moved.items():
        owner = _owner(entity)
        link = LINKS[entity]
        already = set(session.scalars(select(owner).where(link.tag_id == into.id, owner.in_(ids))))
        had_both[entity] = sorted(already)
        fresh = [i for i in ids if i not in already]
        if fresh:
            column = owner.key
            session.execute(insert(link), [{column: i, "tag_id": into.id} for i in fresh])
        session.execute(delete(link).where(link.tag_id == tag.id))
    session.delete(tag)
    logged.update(merged_into=[None, into.id], records=[moved, None], had_both=[had_both, None])
    record_change(session, "tag", tag.id, "rename", logged)
    return {"tag": into.name, "merged": True, "records": sum(map(len, moved.values()))}


def delete_tag(session: Session, name: str) -> dict[str, Any]:
    """Take a tag off every record and delete it; one history entry, which undo reverts."""
    tag = get_tag(session, name)
    records = tagged(session, tag.id)
    for entity in ENTITIES:
        session.execute(delete(LINKS[entity]).where(LINKS[entity].tag_id == tag.id))
    session.delete(tag)
    record_change(session, "tag", tag.id, "delete", {"name": [tag.name, None],
                                                      "records": [records, None]})  # fmt: skip
    return {"tag": tag.name, "records": sum(map(len, records.values()))}


def tag_uses(session: Session, name: str) -> dict[str, int]:
    """How many contacts, companies and deals carry the tag: what a delete would take it off."""
    return {entity: len(ids) for entity, ids in tagged(session, get_tag(session, name).id).items()}


def undo_tag_change(session: Session, change: Change) -> dict[str, Any]:
    """Revert a rename or a delete of a tag: the name, the links and the segments as they were."""
    if change.action not in ("rename", "delete"):
        raise Invalid(f"a {change.action} of a tag cannot be undone; rename or delete it again")
    old_name, new_name = change.changes["name"]
    if session.scalars(
        select(Tag).where(Tag.name_key == fold(old_name), Tag.id != change.entity_id)
    ).first():
        raise Conflict(f"cannot undo change {change.id}: another tag is named {old_name!r} now")
    merged_into = (change.changes.get("merged_into") or [None, None])[1]
    if merged_into is not None:
        since = session.scalars(
            select(Change.id).where(
                Change.entity == "tag", Change.entity_id == merged_into, Change.id > change.id
            )
        ).first()
        if since is not None or session.get(Tag, merged_into) is None:
            raise Conflict(
                f"cannot undo change {change.id}: the tag it merged into was changed since"
                f"{f' (change {since})' if since else ''}; undo that first; nothing was changed"
            )
    if change.action == "rename" and merged_into is None:
        tag = session.get(Tag, change.entity_id)
        if tag is None:
            raise Conflict(f"cannot undo change {change.id}: the tag was deleted since")
        tag.name, tag.name_key = old_name, fold(old_name)
        action = "rename"  # a plain rename back, itself undoable
    else:
        action = "restore"
        session.add(Tag(id=change.entity_id, name=old_name, name_key=fold(old_name)))
        session.flush()
        records = change.changes["records"][0]
        had_both = (change.changes.get("had_both") or [{}, None])[0]
        for entity, ids in records.items():
            link, owner = LINKS[entity], _owner(entity)
            if ids:
                session.execute(
                    insert(link), [{owner.key: i, "tag_id": change.entity_id} for i in ids]
                )
            if merged_into is not None:
                taken = [i for i in ids if i not in set(had_both.get(entity, []))]
                session.execute(delete(link).where(link.tag_id == merged_into, owner.in_(taken)))
    for segment_id in change.changes.get("segments", [[], None])[0]:  # named it before
        segment = session.get(Segment, segment_id)
        if segment is not None:
            segment.filters = {**segment.filters, "tag": old_name}
    segments = change.changes.get("segments", [[], None])[0]
    record_change(session, "tag", change.entity_id, action,
                  {"name": [new_name, old_name], "segments": [segments, None]})  # fmt: skip
    return {"undone": change.id, "action": "restored", "entity": "tag",
            "entity_id": change.entity_id}  # fmt: skip


def tag_summary(change: Change) -> str:
    """What a change to a tag did, in a few words, for the history."""
    old, new = change.changes["name"]
    if change.action == "delete":
        return f"deleted {old} ({_records(change)})"
    if change.action == "rename" and change.changes.get("merged_into"):
        return f"merged {old} into {new} ({_records(change)})"
    if change.action == "restore":
        return f"brought back {new}"
    return f"renamed {old} → {new}"


def _records(change: Change) -> str:
    count = sum(map(len, change.changes["records"][0].values()))
    return f"{count} record{'s' if count != 1 else ''}"
