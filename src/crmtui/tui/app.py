"""The Textual app: modes for contacts, pipeline and tasks, global keys, the command palette."""

import gc
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from crmtui.tui.screens.companies import CompaniesScreen
from crmtui.tui.screens.contact_detail import ContactDetailScreen
from crmtui.tui.screens.contacts import ContactsScreen
from crmtui.tui.screens.help import HelpScreen
from crmtui.tui.screens.pipeline import PipelineScreen
from crmtui.tui.screens.tasks import TasksScreen


class ContactSearchProvider(Provider):
    """Jump to a contact (by name, email, company or phone) or a company from the palette."""

    async def search(self, query: str) -> Hits:
        import asyncio

        query = query.strip()
        if len(query) < 2:
            return
        app = self.app

        def read() -> tuple[list[tuple[int, str, str]], list[str], list[tuple[str, dict]]]:
            from crmtui.core.reads import records
            from crmtui.core.search import contact_names, ranked_ids
            from crmtui.core.segments import find_segments

            with app.database.session() as session:
                companies = records(session, "company", ranked_ids(session, "company", query, 5))
                return (
                    contact_names(session, query, 10),
                    [row.name for row in companies],
                    find_segments(session, query),
                )

        try:
            rows, companies, segments = await asyncio.to_thread(read)
        except Exception:  # noqa: BLE001 - a palette search that fails just finds nothing
            return
        matcher = self.matcher(query)
        for position, (contact_id, name, email) in enumerate(rows):
            yield Hit(
                max(matcher.match(name), 1.0 - position / 20),
                matcher.highlight(f"Contact: {name}"),
                partial(app.open_contact, contact_id),
                text=f"Contact: {name}",
                help=email,
            )
        for position, name in enumerate(companies):
            yield Hit(
                max(matcher.match(name), 0.9 - position / 20),
                matcher.highlight(f"Company: {name}"),
                partial(app.open_company, name),
                text=f"Company: {name}",
                help="its people and deals",
            )
        for name, filters in segments:
            yield Hit(
                max(matcher.match(name), 0.8),
                matcher.highlight(f"Segment: {name}"),
                partial(app.open_segment, filters),
                text=f"Segment: {name}",
                help="the contact list narrowed to it (crm segment)",
            )


IDLE_SECONDS = 1.0  # no key or mouse for this long: a full garbage collection goes unnoticed
FORM_OPENING_SECONDS = 1.0  # keys typed into a form still opening wait this long at most
VIEW_OPENING_SECONDS = 2.0  # and keys typed into a view switched to, for something to focus


class CRMApp(App[None]):
    """crm: contacts, pipeline and tasks from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "crm"
    COMMANDS = App.COMMANDS | {ContactSearchProvider}
    MODES = {
        "contacts": ContactsScreen,
        "pipeline": PipelineScreen,
        "tasks": TasksScreen,
        "companies": CompaniesScreen,
    }
    DEFAULT_MODE = "contacts"
    BINDINGS = [
        # only once something was deleted here: its history, where u undoes the delete; first,
        # for the footer cuts the app's keys at the end short
        Binding("u", "undo_delete", "Undo delete", id="undo_delete"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("c", "view('contacts')", "Contacts", id="contacts"),
        Binding("p", "view('pipeline')", "Pipeline", id="pipeline"),
        Binding("t", "view('tasks')", "Tasks", id="tasks"),
        # not in the footer, which has no room left: in help and the command palette
        Binding("o", "view('companies')", "Companies", id="companies", show=False),
        Binding("r", "dashboard", "Dashboard", id="dashboard"),
        Binding("ctrl+r", "refresh_data", "Refresh", id="refresh"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="theme", show=False),
    ]

    def __init__(
        self, database, username: str | None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        from crmtui.core.types import utcnow

        self.database = database
        self.username = username
        self.clock = clock or utcnow
        self.theme = "textual-dark"
        self.last_input = time.monotonic()
        self.collected_after = -1
        self.gc_threshold = gc.get_threshold()
        self.keys_typed = 0
        self.quit_when_saved = False
        self.writes_saved = 0
        self.held_keys: list[tuple[int, events.Key]] = []  # typed ahead of a form or view opening
        self.view_switched_at = 0.0
        self.last_deleted: tuple[str, int, str] | None = None  # (entity, id, name), for u
        # ("deleted" or "restored", entity, id) as they happen, for views out of sight meanwhile
        self.record_events: list[tuple[str, str, int]] = []

    def on_mount(self) -> None:
        # Python's full garbage collection walks every live object: 100-350 ms here once a long
        # list has been paged through, and it struck in the middle of keystrokes (most of the
        # slow paging steps). The objects there at start (modules, the screens) are frozen out
        # of it, and the app runs it itself when the user pauses.
        gc.freeze()
        gc.set_threshold(self.gc_threshold[0], self.gc_threshold[1], 1_000_000)
        self.set_interval(IDLE_SECONDS, self.collect_when_idle)

    def on_unmount(self) -> None:
        gc.set_threshold(*self.gc_threshold)
        gc.unfreeze()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.last_input = time.monotonic()
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not hasattr(event, "typed"):
                self.keys_typed += 1
                event.typed = (self.keys_typed, self.screen)  # its place, the screen it went to
            if self.held_keys or self.form_opening():
                self.hold_key(event)
                return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key typed on a screen that an earlier key then replaced is meant for what replaced
        it: typed after `l`, `n` or `e`, it is the start of what goes into the form (which takes
        100-250 ms to open); typed after `p`, `t`, `o` or `c`, it is for that view. It reached
        the screen it was typed on, and goes on to the one now showing once that can take it."""
        place, typed_on = getattr(event, "typed", (0, self.screen))
        if typed_on is self.screen:
            return
        if self.form_opening(typed_on) or typed_on not in self.screen_stack:
            event.prevent_default()  # nor is it a key of the screen it was typed on
            key = events.Key(event.key, event.character)
            key.typed = (place, self.screen)
            self.hold_key(key)

    def form_opening(self, under: Screen | None = None) -> bool:
        """Whether a form is on top (over `under`) and its first field not yet focused."""
        from crmtui.tui.screens.forms import FormScreen

        form = self.screen
        if not isinstance(form, FormScreen) or (
            under is not None and under not in self.screen_stack
        ):
            return False
        return under is not None or (
            form.focused is None and time.monotonic() - form.opened_at < FORM_OPENING_SECONDS
        )

    def hold_key(self, key: events.Key) -> None:
        self.held_keys.append((key.typed[0], key))
        if len(self.held_keys) == 1:
            self.set_timer(0.01, self.release_keys)

    def view_opening(self) -> bool:
        """Whether the view showing has nothing focused yet (the board, until its columns are
        read), for at most VIEW_OPENING_SECONDS after it was switched to."""
        return (
            self.screen.focused is None
            and time.monotonic() - self.view_switched_at < VIEW_OPENING_SECONDS
        )

    def release_keys(self) -> None:
        """Type the keys held back into the form once it has focused its first field, or into
        the view switched to once it has something focused."""
        if self.form_opening() or self.view_opening():
            self.set_timer(0.01, self.release_keys)
            return
        keys, self.held_keys = sorted(self.held_keys, key=lambda held: held[0]), []
        for _place, key in keys:  # in the order they were typed, whichever way they came
            self.post_message(key)

    def collect_when_idle(self) -> None:
        """A full collection, once the user has paused, if anything was allocated since the last."""
        young = gc.get_stats()[1]["collections"]
        if young != self.collected_after and time.monotonic() - self.last_input >= IDLE_SECONDS:
            gc.collect()
            self.collected_after = gc.get_stats()[1]["collections"]

    def now(self) -> datetime:
        return self.clock()

    async def action_quit(self) -> None:
        """Quit; with a change still waiting for a busy database, once it is saved. The app
        stays open if it is refused, so the error is seen (it went unseen, the change lost, and
        the process hung for the lock's 10 s wait after the screen had gone)."""
        if self.quit_when_saved or not self.writes_running():
            self.exit()  # asked twice: now
            return
        self.quit_when_saved = True
        self.notify(
            "Quitting once the change is saved (the database is busy); ctrl+q again quits now",
            severity="warning",
        )

    def writes_running(self) -> int:
        return sum(1 for worker in self.workers if worker.is_running and worker.name == "write")

    def write_settled(self, saved: bool) -> None:
        """A write's outcome is on screen (run_db): quit if that was the wait, or say why not."""
        self.writes_saved += saved  # views read again when shown if it moved since they read
        if not self.quit_when_saved:
            return
        if not saved:
            self.quit_when_saved = False
            self.notify("Not quitting: the change was not saved", severity="warning")
        elif self.writes_running() <= 1:  # the one settling counts itself
            self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_delete":  # (a form or dialog on top has only its own keys)
            return self.last_deleted is not None
        return True

    def action_undo_delete(self) -> None:
        """The history of the record deleted last, the delete on top: u there undoes it."""
        from crmtui.tui.screens.history import HistoryScreen

        if self.last_deleted is None:
            return
        entity, record_id, name = self.last_deleted

        def closed(undone: bool | None) -> None:
            if not undone:
                return
            self.last_deleted = None
            self.record_events.append(("restored", entity, record_id))
            restored = getattr(self.screen, "record_restored", None)
            if restored is not None:
                restored(entity, record_id)
            elif hasattr(self.screen, "refresh_data"):
                self.screen.refresh_data()
            self.screen.refresh_bindings()

        self.push_screen(HistoryScreen(entity, record_id, name), closed)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_view(self, mode: str) -> None:
        """Another view as you left it; the one you are in, back at its own screen from a contact
        or the dashboard opened over it."""
        if self.current_mode != mode:
            self.view_switched_at = time.monotonic()
            self.switch_mode(mode)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_refresh_data(self) -> None:
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh()
            self.notify("Refreshed", timeout=1.5)

    def action_dashboard(self) -> None:
        from crmtui.tui.screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

    def open_contact(self, contact_id: int) -> None:
        self.push_screen(ContactDetailScreen(contact_id))

    def open_segment(self, filters: dict) -> None:
        """The contact list, back at its own screen, narrowed to a saved segment's filter."""
        if self.current_mode != "contacts":
            self.switch_mode("contacts")

        def apply() -> None:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.screen_stack[0].apply_filters(filters)

        self.call_after_refresh(apply)

    def open_company(self, name: str) -> None:
        from crmtui.tui.screens.company import CompanyScreen

        self.push_screen(CompanyScreen(name))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Contacts", "The contact list (c)", partial(self.action_view, "contacts")
        )
        yield SystemCommand("Pipeline", "The deal board (p)", partial(self.action_view, "pipeline"))
        yield SystemCommand(
            "Tasks", "Overdue, today, this week, no date (t)", partial(self.action_view, "tasks")
        )
        yield SystemCommand(
            "Companies", "Every company, searchable (o)", partial(self.action_view, "companies")
        )
        yield SystemCommand(
            "Dashboard", "This month next to last month, charts (r)", self.action_dashboard
        )
        yield SystemCommand(
            "Refresh", "Reload from the database (ctrl+r)", self.action_refresh_data
        )
        yield SystemCommand("Light/dark theme", "Toggle (ctrl+t)", self.action_toggle_theme)
        yield SystemCommand("Help", "Every key (?)", self.action_help)
        if self.last_deleted is not None:
            entity, _record_id, name = self.last_deleted
            yield SystemCommand(
                "Undo delete", f"The history of the {entity} {name} (u)", self.action_undo_delete
            )
        for binding in screen.BINDINGS:  # hidden from the footer for room, not from the palette
            if isinstance(binding, Binding) and any(c.isalpha() for c in binding.description):
                yield SystemCommand(
                    binding.description,
                    f"{screen.__class__.__name__.removesuffix('Screen')} ({binding.key})",
                    partial(screen.run_action, binding.action),
                )
