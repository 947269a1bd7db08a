"""`crm report ...`: business reports as tables, Markdown, JSON, CSV or one HTML file."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from crmtui.cli import context

app = typer.Typer(no_args_is_help=True)


class ReportFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"


ReportFormatOption = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default on a terminal), markdown (default when piped), json, csv or html.",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
OwnerOption = Annotated[
    str | None, typer.Option("--owner", help="Only this user's contacts, deals, calls and tasks.")
]

_BAR = "█"


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    from crmtui.cli.output import message

    message(f"wrote {output}")


_SUFFIXES = {".json": "json", ".csv": "csv", ".html": "html", ".htm": "html", ".md": "markdown"}


def _format_for(output: Path | None) -> ReportFormat:
    """No --format: from the output file's suffix, else table on a terminal, else markdown."""
    if output is not None and output.suffix.lower() in _SUFFIXES:
        return ReportFormat(_SUFFIXES[output.suffix.lower()])
    if output is None and sys.stdout.isatty():
        return ReportFormat.table
    return ReportFormat.markdown


def _bar(value: int | float, top: int | float, width: int = 12) -> str:
    if not top or not value or value < 0:
        return ""
    return _BAR * max(1, round(value / top * width))


def render_table(report: dict[str, Any], width: int | None = None) -> str:
    """The report for people: one small table per section, bars where a picture says more."""
    from rich.console import Console
    from rich.table import Table

    from crmtui.reports.figures import SECTIONS, figure_rows, signed, text

    console = Console(record=True, width=width or 80, file=_Discard(), soft_wrap=False)
    month, previous = report["month"], report["previous"]["month"]
    owner = f" — {report['owner']}" if report.get("owner") else ""
    console.print(f"[bold]Monthly report {month}{owner}[/bold]")
    rows = figure_rows(report)
    breakdowns = ("interactions.by_kind", "interactions.by_user")
    for section, title, _figures in SECTIONS:
        table = Table(title=title, title_justify="left", box=None, pad_edge=False, expand=False)
        table.add_column("figure", max_width=26, overflow="fold")
        table.add_column(month, justify="right")
        table.add_column(previous, justify="right")
        table.add_column("change", justify="right")
        table.add_column("", max_width=12, no_wrap=True)
        section_rows = [row for row in rows if row.section == section]
        top = max(
            (r.value for r in section_rows if r.key in breakdowns and r.value is not None),
            default=0,
        )
        for row in section_rows:
            label = f"{row.label} ({row.currency})" if row.currency else row.label
            bar = _bar(row.value, top) if row.key in breakdowns else ""
            if row.key == "deals.win_rate" and row.value is not None:
                bar = _bar(row.value, 1)
            table.add_row(label, text(row.value), text(row.previous), signed(row.change), bar)
        console.print()
        console.print(table)
    stages = report["pipeline"]["by_stage"]
    if stages:
        table = Table(title="Open deals by stage", title_justify="left", box=None, pad_edge=False)
        for name, justify in (("stage", "left"), ("%", "right"), ("deals", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        table.add_column("", no_wrap=True)
        top = max(stage["open"] for stage in stages)
        for stage in stages:
            table.add_row(
                stage["stage"], str(stage["probability"]), str(stage["open"]),
                _bar(stage["open"], top, 20),
            )  # fmt: skip
        console.print()
        console.print(table)
    console.print()
    if report["top_customers"]:
        table = Table(title="Top customers", title_justify="left", box=None, pad_edge=False)
        table.add_column("customer", max_width=40, overflow="ellipsis", no_wrap=True)
        table.add_column("deals", justify="right")
        table.add_column("won amount", justify="right")
        for entry in report["top_customers"]:
            (currency, amount), *_ = entry["won_amount"].items()
            table.add_row(entry["name"], str(entry["deals"]), f"{amount} {currency}")
        console.print(table)
    else:
        console.print("No deal was won this month.")
    return console.export_text(styles=False)


class _Discard:
    """A file for a recording console: it keeps the text, so nothing goes out twice."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def render(report: dict[str, Any], fmt: ReportFormat) -> str:
    if fmt is ReportFormat.json:
        import json

        from crmtui.cli.output import json_value

        return json.dumps(json_value(report), ensure_ascii=False, indent=2) + "\n"
    if fmt is ReportFormat.markdown:
        from crmtui.reports.render_markdown import render_markdown

        return render_markdown(report)
    if fmt is ReportFormat.csv:
        from crmtui.reports.render_csv import render_csv

        return render_csv(report)
    if fmt is ReportFormat.html:
        from crmtui.reports.render_html import render_html

        return render_html(report)
    return render_table(report)


@app.command("monthly")
def monthly(
    month: Annotated[
        str | None,
        typer.Option(
            "--month", "-m", help="YYYY-MM, or 'current' for month to date (default: last month)."
        ),
    ] = None,
    owner: OwnerOption = None,
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
) -> None:
    """The month's figures next to the previous month's: contacts, calls, deals, customers.

    Example: crm report monthly --month 2026-10 --format json -o 2026-10.json
    """
    from crmtui.reports.monthly import monthly as monthly_report
    from crmtui.reports.periods import parse_month

    chosen = parse_month(month)
    with context.database().session() as session:
        report = monthly_report(session, chosen, owner=owner)
    if fmt is None:
        fmt = _format_for(output)
    _write(render(report, fmt), output)
