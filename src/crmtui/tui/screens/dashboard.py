"""`r`: the dashboard, a month next to the month before, with charts over the last twelve months."""

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Select, Static
from textual_plotext import PlotextPlot

from crmtui.reports.periods import Month
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import axis_labels, axis_ticks
from crmtui.tui.widgets.footer import KeysFooter

PICKER_MONTHS = 24
SERIES_MONTHS = 12
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def month_title(month: Month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _amounts(amounts: dict[str, Any]) -> str:
    return ", ".join(f"{currency} {amount:,}" for currency, amount in amounts.items()) or "–"


def _rate(value: float | None, percent: bool) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} %" if percent else f"{value * 100:.1f} %"


def month_panel(figures: dict[str, Any], title: str) -> str:
    """One month's figures as lines of Rich markup."""
    deals, pipeline = figures["deals"], figures["pipeline"]
    customers, interactions = figures["customers"], figures["interactions"]
    kinds = "  ".join(f"{kind} {count:,}" for kind, count in interactions["by_kind"].items())
    cycle = deals["avg_cycle_days"]
    return "\n".join(
        [
            f"[b]{title}[/b]",
            "",
            f"New contacts     {figures['contacts']['new']:,}  (total {figures['contacts']['total']:,})",
            f"Interactions     {interactions['total']:,}",
            f"  {kinds}",
            f"Deals created    {deals['created']:,}",
            f"Won / lost       {deals['won']:,} / {deals['lost']:,}"
            f"   win rate {_rate(deals['win_rate'], False)}",
            f"Won amount       {_amounts(deals['won_amount'])}",
            f"Average cycle    {'–' if cycle is None else f'{cycle} days'}",
            f"Open pipeline    {pipeline['open']:,}  {_amounts(pipeline['amount'])}",
            f"  weighted       {_amounts(pipeline['weighted_amount'])}",
            f"Tasks            {figures['tasks']['completed']:,} done, "
            f"{figures['tasks']['overdue']:,} overdue at month end",
            f"Customers        {customers['at_start']:,} → {customers['at_end']:,}"
            f"  (+{customers['new']:,}, −{customers['lost']:,})"
            f"  churn {_rate(customers['churn_rate'], True)}",
        ]
    )


class DashboardScreen(Screen):
    """This month (or the picked one) next to the month before, and three charts."""

    # Here rather than in app.tcss: that file belongs to the app's developer, who is changing it
    # now; the lead can move these rules there in one cut and paste.
    DEFAULT_CSS = """
    #dashboard-bar { height: 3; }
    #dashboard-bar .status { width: 1fr; height: 3; content-align: left middle; }
    #dashboard-month { width: 28; }
    #dashboard-months { height: auto; max-height: 18; }
    .dashboard-panel { width: 1fr; padding: 0 2; border: round $primary 40%; height: auto; }
    #dashboard-charts { height: 1fr; min-height: 10; }
    """

    BINDINGS = [
        Binding("left_square_bracket", "shift(-1)", "Previous month", key_display="[", id="prev"),
        Binding("right_square_bracket", "shift(1)", "Next month", key_display="]", id="next"),
        Binding("m", "pick", "Pick month", id="pick"),
        Binding("escape", "close", "Back", id="back"),
    ]

    def __init__(self, month: Month | None = None) -> None:
        super().__init__()
        self.month = month
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        today = Month.containing(self.app.now())
        self.month = self.month or today
        options = [(month_title(today.shifted(-n)), str(today.shifted(-n)))
                   for n in range(PICKER_MONTHS)]  # fmt: skip
        with Horizontal(id="dashboard-bar"):
            yield Static("", id="dashboard-status", classes="status")
            yield Select(options, value=str(self.month), allow_blank=False, id="dashboard-month")
        with Horizontal(id="dashboard-months"):
            yield Static("", id="dashboard-this", classes="dashboard-panel")
            yield Static("", id="dashboard-last", classes="dashboard-panel")
        with Horizontal(id="dashboard-charts"):
            yield PlotextPlot(id="chart-interactions")
            yield PlotextPlot(id="chart-won")
            yield PlotextPlot(id="chart-pipeline")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        month = self.month
        assert month is not None
        self.query_one("#dashboard-status", Static).update(f"Loading {month_title(month)}…")

        def read(session) -> dict[str, Any]:
            from crmtui.reports.monthly import monthly, monthly_series

            return {
                "month": month,
                "report": monthly(session, month),
                "series": monthly_series(session, month, SERIES_MONTHS),
            }

        run_db(self, read, self._show, group="dashboard", exclusive=True)

    def _show(self, data: dict[str, Any]) -> None:
        if data["month"] != self.month:  # a newer pick is on its way
            return
        month, report, series = data["month"], data["report"], data["series"]
        self.report = report
        partial = " (to date)" if month == Month.containing(self.app.now()) else ""
        self.query_one("#dashboard-status", Static).update(
            f"Dashboard: {month_title(month)}{partial} next to {month_title(month.previous)}"
        )
        self.query_one("#dashboard-this", Static).update(
            month_panel(report, month_title(month) + partial)
        )
        self.query_one("#dashboard-last", Static).update(
            month_panel(report["previous"], month_title(month.previous))
        )
        labels = [entry["month"][2:] for entry in series]
        self._chart("#chart-interactions", "Interactions per month", labels,
                    {"": [entry["interactions"] for entry in series]})  # fmt: skip
        currencies = sorted({c for entry in series for c in entry["won_amount"]})
        won = {c: [float(e["won_amount"].get(c, 0)) for e in series] for c in currencies}
        self._chart("#chart-won", "Won amount per month", labels, won)
        stages = report["pipeline"]["by_stage"]
        self._chart("#chart-pipeline", f"Open deals by stage, end of {month}",
                    [s["stage"] for s in stages], {"": [s["open"] for s in stages]})  # fmt: skip

    def _chart(
        self, selector: str, title: str, labels: list[str], series: dict[str, list[float]]
    ) -> None:
        plot = self.query_one(selector, PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if not labels or not series:
            plt.title(f"{title}: nothing yet")
        else:
            if len(series) == 1:
                plt.bar(labels, next(iter(series.values())))
            else:
                plt.multiple_bar(labels, list(series.values()), labels=list(series))
            ticks = axis_ticks(max(max(values, default=0) for values in series.values()))
            plt.ylim(0, ticks[-1])
            plt.yticks(ticks, axis_labels(ticks))
        plot.refresh()

    def action_shift(self, months: int) -> None:
        assert self.month is not None
        today = Month.containing(self.app.now())
        target = self.month.shifted(months)
        if target > today or target < today.shifted(-(PICKER_MONTHS - 1)):
            self.notify("No further months", timeout=1.5)
            return
        self.query_one("#dashboard-month", Select).value = str(target)

    def action_pick(self) -> None:
        picker = self.query_one("#dashboard-month", Select)
        picker.focus()
        picker.action_show_overlay()

    def action_close(self) -> None:
        self.app.pop_screen()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "dashboard-month" or event.value is Select.BLANK:
            return
        year, month = str(event.value).split("-")
        picked = Month(int(year), int(month))
        if picked != self.month:
            self.month = picked
            self.refresh_data()
