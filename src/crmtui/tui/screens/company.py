"""One company: its fields, its people and its deals."""

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from crmtui.reports.figures import amount_text
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import joined, postal_address
from crmtui.tui.widgets.fitted_table import BesideCard, DealTable, FittedTable
from crmtui.tui.widgets.footer import KeysFooter

SHOWN = 100  # core.companies.company_detail reads this many people and deals
PEOPLE = (("Name", 0, 2), ("Email", 0, 3), ("Phone", 16, 0))
DEALS = (("Deal", 0, 1), ("Stage", 12, 0), ("Amount", 14, 0), ("Status", 6, 0))


class CompanyScreen(BesideCard, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("e", "edit", "Edit", id="edit_company"),
        Binding("h", "history", "History", id="company_history"),
        Binding("D,delete", "delete", "Delete", id="delete_company"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.company_name = name
        self.company_id: int | None = None  # known once read: a rename keeps the page on it

    def compose(self) -> ComposeResult:
        with Horizontal(id="detail"):
            with VerticalScroll(id="detail-fields"):
                yield Static("", id="company-card")
            with Vertical(id="detail-lists"):
                yield Label("People", id="company-people-label", classes="section")
                yield FittedTable(PEOPLE, id="company-contacts")
                yield Label("Deals", id="company-deals-label", classes="section")
                yield DealTable(DEALS, id="company-deals")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit_columns()
        self.query_one("#company-contacts", DataTable).focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        name, company_id = self.company_name, self.company_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.companies import company_detail, find_company
            from crmtui.core.errors import NotFound

            if company_id is None:  # by name: a company called 1984 is not id 1984
                company = find_company(session, name)
                if company is None:
                    raise NotFound(f"no company {name!r}")
                return company_detail(session, company.id)
            return company_detail(session, company_id)

        run_db(self, read, self._show, group="company", exclusive=True)

    def _show(self, detail: dict[str, Any]) -> None:
        c = detail["company"]
        self.company_id, self.company_name = c["id"], c["name"]
        self.sub_title = c["name"]
        address = postal_address(c)
        rows = [
            ("Domain", c["domain"]), ("Industry", c["industry"]), ("Size", c["size"]),
            ("Website", c["website"]), ("Owner", c["owner"]), ("Tags", joined(c["tags"])),
            ("People", f"{c['contacts']:,}"), ("Address", address),
            *((key, value) for key, value in (c["custom_fields"] or {}).items()),
            ("Notes", c["notes"]),
        ]  # fmt: skip
        lines = [f"[b]{escape(c['name'])}[/b]", ""]
        for label, value in rows:
            if value:
                lines.append(f"[dim]{label}[/dim]\n{escape(str(value))}")
        self.query_one("#company-card", Static).update("\n".join(lines))
        people, deals = detail["contacts"], detail["deals"]
        self._label("#company-people-label", "People", len(people), c["contacts"])
        self._label("#company-deals-label", "Deals", len(deals), None)
        self.query_one("#company-contacts", FittedTable).fill([
            (p["id"], {"Name": p["name"], "Email": p["email"] or "", "Phone": p["phone"] or ""})
            for p in people
        ])  # fmt: skip
        self.query_one("#company-deals", FittedTable).fill([
            (d["id"], {
                "Deal": d["title"], "Stage": d["stage"],
                "Amount": amount_text(d["amount"], d["currency"]), "Status": d["status"],
            })
            for d in deals
        ])  # fmt: skip
        self.refresh_bindings()  # the deals' D comes and goes with them

    def _label(self, selector: str, name: str, shown: int, total: int | None) -> None:
        """`People`, or `People: the first 100 of 218` when there are more than are read."""
        text = name
        if shown >= SHOWN:
            text += f": the first {SHOWN}" + (f" of {total:,}" if total else "")
        self.query_one(selector, Label).update(text)

    def action_edit(self) -> None:
        from crmtui.tui.screens.forms import CompanyFormScreen

        if self.company_id is not None:
            self.app.push_screen(CompanyFormScreen(self.company_id), self._changed)

    def action_history(self) -> None:
        from crmtui.tui.screens.history import HistoryScreen

        if self.company_id is not None:
            history = HistoryScreen("company", self.company_id, self.company_name)
            self.app.push_screen(history, self._changed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_deal":  # with no deal, D deletes the company
            return bool(self.query_one(DealTable).row_count)
        return True

    def action_delete(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        if self.company_id is not None:
            ask_to_delete(self, "company", self.company_id, self._deleted)

    def _deleted(self) -> None:
        """Back to where the page was opened from, which reads what it shows of it again."""
        self.app.pop_screen()
        for screen in self.app.screen_stack:
            if hasattr(screen, "record_deleted"):
                screen.record_deleted("company", self.company_id)

    def record_deleted(self, entity: str, record_id: int) -> None:
        if entity == "contact":  # one of its people, deleted on their page opened from here
            self.refresh_data()

    def _changed(self, result: Any) -> None:
        if result:  # saved, or a change undone
            self.refresh_data()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "company-contacts":
            self.app.open_contact(int(event.row_key.value))
