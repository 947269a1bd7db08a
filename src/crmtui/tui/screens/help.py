"""`?`: every key that works on the screen underneath, and what it does."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        lines = ["[b]Keys[/b]", ""]
        seen = set()
        # this screen's keys first, then the app's, then those of the focused widget
        rank = {self.under: 0, self.app: 1}
        ordered = sorted(
            self.under.active_bindings.items(), key=lambda item: rank.get(item[1].node, 2)
        )
        for key, active in ordered:
            binding = active.binding
            if not binding.description or (binding.action, key) in seen:
                continue
            seen.add((binding.action, key))
            label = binding.key_display or self.app.get_key_display(binding)
            lines.append(f"[b]{label:>10}[/b]  {binding.description}")
        lines += ["", f"[b]{'ctrl+p':>10}[/b]  Command palette: actions, jump to a contact"]
        lines += [f"[b]{'escape':>10}[/b]  Close a form, go back"]
        with VerticalScroll(id="help-body"):
            yield Static("\n".join(lines), id="help-text")
