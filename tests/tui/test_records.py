"""The app on a contact's records: its history and undo, its tasks, the list after a new contact."""

from textual.widgets import DataTable, Static

from crmtui.core.contacts import contact_rows, get_contact, update_contact
from crmtui.core.schemas import ContactInput
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.history import HistoryScreen

SIZE = (120, 40)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_history(app, pilot, settle, contact_id: int) -> HistoryScreen:
    app.push_screen(ContactDetailScreen(contact_id))
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


async def test_history_shows_the_whole_of_a_long_change(db, data, make_app, settle):
    long_note = "They asked about pricing for two hundred seats and a nonprofit discount."
    with db.transaction(username="kim") as session:
        contact = get_contact(session, data["zora"])
        update_contact(
            session,
            contact,
            ContactInput(emails=["zora@quinn.example", "zq@home.example"], notes=long_note),
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        history = await open_history(app, pilot, settle, data["zora"])
        shown = " ".join(text_of(history, "#history-detail").split())
        assert "zq@home.example" in shown and "notes:" in shown  # past the 60 cells of the table


async def test_u_in_history_undoes_the_change_under_the_cursor(db, data, make_app, settle):
    with db.transaction(username="kim") as session:
        update_contact(session, get_contact(session, data["zora"]), ContactInput(job_title="CEO"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        history = await open_history(app, pilot, settle, data["zora"])
        await pilot.press("u")
        await settle(pilot)
        table = history.query_one("#history", DataTable)
        assert "CEO" in str(table.get_row_at(0)[4])  # the undo, newest, itself recorded
        assert str(table.get_row_at(0)[2]) == "sam"
        await pilot.press("escape")
        await settle(pilot)
        card = text_of(app.screen, "#contact-card")
        assert "CEO" not in card  # the contact's page shows the field as it was
    with db.session() as session:
        assert get_contact(session, data["zora"]).job_title is None


async def test_undo_refused_says_why_and_changes_nothing(db, data, make_app, settle):
    with db.transaction(username="kim") as session:
        update_contact(session, get_contact(session, data["zora"]), ContactInput(job_title="CEO"))
        update_contact(session, get_contact(session, data["zora"]), ContactInput(job_title="CTO"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        history = await open_history(app, pilot, settle, data["zora"])
        await pilot.press("down", "u")  # the first edit: a later one changed the same field
        await settle(pilot)
        assert "was changed since" in text_of(history, "#history-error")
        assert history.query_one("#history", DataTable).row_count == 3  # no undo recorded
    with db.session() as session:
        assert contact_rows(session, [get_contact(session, data["zora"])])[0]["job_title"] == "CTO"


async def test_the_contact_page_tables_fit_the_terminal(db, data, make_app, settle):
    from datetime import timedelta

    from crmtui.core.interactions import log_interaction
    from crmtui.core.schemas import InteractionInput

    from .conftest import NOW

    with db.transaction(username="kim") as session:
        log_interaction(
            session,
            InteractionInput(
                contact=str(data["zora"]), kind="call", subject="Pricing for two hundred seats",
                occurred_at=NOW - timedelta(days=1), outcome="needs follow-up",
            ),
        )  # fmt: skip
    for size in ((80, 24), (120, 40)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.push_screen(ContactDetailScreen(data["zora"]))
            await settle(pilot)
            for selector in ("#timeline", "#contact-deals", "#contact-tasks"):
                table = app.screen.query_one(selector, DataTable)
                assert table.virtual_size.width <= table.scrollable_content_region.width, selector
            if size == (120, 40):  # room to spare: the summary and the outcome are whole
                timeline = app.screen.query_one("#timeline", DataTable)
                widths = {str(c.label): c.width for c in timeline.columns.values()}
                assert widths["Summary"] >= len("Pricing for two hundred seats")
                assert widths["Outcome"] >= len("needs follow-up")


def task_rows_shown(app) -> list[tuple[str, str]]:
    """(group, title) of each row of the Tasks view."""
    table = app.screen.query_one("#tasks", DataTable)
    return [
        (str(table.get_row_at(i)[0]), str(table.get_row_at(i)[2])) for i in range(table.row_count)
    ]


async def test_e_in_tasks_reschedules_the_task_under_the_cursor(db, data, make_app, settle):
    from crmtui.core.tasks import get_task
    from crmtui.tui.screens.forms import TaskFormScreen

    from .conftest import NOW

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert task_rows_shown(app)[0] == ("Overdue", "Send proposal")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TaskFormScreen)
        due = app.screen.query_one("#due")
        assert due.has_focus and due.value  # the date to change, filled in
        await pilot.press(*"+2d", "ctrl+s")  # typed over the old date
        await settle(pilot)
        assert ("This week", "Send proposal") in task_rows_shown(app)
        assert ("Overdue", "Send proposal") not in task_rows_shown(app)
    with db.session() as session:
        assert get_task(session, data["task"]).due_at == NOW.replace(day=NOW.day + 2)


async def test_n_in_tasks_adds_a_task_and_a_bad_date_is_shown_at_its_field(
    db, data, make_app, settle
):
    from textual.widgets import Input

    from crmtui.tui.screens.forms import TaskFormScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TaskFormScreen)
        await pilot.press(*"Renew domain", "tab", *"whenever", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskFormScreen)
        assert "cannot read the date" in text_of(app.screen, "#due-error")
        app.screen.query_one("#due", Input).value = "today 18:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ("Today", "Renew domain") in task_rows_shown(app)


async def test_a_contacts_open_tasks_are_added_done_and_rescheduled_on_its_page(
    db, data, make_app, settle
):
    from textual.widgets import Input

    from crmtui.core.tasks import get_task

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        tasks = app.screen.query_one("#contact-tasks", DataTable)
        assert tasks.row_count == 1
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Send the contract")
        app.screen.query_one("#due", Input).value = "tomorrow 9:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        titles = [str(tasks.get_row_at(i)[1]) for i in range(tasks.row_count)]
        assert titles == ["Send proposal", "Send the contract"]
        tasks.focus()
        await pilot.press("x")  # the one under the cursor: the first
        await settle(pilot)
        assert [str(tasks.get_row_at(i)[1]) for i in range(tasks.row_count)] == [
            "Send the contract"
        ]
    with db.session() as session:
        assert get_task(session, data["task"]).done_at is not None


async def test_a_new_contact_is_selected_in_the_list_however_far_down(
    db, build_data, make_app, settle
):
    from textual.widgets import Input

    from crmtui.tui.screens.contacts import ContactsScreen

    build_data(300)  # "Nina Field" sorts after every first page of these
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "Nina Field"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        with db.session() as session:
            nina = get_contact(session, "Nina Field").id
        assert screen.selected_contact() == nina
        table = screen.query_one("#contacts", DataTable)
        above = str(table.get_row_at(table.cursor_row - 1)[0])
        assert above.startswith("Jonas")  # the list around it is there, to scroll up through
        await pilot.press("up")
        await settle(pilot)
        assert screen.selected_contact() != nina


async def test_o_opens_the_contacts_company_with_its_people_and_deals(db, data, make_app, settle):
    from crmtui.core.contacts import add_contact
    from crmtui.tui.screens.company import CompanyScreen

    with db.transaction(username="kim") as session:
        colleague = add_contact(
            session, ContactInput(name="Quentin Quinn", company="QUINN & CO")
        ).id
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert "Quinn & Co" in text_of(app.screen, "#company-card")
        people = app.screen.query_one("#company-contacts", DataTable)
        names = [str(people.get_row_at(i)[0]) for i in range(people.row_count)]
        assert names == ["Quentin Quinn", "Zora Quinn"]
        deals = app.screen.query_one("#company-deals", DataTable)
        titles = sorted(str(deals.get_row_at(i)[0]) for i in range(deals.row_count))
        assert titles == ["Audit", "Website"]
        await pilot.press("enter")  # the first of its people
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == colleague
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == data["zora"]


async def test_o_on_a_contact_without_a_company_says_so(db, data, make_app, settle, notified):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(4))  # Dmitri: COMPANIES[3] is None
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert any("has no company" in m for m in notified)


async def test_the_command_palette_finds_a_company_and_opens_it(db, data, make_app, settle):
    from crmtui.tui.app import ContactSearchProvider
    from crmtui.tui.screens.company import CompanyScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = ContactSearchProvider(app.screen)
        hits = {hit.text: hit async for hit in provider.search("quinn")}
        assert "Contact: Zora Quinn" in hits
        hits["Company: Quinn & Co"].command()
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert "Quinn & Co" in text_of(app.screen, "#company-card")


async def test_the_tasks_view_at_80_columns_gives_the_title_the_room(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        widths = {str(c.label): c.width for c in table.columns.values()}
        assert widths["Task"] >= len("Prepare renewal offer")
        assert table.virtual_size.width <= table.scrollable_content_region.width
        status = text_of(app.screen, "#tasks-status")
        assert "Overdue: 1" in status and "No date: 0" in status


async def test_the_footer_is_laid_out_again_only_when_its_keys_change(
    db, data, make_app, settle, monkeypatch
):
    from textual.widgets import Footer

    laid_out = []
    recompose = Footer.recompose

    async def counted(footer):
        laid_out.append(footer.screen)
        return await recompose(footer)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        laid_out.clear()
        await pilot.press("enter")  # a contact's page: focus, then three tables filled
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert len(laid_out) <= 1
        app.push_screen(ContactDetailScreen(data["zora"]))  # one with an open task
        await settle(pilot)
        await pilot.press("tab", "tab")  # to its open tasks: their own keys show
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        shown = " ".join(str(key.render()) for key in footer.children)
        assert "Done" in shown and "Reschedule" in shown


async def test_the_tasks_view_shows_a_task_done_elsewhere_since(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert ("Overdue", "Send proposal") in task_rows_shown(app)
        await pilot.press("enter")  # its contact's page, over the Tasks view
        await settle(pilot)
        app.screen.query_one("#contact-tasks", DataTable).focus()
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("escape")  # back to the Tasks view
        await settle(pilot)
        assert ("Overdue", "Send proposal") not in task_rows_shown(app)
        await pilot.press("c", "t")  # and through another view
        await settle(pilot)
        assert ("Overdue", "Send proposal") not in task_rows_shown(app)


async def test_the_board_shows_a_deal_added_on_a_contacts_page_since(db, data, make_app, settle):
    from textual.widgets import Input, OptionList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        lead = app.screen.query(OptionList).first()
        assert lead.option_count == 2
        await pilot.press("c")
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        app.screen.query_one("#title", Input).value = "Support plan"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        lead = app.screen.query(OptionList).first()
        assert lead.option_count == 3


async def test_a_tag_retyped_in_another_case_stays_on_the_contact(db, data, make_app, settle):
    from textual.widgets import Input

    from crmtui.tui.screens.forms import ContactFormScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ContactFormScreen)
        app.screen.query_one("#tags", Input).value = "Partner, vip"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
    with db.session() as session:
        tags = contact_rows(session, [get_contact(session, data["zora"])])[0]["tags"]
    assert sorted(tag.lower() for tag in tags) == ["partner", "vip"]


async def test_enter_on_the_timeline_shows_the_whole_interaction(db, data, make_app, settle):
    from datetime import timedelta

    from crmtui.core.interactions import log_interaction
    from crmtui.core.schemas import InteractionInput

    from .conftest import NOW

    body = "They asked about pricing for two hundred seats. " * 6 + "The end of the note."
    with db.transaction(username="kim") as session:
        log_interaction(
            session,
            InteractionInput(
                contact=str(data["zora"]), kind="note", subject="Trade fair in Hannover",
                body=body, occurred_at=NOW - timedelta(hours=1), outcome="keen",
            ),
        )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        await pilot.press("enter")  # the newest, first on the timeline
        await settle(pilot)
        shown = " ".join(text_of(app.screen, "#interaction-text").split())
        assert "Trade fair in Hannover" in shown and "The end of the note." in shown
        assert "keen" in shown and "kim" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, ContactDetailScreen)


async def test_the_log_form_takes_a_note_and_the_timeline_shows_it_whole(
    db, data, make_app, settle
):
    from sqlalchemy import select
    from textual.widgets import Input

    from crmtui.core.models import Interaction

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_contact(data["zora"])
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one("#summary", Input).value = "Pricing call"
        app.screen.query_one("#note", Input).value = "Wants 200 seats; asked for a nonprofit rate."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert "nonprofit rate" in text_of(app.screen, "#interaction-text")
    with db.session() as session:
        logged = session.scalars(select(Interaction).where(Interaction.subject == "Pricing call"))
        assert logged.one().body == "Wants 200 seats; asked for a nonprofit rate."


async def test_a_new_task_in_the_tasks_view_can_name_its_contact(db, data, make_app, settle):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#title", Input).value = "Send the brochure"
        app.screen.query_one("#contact", Input).value = "Nobody Here"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no contact" in text_of(app.screen, "#contact-error")
        app.screen.query_one("#contact", Input).value = "zora@quinn.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["Send the brochure", "Zora Quinn"] in [row[2:4] for row in rows]


async def test_a_deals_history_is_titled_with_the_deal(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        title = str(app.screen.query_one(".form-title").render())
        assert title == "History of Website"


def company_names(app) -> list[str]:
    table = app.screen.query_one("#companies", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_o_lists_the_companies_searchable_and_opens_one(db, data, make_app, settle):
    from crmtui.tui.screens.companies import CompaniesScreen
    from crmtui.tui.screens.company import CompanyScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)
        assert company_names(app) == [
            "Analytical Engines",
            "Brightwater",
            "Cobalt Labs",
            "Quinn & Co",
        ]
        table = app.screen.query_one("#companies", DataTable)
        assert str(table.get_row_at(0)[-1]) == "8"  # its people: contacts 0, 4, 8 ... of 30
        assert table.virtual_size.width <= table.scrollable_content_region.width  # all on screen
        await pilot.press("slash", *"cob")
        await settle(pilot)
        assert company_names(app) == ["Cobalt Labs"]
        await pilot.press("enter", "enter")  # to the list, then open
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert "Cobalt Labs" in text_of(app.screen, "#company-card")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)
        assert company_names(app) == ["Cobalt Labs"]  # the search kept


async def test_a_long_timeline_reads_on_as_the_cursor_goes_down(
    db, data, make_app, settle, monkeypatch
):
    from datetime import timedelta

    from crmtui.core.interactions import log_interaction
    from crmtui.core.schemas import InteractionInput
    from crmtui.tui.screens import contact_detail

    from .conftest import NOW

    monkeypatch.setattr(contact_detail, "TIMELINE_LIMIT", 5)
    with db.transaction(username="kim") as session:
        for n in range(12):
            log_interaction(
                session,
                InteractionInput(
                    contact=str(data["zora"]), kind="call", subject=f"Call {n:02d}",
                    occurred_at=NOW - timedelta(hours=n),
                ),
            )  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(data["zora"]))
        await settle(pilot)
        timeline = app.screen.query_one("#timeline", DataTable)
        assert timeline.row_count == 5
        assert "older ones" in str(app.screen.query_one("#timeline-label").render())
        for _ in range(14):
            await pilot.press("down")
            await settle(pilot)
        summaries = [str(timeline.get_row_at(i)[2]) for i in range(timeline.row_count)]
        assert summaries == [*(f"Call {n:02d}" for n in range(12)), "Kick-off"]  # newest first
        assert str(app.screen.query_one("#timeline-label").render()) == "Timeline"


async def test_e_on_an_empty_task_list_edits_the_contact(db, data, make_app, settle):
    from textual.widgets import Footer

    from crmtui.tui.screens.forms import ContactFormScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(1))  # no open tasks
        await settle(pilot)
        app.screen.query_one("#contact-tasks", DataTable).focus()
        await settle(pilot)
        footer = " ".join(str(key.render()) for key in app.screen.query_one(Footer).children)
        assert "Reschedule" not in footer and "Edit" in footer
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ContactFormScreen)


async def test_the_tasks_view_offers_done_and_reschedule_only_with_a_task(db, make_app, settle):
    from textual.widgets import Footer

    app = make_app()  # an empty database
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        footer = " ".join(str(key.render()) for key in app.screen.query_one(Footer).children)
        assert "Done" not in footer and "Reschedule" not in footer and "New task" in footer


async def test_an_empty_database_says_how_to_begin(db, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text_of(app.screen, "#contacts-status")
        assert status.startswith("No contacts yet: n adds one")
        await pilot.press("slash", *"zed")  # a search finding nothing is not a new database
        await settle(pilot)
        assert text_of(app.screen, "#contacts-status").startswith("0 contacts")


async def test_resizing_keeps_the_cursor_on_the_same_company(db, data, make_app, settle):
    from crmtui.tui.screens.company import CompanyScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "down")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert app.screen.company_name == "Cobalt Labs"


async def test_resizing_keeps_the_tasks_cursor(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("down")
        table = app.screen.query_one("#tasks", DataTable)
        assert str(table.get_row_at(table.cursor_row)[2]) == "Call back"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert str(table.get_row_at(table.cursor_row)[2]) == "Call back"


async def test_a_company_is_edited_renamed_and_its_history_shown(db, data, make_app, settle):
    from textual.widgets import Input

    from crmtui.tui.screens.company import CompanyScreen
    from crmtui.tui.screens.forms import CompanyFormScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_company("Cobalt Labs")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CompanyFormScreen)
        assert app.screen.query_one("#name", Input).value == "Cobalt Labs"
        app.screen.query_one("#name", Input).value = "Cobalt Laboratories"
        app.screen.query_one("#industry", Input).value = "Chemicals"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        card = text_of(app.screen, "#company-card")
        assert "Cobalt Laboratories" in card and "Chemicals" in card
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#history", DataTable)
        assert "Chemicals" in str(table.get_row_at(0)[4])


async def test_a_new_contact_the_filter_hides_is_said_so(db, data, make_app, settle, notified):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.filters = {"tag": "vip"}
        app.screen.refresh_data()
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "Nina Field"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Nina Field is saved; the filter leaves it out of the list" in notified
