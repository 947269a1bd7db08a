"""Importing companies, deals and interactions: natural keys, the services, one batch."""

import re
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from time import monotonic
from typing import Any, BinaryIO

from sqlalchemy import or_, select
from sqlmodel import Session

from crmtui.core.db import Database, commit_and_continue
from crmtui.core.errors import Ambiguous, Conflict, Invalid, NotFound
from crmtui.core.models import DEAL_STATUSES, Deal, Interaction
from crmtui.core.text import fold
from crmtui.core.timeparse import LONGEST_SECONDS, parse_duration
from crmtui.core.users import ensure_user
from crmtui.io.batches import ImportResult, check_on_duplicate, finish_batch, start_batch
from crmtui.io.contact_rows import parse_custom_json
from crmtui.io.formulas import unescape_formula
from crmtui.io.json_rows import read_table
from crmtui.io.presets import Preset, map_columns
from crmtui.io.source import open_source, read_to_end
from crmtui.io.values import interaction_kind, parse_direction, split_list

COMPANY_FIELDS = (
    "name", "domain", "industry", "size", "street", "city", "region", "postal_code", "country",
    "website", "notes", "owner", "tags", "custom_fields", "created_at",
)  # fmt: skip
DEAL_FIELDS = (
    "id", "title", "contact", "company", "pipeline", "stage", "status", "amount", "currency",
    "expected_close", "closed_at", "lost_reason", "owner", "notes", "tags", "created_at",
)  # fmt: skip
INTERACTION_FIELDS = (
    "contact", "kind", "direction", "occurred_at", "duration_seconds", "subject", "body",
    "outcome", "user", "deal",
)  # fmt: skip
_COMMON = {"id": "ignore", "created at": "ignore", "updated at": "ignore", "tags": "tags",
           "labels": "tags", "notes": "notes", "owner": "owner", "custom fields": "custom_fields"}  # fmt: skip
COMPANY_PRESET = Preset("companies", "Companies", {
    **_COMMON, "name": "name", "company": "name", "company name": "name", "organization": "name",
    "organisation": "name", "domain": "domain", "company domain name": "domain",
    "industry": "industry", "size": "size", "employees": "size", "number of employees": "size",
    "street": "street", "address": "street", "street address": "street", "city": "city",
    "state": "region", "region": "region", "state/region": "region", "postal code": "postal_code",
    "zip": "postal_code", "country": "country", "country/region": "country",
    "website": "website", "website url": "website", "contacts": "ignore",
    "created at": "created_at", "create date": "created_at",
})  # fmt: skip
DEAL_PRESET = Preset("deals", "Deals", {
    **_COMMON, "id": "id", "title": "title", "deal": "title", "deal name": "title", "name": "title",
    "contact email": "contact", "contact": "contact", "email": "contact", "person": "contact",
    "company": "company", "organization": "company", "company name": "company",
    "pipeline": "pipeline", "stage": "stage", "deal stage": "stage", "amount": "amount",
    "value": "amount", "deal value": "amount", "currency": "currency",
    "expected close": "expected_close", "close date": "expected_close",
    "expected close date": "expected_close", "created at": "created_at",
    "deal created": "created_at",
    "status": "status", "closed at": "closed_at", "won time": "closed_at",
    "lost time": "closed_at", "lost reason": "lost_reason", "probability": "ignore",
})  # fmt: skip
INTERACTION_PRESET = Preset("interactions", "Interactions", {
    "id": "ignore", "contact email": "contact", "contact": "contact", "email": "contact",
    "kind": "kind", "type": "kind", "direction": "direction", "occurred at": "occurred_at",
    "date": "occurred_at", "when": "occurred_at", "duration seconds": "duration_seconds",
    "subject": "subject", "summary": "subject", "body": "body", "notes": "body",
    "outcome": "outcome", "deal id": "ignore", "user": "user", "deal": "deal",
})  # fmt: skip
_WHOLE_NUMBER = re.compile(r"^\d+(\.0*)?$")
KINDS = {
    "companies": ("company", COMPANY_PRESET, COMPANY_FIELDS),
    "deals": ("deal", DEAL_PRESET, DEAL_FIELDS),
    "interactions": ("interaction", INTERACTION_PRESET, INTERACTION_FIELDS),
}
# the column without which no row of a file goes in: (field, what it gives)
REQUIRED = {
    "companies": ("name", "the company's name"),
    "deals": ("title", "the deal's title"),
    "interactions": ("contact", "the contact's email or name"),
}


def _company_row(session: Session, values: dict[str, str], custom: dict, mode: str) -> tuple:
    from crmtui.core.companies import add_company, company_rows, find_company, update_company
    from crmtui.core.schemas import CompanyInput
    from crmtui.core.timeparse import parse_when

    name = values.get("name", "")
    if not name:
        raise Invalid("no company name")
    tags = split_list(values["tags"]) if "tags" in values else None
    existing = find_company(session, name)
    plain = {k: v for k, v in values.items() if k in COMPANY_FIELDS[1:11]}
    if existing is None:
        company = add_company(session, CompanyInput(
            name=name, **plain, owner=values.get("owner"), tags=tags,
            custom_fields=custom or None,
            created_at=parse_when(values["created_at"]) if values.get("created_at") else None,
        ))  # fmt: skip
        return "insert", company.id, name
    if mode == "skip":
        return "unchanged", existing.id, name
    owner = values.get("owner")
    if mode == "merge":
        current = company_rows(session, [existing])[0]
        plain = {k: v for k, v in plain.items() if not current.get(k)}
        custom = {k: v for k, v in custom.items() if k not in existing.custom_fields}
        owner = None if current.get("owner") else owner
    changes = update_company(session, existing, CompanyInput(
        **plain, owner=owner, tags=tags, custom_fields=custom or None
    ))  # fmt: skip
    return ("updated" if changes else "unchanged"), existing.id, name


def _titled(session: Session, title: str):
    """Deals whose title may be `title`, found through the search index (reading every title
    took 15 ms a row among 40,000 deals); the caller compares the folded titles."""
    from crmtui.core.search import matching_ids

    return Deal.id.in_(matching_ids(session, "deal", title))


def _same_deal(
    session: Session, values: dict[str, str], contact, company, created, mode: str
) -> int | None:
    """The deal already there with this title (whatever its case and accents), the contact and
    company named, and the creation time when the file gives one (a renewal is a new deal).

    Of several such deals, the one whose id the row carries (a listing or export of this
    database); else, to update one, the row is refused rather than applied to a guess."""
    title, company_name = values["title"], values.get("company")
    key = fold(title)
    same = select(Deal.id, Deal.title)
    if contact is not None:
        same = same.where(Deal.contact_id == contact.id)
    if company_name:
        same = same.where(Deal.company_id == (company.id if company else -1))
    if created is not None:
        same = same.where(Deal.created_at == created)
    if contact is None and not company_name:  # else their indexes narrow it down faster
        same = same.where(_titled(session, title))
    found = [id_ for id_, found_title in session.execute(same) if fold(found_title) == key]
    if len(found) > 1:
        given = values.get("id", "")
        if given.isdigit() and int(given) in found:
            return int(given)
        if mode != "skip":
            raise Ambiguous(
                f"{len(found)} deals match {title!r} (ids {', '.join(map(str, found))}): give "
                "their id or created_at column"
            )
    return found[0] if found else None


def _stage_and_status(session: Session, pipeline_id: int, values: dict[str, str]) -> tuple:
    """The stage the file names in the pipeline, and the status it says: a closed stage's kind,
    else the status column's; None for what the file does not say."""
    from crmtui.core.pipelines import get_stage

    status = values.get("status", "").lower() or None
    if status is not None and status not in DEAL_STATUSES:
        raise Invalid(f"invalid status {status!r}: choose one of {', '.join(DEAL_STATUSES)}")
    stage = get_stage(session, pipeline_id, values["stage"]) if values.get("stage") else None
    if stage is not None and stage.kind != "open":
        if status not in (None, "open", stage.kind):
            raise Invalid(f"the stage {stage.name} is {stage.kind}, the status {status}")
        status = stage.kind
    return stage, status


def _close_deal(session: Session, deal: Deal, stage, status: str, values: dict, at) -> None:
    """Win or lose an open deal at `at`: into the closed stage the file names, else the
    pipeline's first one of that kind."""
    from crmtui.core.deals import lose_deal, move_deal, win_deal
    from crmtui.core.records import apply_changes

    if stage is not None and stage.kind == status:
        move_deal(session, deal, stage.id, at)
    elif status == "won":
        win_deal(session, deal, at)
    else:
        lose_deal(session, deal, None, at)
    if status == "lost" and values.get("lost_reason"):
        apply_changes(session, "deal", deal, {"lost_reason": values["lost_reason"]})


def _deal_row(session: Session, values: dict[str, str], custom: dict, mode: str) -> tuple:
    from crmtui.core.companies import find_company
    from crmtui.core.contacts import get_contact
    from crmtui.core.deals import add_deal
    from crmtui.core.pipelines import get_pipeline
    from crmtui.core.schemas import DealInput
    from crmtui.core.timeparse import parse_date, parse_when
    from crmtui.core.types import utcnow

    title = values["title"] = values.get("title", "").strip()
    if not title:
        raise Invalid("no deal title")
    created = parse_when(values["created_at"]) if values.get("created_at") else None
    closed = parse_when(values["closed_at"]) if values.get("closed_at") else None
    contact = get_contact(session, values["contact"]) if values.get("contact") else None
    company = find_company(session, values["company"]) if values.get("company") else None
    existing = _same_deal(session, values, contact, company, created, mode)
    if existing is not None:
        if mode == "skip":
            return "unchanged", existing, title
        changed = _update_deal(session, existing, values, mode, closed)
        return ("updated" if changed else "unchanged"), existing, title
    if created is None and closed is not None and closed < utcnow():
        created = closed  # it was there by the time it closed, at the latest
    pipeline = get_pipeline(session, values.get("pipeline"))
    stage, status = _stage_and_status(session, pipeline.id, values)
    # A closed deal starts open and closes when the file says, so it keeps both dates.
    deal = add_deal(session, DealInput(
        title=title, contact=str(contact.id) if contact else None, company=values.get("company"),
        pipeline=str(pipeline.id), stage=str(stage.id) if stage and stage.kind == "open" else None,
        amount=values.get("amount"), currency=values.get("currency"),
        expected_close=parse_date(values["expected_close"]) if values.get("expected_close") else None,
        owner=values.get("owner"), notes=values.get("notes"),
        tags=split_list(values["tags"]) if values.get("tags") else None, created_at=created,
    ))  # fmt: skip
    if status in ("won", "lost"):
        _close_deal(session, deal, stage, status, values, closed or deal.created_at)
    return "insert", deal.id, title


def _update_deal(session: Session, deal_id: int, values: dict, mode: str, closed) -> bool:
    """update: the file's values over the deal's, and its stage and status (a move, logged);
    merge: only what the deal lacks. Whether anything changed."""
    from crmtui.core.deals import get_deal, move_deal, reopen_deal, update_deal
    from crmtui.core.records import apply_changes
    from crmtui.core.schemas import DealInput
    from crmtui.core.timeparse import parse_date
    from crmtui.core.types import utcnow

    deal = get_deal(session, deal_id)
    version = deal.version
    stage, status = _stage_and_status(session, deal.pipeline_id, values)
    fields = {key: values.get(key) for key in ("amount", "currency", "owner", "notes")}
    if values.get("expected_close"):
        fields["expected_close"] = parse_date(values["expected_close"])
    if mode == "merge":
        lacking = {"amount": not deal.amount_units, "currency": not deal.amount_units,
                   "owner": deal.owner_id is None, "notes": not deal.notes,
                   "expected_close": deal.expected_close is None}  # fmt: skip
        fields = {key: value for key, value in fields.items() if lacking[key]}
    tags = split_list(values["tags"]) if values.get("tags") else None
    changes = update_deal(session, deal, DealInput(**fields, tags=tags))
    wanted = status or ("open" if stage is not None else None)
    if mode == "update" and wanted is not None:
        now = utcnow()
        open_stage = stage if stage is not None and stage.kind == "open" else None
        if deal.status != "open" and deal.status != wanted:
            reopen_deal(session, deal, open_stage.id if open_stage else None, now)
        if deal.status == "open":
            if open_stage is not None and open_stage.id != deal.stage_id:
                move_deal(session, deal, open_stage.id, now)
            if wanted != "open":
                _close_deal(session, deal, stage, wanted, values, closed or now)
        elif wanted == "lost" and values.get("lost_reason"):
            apply_changes(session, "deal", deal, {"lost_reason": values["lost_reason"]})
    return bool(changes) or deal.version != version


def _contact_deal(session: Session, contact, title: str, occurred) -> int:
    """The contact's deal with this title (or a deal with no contact): of several, the one
    created last before the interaction, as a renewal follows the deal it renews."""
    key = fold(title)
    found = session.execute(
        select(Deal.id, Deal.title, Deal.contact_id, Deal.created_at)
        .where(_titled(session, title))
        .where(or_(Deal.contact_id == contact.id, Deal.contact_id.is_(None)))
    ).all()
    deals = [deal for deal in found if fold(deal.title) == key]
    if not deals:
        raise NotFound(f"no deal {title!r} for {contact.display_name}")
    before = [deal for deal in deals if occurred is None or deal.created_at <= occurred] or deals
    return max(before, key=lambda d: (d.contact_id is not None, d.created_at, d.id)).id


def _seconds(text: str) -> int:
    """Seconds, as a number (`90`, or `90.0` from a spreadsheet) or as `crm log --duration`
    takes them (`15m`, `1h30m`, `1:30`)."""
    if _WHOLE_NUMBER.match(text):
        seconds = int(float(text))
        if seconds > LONGEST_SECONDS:
            raise Invalid(f"the duration {text!r} is longer than a century")
        return seconds
    return parse_duration(text)


def _interaction_row(session: Session, values: dict[str, str], custom: dict, mode: str) -> tuple:
    from crmtui.core.contacts import check_choice, get_contact
    from crmtui.core.interactions import log_interaction
    from crmtui.core.models import INTERACTION_KINDS
    from crmtui.core.schemas import InteractionInput
    from crmtui.core.timeparse import parse_when

    if not values.get("contact"):
        raise Invalid("no contact email")
    contact = get_contact(session, values["contact"])
    kind = check_choice(
        interaction_kind(values.get("kind", "note")), INTERACTION_KINDS, "interaction kind"
    )
    occurred = parse_when(values["occurred_at"]) if values.get("occurred_at") else None
    subject = values.get("subject", "")
    same = select(Interaction.id).where(
        Interaction.contact_id == contact.id,
        Interaction.kind == kind,
        Interaction.subject == subject.strip(),
    )
    # without a date, the same words logged with the contact are the row imported before
    if occurred is not None:
        same = same.where(Interaction.occurred_at == occurred)
    elif values.get("body"):
        same = same.where(Interaction.body == values["body"].strip())
    else:
        same = same.where(Interaction.body.is_(None))
    existing = session.scalars(same.limit(1)).first()
    if existing is not None:
        return "unchanged", existing, subject
    duration = _seconds(values["duration_seconds"]) if values.get("duration_seconds") else None
    deal_id = (
        _contact_deal(session, contact, values["deal"], occurred) if values.get("deal") else None
    )
    interaction = log_interaction(session, InteractionInput(
        contact=str(contact.id), kind=kind, subject=subject, occurred_at=occurred,
        direction=parse_direction(values.get("direction") or "out"),
        duration_seconds=duration, body=values.get("body"),
        outcome=values.get("outcome"), user=values.get("user"), deal_id=deal_id,
    ))  # fmt: skip
    return "insert", interaction.id, subject


HANDLERS: dict[str, Callable[..., tuple]] = {
    "companies": _company_row,
    "deals": _deal_row,
    "interactions": _interaction_row,
}


def import_records(
    kind: str,
    db: Database,
    request: Any,
    *,
    username: str | None = None,
    stdin: BinaryIO | None = None,
    progress: Callable | None = None,
    on_event: Callable | None = None,
    on_saving: Callable[[], None] | None = None,
) -> ImportResult:
    """Companies, deals or interactions from CSV, each row through its service, one batch."""
    from crmtui.io import imports

    entity, preset, allowed = KINDS[kind]
    mode = check_on_duplicate(request.on_duplicate)
    handler = HANDLERS[kind]
    with ExitStack() as stack:
        source = open_source(request.path, request.encoding, stdin)
        stack.callback(source.close)
        rejects = imports.open_rejects(
            stack, request.rejects_path, request.path, escape_formulas=request.escape_formulas
        )
        table = read_table(source, request.delimiter)
        columns, rows = table.map_rows(
            partial(map_columns, preset=preset, overrides=request.mapping,
                    keep_unknown=request.keep_unknown, allowed=allowed)
        )  # fmt: skip
        required, what = REQUIRED[kind]
        imports.require_column(columns.fields, table.header, [required], what, required)
        rejects.header(table.rejects_header)
        result = ImportResult(entity=entity, source=source.name, dry_run=request.dry_run)
        every = None if request.dry_run else imports.COMMIT_EVERY_SECONDS
        with imports.undone_on_failure(db, username, on_saving) as session:
            batch = start_batch(session, entity, source.name)
            chunk_started = monotonic()
            for line, raw, pairs in read_to_end(rows, source, progress):
                if every is not None and monotonic() - chunk_started >= every:
                    commit_and_continue(session)  # other writers get their turn
                    session.info["committed_batch"] = batch.id
                    chunk_started = monotonic()
                result.rows += 1
                try:
                    if isinstance(pairs, str):
                        raise Invalid(pairs)
                    values: dict[str, str] = {}
                    custom: dict[str, str] = {}
                    for target, cell in pairs:
                        value = unescape_formula(cell.strip())
                        if not value:
                            continue
                        if target.startswith("custom:"):
                            custom[target[7:]] = value
                        elif target == "custom_fields":
                            custom.update(parse_custom_json(value))
                        else:
                            values.setdefault(target, value)
                    with session.begin_nested():
                        if values.get("owner"):  # a file's owners join the team, as contacts'
                            ensure_user(session, values["owner"])
                        action, record_id, label = handler(session, values, custom, mode)
                except (Invalid, NotFound, Conflict, Ambiguous) as exc:
                    result.rejected += 1
                    rejects.reject(line, raw, str(exc))
                    if on_event:
                        on_event(line, "reject", str(exc))
                    continue
                if action == "insert":
                    result.inserted += 1
                elif action == "updated":
                    result.updated += 1
                else:
                    result.unchanged += 1
                if on_event:
                    on_event(line, action, f"{entity} {record_id}: {label}")
                if progress and result.rows % 1000 == 0:
                    progress(source.bytes_read, source.size, result.rows)
            finish_batch(session, batch, result)
            if request.dry_run:
                session.rollback()
                result.batch = None
        result.ignored_columns = columns.ignored
        return result
