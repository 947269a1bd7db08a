"""`crm report activity`: interactions per week or month, by kind or by user."""

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmtui.core.errors import Invalid
from crmtui.core.models import INTERACTION_KINDS, User
from crmtui.core.timeparse import local_tz, now_utc
from crmtui.reports.monthly import NO_USER, interaction_counts
from crmtui.reports.periods import Month

MAX_PERIODS = 520


def periods(period: str, first: date, last: date) -> list[tuple[str, datetime, datetime]]:
    """(label, start, end) in UTC for each local week (Monday first) or month from first to last."""
    if period == "month":
        month, stop = Month(first.year, first.month), Month(last.year, last.month)
        found = []
        while month <= stop:
            found.append((str(month), month.start, month.end))
            month = month.shifted(1)
        return found
    if period != "week":
        raise Invalid(f"invalid period {period!r}: use week or month")
    monday = first - timedelta(days=first.weekday())
    found = []
    while monday <= last:
        year, week, _ = monday.isocalendar()
        start = datetime.combine(monday, time(0), tzinfo=local_tz())
        end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=local_tz())
        found.append((f"{year}-W{week:02d}", start, end))
        monday += timedelta(days=7)
    return found


def activity_report(
    session: Session,
    by: str = "kind",
    period: str = "month",
    first: date | None = None,
    last: date | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Interactions counted per period and per kind (every kind present) or per user."""
    if by not in ("kind", "user"):
        raise Invalid(f"invalid --by {by!r}: use kind or user")
    today = (now or now_utc()).astimezone(local_tz()).date()
    last = last or today
    first = first or (last - timedelta(days=365 if period == "month" else 7 * 11))
    if first > last:
        raise Invalid("--from is after --to")
    spans = periods(period, first, last)
    if len(spans) > MAX_PERIODS:
        raise Invalid(f"too many periods ({len(spans)}): narrow --from/--to")
    names = dict(session.execute(select(User.id, User.username)).all()) if by == "user" else {}
    rows, keys = [], list(INTERACTION_KINDS) if by == "kind" else []
    for label, start, end in spans:
        counts: dict[str, int] = dict.fromkeys(INTERACTION_KINDS, 0) if by == "kind" else {}
        for (kind, user_id), count in interaction_counts(session, start, end).items():
            name = kind if by == "kind" else names.get(user_id, NO_USER) if user_id else NO_USER
            counts[name] = counts.get(name, 0) + count
            if name not in keys:
                keys.append(name)
        rows.append({"period": label, "start": start, "end": end,
                     "total": sum(counts.values()), "counts": counts})  # fmt: skip
    if by == "user":
        keys.sort()
        for row in rows:
            row["counts"] = {k: row["counts"].get(k, 0) for k in keys}
    return {"by": by, "period": period, "from": first, "to": last, "keys": keys, "rows": rows}
