"""How values look on screen: local dates, ages, durations, short numbers, lists."""

import math
from datetime import datetime
from decimal import Decimal


def postal_address(record: dict) -> str:
    """Street, postal code and city, region, country: the lines of an address that are given."""
    town = " ".join(p for p in (record["postal_code"], record["city"]) if p)
    return "\n".join(p for p in (record["street"], town, record["region"], record["country"]) if p)


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


UNITS = ((10**9, "G"), (10**6, "M"), (10**3, "k"))


def short_number(value: str | float | Decimal) -> str:
    """`442689654.12` as `442.7M`, `12500` as `12.5k`, `20000` as `20k`, below ten thousand
    whole and grouped: where space is short (column heads); the exact sums are in the reports."""
    number = Decimal(str(value))
    for divisor, suffix in UNITS:
        if abs(number) >= max(divisor, 10**4):
            return f"{number / divisor:.1f}".removesuffix(".0") + suffix
    return f"{number:,.0f}"


def axis_ticks(top: float, steps: int = 4) -> list[float]:
    """Whole, round ticks from 0 to `top` or just above: 0, 2500, 5000, 7500, 10000."""
    if top <= 0:
        return [0]
    rough = top / steps
    power = 10 ** math.floor(math.log10(rough))
    step = max(1, next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough))
    return [step * i for i in range(math.ceil(top / step) + 1)]


def axis_labels(ticks: list[float]) -> list[str]:
    """The ticks in one unit, the one of the largest: `0, 5k, 10k, 15k`, `0, 2.5M, 5M`."""
    top = max(ticks, default=0)
    divisor, suffix = next(((d, s) for d, s in UNITS if top >= max(d, 10**4)), (1, ""))
    return [f"{tick / divisor:,.1f}".removesuffix(".0") + suffix if tick else "0" for tick in ticks]
