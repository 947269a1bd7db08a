"""Tags shared by contacts, companies and deals."""

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from crmtui.core.audit import record_change
from crmtui.core.errors import Invalid
from crmtui.core.models import CompanyTag, ContactTag, DealTag, Tag
from crmtui.core.text import fold

LINKS = {"contact": ContactTag, "company": CompanyTag, "deal": DealTag}


def _owner_column(link):
    return {ContactTag: "contact_id", CompanyTag: "company_id", DealTag: "deal_id"}[link]


def clean_tag(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("a tag cannot be empty")
    return name


def ensure_tags(session: Session, names: list[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(clean_tag(n) for n in names):
        tag = session.scalars(select(Tag).where(Tag.name_key == fold(name))).first()
        if tag is None:
            tag = Tag(name=name, name_key=fold(name))
            session.add(tag)
            session.flush()
        tags.append(tag)
    return tags


def add_tags(session: Session, entity: str, entity_id: int, names: list[str]) -> list[str]:
    """Attach tags; returns the names newly attached."""
    link = LINKS[entity]
    column = _owner_column(link)
    have = set(tag_ids(session, entity, entity_id))
    added = []
    for tag in ensure_tags(session, names):
        if tag.id not in have:
            session.execute(insert(link).values({column: entity_id, "tag_id": tag.id}))
            added.append(tag.name)
    return added


def tag_record(session: Session, entity: str, entity_id: int, names: list[str]) -> list[str]:
    """Attach tags, logging those newly attached as one "tag" change (which undo takes off)."""
    added = add_tags(session, entity, entity_id, names)
    if added:
        record_change(session, entity, entity_id, "tag", {"tags": [None, added]})
    return added


def remove_tags(session: Session, entity: str, entity_id: int, names: list[str]) -> list[str]:
    link = LINKS[entity]
    column = getattr(link, _owner_column(link))
    keys = [fold(clean_tag(n)) for n in names]
    tags = session.execute(select(Tag.id, Tag.name).where(Tag.name_key.in_(keys))).all()
    ids = [tag_id for tag_id, _ in tags]
    if ids:
        session.execute(delete(link).where(column == entity_id, link.tag_id.in_(ids)))
    have = set(tag_ids(session, entity, entity_id))
    return [name for tag_id, name in tags if tag_id not in have]


def tag_ids(session: Session, entity: str, entity_id: int) -> list[int]:
    link = LINKS[entity]
    column = getattr(link, _owner_column(link))
    return list(session.execute(select(link.tag_id).where(column == entity_id)).scalars())


def tag_filter(entity: str, name: str):
    """A subquery of record ids carrying the tag."""
    link = LINKS[entity]
    column = getattr(link, _owner_column(link))
    return select(column).join(Tag, Tag.id == link.tag_id).where(Tag.name_key == fold(name))
