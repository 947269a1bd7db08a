"""The monthly report as flat rows (figure, currency, this month, previous, change) for renderers."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("contacts", "Contacts", (("new", "new"), ("total", "total at month end"))),
    ("interactions", "Interactions", (("total", "total"), ("by_kind", ""), ("by_user", "by "))),
    (
        "deals",
        "Deals",
        (
            ("created", "created"),
            ("won", "won"),
            ("lost", "lost"),
            ("won_amount", "won amount"),
            ("lost_amount", "lost amount"),
            ("win_rate", "win rate"),
            ("avg_cycle_days", "average cycle (days)"),
        ),
    ),
    (
        "pipeline",
        "Pipeline at month end",
        (("open", "open deals"), ("amount", "amount"), ("weighted_amount", "weighted amount")),
    ),
    ("tasks", "Tasks", (("completed", "completed"), ("overdue", "overdue at month end"))),
    (
        "customers",
        "Customers",
        (
            ("at_start", "at start"),
            ("new", "new"),
            ("lost", "lost"),
            ("at_end", "at end"),
            ("churn_rate", "churn rate (%)"),
        ),
    ),
)


@dataclass
class FigureRow:
    section: str
    key: str
    label: str
    name: str
    currency: str
    value: Any
    previous: Any
    change: Any


def _sub(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def figure_rows(report: dict[str, Any]) -> list[FigureRow]:
    """One row per figure, per currency for amounts and per kind/user for breakdowns."""
    rows: list[FigureRow] = []
    previous, change = report["previous"], report.get("change", {})
    for section, _title, figures in SECTIONS:
        for key, label in figures:
            value = report[section][key]
            before = previous[section][key]
            delta = _sub(change.get(section), key)
            path = f"{section}.{key}"
            if isinstance(value, dict):
                names = list(value) + [n for n in before if n not in value]
                amount = any(isinstance(v, Decimal) for v in [*value.values(), *before.values()])
                for name in names:
                    rows.append(
                        FigureRow(
                            section, path, label if amount else f"{label}{name}",
                            "" if amount else name, name if amount else "",
                            value.get(name), before.get(name),
                            _sub(delta, name),
                        )
                    )  # fmt: skip
            else:
                rows.append(FigureRow(section, path, label, "", "", value, before, delta))
    return rows


def text(value: Any) -> str:
    """A figure for people: thousands grouped (`103,251.98`, every decimal kept), '–' for
    none; signs are left to the caller."""
    if value is None:
        return "–"
    return f"{value:,}" if _number(value) else str(value)


def amount_text(amount: Any, currency: str) -> str:
    """`12,345.67 EUR`: an amount (as the report holds it, text or number) for people."""
    return f"{text(Decimal(str(amount)))} {currency}"


def signed(value: Any) -> str:
    return f"+{value:,}" if _number(value) and value > 0 else text(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
