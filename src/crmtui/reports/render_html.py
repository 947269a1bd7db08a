"""The monthly report as one self-contained HTML file: inline CSS, tables and SVG bar charts."""

from html import escape
from typing import Any

from crmtui.reports.figures import SECTIONS, amount_text, figure_rows, signed, text

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:56rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}tr:nth-child(even){background:#f6f6f6}
.up{color:#17803d}.down{color:#b42318}svg{margin:.5rem 0}
.bar{fill:#4e79a7}.prev{fill:#bab0ac}text{font-size:12px;fill:#333}
"""


def _bars(title: str, items: list[tuple[str, float, float]], months: tuple[str, str]) -> str:
    """A horizontal bar chart: this month's bar above the previous month's, per item."""
    if not items:
        return ""
    top = max(max(a, b) for _, a, b in items) or 1
    width, row = 360, 34
    height = row * len(items) + 24
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width + 200}" height="{height}">',
        f'<text x="0" y="12">{escape(title)}: {escape(months[0])}'
        + (f" (blue), {escape(months[1])} (grey)" if months[1] else "")
        + "</text>",
    ]
    for index, (label, value, before) in enumerate(items):
        y = 24 + index * row
        parts += [
            f'<text x="0" y="{y + 12}">{escape(label)}</text>',
            f'<rect class="bar" x="120" y="{y}" height="12" width="{value / top * width:.1f}"/>',
            f'<rect class="prev" x="120" y="{y + 14}" height="8" width="{before / top * width:.1f}"/>'
            if months[1]
            else "",
            f'<text x="{125 + value / top * width:.1f}" y="{y + 11}">{value:g}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _change_class(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and value:
        return ' class="up"' if value > 0 else ' class="down"'
    return ""


def render_html(report: dict[str, Any]) -> str:
    month, previous = report["month"], report["previous"]["month"]
    owner = f" — {escape(report['owner'])}" if report.get("owner") else ""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Monthly report {escape(month)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Monthly report {escape(month)}{owner}</h1>",
    ]
    rows = figure_rows(report)
    for section, title, _figures in SECTIONS:
        out.append(f"<h2>{escape(title)}</h2>")
        if section == "interactions":
            kinds = report["interactions"]["by_kind"]
            before = report["previous"]["interactions"]["by_kind"]
            items = [(k, float(v), float(before.get(k, 0))) for k, v in kinds.items()]
            out.append(_bars("Interactions by kind", items, (month, previous)))
        if section == "pipeline":
            stages = report["pipeline"]["by_stage"]
            items = [(s["stage"], float(s["open"]), 0.0) for s in stages]
            out.append(_bars("Open deals by stage", items, (month, "")))
        out.append(
            f"<table><tr><th>figure</th><th>{escape(month)}</th><th>{escape(previous)}</th>"
            "<th>change</th></tr>"
        )
        for row in rows:
            if row.section != section:
                continue
            label = f"{row.label} ({row.currency})" if row.currency else row.label
            out.append(
                f"<tr><td>{escape(label)}</td><td>{escape(text(row.value))}</td>"
                f"<td>{escape(text(row.previous))}</td>"
                f"<td{_change_class(row.change)}>{escape(signed(row.change))}</td></tr>"
            )
        out.append("</table>")
    out.append("<h2>Top customers</h2>")
    if report["top_customers"]:
        out.append("<table><tr><th>customer</th><th>deals</th><th>won amount</th></tr>")
        for entry in report["top_customers"]:
            (currency, amount), *_ = entry["won_amount"].items()
            out.append(
                f"<tr><td>{escape(entry['name'])}</td><td>{entry['deals']}</td>"
                f"<td>{escape(amount_text(amount, currency))}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append("<p>No deal was won this month.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
