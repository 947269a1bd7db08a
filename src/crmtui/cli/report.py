"""`crm report ...`: business reports as tables, Markdown, JSON, CSV or one HTML file."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from crmtui.cli import context
from crmtui.cli.output import FormatOption

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

    from crmtui.reports.figures import SECTIONS, amount_text, figure_rows, signed, text

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
                stage["stage"], str(stage["probability"]), text(stage["open"]),
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
            table.add_row(entry["name"], text(entry["deals"]), amount_text(amount, currency))
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

        return render_csv(report, escape_formulas=context.state.escape_formulas)
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
    # plain reads: no ORM to import
    with context.database().connection(snapshot=True) as connection:
        report = monthly_report(connection, chosen, owner=owner)
    if fmt is None:
        fmt = _format_for(output)
    _write(render(report, fmt), output)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Amount objects become `EUR 10.00, USD 5.00` cells for tables and CSV; JSON keeps them."""
    return {
        key: ", ".join(f"{c} {v}" for c, v in value.items())
        if isinstance(value, dict) and all(len(str(c)) == 3 for c in value)
        else value
        for key, value in row.items()
    }


def _rows(report: Any, rows: list[dict[str, Any]], columns: list[str], fmt, title: str) -> None:
    from crmtui.cli.output import Format, chosen_format, print_json, render_rows

    if chosen_format(fmt) is Format.json:
        print_json(report)
        return
    flat = rows if chosen_format(fmt) is Format.ndjson else [_flat(r) for r in rows]
    render_rows(flat, columns, fmt, title=title)


def _date_option(text: str | None):
    if text is None:
        return None
    from crmtui.core.timeparse import parse_date

    return parse_date(text)


PipelineOption = Annotated[
    str | None, typer.Option("--pipeline", help="Pipeline name or id (default: the first).")
]
FromOption = Annotated[str | None, typer.Option("--from", help="First day (local date).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day (local date), included.")]


@app.command("pipeline")
def pipeline(pipeline: PipelineOption = None, fmt: FormatOption = None) -> None:
    """Per stage: open deals, amount, weighted amount, days in stage, conversion to the next.

    Example: crm report pipeline --pipeline Sales --format json
    """
    from crmtui.reports.pipeline import pipeline_report

    with context.database().session(snapshot=True) as session:
        report = pipeline_report(session, pipeline)
    columns = ["stage", "probability", "open", "amount", "weighted_amount", "avg_days_in_stage",
               "reached", "conversion_to_next"]  # fmt: skip
    _rows(report, report["stages"], columns, fmt, f"Pipeline {report['pipeline']}")


@app.command("funnel")
def funnel(
    pipeline: PipelineOption = None,
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = None,
) -> None:
    """Stage-to-stage conversion from the recorded stage moves in a period.

    Example: crm report funnel --from 2026-01-01 --to 2026-06-30
    """
    from datetime import timedelta

    from crmtui.reports.pipeline import funnel_report

    first, last = _date_option(start), _date_option(end)
    bounds = [_local_midnight(first), _local_midnight(last + timedelta(days=1) if last else None)]
    with context.database().session(snapshot=True) as session:
        report = funnel_report(session, pipeline, *bounds)
    columns = ["stage", "reached", "conversion_to_next", "conversion_from_first"]
    _rows(report, report["stages"], columns, fmt, f"Funnel {report['pipeline']}")


def _local_midnight(day):
    if day is None:
        return None
    from datetime import UTC, datetime, time

    from crmtui.core.timeparse import local_tz

    return datetime.combine(day, time(0), tzinfo=local_tz()).astimezone(UTC)


@app.command("activity")
def activity(
    by: Annotated[str, typer.Option("--by", help="kind or user.")] = "kind",
    period: Annotated[str, typer.Option("--period", help="week or month.")] = "month",
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = None,
) -> None:
    """Interactions per week or month, by kind or by user: a time series.

    Example: crm report activity --by user --period week --from 2026-09-01
    """
    from crmtui.reports.activity import activity_report

    with context.database().session(snapshot=True) as session:
        report = activity_report(session, by, period, _date_option(start), _date_option(end))
    rows = [{"period": r["period"], "total": r["total"], **r["counts"]} for r in report["rows"]]
    _rows(report, rows, ["period", "total", *report["keys"]], fmt, f"Interactions by {by}")


@app.command("churn")
def churn(
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many.")] = 12,
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="Last month shown (default: last month).")
    ] = None,
    owner: OwnerOption = None,
    fmt: FormatOption = None,
) -> None:
    """Customers at the start of each month, new, lost, and the churn rate (percent).

    Example: crm report churn --months 6 --format csv
    """
    from crmtui.reports.churn import churn_series
    from crmtui.reports.periods import parse_month

    with context.database().session(snapshot=True) as session:
        series = churn_series(session, parse_month(month), months, owner)
    columns = ["month", "at_start", "new", "lost", "at_end", "churn_rate"]
    _rows(series, series, columns, fmt, "Churn")


@app.command("clv")
def clv(
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="Window.")] = 12,
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="Last month of the window.")
    ] = None,
    owner: OwnerOption = None,
    fmt: FormatOption = None,
) -> None:
    """Customer lifetime value per currency: revenue per customer x lifespan - acquisition cost.

    Example: crm report clv --months 12 --format json
    """
    from crmtui.reports.churn import clv_report
    from crmtui.reports.periods import parse_month

    with context.database().session(snapshot=True) as session:
        report = clv_report(session, parse_month(month), months, owner)
    rows = [
        {"currency": c, **figures, "lifespan_years": report["lifespan_years"],
         "annual_churn_rate": report["annual_churn_rate"]}
        for c, figures in report["currencies"].items()
    ]  # fmt: skip
    columns = ["currency", "won_amount", "paying_customers", "annual_revenue_per_customer",
               "annual_churn_rate", "lifespan_years", "acquisition_cost", "clv"]  # fmt: skip
    _rows(report, rows, columns, fmt, f"Customer lifetime value {report['from']}..{report['to']}")


@app.command("acquisition-cost")
def acquisition_cost(
    amount: Annotated[str | None, typer.Argument(help="The new cost; omit to show it.")] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Only for this currency.")
    ] = None,
) -> None:
    """Show or set the acquisition cost that `crm report clv` subtracts (default 0).

    Example: crm report acquisition-cost 150.00 --currency EUR
    """
    from crmtui.reports.churn import acquisition_costs, set_acquisition_cost

    if amount is None:
        with context.database().session(snapshot=True) as session:
            default, by_currency = acquisition_costs(session)
        sys.stdout.write(f"default {default}\n")
        for code, value in sorted(by_currency.items()):
            sys.stdout.write(f"{code} {value}\n")
        return
    with context.database().transaction(username=context.username()) as session:
        value = set_acquisition_cost(session, amount, currency)
    from crmtui.cli.output import message

    message(f"acquisition cost{' for ' + currency.upper() if currency else ''}: {value}")


@app.command("forecast")
def forecast(
    months: Annotated[int, typer.Option("--months", min=1, max=36, help="How many.")] = 3,
    fmt: FormatOption = None,
) -> None:
    """Expected revenue per month: open deals' expected close x stage probability, and x win rate.

    Example: crm report forecast --months 6
    """
    from crmtui.reports.forecast import forecast_report

    with context.database().session(snapshot=True) as session:
        report = forecast_report(session, months)
    rows = [*report["forecast"], {"month": "overdue", **report["overdue"]},
            {"month": "undated", **report["undated"]}]  # fmt: skip
    columns = ["month", "deals", "amount", "weighted_amount", "win_rate_amount"]
    _rows(report, rows, columns, fmt, f"Forecast (win rate {report['history']['win_rate']})")


@app.command("stale")
def stale(
    days: Annotated[
        int, typer.Option("--days", min=0, max=36600, help="Silent for this many days.")
    ] = 30,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="At most (0: all).")] = 100,
    fmt: FormatOption = None,
) -> None:
    """Customers and contacts with open deals not contacted for N days, oldest first.

    Example: crm report stale --days 45 --format csv > follow-up.csv
    """
    from crmtui.reports.stale import stale_contacts

    with context.database().session(snapshot=True) as session:
        rows = stale_contacts(session, days, limit=limit)
    columns = ["id", "name", "email", "lifecycle_stage", "open_deals", "last_contacted_at",
               "days_since_contact", "owner"]  # fmt: skip
    _rows(rows, rows, columns, fmt, f"Not contacted for {days} days")
