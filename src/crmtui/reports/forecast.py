"""`crm report forecast`: expected revenue per month from open deals, two ways."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmtui.core.models import Deal, Stage
from crmtui.core.timeparse import now_utc
from crmtui.reports.monthly import amounts, rounded, weighted_amounts
from crmtui.reports.periods import Month

HISTORY_MONTHS = 12


def _local_date(month: Month) -> date:
    return date(month.year, month.month, 1)


def forecast_report(
    session: Session, months: int = 3, *, now: datetime | None = None
) -> dict[str, Any]:
    """Per month from this one: open deals expected to close, their amount, the amount weighted
    by stage probability, and the amount × the win rate of the last 12 complete months.

    Open deals whose expected close is before this month are `overdue`; without one, `undated`.
    """
    current = Month.containing(now or now_utc())
    since = current.shifted(-HISTORY_MONTHS)
    closed = dict(
        session.execute(
            select(Deal.status, func.count())
            .where(Deal.status.in_(("won", "lost")), Deal.closed_at >= since.start,
                   Deal.closed_at < current.start)
            .group_by(Deal.status)
        ).all()
    )  # fmt: skip
    won, lost = closed.get("won", 0), closed.get("lost", 0)
    win_rate = Decimal(won) / (won + lost) if won + lost else None
    # Summed per day, currency and probability: a few thousand groups, however many deals.
    rows = session.execute(
        select(
            Deal.expected_close, Deal.currency, Stage.probability, func.count(),
            func.sum(Deal.amount_units),
        )
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.status == "open")
        .group_by(Deal.expected_close, Deal.currency, Stage.probability)
    ).all()  # fmt: skip
    buckets: dict[str, list] = defaultdict(list)
    first_day = _local_date(current)
    last_day = _local_date(current.shifted(months))
    for expected, currency, probability, deals, units in rows:
        if expected is None:
            key = "undated"
        elif expected < first_day:
            key = "overdue"
        elif expected >= last_day:
            continue
        else:
            key = f"{expected.year:04d}-{expected.month:02d}"
        buckets[key].append((currency, int(units or 0), probability, deals))

    def figures(label: str) -> dict[str, Any]:
        groups = buckets.get(label, [])
        return {
            "deals": sum(n for *_, n in groups),
            "amount": amounts((c, u) for c, u, _p, _n in groups),
            "weighted_amount": weighted_amounts((c, u * p) for c, u, p, _n in groups),
            "win_rate_amount": (
                weighted_amounts((c, u * win_rate * 100) for c, u, _p, _n in groups)
                if win_rate is not None else None
            ),
        }  # fmt: skip

    return {
        "from": str(current),
        "months": months,
        "history": {"from": str(since), "to": str(current.previous), "won": won, "lost": lost,
                    "win_rate": rounded(win_rate, 4) if win_rate is not None else None},
        "forecast": [{"month": str(m), **figures(str(m))}
                     for m in (current.shifted(n) for n in range(months))],
        "overdue": figures("overdue"),
        "undated": figures("undated"),
    }  # fmt: skip
