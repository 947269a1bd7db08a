"""Merging a duplicate into the contact on screen: find it, read the plan, confirm."""

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.dbwork import run_db
from crmtui.tui.screens.write_dialog import WriteDialog

MATCHES = 10
UNDO_HINT = "Afterwards h opens this contact's history, where u splits them again."


def find_duplicates(session, query: str, keep_id: int) -> list[dict[str, Any]]:
    """The contacts the list's search finds best (name, email, company), less the one kept."""
    from crmtui.core.reads import contact_list_rows, records
    from crmtui.core.search import ranked_ids

    ids = [i for i in ranked_ids(session, "contact", query, MATCHES + 1) if i != keep_id]
    return contact_list_rows(session, records(session, "contact", ids[:MATCHES]))


def match_prompt(row: dict[str, Any]) -> Text:
    """`Ada Lovelace  ada@example.com · Analytical Engines  #12`, plain text (no markup)."""
    text = Text(row["name"] or "(no name)", style="bold")
    details = " · ".join(v for v in (row["email"], row["company"]) if v)
    if details:
        text.append(f"  {details}")
    return text.append(f"  #{row['id']}", style="dim")


class MergePickScreen(ModalScreen[int | None]):
    """Finds the duplicate as you type (its name is typed in to start with); dismisses with its
    id, or None (esc)."""

    BINDINGS = [
        Binding("escape", "dismiss", "Cancel", id="cancel_merge_pick"),
        # the search box keeps the focus: the arrows move through the matches under it
        Binding("down", "move(1)", "Next match", id="next_match", show=False),
        Binding("up", "move(-1)", "Previous match", id="previous_match", show=False),
    ]

    def __init__(self, keep_id: int, keep_name: str) -> None:
        super().__init__()
        self.keep_id, self.keep_name = keep_id, keep_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="merge-pick"):
            yield Static(
                Text(f"Merge a duplicate into {self.keep_name or 'this contact'}"),
                classes="form-title",
            )
            yield Input(
                self.keep_name, placeholder="name, email, company, phone", id="merge-search",
                compact=True,
            )  # fmt: skip
            yield OptionList(id="merge-matches", compact=True)
            yield Static("", id="merge-found")
            yield Static("enter picks the highlighted one · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#merge-matches", OptionList).can_focus = False
        self.query_one("#merge-search", Input).focus()
        self.search(self.keep_name)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def search(self, query: str) -> None:
        keep_id = self.keep_id
        if not query.strip():
            # an answer still coming for what was typed before would fill the list again
            self.workers.cancel_group(self, "merge-search")
            self._show([], "Type a name, email, company or phone")
            return
        run_db(
            self, lambda session: find_duplicates(session, query, keep_id),
            lambda rows: self._show(rows, "" if rows else "No other contact matches"),
            group="merge-search", exclusive=True,
        )  # fmt: skip

    def _show(self, rows: list[dict[str, Any]], note: str) -> None:
        matches = self.query_one("#merge-matches", OptionList)
        matches.clear_options()
        matches.add_options([Option(match_prompt(row), id=str(row["id"])) for row in rows])
        if rows:
            matches.highlighted = 0
        self.query_one("#merge-found", Static).update(note)

    def action_move(self, step: int) -> None:
        matches = self.query_one("#merge-matches", OptionList)
        if matches.option_count:
            current = matches.highlighted or 0
            matches.highlighted = max(0, min(matches.option_count - 1, current + step))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        matches = self.query_one("#merge-matches", OptionList)
        if matches.highlighted is not None:
            self.dismiss(int(matches.get_option_at_index(matches.highlighted).id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # outside the dialog: cancelled, as with esc
            self.dismiss(None)


def label(field: str) -> str:
    """A field as the contact's page names it: `job title`, a custom field by its own key."""
    return field.removeprefix("custom_fields.").replace("_", " ")


def plan_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The plan of `merge_report` as (section, line) rows: what moves, is added, filled,
    changed by a rule, and where the contact kept wins (with the value dropped)."""

    def counted(items: list, noun: str) -> str:
        return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"

    moved = [counted(report[n], n[:-1]) for n in ("deals", "tasks", "interactions") if report[n]]
    rows = [("Moves", ", ".join(moved) or "nothing: no deals, tasks or interactions")]
    rows += [
        (f"Adds {name}", ", ".join(report[f"{name}_added"]))
        for name in ("emails", "phones", "tags")
        if report[f"{name}_added"]
    ]
    rows += [("Fills", f"{label(row['field'])}: {row['value']}") for row in report["filled"]]
    rows += [
        ("Changes", f"{label(row['field'])}: {row['from']} → {row['to']} ({row['why']})")
        for row in report["changed"]
    ]
    rows += [
        ("Keeps", f"{label(row['field'])}: {row['kept']} (drops {row['dropped']})")
        for row in report["kept"]
        if row["kept"] not in (None, "")
    ]
    rows += [
        ("Drops", f"{label(row['field'])}: {row['dropped']} (the two disagree)")
        for row in report["kept"]
        if row["kept"] in (None, "")
    ]
    return rows


def plan_view(report: dict[str, Any]) -> Group:
    """The question, then the plan's rows with their section once each, lines wrapped under
    their own column; plain text throughout (a name may hold brackets)."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    previous = None
    for section, line in plan_rows(report):
        grid.add_row(section if section != previous else "", Text(line))
        previous = section
    question = Text(
        f"Merge {report['other_name']} (contact {report['other_id']}) into "
        f"{report['keep_name']} (contact {report['keep_id']})?",
        style="bold",
    )
    gone = Text(f"Contact {report['other_id']} is deleted once merged.\n")
    return Group(question, gone, grid, Text(f"\n{UNDO_HINT}"))


class MergeScreen(WriteDialog[dict[str, Any] | None]):
    """Reads the plan, asks, and merges in one transaction of its own. Dismisses with the
    core's report, or None; anything but enter or y keeps both."""

    BINDINGS = [
        Binding("enter,y", "merge", "Merge", key_display="y", id="confirm_merge"),
        Binding("escape,n", "keep", "Keep both", key_display="n", id="keep_both"),
    ]
    ERROR_ID = "merge-error"
    WAITING = "Merging… waiting for the database (another process is writing)"
    REFUSED = "Nothing was merged: enter tries again, esc keeps both."

    def __init__(self, keep_id: int, other_id: int) -> None:
        super().__init__()
        self.keep_id, self.other_id = keep_id, other_id
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm merge"):
            with VerticalScroll(id="merge-plan-body"):
                yield Static("Working out the merge…", id="merge-plan")
            yield Static("", id="merge-error", classes="field-error")
            yield from self.buttons("Merge  y", "merge", "Keep both  n")

    def on_mount(self) -> None:
        keep_id, other_id = self.keep_id, self.other_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.contacts import get_contact
            from crmtui.core.merge import merge_report, plan_merge

            plan = plan_merge(
                session, get_contact(session, keep_id), get_contact(session, other_id)
            )
            return merge_report(session, plan)

        run_db(self, read, self._planned, group="merge-plan", on_error=self._unplanned)

    def _planned(self, report: dict[str, Any]) -> None:
        self.report = report
        self.query_one("#merge-plan", Static).update(plan_view(report))

    def _unplanned(self, message: str) -> None:
        self.query_one("#merge-plan", Static).update("")
        self.say(f"{message}\nNothing was merged: esc closes.")

    def action_merge(self) -> None:
        if self.report is None:
            return
        keep_id, other_id = self.keep_id, self.other_id

        def merge(session) -> dict[str, Any]:
            from crmtui.core.contacts import get_contact
            from crmtui.core.merge import merge_contacts

            keep, other = get_contact(session, keep_id), get_contact(session, other_id)
            return merge_contacts(session, keep, other)

        self.write(merge, self.dismiss)


def merged_text(report: dict[str, Any]) -> str:
    """`Merged Ada L (contact 12) into Ada Lovelace: moved 1 interaction; added 1 email.`"""

    def counted(items: list, noun: str) -> str:
        return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"

    moved = [counted(report[n], n[:-1]) for n in ("deals", "tasks", "interactions") if report[n]]
    added = [
        counted(report[f"{n}_added"], n[:-1])
        for n in ("emails", "phones", "tags")
        if report[f"{n}_added"]
    ]
    parts = [
        "moved " + ", ".join(moved) if moved else "",
        "added " + ", ".join(added) if added else "",
        "filled " + ", ".join(label(row["field"]) for row in report["filled"])
        if report["filled"]
        else "",
        ", ".join(f"{label(row['field'])} {row['to']}" for row in report["changed"]),
    ]
    done = "; ".join(part for part in parts if part)
    return (
        f"Merged {report['other_name']} (contact {report['other_id']}) into "
        f"{report['keep_name']}{': ' + done if done else ''}. "
        "To undo: h opens its history, where u splits them."
    )


def ask_to_merge(
    node: DOMNode, keep_id: int, keep_name: str, merged: Callable[[dict[str, Any]], None]
) -> None:
    """Find the duplicate, show the plan, merge it into `keep_id` through the core; then say so,
    tell the views the duplicate is gone and call `merged` with the core's report."""
    app = node.app

    def done(report: dict[str, Any] | None) -> None:
        if not report:
            return
        app.record_events.append(("deleted", "contact", report["other_id"]))
        app.notify(merged_text(report), timeout=10)
        merged(report)

    def picked(other_id: int | None) -> None:
        if other_id is not None:
            app.push_screen(MergeScreen(keep_id, other_id), done)

    app.push_screen(MergePickScreen(keep_id, keep_name), picked)
