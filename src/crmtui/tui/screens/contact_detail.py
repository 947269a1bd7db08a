"""Everything about one contact: fields, timeline newest first, deals, open tasks, tags, consent."""

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from crmtui.reports.figures import amount_text
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import joined, local_time

TIMELINE_LIMIT = 50


class ContactDetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("l", "log", "Log", id="log"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("d", "new_deal", "New deal", id="new_deal"),
        Binding("h", "history", "History", id="history"),
    ]

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id

    def compose(self) -> ComposeResult:
        with Horizontal(id="detail"):
            with VerticalScroll(id="detail-fields"):
                yield Static("", id="contact-card")
            with Vertical(id="detail-lists"):
                yield Label("Timeline", classes="section")
                yield DataTable(id="timeline", cursor_type="row")
                yield Label("Deals", classes="section")
                yield DataTable(id="contact-deals", cursor_type="row")
                yield Label("Open tasks", classes="section")
                yield DataTable(id="contact-tasks", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        # fixed widths: the same layout whatever the data and however soon it arrives
        columns = {
            "#timeline": (("When", 16), ("Kind", 7), ("Summary", 24), ("Outcome", 14)),
            "#contact-deals": (("Deal", 20), ("Stage", 12), ("Amount", 14), ("Status", 6)),
            "#contact-tasks": (("Due", 16), ("Task", 30), ("Priority", 8)),
        }
        for selector, specs in columns.items():
            table = self.query_one(selector, DataTable)
            for label, width in specs:
                table.add_column(label, width=width)
        self.query_one("#timeline", DataTable).focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        contact_id = self.contact_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.contact_detail import contact_detail

            return contact_detail(session, contact_id, timeline_limit=TIMELINE_LIMIT)

        run_db(self, read, self._show, group="detail", exclusive=True)

    def _show(self, detail: dict[str, Any]) -> None:
        c = detail["contact"]
        self.sub_title = c["name"]
        address = "\n".join(
            part
            for part in (
                c["street"],
                " ".join(p for p in (c["postal_code"], c["city"]) if p),
                c["region"],
                c["country"],
            )
            if part
        )
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
        timeline = self.query_one("#timeline", DataTable)
        timeline.clear()
        for i in detail["interactions"]:
            summary = i["subject"] or (i["body"] or "")
            timeline.add_row(
                local_time(i["occurred_at"]),
                i["kind"],
                summary,
                i["outcome"] or "",
                key=str(i["id"]),
            )
        deals = self.query_one("#contact-deals", DataTable)
        deals.clear()
        for d in detail["deals"]:
            deals.add_row(
                d["title"], d["stage"], amount_text(d["amount"], d["currency"]), d["status"]
            )
        tasks = self.query_one("#contact-tasks", DataTable)
        tasks.clear()
        for t in detail["tasks"]:
            tasks.add_row(local_time(t["due_at"]), t["title"], t["priority"], key=str(t["id"]))

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

    def action_new_deal(self) -> None:
        from crmtui.tui.screens.forms import DealFormScreen

        self.app.push_screen(DealFormScreen(self.contact_id), self._saved)
