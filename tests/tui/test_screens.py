"""The full-screen app driven by Pilot on a real database: search, paging, forms, board, tasks."""

from sqlalchemy import func, select
from textual.widgets import DataTable, Input, OptionList, Static

from crmtui.core.contact_detail import contact_detail
from crmtui.core.deals import deal_history, get_deal
from crmtui.core.models import Contact, Interaction, Stage
from crmtui.core.tasks import get_task
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.forms import ContactFormScreen

SIZE = (120, 40)


def names(app) -> list[str]:
    table = app.screen.query_one("#contacts", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_search_narrows_the_table_as_you_type(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(names(app)) == 31
        await pilot.press("slash", *"zora")
        await settle(pilot)
        assert names(app) == ["Zora Quinn"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(names(app)) == 31


async def test_one_letter_already_narrows_the_table(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "z")
        await settle(pilot)
        assert names(app) == ["Zora Quinn"]


async def test_scrolling_down_loads_the_next_pages(build_data, make_app, settle):
    build_data(300)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        assert 0 < table.row_count < 301  # the first pages only
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.row_count == 301
        assert len(set(names(app))) == 301
        assert "301 contacts" in str(app.screen.query_one("#contacts-status", Static).render())


async def test_the_status_counts_the_whole_list_not_the_rows_loaded(build_data, make_app, settle):
    build_data(300)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        assert table.row_count < 301
        assert status(app).startswith("301 contacts")


async def test_a_long_list_is_held_as_a_window_end_and_home_jump(
    build_data, make_app, settle, monkeypatch
):
    from crmtui.tui.screens import contacts, paged_list

    monkeypatch.setattr(paged_list, "MAX_ROWS", 200)
    build_data(300)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = names(app)[0]
        seen = set(names(app))
        for _ in range(12):  # a page and a half of the screen at a time, to the bottom
            await pilot.press("pagedown")
            await settle(pilot)
            assert len(names(app)) <= 200
            seen.update(names(app))
        assert len(seen) == 301  # every contact passed by, never more than 200 held
        assert names(app)[-1] == "Zora Quinn"
        for _ in range(12):  # and back up: the rows forgotten above come back
            await pilot.press("pageup")
            await settle(pilot)
        assert names(app)[0] == first
        await pilot.press("end")
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        assert names(app)[-1] == "Zora Quinn" and table.cursor_row == table.row_count - 1
        assert len(names(app)) == 2 * contacts.PAGE  # the last page read backwards, one above
        await pilot.press("home")
        await settle(pilot)
        assert names(app)[0] == first and table.cursor_row == 0


async def test_enter_opens_the_contact_with_timeline_deals_and_tasks(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"zora", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert cells(app.screen.query_one("#timeline", DataTable), 0)[2] == "Kick-off"
        deals = app.screen.query_one("#contact-deals", DataTable)
        assert sorted(cells(deals, i)[2] for i in range(deals.row_count)) == [
            "1,500.00 EUR", "800.00 EUR"
        ]  # fmt: skip
        assert cells(app.screen.query_one("#contact-tasks", DataTable), 0)[1] == "Send proposal"
        await pilot.press("escape")
        assert not isinstance(app.screen, ContactDetailScreen)


async def test_the_log_form_names_the_contact_selected_in_the_list(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = names(app)[0]
        await pilot.press("l")
        await pilot.pause()
        title = str(app.screen.query_one(".form-title", Static).render())
        assert title == f"Log an interaction with {first}"


async def test_logging_a_call_adds_it_to_the_timeline_and_last_contacted(
    db, data, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_contact(data["zora"])
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        title = str(app.screen.query_one(".form-title", Static).render())
        assert title == "Log an interaction with Zora Quinn"
        app.screen.query_one("#summary", Input).value = "Pricing call"
        app.screen.query_one("#duration", Input).value = "15m"
        app.screen.query_one("#followup", Input).value = "Send quote"
        app.screen.query_one("#followup_due", Input).value = "2026-03-20 09:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        first = cells(app.screen.query_one("#timeline", DataTable), 0)
        assert (first[1], first[2]) == ("call", "Pricing call")
        tasks = app.screen.query_one("#contact-tasks", DataTable)
        assert "Send quote" in [cells(tasks, i)[1] for i in range(tasks.row_count)]
    with db.session() as session:
        detail = contact_detail(session, data["zora"])
    assert detail["contact"]["last_contacted_at"] == app.now()
    assert detail["interactions"][0]["duration_seconds"] == 900


async def test_an_invalid_email_is_refused_in_the_form_and_nothing_is_saved(
    db, data, make_app, settle
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "Nina Bad"
        app.screen.query_one("#emails", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactFormScreen)
        error = app.screen.query_one("#emails-error", Static)
        assert error.display and "not-an-email" in str(error.render())
        assert app.screen.query_one("#emails", Input).has_class("-invalid")
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) == 31
        app.screen.query_one("#emails", Input).value = "nina@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactFormScreen)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 32


def cells(table: DataTable, row: int) -> list[str]:
    """A row's cells as the text they show."""
    return [str(cell) for cell in table.get_row_at(row)]


def board_titles(app) -> list[list[str]]:
    return [
        [str(o.prompt).split("\n")[0] for o in cards.options if o.id]
        for cards in app.screen.query(OptionList)
    ]


async def test_moving_a_deal_updates_the_board_and_its_history(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        assert board_titles(app)[0] == ["Website", "Audit"]
        website = str(app.screen.query(OptionList).first().get_option_at_index(0).prompt)
        assert website.split("\n")[-1].startswith("1,500.00 EUR  ")  # then its age
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert board_titles(app)[:2] == [["Audit"], ["Website"]]
        assert app.screen.selected_deal() == data["deals"][0]  # the cursor follows the card
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert board_titles(app)[:2] == [["Audit", "Website"], []]  # oldest in stage first
    with db.session() as session:
        history = deal_history(session, get_deal(session, data["deals"][0]))
    stages = [step["to"] for step in history]
    assert len(stages) == 3 and stages[0] == stages[2] != stages[1]


async def test_marking_a_deal_lost_asks_why(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down", "x")
        await pilot.pause()
        app.screen.query_one("#reason", Input).value = "went elsewhere"
        await pilot.press("enter")
        await settle(pilot)
        assert board_titles(app)[0] == ["Website"]
    with db.session() as session:
        deal = get_deal(session, data["deals"][1])
    assert (deal.status, deal.lost_reason) == ("lost", "went elsewhere")


async def test_marking_a_task_done_removes_it_from_the_due_list(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        assert [cells(table, i)[2] for i in range(table.row_count)] == [
            "Send proposal",
            "Call back",
        ]
        await pilot.press("x")
        await settle(pilot)
        assert [cells(table, i)[2] for i in range(table.row_count)] == ["Call back"]
        await pilot.press("enter")
        await settle(pilot)
    with db.session() as session:
        assert get_task(session, data["task"]).done_at is not None


async def test_a_task_with_no_due_date_is_listed_last_not_lost(db, data, make_app, settle):
    from crmtui.core.schemas import TaskInput
    from crmtui.core.tasks import add_task

    with db.transaction(username="sam") as session:
        add_task(session, TaskInput(title="Ask about the renewal", contact=str(data["zora"])))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        rows = [cells(table, i) for i in range(table.row_count)]
        status = str(app.screen.query_one("#tasks-status", Static).render())
    assert [(r[0], r[1], r[2]) for r in rows[-1:]] == [("No date", "", "Ask about the renewal")]
    assert "No date: 1" in status


async def test_help_lists_the_keys_of_the_screen(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text", Static).render())
        for description in ("Search", "Sort", "Filter", "Log", "Pipeline", "Tasks", "Quit"):
            assert description in text
        await pilot.press("escape")
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"


async def test_help_on_the_board_shows_each_move_once_with_its_bracket_key(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = str(app.screen.query_one("#help-text", Static).render()).splitlines()
        assert [" ".join(line.split()) for line in lines if "stage" in line] == [
            "] Next stage",
            "[ Prev stage",
        ]


async def test_the_palette_jumps_to_a_contact_by_name(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"zora")
        for _ in range(50):  # the palette searches in the background
            await pilot.pause(0.05)
            if "Zora" in str(app.screen.query("CommandList").first().render_line(0)):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == data["zora"]


async def test_refresh_shows_what_another_process_wrote(db, data, make_app, settle):
    from crmtui.core.contacts import add_contact
    from crmtui.core.schemas import ContactInput

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with db.transaction(username="cli") as session:  # as `crm contact add` would
            add_contact(session, ContactInput(name="Aaron Early"))
        assert "Aaron Early" not in names(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert names(app)[0] == "Aaron Early"


async def test_filter_by_tag_and_sort_newest_first(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#tag", Input).value = "partner"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert names(app) == ["Zora Quinn"]
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#tag", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("s", "s")
        await settle(pilot)
        assert names(app)[0] == "Zora Quinn"  # the last one added
        assert "sort: created ▼" in str(app.screen.query_one("#contacts-status", Static).render())


def status(app) -> str:
    return str(app.screen.query_one("#contacts-status", Static).render())


async def test_sort_by_last_contacted_and_reverse_from_the_keyboard(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert names(app)[:2] == ["Ada Lovelace", "Ada Müller"]
        await pilot.press("s")
        await settle(pilot)
        assert names(app)[0] == "Zora Quinn"  # the only one ever contacted, most recent first
        assert "sort: last contacted ▼" in status(app)
        await pilot.press("S")
        await settle(pilot)
        assert names(app)[-1] == "Zora Quinn" and len(names(app)) == 31
        assert "sort: last contacted ▲" in status(app)
        await pilot.press("s", "s")  # created, then round to name again
        await settle(pilot)
        assert names(app)[:2] == ["Ada Lovelace", "Ada Müller"]
        assert "sort: name ▲" in status(app)
        palette = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Sort", "Reverse sort"} <= set(palette)


async def test_clicking_a_header_sorts_by_it_and_again_reverses(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)

        def header_x(key: str) -> int:
            x = 0
            for column in table.ordered_columns:
                if column.key.value == key:
                    return x + 2
                x += column.get_render_width(table)
            raise AssertionError(key)

        assert str(table.columns["name"].label) == "Name ▲"
        await pilot.click("#contacts", offset=(header_x("name"), 0))
        await settle(pilot)
        assert names(app)[0] == "Zora Quinn" and str(table.columns["name"].label) == "Name ▼"
        await pilot.click("#contacts", offset=(header_x("last"), 0))
        await settle(pilot)
        assert "sort: last contacted ▼" in status(app)
        assert str(table.columns["last"].label) == "Contacted ▼"
        assert str(table.columns["name"].label) == "Name"
        await pilot.click("#contacts", offset=(header_x("email"), 0))
        await settle(pilot)
        assert "sort: last contacted ▼" in status(app)  # not a sort: the order stays


async def test_a_locked_database_is_reported_not_fatal(data, beside_a_writer, settle, notified):
    with beside_a_writer() as (app, other, database):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("t")
            await settle(pilot)
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("x")
            await settle(pilot)
            assert any("retrying" in m for m in notified)
            assert any("locked" in m and "retrying" not in m for m in notified)
            assert app.screen.query_one("#tasks", DataTable).row_count == 2
            other.execute("ROLLBACK")
            await pilot.press("x")
            await settle(pilot)
            assert app.screen.query_one("#tasks", DataTable).row_count == 1


async def test_a_stale_edit_shows_both_values_and_lets_you_choose(db, data, make_app, settle):
    from crmtui.core.contacts import get_contact, update_contact
    from crmtui.core.schemas import ContactInput

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactFormScreen(1))
        await settle(pilot)
        app.screen.query_one("#job_title", Input).value = "Countess"
        with db.transaction(username="kim") as session:  # meanwhile, someone else
            update_contact(session, get_contact(session, 1), ContactInput(job_title="Analyst"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactFormScreen)
        notice = str(app.screen.query_one("#form-error", Static).render())
        assert "yours 'Countess', theirs 'Analyst'" in notice
        with db.session() as session:
            assert get_contact(session, 1).job_title == "Analyst"

        await pilot.press("ctrl+l")
        assert app.screen.query_one("#job_title", Input).value == "Analyst"
        app.screen.query_one("#job_title", Input).value = "Countess"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactFormScreen)
    with db.session() as session:
        assert get_contact(session, 1).job_title == "Countess"


async def test_history_lists_who_changed_the_contact(db, data, make_app, settle):
    from crmtui.core.contacts import get_contact, update_contact
    from crmtui.core.schemas import ContactInput
    from crmtui.tui.screens.history import HistoryScreen

    with db.transaction(username="kim") as session:
        update_contact(session, get_contact(session, 1), ContactInput(job_title="Analyst"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(1))
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#history", DataTable)
        newest = [str(cell) for cell in table.get_row_at(0)]
        assert newest[2:4] == ["kim", "update"] and "Analyst" in newest[4]
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)][-1] == "create"
        await pilot.press("escape")
        assert isinstance(app.screen, ContactDetailScreen)


async def test_the_contact_form_saves_every_field(db, data, make_app, settle):
    from crmtui.core.contacts import contact_rows, get_contact
    from crmtui.core.users import add_user

    with db.transaction(username="sam") as session:
        add_user(session, "kim")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        values = {
            "name": "Nina Field", "emails": "nina@example.com", "phones": "+44 20 1234 5678",
            "company": "Fieldworks", "job_title": "Surveyor", "owner": "kim", "tags": "vip",
            "birthday": "--04-12", "website": "https://nina.example", "street": "1 High St",
            "city": "Leeds", "region": "West Yorkshire", "postal_code": "LS1 1AA",
            "country": "UK", "consent_source": "web form", "source": "fair",
            "custom_fields": "size=10,000; referral=Kim", "notes": "met at the fair",
        }  # fmt: skip
        for name, value in values.items():
            app.screen.query_one(f"#{name}", Input).value = value
        app.screen.query_one("#lifecycle").value = "customer"
        app.screen.query_one("#consent").value = "subscribed"
        app.screen.query_one("#do_not_contact").focus()
        await pilot.press("space")  # tick "do not contact" from the keyboard
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactFormScreen)
    with db.session() as session:
        row = contact_rows(session, [get_contact(session, "nina@example.com")])[0]
    assert row["birthday"] == "--04-12"
    assert (row["street"], row["city"], row["region"], row["postal_code"], row["country"]) == (
        "1 High St", "Leeds", "West Yorkshire", "LS1 1AA", "UK",
    )  # fmt: skip
    assert (row["website"], row["job_title"], row["owner"], row["source"]) == (
        "https://nina.example", "Surveyor", "kim", "fair",
    )  # fmt: skip
    assert (row["lifecycle_stage"], row["email_consent"], row["consent_source"]) == (
        "customer", "subscribed", "web form",
    )  # fmt: skip
    assert row["do_not_contact"] is True
    assert row["custom_fields"] == {"size": "10,000", "referral": "Kim"}


async def test_a_bad_birthday_is_shown_next_to_it_and_nothing_is_saved(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "Nina Bad"
        app.screen.query_one("#birthday", Input).value = "--13-45"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactFormScreen)
        error = app.screen.query_one("#birthday-error", Static)
        assert error.display and "--04-12 without a year" in str(error.render())
        assert app.screen.query_one("#birthday", Input).has_focus
        app.screen.query_one("#birthday", Input).value = "1985-04-12"
        app.screen.query_one("#custom_fields", Input).value = "no equals sign"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#custom_fields-error", Static)
        assert error.display and "key=value" in str(error.render())
        assert not app.screen.query_one("#birthday-error", Static).display
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) == 31


async def test_editing_a_contact_shows_its_fields_and_removes_a_custom_field(
    db, data, make_app, settle
):
    from crmtui.core.contacts import get_contact, update_contact
    from crmtui.core.schemas import ContactInput

    with db.transaction(username="kim") as session:
        update_contact(
            session,
            get_contact(session, 1),
            ContactInput(birthday="1985-04-12", city="Leeds", custom_fields={"a": "1", "b": "2"}),
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ContactFormScreen(1))
        await settle(pilot)
        form = app.screen
        assert form.query_one("#birthday", Input).value == "1985-04-12"
        assert form.query_one("#city", Input).value == "Leeds"
        assert form.query_one("#custom_fields", Input).value == "a=1; b=2"
        form.query_one("#custom_fields", Input).value = "b=3"
        form.query_one("#birthday", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ContactFormScreen)
    with db.session() as session:
        contact = get_contact(session, 1)
        assert contact.custom_fields == {"b": "3"}
        assert contact.birthday_month is None and contact.city == "Leeds"


def add_lots(db, count: int, stage: str, days_ago: int) -> None:
    """`Lot 00`, `Lot 01`... in one stage, a minute apart, `days_ago` days before NOW."""
    from datetime import timedelta

    from crmtui.core.deals import add_deal
    from crmtui.core.schemas import DealInput

    from .conftest import NOW

    with db.transaction(username="sam") as session:
        for n in range(count):
            created = NOW - timedelta(days=days_ago, minutes=-n)
            add_deal(session, DealInput(title=f"Lot {n:02d}", amount="10", stage=stage,
                                        created_at=created))  # fmt: skip


async def test_a_long_stage_pages_in_more_cards_as_the_cursor_goes_down(
    db, data, make_app, settle, monkeypatch
):
    from crmtui.tui.screens import pipeline

    monkeypatch.setattr(pipeline, "PER_COLUMN", 20)
    add_lots(db, 55, "Lead", days_ago=30)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        first = app.screen.query(OptionList).first()
        head = str(app.screen.query(".column-head").first().render())
        assert "57 deals" in head
        assert len(board_titles(app)[0]) == 20
        assert "37 more" in str(first.get_option_at_index(first.option_count - 1).prompt)
        await pilot.press(*["down"] * 30)  # held down: faster than the pages come
        await settle(pilot)
        assert first.highlighted == 30  # waited on the "more" line, did not wrap to the top
        for _ in range(26):  # to the last card (one more would wrap round to the top)
            await pilot.press("down")
            await settle(pilot)
        titles = board_titles(app)[0]
        # every card, oldest in stage first, and no "more" line left
        assert titles == ["Website", "Audit", *(f"Lot {n:02d}" for n in range(55))]
        assert first.option_count == 57 and first.highlighted == 56
        assert str(app.screen.query(".column-head").first().render()) == head

        await pilot.press("right_square_bracket")  # "Lot 54", the last, to the next stage
        await settle(pilot)
        assert len(board_titles(app)[0]) == 56  # read again as deep as it was
        assert board_titles(app)[1] == ["Lot 54"]
        assert "56 deals" in str(app.screen.query(".column-head").first().render())


async def test_walking_down_past_the_window_never_skips_a_contact(
    build_data, make_app, settle, monkeypatch
):
    from crmtui.tui.screens import paged_list

    monkeypatch.setattr(paged_list, "MAX_ROWS", 100)
    monkeypatch.setattr(paged_list, "PREFETCH", 20)
    build_data(160)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        passed = [str(table.get_row_at(0)[0])]
        for _ in range(160):
            await pilot.press("down")
            await settle(pilot)
            passed.append(str(table.get_row_at(table.cursor_row)[0]))
        assert table.row_count <= 100  # rows far above were forgotten on the way
        assert passed[-1] == "Zora Quinn" and len(set(passed)) == 161  # none skipped or repeated
        assert passed == sorted(passed, key=lambda name: name.casefold().replace("é", "e"))


async def test_the_app_leaves_the_garbage_collector_as_it_found_it(data, make_app, settle):
    import gc

    before = gc.get_threshold()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[2] > before[2]  # full collections wait for a pause
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


async def test_the_contact_columns_follow_the_terminal_width(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        assert "phone" not in table.columns  # too narrow for the phone and tags
        await pilot.resize_terminal(140, 30)
        await settle(pilot)
        assert "phone" in table.columns and "tags" in table.columns
        assert cells(table, 0)[3] == "+44 20 7946 0000"  # the rows held, in the new columns
        assert len(names(app)) == 31 and status(app).startswith("31 contacts")
        await pilot.press("t")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)  # while another screen shows
        await pilot.press("c")
        await settle(pilot)
        assert "phone" not in table.columns
        assert sum(column.get_render_width(table) for column in table.columns.values()) <= 80


async def test_one_contact_is_one_contact(db, make_app, settle):
    from crmtui.core.contacts import add_contact
    from crmtui.core.schemas import ContactInput

    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada Lovelace"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app).startswith("1 contact  ·")


async def test_the_task_titles_take_the_width_the_terminal_gives(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one("#tasks", DataTable)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert sum(column.get_render_width(table) for column in table.columns.values()) <= 80
        assert [cells(table, i)[2] for i in range(table.row_count)] == [
            "Send proposal",
            "Call back",
        ]


async def test_the_cursor_follows_a_deal_moved_far_down_a_long_column(
    db, data, make_app, settle, monkeypatch
):
    from crmtui.tui.screens import pipeline

    monkeypatch.setattr(pipeline, "PER_COLUMN", 20)
    add_lots(db, 30, "Qualified", days_ago=20)
    website = data["deals"][0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.selected_deal() == website
        await pilot.press("right_square_bracket")  # to the end of a column of 31, 20 shown
        await settle(pilot)
        assert app.screen.selected_deal() == website  # followed, not the next card in Lead
        qualified = list(app.screen.query(OptionList))[1]
        assert qualified.has_focus
        prompts = [str(option.prompt).split("\n")[0] for option in qualified.options]
        assert prompts[-2:] == ["… 10 more", "Website"]
        await pilot.press("right_square_bracket")  # again: the same deal, one stage further
        await settle(pilot)
        assert app.screen.selected_deal() == website
        await pilot.press("left_square_bracket", "home")
        await settle(pilot)
        for _ in range(31):  # down the column: every card once, the followed one last
            await pilot.press("down")
            await settle(pilot)
        assert board_titles(app)[1] == [*(f"Lot {n:02d}" for n in range(30)), "Website"]
    with db.session() as session:
        stage = {deal_id: session.get(Stage, get_deal(session, deal_id).stage_id).name
                 for deal_id in data["deals"]}  # fmt: skip
    assert stage == {website: "Qualified", data["deals"][1]: "Lead"}  # the other never moved


async def test_won_and_lost_are_said_only_once_saved(data, beside_a_writer, settle, notified):
    with beside_a_writer() as (app, other, database):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("p")
            await settle(pilot)
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("w")
            await settle(pilot)
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("enter")  # no reason given
            await settle(pilot)
            assert any("locked" in m and "retrying" not in m for m in notified)
            assert not any(m.startswith("Marked") for m in notified)
            assert board_titles(app)[0] == ["Website", "Audit"]
            other.execute("ROLLBACK")
            await pilot.press("w")
            await settle(pilot)
            assert "Marked won" in notified
            assert board_titles(app)[0] == ["Audit"]


async def test_the_key_of_the_view_you_are_in_goes_back_to_its_list(data, make_app, settle):
    from crmtui.tui.screens.contacts import ContactsScreen
    from crmtui.tui.screens.tasks import TasksScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # a contact, from the list
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("c")
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("r", "c")  # the dashboard, opened over the list
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter")  # the task's contact
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("c", "t")  # another view and back: the contact is still open there
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("t")
        assert isinstance(app.screen, TasksScreen)


def type_ahead(app, *keys: str) -> None:
    """Keys arriving faster than the app handles them, as a fast typist's or a paste do."""
    from textual import events

    characters = {"slash": "/", "space": " "}
    for key in keys:
        app.post_message(events.Key(key, characters.get(key, key if len(key) == 1 else None)))


async def test_letters_typed_straight_after_slash_go_into_the_search(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        type_ahead(app, "slash", *"sokafor")  # s sorts the list, f filters it, r: the dashboard
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "sokafor"
        type_ahead(app, "slash", "n")  # a slash in the search box is a character
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "sokafor/n"
        await pilot.press("escape")
        await settle(pilot)
        type_ahead(app, "slash", *"okafor")
        await settle(pilot)
        assert app.screen.sort == "name"
        assert len(names(app)) == 10 and all(name.endswith("Okafor") for name in names(app))


async def test_a_form_typed_ahead_fills_each_field_in_turn(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        type_ahead(app, "B", "i", "g", "tab", "1", "2", "tab", "tab", "shift+tab", "G", "B", "P")
        await settle(pilot)
        values = [app.screen.query_one(f"#{name}", Input).value for name in ("title", "amount")]
        assert values == ["Big", "12"]
        assert app.screen.query_one("#currency", Input).value == "EURGBP"


async def test_letters_typed_straight_after_opening_a_form_go_into_it(db, data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        type_ahead(app, "l", *"Called", "space", *"back")  # l opens the log form
        await settle(pilot)
        assert app.screen.query_one("#summary", Input).value == "Called back"
        await pilot.press("escape")
        await settle(pilot)
        type_ahead(app, "n", *"Quentin", "tab", *"q@example.com")  # q quits, n is New
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactFormScreen) and app.return_code is None
        assert [form.query_one(f"#{name}", Input).value for name in ("name", "emails")] == [
            "Quentin",
            "q@example.com",
        ]


async def test_typing_straight_into_the_edit_form_adds_to_the_contact_read(
    db, data, make_app, settle, monkeypatch
):
    import time

    read = ContactFormScreen._read

    def slow_read(form, session):  # a cold disk
        time.sleep(0.3)
        return read(form, session)

    monkeypatch.setattr(ContactFormScreen, "_read", slow_read)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = names(app)[0]
        type_ahead(app, "e", "space", *"Jr", "ctrl+s")  # before the contact is read into it
        await settle(pilot)
        assert not isinstance(app.screen, ContactFormScreen)
    with db.session() as session:
        contact = session.execute(
            select(Contact).where(Contact.display_name == f"{first} Jr")
        ).scalar_one()
    assert contact.version == 2 and contact.email  # saved over what was there, nothing lost


async def test_a_broad_search_in_id_order_marks_no_column_as_sorted(
    data, make_app, settle, monkeypatch
):
    from crmtui.tui.screens import contacts

    monkeypatch.setattr(contacts, "BROAD_SEARCH", 5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#contacts", DataTable)
        assert str(table.columns["name"].label) == "Name ▲"
        await pilot.press("slash", "e")  # more than 5 match: listed in id order
        await settle(pilot)
        assert "sort: id (broad search)" in status(app)
        assert [str(column.label) for column in table.columns.values()][:2] == ["Name", "Company"]
        await pilot.press("escape")
        await settle(pilot)
        assert str(table.columns["name"].label) == "Name ▲"


async def test_log_edit_and_deal_on_an_empty_list_say_why_nothing_opens(make_app, settle, notified):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app).startswith("No contacts yet")
        for key in ("l", "e", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0]  # no form
        assert notified.count("No contact to act on: n adds one") == 3


async def test_quitting_while_a_save_waits_on_a_lock_keeps_the_app_and_the_form(
    data, beside_a_writer, settle
):
    with beside_a_writer() as (app, other, database):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("l", *"Quote", "ctrl+s", "ctrl+q")  # quit while the save waits
            await settle(pilot)
            assert app.return_code is None  # still open: the save was refused, not lost unseen
            form = app.screen
            assert "locked" in str(form.query_one("#form-error", Static).render())
            other.execute("ROLLBACK")
            await pilot.press("ctrl+s", "ctrl+q")  # saved this time, then quits
            await settle(pilot)
            assert app.return_code == 0
    with database.session() as session:
        assert contact_detail(session, data["zora"])["contact"]["name"]  # still readable
        subjects = session.execute(select(func.count()).select_from(Interaction).where(
            Interaction.subject == "Quote")).scalar()  # fmt: skip
    assert subjects == 1


async def test_a_save_waiting_for_the_database_says_so_in_the_form(data, beside_a_writer, settle):
    from crmtui.tui.screens.forms import LogInteractionScreen

    with beside_a_writer(busy_ms=3000) as (app, other, database):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await pilot.press("l", *"Quote", "ctrl+s")
            await pilot.pause(0.8)
            form = app.screen
            assert isinstance(form, LogInteractionScreen)
            assert "Saving" in str(form.query_one("#form-error", Static).render())
            other.execute("ROLLBACK")
            await settle(pilot)
            assert not isinstance(app.screen, LogInteractionScreen)  # saved once the lock went


async def test_enter_enter_after_a_search_opens_the_contact_found(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        type_ahead(app, "slash", *"zora")
        await settle(pilot)
        type_ahead(app, "enter", "enter")  # to the list, then open: typed as one
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.contact_id == data["zora"]


async def test_filter_by_consent_and_who_may_be_reached(db, data, make_app, settle):
    from textual.widgets import Checkbox, Select

    from crmtui.core.contacts import add_contact
    from crmtui.core.schemas import ContactInput

    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Una Opted", email_consent="unsubscribed"))
        add_contact(session, ContactInput(name="Sub Never", email_consent="subscribed",
                                          do_not_contact=True))  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#email_consent", Select).value = "subscribed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert names(app) == ["Sub Never", "Zora Quinn"]
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#contactable", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert names(app) == ["Zora Quinn"]
        assert "email consent: subscribed  ·  contactable" in status(app)


async def test_the_palette_opens_a_saved_segment(db, data, make_app, settle):
    from crmtui.core.schemas import ContactFilter
    from crmtui.core.segments import save_segment

    with db.transaction(username="sam") as session:
        save_segment(session, "Partners", ContactFilter(tag="partner"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("ctrl+p", *"partn")
        for _ in range(50):  # the palette searches in the background
            await pilot.pause(0.05)
            if "Segment: Partners" in str(app.screen.query("CommandList").first().render_line(0)):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "contacts"
        assert names(app) == ["Zora Quinn"]
        assert "tag: partner" in status(app)


def burst(app, *keys: str) -> None:
    """Keys as a fast typist (or a paste, or tmux) sends them: all queued before the first is
    handled, where Pilot's press lets each one's effects settle before the next."""
    for key in keys:
        app.simulate_key(key)


async def test_keys_typed_after_escape_in_the_search_go_to_the_list(data, make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "d", "a")
        await settle(pilot)
        searched = [row.value for row in app.screen.table.rows]
        burst(app, "escape", "down", "enter")
        await settle(pilot)
        assert app.screen.contact_id == int(searched[1])  # the Adas head the whole list too


async def test_keys_typed_after_moving_to_another_column_go_to_that_column(
    db, data, make_app, settle
):
    add_lots(db, 3, "Qualified", days_ago=20)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        burst(app, "right", "down", "down")
        await settle(pilot)
        qualified = list(app.screen.query(OptionList))[1]
        assert app.screen.focused is qualified and qualified.highlighted == 2
        assert str(qualified.get_option_at_index(2).prompt).startswith("Lot 02")
        assert app.screen.selected_deal() == int(qualified.get_option_at_index(2).id)


async def test_keys_typed_while_the_board_opens_are_for_the_board(db, data, make_app, settle):
    add_lots(db, 3, "Qualified", days_ago=20)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        contacts = app.screen
        burst(app, "p", "right", "down", "down")
        await settle(pilot)
        qualified = list(app.screen.query(OptionList))[1]
        assert app.screen.focused is qualified and qualified.highlighted == 2
        assert contacts.table.cursor_row == 0  # none of them moved the list left behind
        burst(app, "c", "down", "p", "left", "down", "enter")  # back and forth: Audit's contact
        await settle(pilot)
        assert app.screen.contact_id == data["zora"]
        await pilot.press("escape", "c")
        await settle(pilot)
        assert app.screen is contacts and contacts.table.cursor_row == 1
