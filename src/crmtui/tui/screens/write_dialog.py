"""A dialog that asks, then writes in a worker of its own, and says in place why it could not."""

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from crmtui.tui.dbwork import run_db

SAYS_WAITING_AFTER = 0.5  # seconds: a write not done by then is waiting for a lock
Result = TypeVar("Result")


class WriteDialog(ModalScreen[Result]):
    """A database that refuses (locked by another process) or a write the core refuses leaves
    the dialog open with the reason, nothing written; enter tries again. Once asked for, the
    write cannot be called back from a thread waiting on the lock, so keeping waits for it."""

    ERROR_ID: ClassVar[str]  # the Static that says why nothing was written
    WAITING: ClassVar[str]  # said while the write waits for the database
    REFUSED: ClassVar[str]  # said after the reason: what was not done, what the keys do now
    KEPT: ClassVar[Any] = None  # what keeping it (esc, n, a click outside) dismisses with

    def __init__(self) -> None:
        super().__init__()
        self.writing = False

    def buttons(self, confirm: str, action: str, keep: str) -> ComposeResult:
        with Horizontal(classes="form-buttons"):
            # not focusable: enter confirms whichever had the focus, so none has it
            for label, name, variant in ((confirm, action, "error"), (keep, "keep", "default")):
                button = Button(label, id=name, variant=variant, compact=True)
                button.can_focus = False
                yield button

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # outside the dialog: kept, as with esc
            self.action_keep()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.run_action(str(event.button.id))

    def write(self, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        if self.writing:
            return
        self.writing = True
        self.say("")
        run_db(self, work, done, write=True, group="dialog", on_error=self._refused)
        self.set_timer(SAYS_WAITING_AFTER, self._say_waiting)

    def action_keep(self) -> None:
        if not self.writing:
            self.dismiss(self.KEPT)

    def _say_waiting(self) -> None:
        if self.writing and self.is_attached:
            self.say(self.WAITING)

    def _refused(self, message: str) -> None:
        self.writing = False
        self.say(f"{message}\n{self.REFUSED}")

    def say(self, message: str) -> None:
        error = self.query_one(f"#{self.ERROR_ID}", Static)
        error.update(Text(message))
        error.display = bool(message)
