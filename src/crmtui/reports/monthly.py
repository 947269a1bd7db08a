"""`crm report monthly`: the month's figures next to the previous month's (see docs/reports.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)

from crmtui.core.choices import CUSTOMER_STAGES, INTERACTION_KINDS
from crmtui.core.errors import NotFound
from crmtui.core.money import from_units
from crmtui.core.usernames import username_is
from crmtui.reports.periods import Month
from crmtui.reports.tables import (
    company,
    contact,
    contact_day,
    deal,
    deal_stage_change,
    interaction,
    interaction_day,
    lifecycle_change,
    pipeline,
    pipeline_flow,
    stage,
    task,
    user,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    # Everything here reads plain statements: a session, or a bare connection without the ORM.
    Reader = Session | Connection

Amounts = dict[str, Decimal]
TOP_CUSTOMERS = 10
NO_USER = "unassigned"
_CHUNK = 500


def owner_id_for(session: Reader, owner: str | None) -> int | None:
    """The user id behind `--owner`; an unknown username is an error, not an empty report."""
    if owner is None:
        return None
    found = session.scalar(select(user.c.id).where(username_is(user.c.username, owner)))
    if found is None:
        raise NotFound(f"no user named {owner!r}")
    return found


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


def _days_and_parts(start: datetime, end: datetime) -> tuple[tuple[date, date] | None, list]:
    """[start, end) as its whole UTC days (first and last, half-open) and the part-days left."""
    first, last = _utc_midnight(start, up=True), _utc_midnight(end, up=False)
    if first >= last:
        return None, [(start, end)]
    return (first.date(), last.date()), [(a, b) for a, b in ((start, first), (last, end)) if a < b]


def _utc_midnight(when: datetime, *, up: bool) -> datetime:
    """The UTC midnight at or before `when`, or (`up`) at or after it."""
    midnight = datetime(when.year, when.month, when.day, tzinfo=UTC)
    return midnight + timedelta(days=1) if up and midnight < when else midnight


def _counted_contacts(session: Reader, owner_id: int | None, *conditions) -> int:
    """The contacts the counts per day of creation (migration 0011) hold where `conditions`."""
    days = contact_day.c
    statement = _owned(select(func.sum(days.contacts)).where(*conditions), days.owner_key, owner_id)
    return int(session.scalar(statement) or 0)


def _contacts_created(session: Reader, start: datetime, end: datetime, owner_id: int | None) -> int:
    """Contacts created in [start, end): whole days counted per day, part-days one by one."""
    whole, parts = _days_and_parts(start, end)
    total = 0
    if whole is not None:
        days = contact_day.c
        total += _counted_contacts(session, owner_id, days.day >= whole[0], days.day < whole[1])
    for part_start, part_end in parts:
        statement = select(func.count()).where(
            contact.c.created_at >= part_start, contact.c.created_at < part_end
        )
        total += session.scalar(_owned(statement, contact.c.owner_id, owner_id)) or 0
    return total


def contact_figures(session: Reader, month: Month, owner_id: int | None) -> dict[str, int]:
    """New contacts and the total at the month's end (those created before it)."""
    last = _utc_midnight(month.end, up=False)
    total = _counted_contacts(session, owner_id, contact_day.c.day < last.date())
    total += _contacts_created(session, last, month.end, owner_id)
    return {"new": new_contacts(session, month, owner_id), "total": total}


def new_contacts(session: Reader, month: Month, owner_id: int | None) -> int:
    return _contacts_created(session, month.start, month.end, owner_id)


def interaction_counts(
    session: Reader, start: datetime, end: datetime, owner_id: int | None = None
) -> dict[tuple[str, int | None], int]:
    """{(kind, user id): interactions in [start, end)}, only those with some.

    The counts per UTC day (migration 0010) of the span's whole days, plus the interactions of
    the part-days at its ends, when it does not start at UTC midnight: a few hundred rows
    however many interactions the span holds.
    """
    whole, part_days = _days_and_parts(start, end)
    days = interaction_day.c
    parts = []
    if whole is not None:
        parts.append(
            _owned(
                select(days.kind, days.user_key, func.sum(days.interactions))
                .where(days.day >= whole[0], days.day < whole[1])
                .group_by(days.kind, days.user_key),
                days.user_key,
                owner_id,
            )
        )
    for start, end in part_days:
        parts.append(
            _owned(
                select(interaction.c.kind, func.coalesce(interaction.c.user_id, 0), func.count())
                .where(interaction.c.occurred_at >= start, interaction.c.occurred_at < end)
                .group_by(interaction.c.kind, interaction.c.user_id),
                interaction.c.user_id,
                owner_id,
            )
        )
    counts: dict[tuple[str, int | None], int] = defaultdict(int)
    for kind, user_key, count in session.execute(union_all(*parts)):
        counts[(kind, user_key or None)] += int(count or 0)
    return {key: count for key, count in counts.items() if count}


def interaction_figures(session: Reader, month: Month, owner_id: int | None) -> dict[str, Any]:
    counts = interaction_counts(session, month.start, month.end, owner_id)
    usernames = dict(session.execute(select(user.c.id, user.c.username)).all())
    by_kind = dict.fromkeys(INTERACTION_KINDS, 0)
    by_user: dict[str, int] = defaultdict(int)
    for (kind, user_id), count in counts.items():
        by_kind[kind] = by_kind.get(kind, 0) + count
        by_user[usernames.get(user_id, NO_USER)] += count
    return {
        "total": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_user": dict(sorted(by_user.items(), key=lambda item: (-item[1], item[0]))),
    }


def _epoch_micros(column):
    """SQLite: a UTCDateTime's text as whole microseconds since the epoch, exactly (no floats)."""
    return cast(func.strftime("%s", column), Integer) * 1_000_000 + cast(
        func.substr(column, 21, 6), Integer
    )


def _exact_cycle(session: Reader):
    """closed_at - created_at in whole microseconds, exact on both backends."""
    if _on_sqlite(session):
        return _epoch_micros(deal.c.closed_at) - _epoch_micros(deal.c.created_at)
    return extract("epoch", deal.c.closed_at - deal.c.created_at) * 1_000_000


def _cycle(session: Reader):
    """closed_at - created_at: whole microseconds, or on SQLite days as a float (see below)."""
    if _on_sqlite(session):
        return func.julianday(deal.c.closed_at) - func.julianday(deal.c.created_at)
    return _exact_cycle(session)


def _on_sqlite(session: Reader) -> bool:
    bind = session if hasattr(session, "dialect") else session.get_bind()  # a connection, or not
    return bind.dialect.name == "sqlite"


def average_cycle_days(
    session: Reader, month: Month, owner_id: int | None, won: int, summed
) -> float:
    """Mean days from creation to close of the month's `won` deals, rounded half up to 0.1.

    `summed` is their `_cycle` summed. On SQLite that is days as floats, each exact to the
    millisecond: the mean is then off by far less than a second, which cannot change its rounding
    unless it lies within a second of a rounding boundary; only then are whole microseconds
    summed exactly, which parses every timestamp as text (three times slower).
    """
    if not _on_sqlite(session):
        return rounded(Decimal(int(summed)) / (won * 86_400_000_000), 1)
    mean = summed / won
    if abs(mean * 10 % 1 - 0.5) > 1e-4:  # more than 0.00001 day (0.86 s) from a boundary
        return rounded(Decimal(mean), 1)
    statement = _owned(
        select(func.sum(_exact_cycle(session))).where(
            deal.c.status == "won", _in(deal.c.closed_at, month)
        ),
        deal.c.owner_id,
        owner_id,
    )
    micros = int(session.scalar(statement) or 0)
    return rounded(Decimal(micros) / (won * 86_400_000_000), 1)


def closed_deals(session: Reader, month: Month, owner_id: int | None) -> dict[str, dict[str, list]]:
    """{"won" | "lost": {currency: [count, units, summed _cycle]}} for the month.

    One pass over the month's closings, read from the covering index on (status, closed_at, ...).
    """
    statement = _owned(
        select(
            deal.c.status,
            deal.c.currency,
            func.count(),
            func.sum(deal.c.amount_units),
            func.sum(_cycle(session)),
        )
        .where(deal.c.status.in_(("won", "lost")), _in(deal.c.closed_at, month))
        .group_by(deal.c.status, deal.c.currency),
        deal.c.owner_id,
        owner_id,
    )
    found: dict[str, dict[str, list]] = {"won": {}, "lost": {}}
    for status, currency, count, units, cycles in session.execute(statement):
        found[status][currency] = [count, int(units or 0), cycles or 0]
    return found


def _count_and_amounts(by_currency: dict[str, list]) -> tuple[int, Amounts]:
    count = sum(entry[0] for entry in by_currency.values())
    return count, amounts((currency, entry[1]) for currency, entry in by_currency.items())


def deal_figures(session: Reader, month: Month, owner_id: int | None) -> dict[str, Any]:
    created_rows = session.execute(
        _owned(
            select(deal.c.currency, func.count(), func.sum(deal.c.amount_units))
            .where(_in(deal.c.created_at, month))
            .group_by(deal.c.currency),
            # `+ 0`: SQLite would otherwise read all the owner's deals through the owner_id
            # index rather than the month's from the covering one on created_at
            deal.c.owner_id + 0,
            owner_id,
        )
    ).all()
    closed = closed_deals(session, month, owner_id)
    won, won_amount = _count_and_amounts(closed["won"])
    lost, lost_amount = _count_and_amounts(closed["lost"])
    cycle = None
    if won:
        summed = sum(entry[2] for entry in closed["won"].values())
        cycle = average_cycle_days(session, month, owner_id, won, summed)
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


def _stages(session: Reader) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(
            stage.c.id,
            stage.c.name,
            stage.c.probability,
            stage.c.position,
            stage.c.kind,
            pipeline.c.name,
        )
        .join(pipeline, pipeline.c.id == stage.c.pipeline_id)
        .order_by(pipeline.c.position, pipeline.c.id, stage.c.position)
    )
    return {
        row[0]: {"name": row[1], "probability": row[2], "position": row[3], "kind": row[4],
                 "pipeline": row[5], "order": order}
        for order, row in enumerate(rows)
    }  # fmt: skip


Totals = dict[tuple[int, str], list[int]]


def open_deals_at(session: Reader, when: datetime, owner_id: int | None) -> Totals:
    """{(stage id at `when`, currency): [count, units]} for the deals open at `when`."""
    return open_deals_at_each(session, [when], owner_id)[0]


def open_deals_at_each(
    session: Reader, instants: list[datetime], owner_id: int | None
) -> list[Totals]:
    """`open_deals_at` for several instants, the pipeline's flow read once.

    The flow (migration 0009) of the UTC days before an instant, plus the moves of its day up to
    it. Every move is recorded, a deal's creation among them, so this is exact; and it reads a
    few rows per day of history, however many deals moved since.
    """
    days = [when.astimezone(UTC).date() for when in instants]
    flow, move = pipeline_flow.c, deal_stage_change.c
    sums = []
    for day in days:
        sums += [
            func.sum(case((flow.day < day, flow.deals), else_=0)),
            func.sum(case((flow.day < day, flow.units), else_=0)),
        ]
    results: list[Totals] = [defaultdict(lambda: [0, 0]) for _ in instants]
    statement = _owned(
        select(flow.stage_id, flow.currency, *sums)
        .where(flow.day < max(days))
        .group_by(flow.stage_id, flow.currency),
        flow.owner_key,
        owner_id,
    )
    for stage_id, currency, *figures in session.execute(statement):
        for totals, count, units in zip(results, figures[::2], figures[1::2], strict=True):
            totals[(stage_id, currency)] = [int(count or 0), int(units or 0)]
    moves_of_the_day = []
    for index, when in enumerate(instants):
        midnight = _utc_midnight(when, up=False)
        for stage_id, sign in ((move.to_stage_id, 1), (move.from_stage_id, -1)):
            moves_of_the_day.append(
                _owned(
                    select(
                        literal(index), stage_id, deal.c.currency,
                        sign * func.count(), sign * func.sum(deal.c.amount_units),
                    )
                    .join(deal, deal.c.id == move.deal_id)
                    .where(move.changed_at >= midnight, move.changed_at < when,
                           stage_id.is_not(None))
                    .group_by(stage_id, deal.c.currency),
                    deal.c.owner_id,
                    owner_id,
                )
            )  # fmt: skip
    for index, stage_id, currency, count, units in session.execute(union_all(*moves_of_the_day)):
        entry = results[index][(stage_id, currency)]
        entry[0] += int(count or 0)
        entry[1] += int(units or 0)
    open_stages = {i for i, info in _stages(session).items() if info["kind"] == "open"}
    return [
        {key: value for key, value in totals.items() if value[0] and key[0] in open_stages}
        for totals in results
    ]


def pipeline_figures(
    session: Reader, month: Month, owner_id: int | None, totals: Totals | None = None
) -> dict[str, Any]:
    """The pipeline at the month's end; `totals` (open_deals_at the end) when known."""
    stages = _stages(session)
    if totals is None:
        totals = open_deals_at(session, month.end, owner_id)
    by_stage: dict[int, dict[str, Any]] = {}
    for (stage_id, currency), (count, units) in sorted(totals.items()):
        info = stages.get(stage_id, {"probability": 0, "name": "?", "pipeline": "?", "order": -1})
        entry = by_stage.setdefault(
            stage_id,
            {"pipeline": info["pipeline"], "stage": info["name"],
             "probability": info["probability"], "open": 0, "units": {}, "weighted": {}},
        )  # fmt: skip
        entry["open"] += count
        entry["units"][currency] = units
        # amount x percent / 100: exact in Decimal, rounded once to the currency's digits
        entry["weighted"][currency] = units * info["probability"]
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


def task_figures(session: Reader, month: Month, owner_id: int | None) -> dict[str, int]:
    def count(*conditions) -> int:
        statement = select(func.count()).select_from(task).where(*conditions)
        return session.scalar(_owned(statement, task.c.assignee_id, owner_id)) or 0

    # Overdue at the end: not done, or done since, and due before. Two ranges of the index on
    # (done_at, due_at), where one query with OR would read every task due before the end.
    overdue = count(task.c.done_at.is_(None), task.c.due_at < month.end) + count(
        task.c.done_at >= month.end, task.c.due_at < month.end
    )
    return {"completed": count(_in(task.c.done_at, month)), "overdue": overdue}


# The stages written into the SQL, not bound: a partial index over them (migration 0014) serves
# a query only when both can tell, before any value is bound, that it asks for those rows.
CUSTOMERS = bindparam("customer_stages", CUSTOMER_STAGES, expanding=True, literal_execute=True)


def _is_customer(column):
    return and_(column.is_not(None), column.in_(CUSTOMERS))


def _not_customer(column):
    return or_(column.is_(None), column.not_in(CUSTOMERS))


def _owned_changes(statement, owner_id: int | None):
    if owner_id is None:
        return statement
    return statement.where(
        lifecycle_change.c.contact_id.in_(
            select(contact.c.id).where(contact.c.owner_id == owner_id)
        )
    )


# A contact enters the customers when a change takes it to customer or evangelist from any other
# stage, and leaves them the other way. Each is a range of the indexes on (to_stage, changed_at)
# and (from_stage, changed_at): a few rows per customer, not every change of every contact.
ENTERED = and_(
    _is_customer(lifecycle_change.c.to_stage), _not_customer(lifecycle_change.c.from_stage)
)
LEFT = and_(_is_customer(lifecycle_change.c.from_stage), _not_customer(lifecycle_change.c.to_stage))


def customers_now(session: Reader, owner_id: int | None) -> int:
    return _counted_contacts(session, owner_id, contact_day.c.stage.in_(CUSTOMER_STAGES))


def customers_at(
    session: Reader, when: datetime, owner_id: int | None, now: int | None = None
) -> int:
    """Contacts whose lifecycle stage at `when` was customer or evangelist."""
    return customers_at_each(session, [when], owner_id, now)[0]


def customers_at_each(
    session: Reader, instants: list[datetime], owner_id: int | None, now: int | None = None
) -> list[int]:
    """`customers_at` for several instants, the changes since the earliest read once.

    Today's customers (`now`, counted when not given), minus the changes since each instant that
    made a customer, plus those that unmade one: every stage change is recorded, so walking them
    back from today is exact.
    """
    if now is None:
        now = customers_now(session, owner_id)
    changed_at = lifecycle_change.c.changed_at
    since = []
    for condition in (ENTERED, LEFT):
        statement = select(
            *[func.sum(case((changed_at >= when, 1), else_=0)) for when in instants]
        ).where(condition, changed_at >= min(instants))
        since.append(
            [int(n or 0) for n in session.execute(_owned_changes(statement, owner_id)).one()]
        )
    return [now - entered + left for entered, left in zip(*since, strict=True)]


def customer_figures(
    session: Reader,
    month: Month,
    owner_id: int | None,
    now: int | None = None,
    at: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Customers at the start and end of the month, entered and left.

    `now` as in customers_at; `at`, the customers at the start and at the end, when known.
    """

    def moved(condition) -> int:
        statement = select(func.count(func.distinct(lifecycle_change.c.contact_id))).where(
            condition, _in(lifecycle_change.c.changed_at, month)
        )
        return session.scalar(_owned_changes(statement, owner_id)) or 0

    at_start, at_end = at or customers_at_each(session, [month.start, month.end], owner_id, now)
    new, lost = moved(ENTERED), moved(LEFT)
    return {
        "at_start": at_start,
        "new": new,
        "lost": lost,
        "at_end": at_end,
        "churn_rate": rounded(Decimal(lost) * 100 / at_start, 2) if at_start else None,
    }


def top_customers(
    session: Reader,
    month: Month,
    owner_id: int | None,
    limit: int = TOP_CUSTOMERS,
    currencies: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Who bought most in the month: per currency, the `limit` largest won amounts.

    A deal counts for its contact, or its company when it has no contact; equal amounts go by
    id, companies before contacts. Amounts in different currencies are never compared, so the
    list holds each currency's top in turn (currencies alphabetically); a customer who bought in
    two currencies appears once per currency. `currencies`: those of the month's won deals, when
    known.
    """
    if currencies is None:
        currencies = session.scalars(
            _owned(
                select(deal.c.currency)
                .where(deal.c.status == "won", _in(deal.c.closed_at, month))
                .distinct(),
                deal.c.owner_id,
                owner_id,
            )
        ).all()
    # Ranked in SQL, one currency at a time, so only the top rows come back (a month can have
    # a won deal per customer) and each ranking sorts only the customers' totals.
    company_ref = case((deal.c.contact_id.is_(None), deal.c.company_id))
    units = func.sum(deal.c.amount_units)
    ranking = _owned(
        select(deal.c.contact_id, company_ref, func.count(), units)
        .where(
            deal.c.status == "won",
            _in(deal.c.closed_at, month),
            deal.c.currency == bindparam("currency"),
            or_(deal.c.contact_id.is_not(None), deal.c.company_id.is_not(None)),
        )
        .group_by(deal.c.contact_id, company_ref)
        .order_by(
            units.desc(),
            deal.c.contact_id.is_(None).desc(),  # companies before contacts
            func.coalesce(deal.c.contact_id, company_ref),
        )
        .limit(limit),
        deal.c.owner_id,
        owner_id,
    )
    top = [
        (currency, (-int(units or 0), "contact" if contact_id is not None else "company",
                    contact_id if contact_id is not None else company_id, count))
        for currency in sorted(currencies)
        for contact_id, company_id, count, units in session.execute(
            ranking, {"currency": currency}
        )
    ]  # fmt: skip
    wanted = {kind: {e[2] for _, e in top if e[1] == kind} for kind in ("contact", "company")}
    names = {
        "contact": _names(session, wanted["contact"], contact, contact.c.display_name),
        "company": _names(session, wanted["company"], company, company.c.name),
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


def _names(session: Reader, ids: set[int], model, column) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for offset in range(0, len(ordered), _CHUNK):
        chunk = ordered[offset : offset + _CHUNK]
        found.update(session.execute(select(model.c.id, column).where(model.c.id.in_(chunk))).all())
    return found


def month_figures(
    session: Reader,
    month: Month,
    owner_id: int | None = None,
    pipeline: Totals | None = None,
    customers_at_ends: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Every figure of one month (the keys of `monthly` without `previous` and `change`).

    `pipeline` (open_deals_at the month's end) and `customers_at_ends` (customers_at the start
    and the end) when known.
    """
    deals = deal_figures(session, month, owner_id)
    return {
        "month": str(month),
        "start": month.start,
        "end": month.end,
        "contacts": contact_figures(session, month, owner_id),
        "interactions": interaction_figures(session, month, owner_id),
        "deals": deals,
        "pipeline": pipeline_figures(session, month, owner_id, pipeline),
        "tasks": task_figures(session, month, owner_id),
        "customers": customer_figures(session, month, owner_id, at=customers_at_ends),
        "top_customers": top_customers(
            session, month, owner_id, currencies=list(deals["won_amount"])
        ),
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


def monthly(session: Reader, month: Month, owner: str | None = None) -> dict[str, Any]:
    """The month's figures, the previous month's under `previous`, and their differences."""
    owner_id = owner_id_for(session, owner)
    at_end = open_deals_at_each(session, [month.end, month.previous.end], owner_id)
    before, start, end = customers_at_each(
        session, [month.previous.start, month.start, month.end], owner_id
    )
    current = month_figures(session, month, owner_id, at_end[0], (start, end))
    previous = month_figures(session, month.previous, owner_id, at_end[1], (before, start))
    change = {}
    for section in CHANGE_SECTIONS:
        a = {k: v for k, v in current[section].items() if k != "by_stage"}
        b = {k: v for k, v in previous[section].items() if k != "by_stage"}
        change[section] = difference(a, b)
    return {**current, "owner": owner, "previous": previous, "change": change}


def monthly_series(
    session: Reader, last: Month, count: int = 12, owner: str | None = None
) -> list[dict[str, Any]]:
    """Per month, oldest first: new contacts, interactions, deals won and won amount."""
    owner_id = owner_id_for(session, owner)
    series = []
    for offset in range(count - 1, -1, -1):
        month = last.shifted(-offset)
        won, won_amount = _count_and_amounts(closed_deals(session, month, owner_id)["won"])
        interactions = sum(interaction_counts(session, month.start, month.end, owner_id).values())
        series.append(
            {
                "month": str(month),
                "new_contacts": new_contacts(session, month, owner_id),
                "interactions": interactions or 0,
                "won": won,
                "won_amount": won_amount,
            }
        )
    return series
