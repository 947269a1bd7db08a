"""How the main screens look at 80x24 and 120x40, on fixed data with a fixed clock."""

import pytest

SIZES = [(80, 24), (120, 40)]


async def wait(pilot) -> None:
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)  # let tables that grew repaint whole before the screenshot


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_contacts_screen(snap_compare, data, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=wait)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_contact_detail_screen(snap_compare, data, make_app, size):
    async def open_zora(pilot) -> None:
        pilot.app.open_contact(data["zora"])
        await wait(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=open_zora)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pipeline_screen(snap_compare, data, make_app, size):
    async def board(pilot) -> None:
        await pilot.press("p")
        await wait(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=board)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_contact_form_screen(snap_compare, data, make_app, size):
    async def edit_zora(pilot) -> None:
        await wait(pilot)
        from crmtui.tui.screens.forms import ContactFormScreen

        pilot.app.push_screen(ContactFormScreen(data["zora"]))
        await wait(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=edit_zora)
