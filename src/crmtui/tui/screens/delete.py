"""Deleting a record from the app: a confirmation, then the core's own delete."""

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widgets import Static

from crmtui.tui.dbwork import run_db
from crmtui.tui.screens.write_dialog import WriteDialog

LABELS = {
    "contact": "display_name", "company": "name", "deal": "title", "task": "title",
    "interaction": "label",
}  # fmt: skip
NAMED = {
    "contact": "", "company": "the company ", "deal": "the deal ", "task": "the task ",
    "interaction": "the interaction ",
}  # fmt: skip
OWNER = {"contact": "their", "company": "its", "deal": "its", "task": "its", "interaction": "its"}
PLURALS = {"interaction": "interactions", "deal": "deals", "task": "tasks", "contact": "people"}
SINGULARS = {"contact": "person"}


def services(entity: str) -> tuple[Callable, Callable]:
    """(get, delete) of the core service the CLI's `crm <entity> delete` calls."""
    if entity == "contact":
        from crmtui.core.contacts import delete_contact, get_contact

        return get_contact, delete_contact
    if entity == "company":
        from crmtui.core.companies import delete_company, get_company

        return get_company, delete_company
    if entity == "deal":
        from crmtui.core.deals import delete_deal, get_deal

        return get_deal, delete_deal
    if entity == "interaction":
        from crmtui.core.interactions import delete_interaction, get_interaction

        return get_interaction, delete_interaction
    from crmtui.core.tasks import delete_task, get_task

    return get_task, delete_task


def counted(counts: dict[str, int]) -> str:
    """{"deal": 1, "task": 2} as `1 deal and 2 tasks`."""
    return " and ".join(
        f"{n:,} {SINGULARS.get(table, table) if n == 1 else PLURALS.get(table, table + 's')}"
        for table, n in counts.items()
    )


def deleted_text(entity: str, label: str, goes: dict[str, dict[str, int]]) -> str:
    """`Ada Lovelace and their 12 interactions`, `the deal Website`."""
    text = f"{NAMED[entity]}{label}"
    if goes["deleted"]:
        text += f" and {OWNER[entity]} {counted(goes['deleted'])}"
    return text


def delete_question(
    entity: str, label: str, goes: dict[str, dict[str, int]], detail: str | None = None
) -> str:
    """What the confirmation asks; `detail` tells one Ada Åberg from another (her email)."""
    question = f"Delete {deleted_text(entity, label, goes)}?"
    if detail:
        question += f"\n({detail})"
    if goes["unlinked"]:
        stay = "stays" if sum(goes["unlinked"].values()) == 1 else "stay"
        question += (
            f"\n{OWNER[entity].capitalize()} {counted(goes['unlinked'])} {stay}, "
            f"without {'an' if entity[0] in 'aeiou' else 'a'} {entity}."
        )
    return question + "\n\nAfterwards u opens its history, where u undoes the delete."


class DeleteScreen(WriteDialog[bool]):
    """Asks before deleting, and deletes in one transaction of its own. Dismisses with whether
    the record was deleted; anything but enter or y keeps it."""

    BINDINGS = [
        Binding("enter,y", "delete", "Delete", key_display="y", id="confirm_delete"),
        Binding("escape,n", "keep", "Keep it", key_display="n", id="keep"),
    ]
    ERROR_ID = "delete-error"
    WAITING = "Deleting… waiting for the database (another process is writing)"
    REFUSED = "Nothing was deleted: enter tries again, esc keeps it."
    KEPT = False

    def __init__(self, question: str, delete: Callable[[Any], Any]) -> None:
        super().__init__()
        self.question = question
        self.delete = delete

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(self.question, id="delete-question")
            yield Static("", id="delete-error", classes="field-error")
            yield from self.buttons("Delete  y", "delete", "Keep it  n")

    def action_delete(self) -> None:
        self.write(self.delete, lambda _result: self.dismiss(True))


def ask_to_delete(
    node: DOMNode, entity: str, record_id: int, deleted: Callable[[], None] | None = None
) -> None:
    """Read what goes with the record, ask, delete it through the core; then say so, offer its
    history's undo (the app's u) and call `deleted`."""
    get, delete = services(entity)
    app = node.app

    def read(session) -> tuple[str, dict[str, dict[str, int]], str | None]:
        from crmtui.core.cascade import what_goes_with

        record = get(session, record_id)
        detail = record.email if entity == "contact" else None
        return getattr(record, LABELS[entity]), what_goes_with(session, entity, record.id), detail

    def ask(found: tuple[str, dict[str, dict[str, int]], str | None]) -> None:
        label, goes, detail = found

        def answered(done: bool | None) -> None:
            if not done:
                return
            app.last_deleted = (entity, record_id, label)
            app.record_events.append(("deleted", entity, record_id))
            app.notify(
                f"Deleted {deleted_text(entity, label, goes)}. To undo: u opens its history",
                timeout=8,
            )
            if deleted is not None:
                deleted()
            app.screen.refresh_bindings()  # the u for undo shows

        def work(session) -> None:
            delete(session, get(session, record_id))

        app.push_screen(DeleteScreen(delete_question(entity, label, goes, detail), work), answered)

    run_db(node, read, ask, group="delete-ask", exclusive=True)
