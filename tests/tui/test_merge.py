"""Merging a duplicate contact from its page, and undoing it from the history."""

import io

import pytest
from rich.console import Console
from sqlalchemy import select
from textual.widgets import DataTable, OptionList, Static

from crmtui.core.contacts import add_contact
from crmtui.core.interactions import log_interaction
from crmtui.core.models import Contact, Interaction
from crmtui.core.schemas import ContactInput, InteractionInput
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.history import HistoryScreen
from crmtui.tui.screens.merge import MergePickScreen, MergeScreen

SIZE = (120, 40)


@pytest.fixture
def twin(db, data):
    """Zora Quinn's duplicate, entered again under another email, with a call of its own and an
    opt-out (Zora herself is subscribed)."""
    with db.transaction(username="sam") as session:
        other = add_contact(
            session,
            ContactInput(
                name="Zora Quinn", emails=["z.quinn@work.example"], job_title="Founder",
                email_consent="unsubscribed",
            ),
        )  # fmt: skip
        call = log_interaction(
            session, InteractionInput(contact=str(other.id), kind="call", subject="Pricing")
        )
        return {"id": other.id, "call": call.id}


def cursor_name(app) -> str:
    table = app.screen.query_one("#contacts", DataTable)
    return str(table.get_row_at(table.cursor_row)[0])


def list_ids(app) -> list[int]:
    table = app.screen.query_one("#contacts", DataTable)
    return [int(key.value) for key in table.rows]


def offered(app) -> list[int]:
    assert isinstance(app.screen, MergePickScreen)
    matches = app.screen.query_one("#merge-matches", OptionList)
    return [int(matches.get_option_at_index(i).id) for i in range(matches.option_count)]


def plan_shown(app) -> str:
    assert isinstance(app.screen, MergeScreen)
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(app.screen.query_one("#merge-plan", Static).content)
    return console.export_text()


def contact_ids(db) -> set[int]:
    with db.session() as session:
        return set(session.scalars(select(Contact.id)))


async def open_zora(app, pilot, settle, zora: int) -> None:
    """The list's search for her (both Zoras match), then the first one's page."""
    await settle(pilot)
    await pilot.press("slash", *"zora", "enter")
    await settle(pilot)
    table = app.screen.query_one("#contacts", DataTable)
    table.move_cursor(row=list_ids(app).index(zora))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ContactDetailScreen)


async def pick_twin(app, pilot, settle, twin_id: int, zora: int) -> None:
    await pilot.press("m")
    await settle(pilot)
    assert twin_id in offered(app) and zora not in offered(app)  # not herself
    while offered(app)[app.screen.query_one(OptionList).highlighted] != twin_id:
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


async def test_a_confirmed_merge_moves_the_duplicates_call_and_drops_it_from_the_list(
    db, data, twin, make_app, settle, notified
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_zora(app, pilot, settle, data["zora"])
        await pick_twin(app, pilot, settle, twin["id"], data["zora"])
        plan = plan_shown(app)
        assert f"Merge Zora Quinn (contact {twin['id']}) into Zora Quinn" in plan
        assert "1 interaction" in plan and "z.quinn@work.example" in plan
        await pilot.press("y")
        await settle(pilot)

        assert isinstance(app.screen, ContactDetailScreen)
        card = str(app.screen.query_one("#contact-card", Static).render())
        assert "z.quinn@work.example" in card and "Founder" in card  # the page read again
        timeline = app.screen.query_one("#timeline", DataTable)
        assert timeline.row_count == 2  # her meeting and the duplicate's call
        assert any(m.startswith(f"Merged Zora Quinn (contact {twin['id']})") for m in notified)
        assert any("h opens its history, where u splits them" in m for m in notified)
        with db.session() as session:
            assert session.get(Contact, twin["id"]) is None
            assert session.get(Interaction, twin["call"]).contact_id == data["zora"]
        await pilot.press("escape")
        await settle(pilot)
        assert list_ids(app) == [data["zora"]]  # the duplicate left the list


@pytest.mark.parametrize("where", ["picker", "plan"])
async def test_escape_keeps_both(db, data, twin, make_app, settle, where):
    before = contact_ids(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_zora(app, pilot, settle, data["zora"])
        if where == "picker":
            await pilot.press("m")
            await settle(pilot)
            assert twin["id"] in offered(app)  # her name, typed in to start with, finds it
            await pilot.press("ctrl+u")
            await settle(pilot)
            assert offered(app) == []
            hint = str(app.screen.query_one("#merge-found", Static).render())
            assert hint == "Type a name, email, company or phone"
        else:
            await pick_twin(app, pilot, settle, twin["id"], data["zora"])
            assert isinstance(app.screen, MergeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
    assert contact_ids(db) == before


async def test_the_plan_says_the_opt_out_wins_and_what_zora_keeps(db, data, twin, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_zora(app, pilot, settle, data["zora"])
        await pick_twin(app, pilot, settle, twin["id"], data["zora"])
        lines = [" ".join(line.split()) for line in plan_shown(app).splitlines()]
        assert "Changes email consent: subscribed → unsubscribed (an opt-out on either wins)" in (
            lines
        )
        assert "Fills job title: Founder" in lines
        await pilot.press("n")
        await settle(pilot)
    with db.session() as session:
        assert session.get(Contact, data["zora"]).email_consent == "subscribed"


async def test_a_locked_database_says_so_in_the_dialog_and_merges_nothing(
    db, data, twin, beside_a_writer, settle
):
    before = contact_ids(db)
    with beside_a_writer() as (app, other, _database):
        async with app.run_test(size=SIZE) as pilot:
            await open_zora(app, pilot, settle, data["zora"])
            await pick_twin(app, pilot, settle, twin["id"], data["zora"])
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(app.screen, MergeScreen)  # still asking, with the reason
            said = str(app.screen.query_one("#merge-error", Static).render())
            assert "locked" in said and "Nothing was merged" in said
            assert contact_ids(db) == before
            other.execute("ROLLBACK")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ContactDetailScreen)
    assert contact_ids(db) == before


async def test_undo_in_the_history_splits_them_again(db, data, twin, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_zora(app, pilot, settle, data["zora"])
        await pick_twin(app, pilot, settle, twin["id"], data["zora"])
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("u")  # the merge, the latest change
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#timeline", DataTable).row_count == 1  # her meeting only
        with db.session() as session:
            assert session.get(Contact, twin["id"]).job_title == "Founder"
            assert session.get(Interaction, twin["call"]).contact_id == twin["id"]
            assert session.get(Contact, data["zora"]).email_consent == "subscribed"
        await pilot.press("escape")
        await settle(pilot)
        assert twin["id"] in list_ids(app)  # back in the list


async def test_help_and_the_palette_offer_the_merge(data, make_app, settle):
    from crmtui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        assert ["m", "Merge", "a", "duplicate", "in"] in [
            line.split() for line in text.splitlines()
        ]
        await pilot.press("escape")
        await settle(pilot)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "Merge a duplicate in" in commands


async def test_a_merge_the_core_refuses_says_why_in_the_dialog(db, data, make_app, settle):
    before = contact_ids(db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_zora(app, pilot, settle, data["zora"])
        app.push_screen(MergeScreen(data["zora"], data["zora"]))  # the picker never offers her
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        said = str(app.screen.query_one("#merge-error", Static).render())
        assert f"cannot merge contact {data['zora']} into itself" in said
        assert "Nothing was merged" in said
    assert contact_ids(db) == before


def test_the_plan_says_what_it_drops_where_the_two_disagree():
    from crmtui.tui.screens.merge import plan_rows

    report = {
        "deals": [], "tasks": [], "interactions": [], "emails_added": [], "phones_added": [],
        "tags_added": [], "filled": [], "changed": [],
        "kept": [{"field": "street", "kept": None, "dropped": "34 Rue Saint-Denis"},
                 {"field": "city", "kept": "Madrid", "dropped": "Amsterdam"}],
    }  # fmt: skip
    rows = plan_rows(report)
    assert ("Keeps", "city: Madrid (drops Amsterdam)") in rows
    assert ("Drops", "street: 34 Rue Saint-Denis (the two disagree)") in rows
    assert not any("None" in line for _, line in rows)


async def test_m_on_the_list_merges_a_duplicate_into_the_contact_under_the_cursor(
    db, data, twin, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zora", "enter")
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        table.move_cursor(row=list_ids(app).index(data["zora"]))
        await pick_twin(app, pilot, settle, twin["id"], data["zora"])
        assert f"into Zora Quinn (contact {data['zora']})" in plan_shown(app)
        await pilot.press("y")
        await settle(pilot)

        assert list_ids(app) == [data["zora"]]  # the duplicate's row went, hers stayed
        assert cursor_name(app) == "Zora Quinn"
    with db.session() as session:
        assert session.get(Contact, twin["id"]) is None
        assert session.get(Interaction, twin["call"]).contact_id == data["zora"]
