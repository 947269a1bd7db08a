"""A footer that lays its keys out again only when they change."""

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer rebuilds every key each time the screen's bindings are refreshed: six
    times as a contact's page opened (focus moving, its tables filling), for the same keys, and
    the style work of each rebuild was most of the 300 ms the page took to open."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        keys = tuple(
            (binding.key, binding.description, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )
        if keys == self.keys_shown:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.keys_shown = keys  # the stock footer does nothing else: these are now laid out
        super().bindings_changed(screen)
