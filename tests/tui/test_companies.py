"""The Companies view pages through every company by name as the cursor moves."""

import pytest
from textual.widgets import DataTable, Static

from crmtui.core.companies import add_company, list_companies
from crmtui.core.schemas import CompanyInput

SIZE = (120, 40)


def rows_held(app) -> list[str]:
    table = app.screen.query_one("#companies", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def under_cursor(app) -> str:
    table = app.screen.query_one("#companies", DataTable)
    return str(table.get_row_at(table.cursor_row)[0])


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 and a window of 12 rows: a few dozen companies page as 125,000 would."""
    from crmtui.tui.screens import companies, paged_list

    monkeypatch.setattr(companies, "PAGE", 4)
    monkeypatch.setattr(paged_list, "MAX_ROWS", 12)
    monkeypatch.setattr(paged_list, "PREFETCH", 3)


async def test_the_companies_view_pages_through_every_company(
    db, data, make_app, settle, small_pages
):
    with db.transaction(username="sam") as session:
        for n in range(23):
            add_company(session, CompanyInput(name=f"Firm {n:02d}"))
    with db.session() as session:
        every = [c.name for c in list_companies(session)]
    assert len(every) == 27

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(pilot)
        status = app.screen.query_one("#companies-status", Static)
        assert str(status.render()).startswith("27 companies")  # counted, not the rows held
        passed = [under_cursor(app)]
        for _ in range(len(every) - 1):
            await pilot.press("down")
            await settle(pilot)
            passed.append(under_cursor(app))
            assert len(rows_held(app)) <= 12  # a window, not the whole list
        assert passed == every  # none skipped or repeated, in name order
        await pilot.press("down")
        await settle(pilot)
        assert under_cursor(app) == every[-1]  # the end of the list, not of a page

        await pilot.press("home")
        await settle(pilot)
        assert rows_held(app)[0] == every[0] and under_cursor(app) == every[0]
        await pilot.press("end")
        await settle(pilot)
        assert under_cursor(app) == every[-1]
        assert rows_held(app) == every[-4:]  # the last page, read backwards
        for _ in range(8):  # back up: the pages before it come in above
            await pilot.press("up")
            await settle(pilot)
        assert under_cursor(app) == every[-9]
        assert rows_held(app)[0] in every[:-9]


async def test_a_search_matching_many_companies_pages_through_them_all(
    db, data, make_app, settle, small_pages
):
    with db.transaction(username="sam") as session:
        for n in range(23):
            add_company(session, CompanyInput(name=f"Firm {n:02d}"))
            add_company(session, CompanyInput(name=f"Other {n:02d}"))
    firms = [f"Firm {n:02d}" for n in range(23)]

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", "slash", "f", "i", "r", "m", "enter")
        await settle(pilot)
        status = app.screen.query_one("#companies-status", Static)
        assert str(status.render()) == "23 companies  ·  search: firm"
        passed = [under_cursor(app)]
        for _ in range(len(firms)):
            await pilot.press("down")
            await settle(pilot)
            passed.append(under_cursor(app))
        assert passed == [*firms, firms[-1]]  # every match once, by name, then the end
        assert len(rows_held(app)) <= 12
        await pilot.press("home")
        await settle(pilot)
        assert under_cursor(app) == firms[0]
