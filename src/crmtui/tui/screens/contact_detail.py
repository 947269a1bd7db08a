"""Everything about one contact: fields, timeline newest first, deals, open tasks, tags, consent."""

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from crmtui.reports.figures import amount_text
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import joined, local_time, postal_address
from crmtui.tui.screens.task_keys import TaskKeys
from crmtui.tui.widgets.fitted_table import BesideCard, DealTable, FittedTable
from crmtui.tui.widgets.footer import KeysFooter

TIMELINE_LIMIT = 50
TIMELINE = (("When", 16, 0), ("Kind", 7, 0), ("Summary", 0, 2), ("Outcome", 0, 1))
DEALS = (("Deal", 0, 1), ("Stage", 12, 0), ("Amount", 14, 0), ("Status", 6, 0))
TASKS = (("Due", 16, 0), ("Task", 0, 1), ("Priority", 8, 0))


def timeline_row(i: dict[str, Any]) -> tuple[int, dict[str, str]]:
    return i["id"], {
        "When": local_time(i["occurred_at"]), "Kind": i["kind"],
        "Summary": i["subject"] or (i["body"] or ""), "Outcome": i["outcome"] or "",
    }  # fmt: skip


class TaskTable(FittedTable):
    """The contact's open tasks; its keys show in the footer while it has the focus."""

    BINDINGS = [
        Binding("x", "screen.task_done", "Done", id="task_done"),
        Binding("e", "screen.edit_task", "Reschedule", id="edit_task"),
        Binding("D,delete", "screen.delete_task", "Delete task", id="delete_task"),
    ]


class ContactDetailScreen(BesideCard, TaskKeys, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("l", "log", "Log", id="log"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("d", "new_deal", "New deal", id="new_deal"),
        Binding("h", "history", "History", id="history"),
        Binding("a", "new_task", "New task", id="new_task"),
        Binding("o", "company", "Company", id="company"),
        # not in the footer, which has no room left: in help and the command palette
        Binding("D,delete", "delete", "Delete", id="delete_contact", show=False),
        Binding("m", "merge", "Merge a duplicate in", id="merge_contact", show=False),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.detail: dict[str, Any] | None = None
        self.timeline_more = False  # the timeline's last page read was full
        self.timeline_paging = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="detail"):
            with VerticalScroll(id="detail-fields"):
                yield Static("", id="contact-card")
            with Vertical(id="detail-lists"):
                yield Label("Timeline", id="timeline-label", classes="section")
                yield FittedTable(TIMELINE, id="timeline")
                yield Label("Deals", classes="section")
                yield DealTable(DEALS, id="contact-deals")
                yield Label("Open tasks", classes="section")
                yield TaskTable(TASKS, id="contact-tasks")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit_columns()
        self.query_one("#timeline", DataTable).focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        contact_id = self.contact_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.contact_detail import contact_detail

            return contact_detail(session, contact_id, timeline_limit=TIMELINE_LIMIT)

        run_db(self, read, self._show, group="detail", exclusive=True)

    def _show(self, detail: dict[str, Any]) -> None:
        self.detail = detail
        c = detail["contact"]
        self.sub_title = c["name"]
        address = postal_address(c)
        consent = c["email_consent"]
        if c["consent_at"] and consent != "unknown":
            consent += f" {local_time(c['consent_at'])}"
        if c["consent_source"]:
            consent += f" ({c['consent_source']})"
        rows = [
            ("Company", c["company"]), ("Job title", c["job_title"]),
            ("Emails", "\n".join(c["emails"])), ("Phones", "\n".join(c["phones"])),
            ("Lifecycle", (c["lifecycle_stage"] or "").replace("_", " ")), ("Owner", c["owner"]),
            ("Tags", joined(c["tags"])), ("Consent", consent),
            ("Do not contact", "yes" if c["do_not_contact"] else ""),
            ("Last contacted", local_time(c["last_contacted_at"])),
            ("Birthday", c["birthday"]), ("Website", c["website"]), ("Address", address),
            ("Source", c["source"]),
            *((key, value) for key, value in (c["custom_fields"] or {}).items()),
            ("Notes", c["notes"]),
        ]  # fmt: skip
        lines = [f"[b]{escape(c['name'])}[/b]", ""]
        for label, value in rows:
            if value:
                lines.append(f"[dim]{label}[/dim]\n{escape(str(value))}")
        self.query_one("#contact-card", Static).update("\n".join(lines))
        self._timeline_read(len(detail["interactions"]))
        self.query_one("#timeline", FittedTable).fill(
            [timeline_row(i) for i in detail["interactions"]]
        )
        self.query_one("#contact-deals", FittedTable).fill([
            (d["id"], {
                "Deal": d["title"], "Stage": d["stage"],
                "Amount": amount_text(d["amount"], d["currency"]), "Status": d["status"],
            })
            for d in detail["deals"]
        ])  # fmt: skip
        self.query_one("#contact-tasks", FittedTable).fill([
            (t["id"], {"Due": local_time(t["due_at"]), "Task": t["title"], "Priority": t["priority"]})
            for t in detail["tasks"]
        ])  # fmt: skip
        self.refresh_bindings()  # the open tasks' keys come and go with them

    def _timeline_read(self, page: int) -> None:
        """A full page read: there may be older ones, read when the cursor reaches the last."""
        self.timeline_more = page >= TIMELINE_LIMIT
        self.query_one("#timeline-label", Label).update(
            "Timeline: older ones read as the cursor goes down"
            if self.timeline_more
            else "Timeline"
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if table.id != "timeline" or not self.timeline_more or self.detail is None:
            return
        if event.cursor_row < table.row_count - 1 or self.timeline_paging:
            return
        self.timeline_paging = True
        contact_id, last = self.contact_id, self.detail["interactions"][-1]
        before = (last["occurred_at"], last["id"])

        def read(session) -> list[dict[str, Any]]:
            from crmtui.core.reads import find_contact, interaction_rows, timeline

            contact = find_contact(session, contact_id)
            return interaction_rows(
                session, timeline(session, contact, limit=TIMELINE_LIMIT, before=before)
            )

        def show(older: list[dict[str, Any]]) -> None:
            self.timeline_paging = False
            if self.detail is None or self.detail["interactions"][-1] is not last:
                return  # read again meanwhile: this page follows a list no longer shown
            self.detail["interactions"] += older
            self.query_one("#timeline", FittedTable).append([timeline_row(i) for i in older])
            self._timeline_read(len(older))

        def failed(message: str) -> None:
            self.timeline_paging = False
            self.notify(message, severity="error", title="crm")

        run_db(self, read, show, group="timeline", on_error=failed)

    def _saved(self, result: Any) -> None:
        if result:  # a saved record's id, or True: a change undone in its history
            self.refresh_data()
            for screen in self.app.screen_stack:
                if hasattr(screen, "refresh_contact"):
                    screen.refresh_contact(self.contact_id)

    def action_log(self) -> None:
        from crmtui.tui.screens.forms import LogInteractionScreen

        self.app.push_screen(LogInteractionScreen(self.contact_id, self.sub_title), self._saved)

    def action_history(self) -> None:
        from crmtui.tui.screens.history import HistoryScreen

        self.app.push_screen(
            HistoryScreen("contact", self.contact_id, self.sub_title or "contact"), self._saved
        )

    def action_edit(self) -> None:
        from crmtui.tui.screens.forms import ContactFormScreen

        self.app.push_screen(ContactFormScreen(self.contact_id), self._saved)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The open tasks' keys only with a task to act on: else e edits the contact again (and
        D deletes it, as on the deals with none)."""
        if action in ("task_done", "edit_task", "delete_task"):
            return bool(self.query_one("#contact-tasks", DataTable).row_count)
        if action == "delete_deal":
            return bool(self.query_one(DealTable).row_count)
        return True

    def selected_task(self) -> int | None:
        table = self.query_one("#contact-tasks", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_new_task(self) -> None:
        from crmtui.tui.screens.forms import TaskFormScreen

        self.app.push_screen(TaskFormScreen(contact_id=self.contact_id), self._saved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """enter on the timeline: the interaction in full (its columns cut a long note)."""
        if event.data_table.id != "timeline" or self.detail is None:
            return
        from crmtui.tui.screens.interaction import InteractionScreen

        chosen = next(
            (i for i in self.detail["interactions"] if str(i["id"]) == event.row_key.value), None
        )
        if chosen is not None:
            self.app.push_screen(
                InteractionScreen(chosen), lambda choice: self._act_on(chosen, choice)
            )

    def _act_on(self, interaction: dict[str, Any], choice: str | None) -> None:
        if choice == "edit":
            from crmtui.tui.screens.forms import EditInteractionScreen

            self.app.push_screen(EditInteractionScreen(interaction), self._saved)
        elif choice == "delete":
            from crmtui.tui.screens.delete import ask_to_delete

            ask_to_delete(self, "interaction", interaction["id"], lambda: self._saved(True))

    def action_company(self) -> None:
        company = self.detail and self.detail["contact"]["company"]
        if company:
            self.app.open_company(company)
        else:
            self.notify("This contact has no company: e edits it", timeout=3)

    def action_new_deal(self) -> None:
        from crmtui.tui.screens.forms import DealFormScreen

        self.app.push_screen(DealFormScreen(self.contact_id), self._saved)

    def action_delete(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        ask_to_delete(self, "contact", self.contact_id, self._deleted)

    def action_merge(self) -> None:
        from crmtui.tui.screens.merge import ask_to_merge

        ask_to_merge(self, self.contact_id, self.sub_title, self._merged)

    def _merged(self, report: dict[str, Any]) -> None:
        """This page and its row in the list read again; the duplicate's row goes."""
        self._saved(True)
        for screen in self.app.screen_stack:
            if screen is not self and hasattr(screen, "record_deleted"):
                screen.record_deleted("contact", report["other_id"])

    def _deleted(self) -> None:
        """Back to where the page was opened from, which lets the contact go."""
        self.app.pop_screen()
        for screen in self.app.screen_stack:
            if hasattr(screen, "record_deleted"):
                screen.record_deleted("contact", self.contact_id)

    def deal_deleted(self) -> None:
        self._saved(True)  # the list's row too: its count of open deals

    def record_deleted(self, entity: str, record_id: int) -> None:
        if entity == "company":  # its company, deleted on the company's page opened from here
            self.refresh_data()
