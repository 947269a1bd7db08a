"""One interaction in full: its summary, note, outcome and who logged it, as the timeline cuts them."""

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from crmtui.core.timeparse import format_duration
from crmtui.tui.formatting import local_time


class InteractionScreen(ModalScreen[str | None]):
    """Dismisses with what to do next: "edit", "delete", or None (closed)."""

    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close", id="close_interaction"),
        Binding("e", "dismiss('edit')", "Edit", id="edit_interaction"),
        Binding("D,delete", "dismiss('delete')", "Delete", id="delete_interaction"),
    ]

    def __init__(self, interaction: dict[str, Any]) -> None:
        super().__init__()
        self.interaction = interaction

    def compose(self) -> ComposeResult:
        i = self.interaction
        direction = f"({i['direction']})" if i["direction"] else ""
        facts = [
            ("When", local_time(i["occurred_at"])),
            ("Kind", f"{i['kind']} {direction}".strip()),
            ("Duration", format_duration(i["duration_seconds"])),
            ("Outcome", i["outcome"]),
            ("Logged by", i["user"]),
        ]
        # plain Text, not markup: a note may hold brackets
        text = Text()
        if i["subject"]:
            text.append(f"{i['subject']}\n\n", style="bold")
        for label, value in facts:
            if value:
                text.append(f"{label:<10}", style="dim").append(f"{value}\n")
        if i["body"]:
            text.append(f"\n{i['body']}\n")
        with VerticalScroll(classes="interaction"):
            yield Static(text, id="interaction-text")
            yield Static("e edits · D deletes · esc closes", classes="hint")
