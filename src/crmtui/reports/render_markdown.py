"""The monthly report as Markdown: tables to paste into a wiki, an issue or an email."""

from typing import Any

from crmtui.reports.figures import SECTIONS, amount_text, figure_rows, signed, text


def _cell(value: Any) -> str:
    return text(value).replace("|", "\\|")


def render_markdown(report: dict[str, Any]) -> str:
    month, previous = report["month"], report["previous"]["month"]
    owner = f" ({report['owner']})" if report.get("owner") else ""
    lines = [f"# Monthly report {month}{owner}", ""]
    rows = figure_rows(report)
    for section, title, _figures in SECTIONS:
        lines += [
            f"## {title}",
            "",
            f"| figure | {month} | {previous} | change |",
            "|---|--:|--:|--:|",
        ]
        for row in rows:
            if row.section != section:
                continue
            label = f"{row.label} ({row.currency})" if row.currency else row.label
            lines.append(
                f"| {_cell(label)} | {_cell(row.value)} | {_cell(row.previous)} "
                f"| {_cell(signed(row.change))} |"
            )
        lines.append("")
    lines += ["## Top customers", ""]
    if report["top_customers"]:
        lines += ["| customer | deals | won amount |", "|---|--:|--:|"]
        for entry in report["top_customers"]:
            (currency, amount), *_ = entry["won_amount"].items()
            lines.append(
                f"| {_cell(entry['name'])} | {text(entry['deals'])} | {amount_text(amount, currency)} |"
            )
    else:
        lines.append("No deal was won this month.")
    return "\n".join(lines) + "\n"
