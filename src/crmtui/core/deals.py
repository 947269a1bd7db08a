"""Deals: create, edit, move through stages, win or lose, list; every stage move is recorded."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.audit import record_created, record_deleted
from crmtui.core.choices import check_choice
from crmtui.core.companies import get_company, get_or_create_company
from crmtui.core.contacts import get_contact
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import (
    DEAL_STATUSES,
    Company,
    Contact,
    Deal,
    DealStageChange,
    Stage,
    User,
)
from crmtui.core.money import format_amount, parse_amount, parse_currency, to_units
from crmtui.core.pipelines import get_pipeline, get_stage, stages_of
from crmtui.core.reads import (  # noqa: F401  (one row builder for every front end)
    deal_rows,
    keyset_pages,
    open_deal_counts,
)
from crmtui.core.records import apply_changes, check_version
from crmtui.core.schemas import DealInput
from crmtui.core.text import search_text
from crmtui.core.types import utcnow
from crmtui.core.usernames import username_is
from crmtui.core.users import ensure_user, usernames_by_id

# A search matching at least this many deals has each deal checked along a sort index (SQLite):
# reading the matches and sorting them costs as many random reads as there are matches.
BROAD_MATCHES = 2_000

SORTS = {
    "created": Deal.created_at,
    "amount": Deal.amount_units,
    "close": Deal.expected_close,
    "title": Deal.title,
    "id": Deal.id,
}


def get_deal(session: Session, ref: str | int) -> Deal:
    text = str(ref).strip()
    if not text.isdigit():
        raise Invalid(f"name a deal by its id, not {text!r}")
    deal = session.get(Deal, int(text))
    if deal is None:
        raise NotFound(f"no deal with id {text}")
    return deal


def _deal_search_text(session: Session, deal: Deal) -> str:
    contact = session.get(Contact, deal.contact_id) if deal.contact_id else None
    company = session.get(Company, deal.company_id) if deal.company_id else None
    return search_text(
        deal.title, contact.display_name if contact else None, company.name if company else None
    )


def _record_move(
    session: Session, deal: Deal, from_stage: int | None, to_stage: int, at: datetime
) -> None:
    session.add(
        DealStageChange(
            deal_id=deal.id,
            from_stage_id=from_stage,
            to_stage_id=to_stage,
            changed_at=at,
            user_id=session.info.get("user_id"),
        )
    )


def add_deal(session: Session, data: DealInput) -> Deal:
    title = (data.title or "").strip()
    if not title:
        raise Invalid("a deal needs a title")
    currency = parse_currency(data.currency or "EUR")
    amount = parse_amount(data.amount, currency) if data.amount not in (None, "") else None
    pipeline = get_pipeline(session, data.pipeline)
    stage = (
        get_stage(session, pipeline.id, data.stage)
        if data.stage
        else stages_of(session, pipeline.id)[0]
    )
    contact = get_contact(session, data.contact) if data.contact else None
    company = get_or_create_company(session, data.company) if data.company else None
    if company is None and contact is not None and contact.company_id:
        company = session.get(Company, contact.company_id)
    created = data.created_at or utcnow()
    deal = Deal(
        title=title,
        contact_id=contact.id if contact else None,
        company_id=company.id if company else None,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        amount_units=to_units(amount) if amount is not None else 0,
        currency=currency,
        expected_close=data.expected_close,
        notes=(data.notes or "").strip() or None,
        stage_entered_at=created,
        created_at=created,
        updated_at=created,
        created_by_id=session.info.get("user_id"),
        owner_id=ensure_user(session, data.owner, create=False).id
        if data.owner
        else session.info.get("user_id"),
    )
    if stage.kind != "open":
        deal.status = stage.kind
        deal.closed_at = created
    session.add(deal)
    session.flush()
    deal.search_text = _deal_search_text(session, deal)
    _record_move(session, deal, None, stage.id, created)
    if data.tags:
        tagging.add_tags(session, "deal", deal.id, data.tags)
    record_created(session, "deal", deal)
    return deal


def update_deal(
    session: Session, deal: Deal, data: DealInput, expected_version: int | None = None
) -> dict[str, list[Any]]:
    """Edit title, amount, currency, close date, owner, contact, company, notes."""
    check_version(deal, expected_version, f"deal {deal.id}")
    values: dict[str, Any] = {}
    if data.title is not None:
        if not data.title.strip():
            raise Invalid("a deal needs a title")
        values["title"] = data.title.strip()
    currency = parse_currency(data.currency) if data.currency else deal.currency
    if data.currency:
        values["currency"] = currency
    if data.amount is not None:
        values["amount_units"] = to_units(parse_amount(data.amount, currency))
    elif data.currency:
        parse_amount(format_amount(deal.amount_units, deal.currency), currency)
    if data.expected_close is not None:
        values["expected_close"] = data.expected_close
    if data.notes is not None:
        values["notes"] = data.notes.strip() or None
    if data.owner is not None:
        values["owner_id"] = (
            ensure_user(session, data.owner, create=False).id if data.owner else None
        )
    if data.contact is not None:
        values["contact_id"] = get_contact(session, data.contact).id if data.contact else None
    if data.company is not None:
        values["company_id"] = get_company(session, data.company).id if data.company else None
    changes = apply_changes(session, "deal", deal, values)
    if {"title", "contact_id", "company_id"} & changes.keys():
        deal.search_text = _deal_search_text(session, deal)
        session.add(deal)
    added = tagging.tag_record(session, "deal", deal.id, data.tags) if data.tags else []
    return {**changes, "tags": [None, added]} if added else changes


def _check_time(deal: Deal, at: datetime) -> None:
    if at < deal.created_at:
        raise Invalid(
            f"{at.isoformat()} is before the deal was created ({deal.created_at.isoformat()})"
        )


def move_deal(
    session: Session, deal: Deal, stage_ref: str | int, at: datetime | None = None
) -> Stage:
    """Move an open deal to a stage of its pipeline; a won or lost stage closes it."""
    if deal.status != "open":
        raise Conflict(f"deal {deal.id} is {deal.status}; reopen it before moving it")
    stage = get_stage(session, deal.pipeline_id, stage_ref)
    if stage.id == deal.stage_id:
        return stage
    at = at or utcnow()
    _check_time(deal, at)
    values: dict[str, Any] = {"stage_id": stage.id, "stage_entered_at": at}
    if stage.kind != "open":
        values.update(status=stage.kind, closed_at=at)
    previous = deal.stage_id
    apply_changes(session, "deal", deal, values)
    _record_move(session, deal, previous, stage.id, at)
    return stage


def _closing_stage(session: Session, deal: Deal, kind: str) -> Stage:
    for stage in stages_of(session, deal.pipeline_id):
        if stage.kind == kind:
            return stage
    raise NotFound(f"the deal's pipeline has no {kind} stage")


def win_deal(session: Session, deal: Deal, at: datetime | None = None) -> Stage:
    return move_deal(session, deal, _closing_stage(session, deal, "won").id, at)


def lose_deal(
    session: Session, deal: Deal, reason: str | None = None, at: datetime | None = None
) -> Stage:
    stage = move_deal(session, deal, _closing_stage(session, deal, "lost").id, at)
    if reason and reason.strip():
        apply_changes(session, "deal", deal, {"lost_reason": reason.strip()})
    return stage


def reopen_deal(
    session: Session, deal: Deal, stage_ref: str | int | None = None, at: datetime | None = None
) -> Stage:
    """Put a closed deal back into an open stage (the first one unless named)."""
    if deal.status == "open":
        raise Conflict(f"deal {deal.id} is already open")
    open_stages = [s for s in stages_of(session, deal.pipeline_id) if s.kind == "open"]
    stage = get_stage(session, deal.pipeline_id, stage_ref) if stage_ref else open_stages[0]
    if stage.kind != "open":
        raise Invalid(f"{stage.name} is not an open stage")
    at = at or utcnow()
    previous = deal.stage_id
    reopened = {"stage_id": stage.id, "stage_entered_at": at, "status": "open"}
    apply_changes(session, "deal", deal, {**reopened, "closed_at": None, "lost_reason": None})
    _record_move(session, deal, previous, stage.id, at)
    return stage


def delete_deal(session: Session, deal: Deal) -> None:
    """Delete the deal; its tasks and logged interactions stay, unlinked (each in the log)."""
    from crmtui.core.cascade import detach

    taken = detach(session, "deal", deal)
    change = record_deleted(session, "deal", deal)
    change.changes = {**change.changes, **taken}
    session.delete(deal)
    session.flush()


def _sorted_deals(
    session: Session,
    *,
    status: str | None = None,
    stage: str | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    tag: str | None = None,
    query: str | None = None,
    sort: str = "-created",
):
    """A select of deals narrowed by the filters and sorted; its sort column; descending."""
    from crmtui.core.search import dialect_name

    stmt = select(Deal)
    if status:
        stmt = stmt.where(Deal.status == check_choice(status, DEAL_STATUSES, "status"))
    if pipeline or stage:
        chosen = get_pipeline(session, pipeline)
        stmt = stmt.where(Deal.pipeline_id == chosen.id)
        if stage:
            stmt = stmt.where(Deal.stage_id == get_stage(session, chosen.id, stage).id)
    if owner:
        stmt = stmt.join(User, User.id == Deal.owner_id).where(username_is(User.username, owner))
    if contact:
        stmt = stmt.where(Deal.contact_id == get_contact(session, contact).id)
    if company:
        stmt = stmt.where(Deal.company_id == get_company(session, company).id)
    if tag:
        stmt = stmt.where(Deal.id.in_(tagging.tag_filter("deal", tag)))
    if query:
        from crmtui.core.search import match_count, matching_condition, matching_ids

        key = sort.lstrip("-+")
        # along an index in the sort order, narrowed by nothing else the walk would read in vain
        walked = key in ("created", "id") or key == "close" and not (status or owner)
        broad = dialect_name(session) == "sqlite" and walked and not (stage or pipeline)
        if broad and match_count(session, "deal", query, BROAD_MATCHES) >= BROAD_MATCHES:
            # `+ 0` keeps SQLite from reading every match to sort them: on the 1M demo
            # `renewal` (43,000 deals) took 0.3 s, `acme` (6,000) 0.3 s; 10 ms this way
            stmt = stmt.where((Deal.id + 0).in_(matching_ids(session, "deal", query)))
        else:
            stmt = stmt.where(matching_condition(session, Deal.id, "deal", query))
    descending = sort.startswith("-")
    key = sort.lstrip("-+")
    if key not in SORTS:
        raise Invalid(f"cannot sort deals by {key!r}: choose one of {', '.join(SORTS)}")
    column = SORTS[key]
    if key == "close" and dialect_name(session) != "sqlite":
        # undated deals sort lowest, as on SQLite, where keyset pages expect them
        ordered = column.desc().nulls_last() if descending else column.asc().nulls_first()
    else:
        ordered = column.desc() if descending else column
    return stmt.order_by(ordered, Deal.id.desc() if descending else Deal.id), column, descending


def list_deals(session: Session, *, limit: int | None = 50, **filters: Any) -> list[Deal]:
    """Deals as models, filtered (status, stage, pipeline, owner, contact, company, tag, query)
    and sorted (`sort`)."""
    stmt, _, _ = _sorted_deals(session, **filters)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def deal_list_pages(
    session: Session, *, limit: int | None = None, **filters: Any
) -> Iterator[list[dict[str, Any]]]:
    """`deal_rows` of the deals `list_deals` finds, PAGE at a time by keyset (None: all): plain
    rows, not models, and never the whole list in memory."""
    stmt, column, descending = _sorted_deals(session, **filters)
    stmt = stmt.with_only_columns(*Deal.__table__.columns)
    nullable = column is Deal.expected_close
    for page in keyset_pages(
        session, stmt, column, Deal.id, descending=descending, nullable=nullable, limit=limit
    ):
        yield deal_rows(session, page)


def deal_history(session: Session, deal: Deal) -> list[dict[str, Any]]:
    """Stage moves, oldest first: from, to, when, who."""
    moves = session.scalars(
        select(DealStageChange)
        .where(DealStageChange.deal_id == deal.id)
        .order_by(DealStageChange.changed_at, DealStageChange.id)
    ).all()
    stage_names = dict(
        session.execute(
            select(Stage.id, Stage.name).where(Stage.pipeline_id == deal.pipeline_id)
        ).all()
    )
    users = usernames_by_id(session, {m.user_id for m in moves if m.user_id})
    return [
        {
            "from": stage_names.get(m.from_stage_id),
            "to": stage_names.get(m.to_stage_id),
            "at": m.changed_at,
            "user": users.get(m.user_id),
        }
        for m in moves
    ]
