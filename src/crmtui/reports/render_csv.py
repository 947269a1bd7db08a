"""The monthly report as CSV: one row per figure (and per currency, kind or user)."""

import csv
import io
from typing import Any

from crmtui.io.formulas import escape_cells
from crmtui.reports.figures import figure_rows

COLUMNS = ("figure", "name", "currency", "month", "value", "previous_month", "previous", "change")


def _csv(value: Any) -> str:
    return "" if value is None else str(value)


def render_csv(report: dict[str, Any], *, escape_formulas: bool = True) -> str:
    """Columns: figure (the JSON path), name (kind or user), currency, month, value, previous...
    A name starting with = + - @ is neutralised for spreadsheets unless `escape_formulas` is off."""
    rows: list[list[str]] = [
        [row.key, row.name, row.currency, report["month"], _csv(row.value),
         report["previous"]["month"], _csv(row.previous), _csv(row.change)]
        for row in figure_rows(report)
    ]  # fmt: skip
    for entry in report["top_customers"]:
        (currency, amount), *_ = entry["won_amount"].items()
        rows.append(
            ["top_customers", entry["name"], currency, report["month"], str(amount), "", "", ""]
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([escape_cells(row) for row in rows] if escape_formulas else rows)
    return out.getvalue()
