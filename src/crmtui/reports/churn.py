"""`crm report churn` and `crm report clv`: customers kept and lost, and what a customer is worth."""

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmtui.core.models import Deal, Setting
from crmtui.core.money import currency_digits, from_units, parse_amount
from crmtui.reports.monthly import customer_figures, customers_now, owner_id_for, rounded
from crmtui.reports.periods import Month

ACQUISITION_COST = "acquisition_cost"


def churn_series(
    session: Session, last: Month, months: int = 12, owner: str | None = None
) -> list[dict[str, Any]]:
    """Per month, oldest first: customers at start, new, lost, at end, churn rate."""
    owner_id = owner_id_for(session, owner)
    now = customers_now(session, owner_id)
    return [
        {"month": str(m), **customer_figures(session, m, owner_id, now)}
        for m in (last.shifted(-n) for n in range(months - 1, -1, -1))
    ]


def acquisition_costs(session: Session) -> tuple[Decimal, dict[str, Decimal]]:
    """The `acquisition_cost` setting (default 0) and its per-currency `acquisition_cost.XXX`."""
    rows = session.execute(
        select(Setting.key, Setting.value).where(Setting.key.like(f"{ACQUISITION_COST}%"))
    ).all()
    default, by_currency = Decimal(0), {}
    for key, value in rows:
        if key == ACQUISITION_COST:
            default = Decimal(value)
        elif key.startswith(f"{ACQUISITION_COST}."):
            by_currency[key.split(".", 1)[1]] = Decimal(value)
    return default, by_currency


def set_acquisition_cost(session: Session, amount: str, currency: str | None = None) -> Decimal:
    """Store the acquisition cost, for every currency or for one."""
    from crmtui.core.money import parse_currency

    code = parse_currency(currency) if currency else None
    value = parse_amount(amount, code or "XXX")  # no currency: two decimals at most
    key = f"{ACQUISITION_COST}.{code}" if code else ACQUISITION_COST
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=str(value)))
    else:
        setting.value = str(value)
    return value


def clv_report(
    session: Session, last: Month, months: int = 12, owner: str | None = None
) -> dict[str, Any]:
    """Customer lifetime value per currency over the `months` months ending with `last`.

    annual revenue per customer = won amount in the window ÷ distinct paying contacts (a deal won
    in the window) ÷ the window in years; monthly churn = customers lost in the window's months ÷
    the sum of their customers at start (customer-months); lifespan in years = 1 ÷ (12 × monthly
    churn); CLV = annual revenue per customer × lifespan − acquisition cost. Null when a divisor
    is zero (no paying customer; nobody lost: the lifespan is unbounded).
    """
    owner_id = owner_id_for(session, owner)
    first = last.shifted(-(months - 1))
    start, end = first.start, last.end
    now = customers_now(session, owner_id)
    monthly = [customer_figures(session, m, owner_id, now) for m in _months(first, months)]
    lost = sum(m["lost"] for m in monthly)
    customer_months = sum(m["at_start"] for m in monthly)
    won_rows = session.execute(
        _owner(
            select(
                Deal.currency,
                func.sum(Deal.amount_units),
                func.count(func.distinct(Deal.contact_id)),
            )
            .where(Deal.status == "won", Deal.closed_at >= start, Deal.closed_at < end)
            .group_by(Deal.currency),
            owner_id,
        )
    ).all()
    default_cost, costs = acquisition_costs(session)
    years = Decimal(months) / 12
    churn = Decimal(lost) / customer_months * 12 if customer_months else None
    lifespan = (1 / churn) if churn else None
    per_currency = {}
    for currency, units, payers in sorted(won_rows):
        quantum = Decimal(1).scaleb(-currency_digits(currency))
        revenue = Decimal(int(units or 0)) / 10_000 / payers / years if payers else None
        cost = costs.get(currency, default_cost)
        value = revenue * lifespan - cost if revenue is not None and lifespan is not None else None
        per_currency[currency] = {
            "won_amount": from_units(units, currency),
            "paying_customers": payers,
            "annual_revenue_per_customer": (
                revenue.quantize(quantum, ROUND_HALF_EVEN) if revenue is not None else None
            ),
            "acquisition_cost": cost.quantize(quantum, ROUND_HALF_EVEN),
            "clv": value.quantize(quantum, ROUND_HALF_EVEN) if value is not None else None,
        }
    return {
        "from": str(first),
        "to": str(last),
        "months": months,
        "customers_at_start": monthly[0]["at_start"],
        "customer_months": customer_months,
        "customers_lost": lost,
        "annual_churn_rate": rounded(churn * 100, 2) if churn is not None else None,
        "lifespan_years": rounded(lifespan, 2) if lifespan is not None else None,
        "currencies": per_currency,
    }


def _months(first: Month, count: int) -> list[Month]:
    return [first.shifted(n) for n in range(count)]


def _owner(statement, owner_id: int | None):
    return statement if owner_id is None else statement.where(Deal.owner_id == owner_id)
