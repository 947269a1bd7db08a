"""Segments: contact filters saved under a name, for lists, exports and assigns to use again."""

from dataclasses import asdict, fields
from shlex import quote
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.audit import record_created, record_deleted
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import Segment
from crmtui.core.reads import CONTACT, contact_conditions, count_contacts
from crmtui.core.records import apply_changes
from crmtui.core.schemas import ContactFilter
from crmtui.core.text import fold
from crmtui.core.users import get_user

FILTER_FIELDS = tuple(f.name for f in fields(ContactFilter))
# the `contact list` option of each filter field named otherwise
OPTION_NAMES = {"query": "search", "lifecycle_stage": "stage", "email_consent": "consent"}


def narrowing(filters: ContactFilter) -> dict[str, Any]:
    """The fields of a filter that narrow (set, true or non-empty), as {field: value}."""
    return {key: value for key, value in asdict(filters).items() if value not in (None, False, {})}


def _check(session: Session, filters: ContactFilter) -> dict[str, Any]:
    """The narrowing fields, once each names something that exists or is allowed."""
    stored = narrowing(filters)
    if not stored:
        raise Invalid("a segment needs a filter: --tag, --stage, --consent, --where, ...")
    if filters.owner:
        get_user(session, filters.owner)
    contact_conditions(session, CONTACT.c, filters)  # refuses an unknown stage or consent
    return stored


def _named(session: Session, name: str) -> Segment | None:
    return session.scalars(select(Segment).where(Segment.name_key == fold(name))).first()


def save_segment(
    session: Session, name: str, filters: ContactFilter, *, replace: bool = False
) -> Segment:
    """Save the filter as a new segment, or (with `replace`) as the new filter of this one."""
    name = name.strip()
    if not name:
        raise Invalid("a segment needs a name")
    stored = _check(session, filters)
    segment = _named(session, name)
    if segment is not None:
        if not replace:
            raise Conflict(f"segment {segment.name!r} exists: --replace to change its filter")
        apply_changes(session, "segment", segment, {"name": name, "filters": stored})
        return segment
    segment = Segment(
        name=name, name_key=fold(name), filters=stored, created_by_id=session.info.get("user_id")
    )
    session.add(segment)
    session.flush()
    record_created(session, "segment", segment)
    return segment


def get_segment(session: Session, name: str) -> Segment:
    segment = _named(session, name)
    if segment is None:
        raise NotFound(f"no segment named {name.strip()!r} (crm segment list shows them)")
    return segment


def stored_filter(segment: Segment) -> ContactFilter:
    return ContactFilter(**{k: v for k, v in segment.filters.items() if k in FILTER_FIELDS})


def segment_filter(session: Session, name: str, overrides: ContactFilter) -> ContactFilter:
    """The segment's filter, with each field the caller set in `overrides` taking its place."""
    stored = narrowing(stored_filter(get_segment(session, name)))
    return ContactFilter(**{**stored, **narrowing(overrides)})


def find_segments(session: Session, words: str, limit: int = 5) -> list[tuple[str, dict]]:
    """Segments whose name holds these words: (name, the filter's narrowing fields)."""
    key = fold(words)
    found = session.scalars(
        select(Segment).where(Segment.name_key.contains(key, autoescape=True)).order_by(
            Segment.name_key
        ).limit(limit)
    )  # fmt: skip
    return [(segment.name, narrowing(stored_filter(segment))) for segment in found]


def delete_segment(session: Session, name: str) -> None:
    segment = get_segment(session, name)
    record_deleted(session, "segment", segment)
    session.delete(segment)


def segment_rows(session: Session, *, counted: bool = False) -> list[dict[str, Any]]:
    """Every segment by name, its filter in words, and (`counted`) how many contacts it holds."""
    rows = []
    for segment in session.scalars(select(Segment).order_by(Segment.name_key)):
        row = {"id": segment.id, "name": segment.name, "filters": describe(segment.filters)}
        if counted:
            row["contacts"] = count_contacts(session, stored_filter(segment))
        rows.append(row)
    return rows


def describe(filters: dict[str, Any]) -> str:
    """A stored filter as the options that make it: `--tag vip --stage customer`."""
    words = []
    for key, value in filters.items():
        if key == "where":
            words.extend(f"--where {quote(f'{k}={v}')}" for k, v in value.items())
        elif value is True:
            words.append(f"--{key}")
        else:
            words.append(f"--{OPTION_NAMES.get(key, key)} {quote(str(value))}")
    return " ".join(words)
