"""How values look on screen: local dates, ages, durations, amounts, lists."""

from datetime import datetime
from decimal import Decimal


def local_date(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


def local_time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def age(since: datetime | None, now: datetime) -> str:
    """`3d`, `5h`, `2mo`: how long ago, in the largest whole unit."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    days = seconds // 86400
    if days >= 60:
        return f"{days // 30}mo"
    if days:
        return f"{days}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def joined(values: list[str] | None) -> str:
    return ", ".join(values or [])


def money(amount: str, currency: str) -> str:
    """`76350.99`, `EUR` as `76,350.99 EUR`: digits grouped, every decimal kept."""
    return f"{Decimal(amount):,} {currency}"
