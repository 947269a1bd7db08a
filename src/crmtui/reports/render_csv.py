"""The monthly report as CSV: one row per figure (and per currency, kind or user)."""

import csv
import io
from typing import Any

from crmtui.reports.figures import figure_rows

COLUMNS = ("figure", "name", "currency", "month", "value", "previous_month", "previous", "change")


def _csv(value: Any) -> str:
    return "" if value is None else str(value)


def render_csv(report: dict[str, Any]) -> str:
    """Columns: figure (the JSON path), name (kind or user), currency, month, value, previous..."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in figure_rows(report):
        writer.writerow(
            [row.key, row.name, row.currency, report["month"], _csv(row.value),
             report["previous"]["month"], _csv(row.previous), _csv(row.change)]
        )  # fmt: skip
    for entry in report["top_customers"]:
        (currency, amount), *_ = entry["won_amount"].items()
        writer.writerow(
            ["top_customers", entry["name"], currency, report["month"], str(amount), "", "", ""]
        )
    return out.getvalue()
