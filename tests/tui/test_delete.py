"""Deleting from the app: asked first, done by the core's delete, undone from history with u."""

import pytest
from sqlalchemy import func, select
from textual.widgets import DataTable, OptionList, Static

from crmtui.core.contact_detail import contact_detail
from crmtui.core.errors import NotFound
from crmtui.core.models import Contact, Interaction
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.delete import DeleteScreen
from crmtui.tui.screens.history import HistoryScreen

SIZE = (120, 40)


def names(app) -> list[str]:
    table = app.screen.query_one("#contacts", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def cursor_name(app) -> str:
    table = app.screen.query_one("#contacts", DataTable)
    return str(table.get_row_at(table.cursor_row)[0])


def contacts_named(db, name: str) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count()).select_from(Contact).where(Contact.display_name == name)
        )


def question(app) -> str:
    assert isinstance(app.screen, DeleteScreen)
    return str(app.screen.query_one("#delete-question", Static).render())


async def test_a_confirmed_delete_removes_the_contact_and_the_cursor_stays_on_its_line(
    db, data, make_app, settle, notified
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        doomed, after = names(app)[2], names(app)[3]
        await pilot.press("D")
        await settle(pilot)
        assert question(app).startswith(f"Delete {doomed}?")
        await pilot.press("y")
        await settle(pilot)
        assert contacts_named(db, doomed) == 0
        assert doomed not in names(app) and len(names(app)) == 30
        assert app.screen.query_one("#contacts", DataTable).cursor_row == 2
        assert cursor_name(app) == after
        assert "30 contacts" in str(app.screen.query_one("#contacts-status", Static).render())
        assert any(
            m.startswith(f"Deleted {doomed}") and "u opens its history" in m for m in notified
        )


@pytest.mark.parametrize("key", ["escape", "n", "click outside"])
async def test_escape_n_or_a_click_outside_keeps_the_contact(db, data, make_app, settle, key):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = names(app)[0]
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DeleteScreen)
        if key == "click outside":
            await pilot.click(offset=(1, 1))
        else:
            await pilot.press(key)
        await settle(pilot)
        assert not isinstance(app.screen, DeleteScreen)
        assert names(app)[0] == first and len(names(app)) == 31
        assert contacts_named(db, first) == 1
        assert "u" not in app.screen.active_bindings  # nothing deleted, nothing to undo


async def test_a_contact_deleted_on_its_page_says_what_goes_and_is_undone_from_history(
    db, data, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end")  # Zora Quinn, the last by name
        await settle(pilot)
        assert cursor_name(app) == "Zora Quinn"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("D")
        await settle(pilot)
        assert question(app).splitlines()[:3] == [
            "Delete Zora Quinn and their 1 interaction?",
            "(zora@quinn.example)",
            "Their 2 deals and 1 task stay, without a contact.",
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ContactDetailScreen)  # back on the list, without her
        assert "Zora Quinn" not in names(app)
        assert "u" in app.screen.active_bindings
        with db.session() as session:
            assert session.get(Contact, data["zora"]) is None
            assert session.scalar(select(func.count()).select_from(Interaction)) == 0

        await pilot.press("u")  # her history, the delete on top
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)

        assert cursor_name(app) == "Zora Quinn"
        assert "u" not in app.screen.active_bindings  # undone: nothing left to undo
        with db.session() as session:
            detail = contact_detail(session, data["zora"])
        assert [i["subject"] for i in detail["interactions"]] == ["Kick-off"]
        assert sorted(d["title"] for d in detail["deals"]) == ["Audit", "Website"]
        assert [t["title"] for t in detail["tasks"]] == ["Send proposal"]


async def test_a_locked_database_says_so_in_the_dialog_and_deletes_nothing(
    db, data, beside_a_writer, settle
):
    with beside_a_writer() as (app, other, database):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            first = names(app)[0]
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("D")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(app.screen, DeleteScreen)  # still asking, with the reason
            said = str(app.screen.query_one("#delete-error", Static).render())
            assert "locked" in said and "Nothing was deleted" in said
            assert contacts_named(db, first) == 1
            other.execute("ROLLBACK")
            await pilot.press("y")  # tried again, once the other writer is done
            await settle(pilot)
            assert not isinstance(app.screen, DeleteScreen)
            assert contacts_named(db, first) == 0
            assert first not in names(app)


async def test_a_task_is_deleted_from_the_tasks_view_and_undone(db, data, make_app, settle):
    from crmtui.core.tasks import get_task

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        assert table.row_count == 2
        await pilot.press("D")  # Send proposal, overdue, the first
        await settle(pilot)
        assert question(app).startswith("Delete the task Send proposal?")
        await pilot.press("y")
        await settle(pilot)
        assert [str(table.get_row_at(0)[2])] == ["Call back"]
        with db.session() as session, pytest.raises(NotFound):
            get_task(session, data["task"])
        await pilot.press("u", "u", "escape")
        await settle(pilot)
        assert table.row_count == 2
        with db.session() as session:
            assert get_task(session, data["task"]).contact_id == data["zora"]


async def test_a_deal_deleted_on_the_board_leaves_the_cursor_on_the_next_card(
    db, data, make_app, settle
):
    from crmtui.core.deals import get_deal

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        website, audit = data["deals"]
        assert app.screen.selected_deal() == website
        await pilot.press("delete")
        await settle(pilot)
        assert question(app).startswith("Delete the deal Website?")
        await pilot.press("y")
        await settle(pilot)
        first_column = app.screen.query(OptionList).first()
        assert [o.id for o in first_column.options if o.id] == [str(audit)]
        assert app.screen.selected_deal() == audit
        with db.session() as session, pytest.raises(NotFound):
            get_deal(session, website)


async def test_a_company_deleted_from_its_list_leaves_its_people_without_it(
    db, data, make_app, settle
):
    from crmtui.core.companies import find_company

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.query_one("#companies", DataTable)
        assert str(table.get_row_at(0)[0]) == "Analytical Engines"
        await pilot.press("D")
        await settle(pilot)
        assert question(app).splitlines()[:2] == [
            "Delete the company Analytical Engines?",
            "Its 8 people stay, without a company.",
        ]
        await pilot.press("y")
        await settle(pilot)
        assert str(table.get_row_at(0)[0]) == "Brightwater"
        assert table.cursor_row == 0
        with db.session() as session:
            assert find_company(session, "Analytical Engines") is None
            assert contacts_named(db, "Ada Lovelace") == 1  # its people stay


async def test_help_lists_the_delete_key_and_after_a_delete_its_undo(data, make_app, settle):
    from crmtui.tui.screens.help import HelpScreen

    def help_lines() -> list[list[str]]:
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        return [line.split() for line in text.splitlines()]

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert ["D", "del", "Delete"] in help_lines()
        assert ["u", "Undo", "delete"] not in help_lines()
        await pilot.press("escape", "D")
        await settle(pilot)
        await pilot.press("y", "question_mark")
        await settle(pilot)
        assert ["u", "Undo", "delete"] in help_lines()


async def test_on_a_contact_page_d_deletes_the_deal_or_task_that_has_the_focus(
    db, data, make_app, settle
):
    from crmtui.core.deals import get_deal
    from crmtui.core.tasks import get_task

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_contact(data["zora"])
        await settle(pilot)
        await pilot.press("tab")  # from the timeline to her deals, the newest first
        await pilot.press("D")
        await settle(pilot)
        assert question(app).startswith("Delete the deal Audit?")
        await pilot.press("y")
        await settle(pilot)
        deals = app.screen.query_one("#contact-deals", DataTable)
        assert [str(deals.get_row_at(i)[0]) for i in range(deals.row_count)] == ["Website"]
        await pilot.press("tab")  # to her open tasks
        await pilot.press("D")
        await settle(pilot)
        assert question(app).startswith("Delete the task Send proposal?")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)  # she stays, without them
        assert app.screen.query_one("#contact-tasks", DataTable).row_count == 0
        with db.session() as session:
            with pytest.raises(NotFound):
                get_deal(session, data["deals"][1])
            with pytest.raises(NotFound):
                get_task(session, data["task"])
            assert session.get(Contact, data["zora"]) is not None


async def test_the_contact_list_catches_up_with_a_delete_and_its_undo_in_another_view(
    data, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Zora Quinn" in names(app)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter")  # Send proposal: Zora's page, over the Tasks view
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("D", "y")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert "Zora Quinn" not in names(app) and len(names(app)) == 30
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("u", "u", "escape")  # undone from the Tasks view
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert "Zora Quinn" in names(app)
