"""`crm report monthly`: the month's figures next to the previous month's (see docs/reports.md)."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from crmtui.core.models import (
    CUSTOMER_STAGES,
    INTERACTION_KINDS,
    Company,
    Contact,
    Deal,
    DealStageChange,
    Interaction,
    LifecycleChange,
    Pipeline,
    Stage,
    Task,
    User,
)
from crmtui.core.money import from_units
from crmtui.reports.periods import Month

Amounts = dict[str, Decimal]
TOP_CUSTOMERS = 10
NO_USER = "unassigned"
_CHUNK = 500


def owner_id_for(session: Session, owner: str | None) -> int | None:
    """The user id behind `--owner`; an unknown username is an error, not an empty report."""
    if owner is None:
        return None
    from crmtui.core.users import get_user

    return get_user(session, owner).id


def rounded(value: Decimal, places: int) -> float:
    """Rates are numbers in JSON: rounded half up once, from an exact Decimal."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def amounts(rows) -> Amounts:
    """{currency: Decimal} from (currency, units) rows, sorted by currency; units are exact ints."""
    totals: dict[str, int] = defaultdict(int)
    for currency, units in rows:
        totals[currency] += int(units or 0)
    return {c: from_units(totals[c], c) for c in sorted(totals)}


def _in(column, month: Month):
    return and_(column >= month.start, column < month.end)


def _owned(statement, column, owner_id: int | None):
    return statement if owner_id is None else statement.where(column == owner_id)


def contact_figures(session: Session, month: Month, owner_id: int | None) -> dict[str, int]:
    new = _owned(
        select(func.count()).select_from(Contact).where(_in(Contact.created_at, month)),
        Contact.owner_id,
        owner_id,
    )
    total = _owned(
        select(func.count()).select_from(Contact).where(Contact.created_at < month.end),
        Contact.owner_id,
        owner_id,
    )
    return {"new": session.scalar(new) or 0, "total": session.scalar(total) or 0}


def interaction_figures(session: Session, month: Month, owner_id: int | None) -> dict[str, Any]:
    statement = _owned(
        select(Interaction.kind, Interaction.user_id, func.count())
        .where(_in(Interaction.occurred_at, month))
        .group_by(Interaction.kind, Interaction.user_id),
        Interaction.user_id,
        owner_id,
    )
    by_kind = dict.fromkeys(INTERACTION_KINDS, 0)
    by_user_id: dict[int | None, int] = defaultdict(int)
    for kind, user_id, count in session.execute(statement):
        by_kind[kind] = by_kind.get(kind, 0) + count
        by_user_id[user_id] += count
    names = _usernames(session, {i for i in by_user_id if i is not None})
    by_user: dict[str, int] = defaultdict(int)
    for user_id, count in by_user_id.items():
        by_user[names.get(user_id, NO_USER) if user_id is not None else NO_USER] += count
    return {
        "total": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_user": dict(sorted(by_user.items(), key=lambda item: (-item[1], item[0]))),
    }


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _closed(session: Session, month: Month, owner_id: int | None, status: str):
    statement = _owned(
        select(Deal.currency, func.count(), func.sum(Deal.amount_units))
        .where(_in(Deal.closed_at, month), Deal.status == status)
        .group_by(Deal.currency),
        Deal.owner_id,
        owner_id,
    )
    rows = session.execute(statement).all()
    return sum(row[1] for row in rows), amounts((row[0], row[2]) for row in rows)


def deal_figures(session: Session, month: Month, owner_id: int | None) -> dict[str, Any]:
    created_rows = session.execute(
        _owned(
            select(Deal.currency, func.count(), func.sum(Deal.amount_units))
            .where(_in(Deal.created_at, month))
            .group_by(Deal.currency),
            Deal.owner_id,
            owner_id,
        )
    ).all()
    won, won_amount = _closed(session, month, owner_id, "won")
    lost, lost_amount = _closed(session, month, owner_id, "lost")
    cycles = session.execute(
        _owned(
            select(Deal.created_at, Deal.closed_at).where(
                _in(Deal.closed_at, month), Deal.status == "won"
            ),
            Deal.owner_id,
            owner_id,
        )
    ).all()
    cycle = None
    if cycles:
        # Exact: whole microseconds summed as integers, one division, one rounding.
        micros = sum((closed - created) // timedelta(microseconds=1) for created, closed in cycles)
        cycle = rounded(Decimal(micros) / (len(cycles) * 86_400_000_000), 1)
    return {
        "created": sum(row[1] for row in created_rows),
        "created_amount": amounts((row[0], row[2]) for row in created_rows),
        "won": won,
        "lost": lost,
        "won_amount": won_amount,
        "lost_amount": lost_amount,
        "win_rate": rounded(Decimal(won) / (won + lost), 4) if won + lost else None,
        "avg_cycle_days": cycle,
    }


def _stages(session: Session) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Stage.id, Stage.name, Stage.probability, Stage.position, Stage.kind, Pipeline.name)
        .join(Pipeline, Pipeline.id == Stage.pipeline_id)
        .order_by(Pipeline.position, Pipeline.id, Stage.position)
    )
    return {
        row[0]: {"name": row[1], "probability": row[2], "position": row[3], "kind": row[4],
                 "pipeline": row[5], "order": order}
        for order, row in enumerate(rows)
    }  # fmt: skip


Totals = dict[tuple[int, str], list[int]]


def open_deals_at(session: Session, when: datetime, owner_id: int | None) -> Totals:
    """{(stage id at `when`, currency): [count, units]} for the deals open at `when`."""
    return open_deals_at_each(session, [when], owner_id)[0]


def open_deals_at_each(
    session: Session, instants: list[datetime], owner_id: int | None
) -> list[Totals]:
    """`open_deals_at` for several instants, reading the stage moves since the earliest once.

    The deals created before an instant that are open now or closed since, by current stage,
    with every stage move since the instant walked back (out of its `to` stage, into its `from`
    stage); the stages of kind "open" are kept. Every move is recorded, so this is exact, and it
    reads only the moves since the instant (index on changed_at) and the deals open or closed
    since.
    """
    results: list[Totals] = []
    for when in instants:
        totals: Totals = defaultdict(lambda: [0, 0])
        closed_since = and_(Deal.status.in_(("won", "lost")), Deal.closed_at >= when)
        for condition in (Deal.status == "open", closed_since):
            statement = _owned(
                select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount_units))
                .where(condition, Deal.created_at < when)
                .group_by(Deal.stage_id, Deal.currency),
                Deal.owner_id,
                owner_id,
            )
            for stage_id, currency, count, units in session.execute(statement):
                entry = totals[(stage_id, currency)]
                entry[0] += count
                entry[1] += int(units or 0)
        results.append(totals)
    # Walk the moves back: each took a deal out of `from` and into `to`. One flag per instant
    # says whether a move counts for it (made since the instant, by a deal created before it).
    move = DealStageChange
    flags = [
        case((and_(move.changed_at >= when, Deal.created_at < when), 1), else_=0)
        for when in instants
    ]
    statement = _owned(
        select(
            move.from_stage_id, move.to_stage_id, Deal.currency, *flags,
            func.count(), func.sum(Deal.amount_units),
        )
        .join(Deal, Deal.id == move.deal_id)
        .where(move.changed_at >= min(instants), Deal.created_at < max(instants))
        .group_by(move.from_stage_id, move.to_stage_id, Deal.currency, *flags),
        Deal.owner_id,
        owner_id,
    )  # fmt: skip
    for from_stage, to_stage, currency, *counts_for, count, units in session.execute(statement):
        for totals, counts in zip(results, counts_for, strict=True):
            if not counts:
                continue
            for stage_id, sign in ((to_stage, -1), (from_stage, 1)):
                if stage_id is not None:
                    entry = totals[(stage_id, currency)]
                    entry[0] += sign * count
                    entry[1] += sign * int(units or 0)
    open_stages = {i for i, stage in _stages(session).items() if stage["kind"] == "open"}
    return [
        {key: value for key, value in totals.items() if value[0] and key[0] in open_stages}
        for totals in results
    ]


def pipeline_figures(
    session: Session, month: Month, owner_id: int | None, totals: Totals | None = None
) -> dict[str, Any]:
    stages = _stages(session)
    if totals is None:
        totals = open_deals_at(session, month.end, owner_id)
    by_stage: dict[int, dict[str, Any]] = {}
    for (stage_id, currency), (count, units) in sorted(totals.items()):
        stage = stages.get(stage_id, {"probability": 0, "name": "?", "pipeline": "?", "order": -1})
        entry = by_stage.setdefault(
            stage_id,
            {"pipeline": stage["pipeline"], "stage": stage["name"],
             "probability": stage["probability"], "open": 0, "units": {}, "weighted": {}},
        )  # fmt: skip
        entry["open"] += count
        entry["units"][currency] = units
        # amount x percent / 100: exact in Decimal, rounded once to the currency's digits
        entry["weighted"][currency] = units * stage["probability"]
    rows = []
    all_units: list[tuple[str, int]] = []
    all_weighted: list[tuple[str, Decimal]] = []
    order = sorted(by_stage, key=lambda i: stages.get(i, {"order": -1})["order"])
    for stage_id in order:
        entry = by_stage[stage_id]
        all_units += entry["units"].items()
        all_weighted += entry["weighted"].items()
        rows.append(
            {
                "pipeline": entry["pipeline"],
                "stage": entry["stage"],
                "probability": entry["probability"],
                "open": entry["open"],
                "amount": amounts(entry["units"].items()),
                "weighted_amount": weighted_amounts(entry["weighted"].items()),
            }
        )
    return {
        "open": sum(row["open"] for row in rows),
        "amount": amounts(all_units),
        "weighted_amount": weighted_amounts(all_weighted),
        "by_stage": rows,
    }


def weighted_amounts(rows) -> Amounts:
    totals: dict[str, int] = defaultdict(int)
    for currency, percent_units in rows:
        totals[currency] += percent_units
    return {c: from_units(Decimal(totals[c]) / 100, c) for c in sorted(totals)}


def task_figures(session: Session, month: Month, owner_id: int | None) -> dict[str, int]:
    completed = _owned(
        select(func.count()).select_from(Task).where(_in(Task.done_at, month)),
        Task.assignee_id,
        owner_id,
    )
    overdue = _owned(
        select(func.count())
        .select_from(Task)
        .where(
            Task.due_at < month.end,
            or_(Task.done_at.is_(None), Task.done_at >= month.end),
        ),
        Task.assignee_id,
        owner_id,
    )
    return {"completed": session.scalar(completed) or 0, "overdue": session.scalar(overdue) or 0}


def _is_customer(column):
    return and_(column.is_not(None), column.in_(CUSTOMER_STAGES))


def _not_customer(column):
    return or_(column.is_(None), column.not_in(CUSTOMER_STAGES))


def _owned_changes(statement, owner_id: int | None):
    if owner_id is None:
        return statement
    return statement.where(
        LifecycleChange.contact_id.in_(select(Contact.id).where(Contact.owner_id == owner_id))
    )


ENTERED = and_(_is_customer(LifecycleChange.to_stage), _not_customer(LifecycleChange.from_stage))
LEFT = and_(_is_customer(LifecycleChange.from_stage), _not_customer(LifecycleChange.to_stage))


def customers_at(session: Session, when: datetime, owner_id: int | None) -> int:
    """Contacts whose lifecycle stage at `when` was customer or evangelist.

    Today's customers, minus the changes since `when` that made a customer, plus those that
    unmade one: every stage change is recorded, so walking them back from today is exact. Only
    changes since `when` are read, from the covering index on (changed_at, from, to, contact).
    """
    now = _owned(
        select(func.count())
        .select_from(Contact)
        .where(Contact.lifecycle_stage.in_(CUSTOMER_STAGES)),
        Contact.owner_id,
        owner_id,
    )

    def since(condition) -> int:
        statement = select(func.count()).where(LifecycleChange.changed_at >= when, condition)
        return session.scalar(_owned_changes(statement, owner_id)) or 0

    return (session.scalar(now) or 0) - since(ENTERED) + since(LEFT)


def customer_figures(session: Session, month: Month, owner_id: int | None) -> dict[str, Any]:
    def moved(condition) -> int:
        statement = select(func.count(func.distinct(LifecycleChange.contact_id))).where(
            _in(LifecycleChange.changed_at, month), condition
        )
        return session.scalar(_owned_changes(statement, owner_id)) or 0

    at_start = customers_at(session, month.start, owner_id)
    new, lost = moved(ENTERED), moved(LEFT)
    return {
        "at_start": at_start,
        "new": new,
        "lost": lost,
        "at_end": customers_at(session, month.end, owner_id),
        "churn_rate": rounded(Decimal(lost) * 100 / at_start, 2) if at_start else None,
    }


def top_customers(
    session: Session, month: Month, owner_id: int | None, limit: int = TOP_CUSTOMERS
) -> list[dict[str, Any]]:
    """Who bought most in the month: per currency, the `limit` largest won amounts.

    A deal counts for its contact, or its company when it has no contact; equal amounts go by
    id, companies before contacts. Amounts in different
    currencies are never compared, so the list holds each currency's top in turn (currencies
    alphabetically); a customer who bought in two currencies appears once per currency.
    """
    statement = _owned(
        select(
            Deal.contact_id,
            Deal.company_id,
            Deal.currency,
            func.count(),
            func.sum(Deal.amount_units),
        )
        .where(_in(Deal.closed_at, month), Deal.status == "won")
        .group_by(Deal.contact_id, Deal.company_id, Deal.currency),
        Deal.owner_id,
        owner_id,
    )
    totals: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for contact_id, company_id, currency, count, units in session.execute(statement):
        if contact_id is not None:
            key = (currency, "contact", contact_id)
        elif company_id is not None:
            key = (currency, "company", company_id)
        else:
            continue
        totals[key][0] += count
        totals[key][1] += int(units or 0)
    by_currency: dict[str, list] = defaultdict(list)
    for (currency, kind, ref), (count, units) in totals.items():
        by_currency[currency].append((-units, kind, ref, count))
    top = [(c, entry) for c in sorted(by_currency) for entry in sorted(by_currency[c])[:limit]]
    wanted = {kind: {e[2] for _, e in top if e[1] == kind} for kind in ("contact", "company")}
    names = {
        "contact": _names(session, wanted["contact"], Contact, Contact.display_name),
        "company": _names(session, wanted["company"], Company, Company.name),
    }
    return [
        {
            "name": names[kind].get(ref, "?"),
            "contact_id": ref if kind == "contact" else None,
            "company_id": ref if kind == "company" else None,
            "deals": count,
            "won_amount": {currency: from_units(-minus_units, currency)},
        }
        for currency, (minus_units, kind, ref, count) in top
    ]


def _names(session: Session, ids: set[int], model, column) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for offset in range(0, len(ordered), _CHUNK):
        chunk = ordered[offset : offset + _CHUNK]
        found.update(session.execute(select(model.id, column).where(model.id.in_(chunk))).all())
    return found


def month_figures(
    session: Session, month: Month, owner_id: int | None = None, pipeline: Totals | None = None
) -> dict[str, Any]:
    """Every figure of one month (the keys of `monthly` without `previous` and `change`)."""
    return {
        "month": str(month),
        "start": month.start,
        "end": month.end,
        "contacts": contact_figures(session, month, owner_id),
        "interactions": interaction_figures(session, month, owner_id),
        "deals": deal_figures(session, month, owner_id),
        "pipeline": pipeline_figures(session, month, owner_id, pipeline),
        "tasks": task_figures(session, month, owner_id),
        "customers": customer_figures(session, month, owner_id),
        "top_customers": top_customers(session, month, owner_id),
    }


def difference(current: Any, previous: Any) -> Any:
    """Figure minus the previous month's: counts, rates (None when either is None), amounts.

    In dicts of counts or amounts a key missing on one side counts as zero.
    """
    if isinstance(current, dict) and isinstance(previous, dict):
        keys = list(current) + [k for k in previous if k not in current]
        values = [*current.values(), *previous.values()]
        if values and all(isinstance(v, Decimal) for v in values):
            zero = Decimal(0)
            return {k: current.get(k, zero) - previous.get(k, zero) for k in sorted(keys)}
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return {k: current.get(k, 0) - previous.get(k, 0) for k in keys}
        return {k: difference(current.get(k), previous.get(k)) for k in keys}
    if current is None or previous is None or isinstance(current, bool):
        return None
    if isinstance(current, float) or isinstance(previous, float):
        return round(current - previous, 4)
    if isinstance(current, int):
        return current - previous
    return None


CHANGE_SECTIONS = ("contacts", "interactions", "deals", "pipeline", "tasks", "customers")


def monthly(session: Session, month: Month, owner: str | None = None) -> dict[str, Any]:
    """The month's figures, the previous month's under `previous`, and their differences."""
    owner_id = owner_id_for(session, owner)
    at_end = open_deals_at_each(session, [month.end, month.previous.end], owner_id)
    current = month_figures(session, month, owner_id, at_end[0])
    previous = month_figures(session, month.previous, owner_id, at_end[1])
    change = {}
    for section in CHANGE_SECTIONS:
        a = {k: v for k, v in current[section].items() if k != "by_stage"}
        b = {k: v for k, v in previous[section].items() if k != "by_stage"}
        change[section] = difference(a, b)
    return {**current, "owner": owner, "previous": previous, "change": change}


def monthly_series(
    session: Session, last: Month, count: int = 12, owner: str | None = None
) -> list[dict[str, Any]]:
    """Per month, oldest first: new contacts, interactions, deals won and won amount."""
    owner_id = owner_id_for(session, owner)
    series = []
    for offset in range(count - 1, -1, -1):
        month = last.shifted(-offset)
        won, won_amount = _closed(session, month, owner_id, "won")
        interactions = session.scalar(
            _owned(
                select(func.count())
                .select_from(Interaction)
                .where(_in(Interaction.occurred_at, month)),
                Interaction.user_id,
                owner_id,
            )
        )
        series.append(
            {
                "month": str(month),
                "new_contacts": contact_figures(session, month, owner_id)["new"],
                "interactions": interactions or 0,
                "won": won,
                "won_amount": won_amount,
            }
        )
    return series
