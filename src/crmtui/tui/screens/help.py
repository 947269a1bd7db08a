"""`?`: every key that works on the screen underneath, and what it does."""

from rich.text import Text
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
        keys_of: dict[tuple[str, str], list[str]] = {}  # one line per action, with all its keys
        # this screen's keys first, then the app's, then those of the focused widget
        rank = {self.under: 0, self.app: 1}
        ordered = sorted(
            self.under.active_bindings.items(), key=lambda item: rank.get(item[1].node, 2)
        )
        for _key, active in ordered:
            binding = active.binding
            if not binding.description:
                continue
            label = binding.key_display or self.app.get_key_display(binding)
            keys = keys_of.setdefault((binding.action, binding.description), [])
            if label not in keys:
                keys.append(label)
        rows = [(" ".join(keys), description) for (_action, description), keys in keys_of.items()]
        rows += [("", ""), ("ctrl+p", "Command palette: actions, jump to a contact")]
        rows += [("escape", "Close a form, go back")]
        # plain Text, not markup: keys such as `[` would read as markup
        text = Text().append("Keys\n\n", style="bold")
        for keys, description in rows:
            text.append(f"{keys:>10}", style="bold").append(f"  {description}\n")
        with VerticalScroll(id="help-body"):
            yield Static(text, id="help-text")
