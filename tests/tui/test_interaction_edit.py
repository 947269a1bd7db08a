"""Correcting or deleting a logged interaction from a contact's timeline: enter, then e or D."""

from datetime import timedelta

from textual.widgets import DataTable, Input

from crmtui.core.contact_detail import contact_detail
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.delete import DeleteScreen
from crmtui.tui.screens.forms import EditInteractionScreen
from crmtui.tui.screens.history import HistoryScreen
from crmtui.tui.screens.interaction import InteractionScreen

from .conftest import NOW

SIZE = (120, 40)
KICK_OFF_AT = NOW - timedelta(days=50)  # as the shared data logs it


def detail(db, contact_id: int) -> dict:
    with db.session() as session:
        return contact_detail(session, contact_id)


async def open_kick_off(app, pilot, settle, contact_id: int, *then: str) -> None:
    """The contact's one interaction opened from its timeline, then `then` pressed."""
    app.push_screen(ContactDetailScreen(contact_id))
    await settle(pilot)
    await pilot.press("enter")  # the timeline has the focus, its one row the cursor
    await settle(pilot)
    assert isinstance(app.screen, InteractionScreen)
    if then:
        await pilot.press(*then)
        await settle(pilot)


async def test_e_opens_the_interaction_filled_in_and_saves_only_what_changed(
    db, data, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_kick_off(app, pilot, settle, data["zora"], "e")
        form = app.screen
        assert isinstance(form, EditInteractionScreen)
        assert form.query_one("#summary", Input).value == "Kick-off"
        assert form.query_one("#outcome", Input).value == "keen"
        assert not form.query("#followup")  # a follow-up is for new ones
        form.query_one("#summary", Input).value = "Kick-off meeting"
        form.query_one("#duration", Input).value = "45m"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        timeline = app.screen.query_one("#timeline", DataTable)
        assert "Kick-off meeting" in [str(cell) for cell in timeline.get_row_at(0)]

    (interaction,) = detail(db, data["zora"])["interactions"]
    assert (interaction["subject"], interaction["duration_seconds"]) == ("Kick-off meeting", 2700)
    assert interaction["occurred_at"] == KICK_OFF_AT  # shown to the minute, kept to the second
    assert interaction["outcome"] == "keen"


async def test_a_bad_edit_stays_in_the_form_with_the_reason(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_kick_off(app, pilot, settle, data["zora"], "e")
        app.screen.query_one("#summary", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditInteractionScreen)
        assert "summary" in str(app.screen.query_one("#summary-error").render())
    assert detail(db, data["zora"])["interactions"][0]["subject"] == "Kick-off"


async def test_D_deletes_it_after_asking_and_u_brings_it_back(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_kick_off(app, pilot, settle, data["zora"], "D")
        assert isinstance(app.screen, DeleteScreen)
        assert "Kick-off" in str(app.screen.query_one("#delete-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert len(detail(db, data["zora"])["interactions"]) == 1

        await pilot.press("enter", "D")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.query_one("#timeline", DataTable).row_count == 0
        after = detail(db, data["zora"])
        assert after["interactions"] == [] and after["contact"]["last_contacted_at"] is None

        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#timeline", DataTable).row_count == 1
    restored = detail(db, data["zora"])
    assert [i["subject"] for i in restored["interactions"]] == ["Kick-off"]
    assert restored["contact"]["last_contacted_at"] == KICK_OFF_AT
