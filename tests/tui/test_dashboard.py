"""The dashboard (`r`): a month next to the one before, charts, and a month picker, via Pilot.

The data (tests/tui/conftest.py, clock 2026-03-16): 31 contacts created 2026-01-15, a meeting on
2026-01-25, deals "Website" 1500 EUR created 2026-01-20 and "Audit" 800 EUR created 2026-02-04,
both open in the first stage (Lead, 10 %).
"""

from datetime import timedelta

from rich.text import Text
from textual.widgets import Select, Static
from textual_plotext import PlotextPlot

from crmtui.core.deals import add_deal, win_deal
from crmtui.core.schemas import DealInput
from crmtui.reports.periods import Month
from crmtui.tui.screens.dashboard import DashboardScreen

from .conftest import NOW

SIZE = (140, 50)


def panel(app, which: str) -> str:
    return str(app.screen.query_one(f"#dashboard-{which}", Static).render())


async def test_r_opens_this_month_next_to_last_month(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        this, last = panel(app, "this"), panel(app, "last")
        assert "March 2026 (to date)" in this
        assert "February 2026" in last
        assert "Deals created    1" in last  # Audit, 2026-02-04
        assert "Open pipeline    2  EUR 2,300.00" in this
        assert "weighted       EUR 230.00" in this
        assert app.screen.report["month"] == "2026-03"
        assert len(app.screen.query(PlotextPlot)) == 3

        await pilot.press("escape")
        assert not isinstance(app.screen, DashboardScreen)


async def test_the_month_picker_and_brackets_change_the_month(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert app.screen.month == Month(2026, 1)
        this = panel(app, "this")
        assert "January 2026" in this and "(to date)" not in this
        assert "New contacts     31" in this
        assert "meeting 1" in this
        assert "December 2025" in panel(app, "last")

        app.screen.query_one("#dashboard-month", Select).value = "2026-02"
        await settle(pilot)
        assert app.screen.report["month"] == "2026-02"
        assert "Deals created    1" in panel(app, "this")

        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert app.screen.month == Month(2026, 3)  # no month after the current one


async def test_chart_axes_read_as_round_whole_numbers(db, data, make_app, settle):
    with db.transaction(username="sam") as session:  # a bigger month to chart: 12,500 EUR won
        big = DealInput(title="Big", contact=str(data["zora"]), amount="12500",
                        created_at=NOW - timedelta(days=9))  # fmt: skip
        win_deal(session, add_deal(session, big), at=NOW - timedelta(days=2))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

        def axis(selector: str) -> list[str]:
            text = Text.from_ansi(app.screen.query_one(selector, PlotextPlot).plt.build()).plain
            return [line.split("┤")[0].strip() for line in text.splitlines() if "┤" in line]

        assert axis("#chart-pipeline") == ["2", "1", "0"]  # Website and Audit open in Lead
        assert axis("#chart-won") == ["15k", "10k", "5k", "0"]


async def test_the_tasks_line_says_overdue_when(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        # "Send proposal" is overdue now; "Call back", due on the 18th, counts once the month ends:
        # the tasks view's "Overdue: 1" and this 2 must not read as two answers to one question
        assert "Tasks            0 done, 2 overdue at month end" in panel(app, "this")
