"""Modal forms: log an interaction, contact, company, new deal, task, lost reason, filter.

Forms that save do it themselves in one transaction and stay open on a domain error, showing the
message next to the field it is about; they dismiss with the saved record's id.
"""

import time
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from crmtui.core.timeparse import format_duration
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import local_time

LIFECYCLE = (
    "subscriber", "lead", "marketing_qualified", "sales_qualified", "opportunity", "customer",
    "evangelist", "former_customer", "other",
)  # fmt: skip
CONSENT = ("unknown", "subscribed", "unsubscribed")
KINDS = ("call", "email", "meeting", "note", "chat")
SAYS_SAVING_AFTER = 0.5  # seconds: a save not done by then is waiting for a lock


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def parse_custom_fields(text: str) -> dict[str, str]:
    """`size=10-50; referral=Kim` as a dict; `;` separates, since values often hold commas."""
    from crmtui.core.errors import Invalid

    fields: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"a custom field needs key=value, not {part.strip()!r}")
        fields[key.strip()] = value.strip()
    return fields


class FormScreen(ModalScreen[Any]):
    """A titled form with Save/Cancel; `ERROR_FIELDS` routes a message to the field it names."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "save", "Save", id="save"),
        # priority: the next field takes focus as tab arrives, so what is typed straight after
        # goes into it, not on the end of the field before
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]
    TITLE_TEXT = ""
    ERROR_FIELDS: tuple[tuple[str, str], ...] = ()
    AUTO_FOCUS = ""  # each form focuses its first field itself, once ready for typing

    def __init__(self) -> None:
        super().__init__()
        self.opened_at = time.monotonic()  # keys typed meanwhile wait for its first field

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(self.TITLE_TEXT, classes="form-title")
            yield from self.fields()
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def fields(self) -> ComposeResult:
        yield from ()

    def field(self, name: str, label: str, widget) -> ComposeResult:
        widget.id = name
        widget.compact = True  # one line a field: the longest form fits 80x24
        if isinstance(widget, Input):
            # editing a contact starts in its name: a first keystroke must not replace it
            widget.select_on_focus = False
        yield Horizontal(Label(label, classes="field-label"), widget, classes="field")
        yield Static("", id=f"{name}-error", classes="field-error")

    def value(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, Checkbox):
            return "yes" if widget.value else ""
        return widget.value.strip()

    saving = False
    focus_on_mount = True  # False: the form focuses its first field once it has read its data

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs and self.focus_on_mount:
            inputs.first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.update("")
            error.display = False
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def show_error(self, message: str) -> None:
        """Put the message under the field it is about (or under the form) and focus that field."""
        self.clear_errors()
        lowered = message.lower()
        for keyword, name in self.ERROR_FIELDS:
            if keyword in lowered and self.query(f"#{name}"):  # a form may leave a field out
                target = self.query_one(f"#{name}-error", Static)
                widget = self.query_one(f"#{name}")
                widget.add_class("-invalid")
                widget.focus()
                break
        else:
            target = self.query_one("#form-error", Static)
        target.update(message)
        target.display = True

    def action_save(self) -> None:
        if self.saving:  # a second ctrl+s while the first is being written
            return
        self.clear_errors()
        try:
            work = self.prepare()
        except Exception as exc:  # noqa: BLE001 - parse errors are shown like domain errors
            self.show_error(str(exc))
            return
        self.saving = True
        run_db(self, work, self.dismiss, write=True, group="form", on_error=self._refused)
        self.set_timer(SAYS_SAVING_AFTER, self._say_saving)

    def _say_saving(self) -> None:
        """A save still under way is waiting for the database (another process is writing):
        say so, or the form looks as if ctrl+s went unheard for up to half a minute."""
        if self.saving and self.is_attached:
            notice = self.query_one("#form-error", Static)
            notice.update("Saving… waiting for the database (another process is writing)")
            notice.display = True

    def _refused(self, message: str) -> None:
        self.saving = False
        self.show_error(message)

    def prepare(self):
        """A function of a write session that saves the form and returns the result."""
        raise NotImplementedError


class LogInteractionScreen(FormScreen):
    TITLE_TEXT = "Log an interaction"
    FOLLOW_UP = True  # the fields of a follow-up task
    ERROR_FIELDS = (
        ("kind", "kind"), ("duration", "duration"), ("follow-up", "followup_due"),
        ("summary", "summary"), ("date", "when"), ("time", "when"), ("when", "when"),
    )  # fmt: skip

    def __init__(self, contact_id: int, name: str = "") -> None:
        super().__init__()
        self.contact_id = contact_id
        if name:
            self.TITLE_TEXT = f"Log an interaction with {name}"

    def fields(self) -> ComposeResult:
        kinds = [(kind, kind) for kind in KINDS]
        yield from self.field("kind", "Kind", Select(kinds, value="call", allow_blank=False))
        yield from self.field("summary", "Summary", Input(placeholder="what was it about"))
        yield from self.field("note", "Note", Input(placeholder="optional: the details"))
        yield from self.field(
            "when", "When", Input(placeholder="now · -2h · yesterday · 2026-05-01 14:30")
        )
        yield from self.field("duration", "Duration", Input(placeholder="15m, 1h30m"))
        yield from self.field("outcome", "Outcome", Input(placeholder="optional"))
        if self.FOLLOW_UP:
            yield from self.field("followup", "Follow-up task", Input(placeholder="optional"))
            yield from self.field(
                "followup_due", "Follow-up due",
                Input(placeholder="tomorrow 9:00 · +3d · 2026-05-04"),
            )  # fmt: skip

    def on_mount(self) -> None:
        self.query_one("#summary", Input).focus()

    def prepare(self):
        from crmtui.core.errors import Invalid
        from crmtui.core.schemas import InteractionInput, TaskInput
        from crmtui.core.timeparse import parse_duration, parse_when

        now = self.app.now()
        when_text, due_text = self.value("when"), self.value("followup_due")
        occurred = parse_when(when_text, now=now) if when_text else now
        duration = parse_duration(self.value("duration")) if self.value("duration") else None
        followup = self.value("followup")
        if due_text and not followup:
            raise Invalid("give the follow-up task a title, or clear its due date")
        try:
            due = parse_when(due_text, now=now) if due_text else None
        except Invalid as exc:
            raise Invalid(f"follow-up due: {exc}") from None
        data = InteractionInput(
            contact=str(self.contact_id),
            kind=self.value("kind"),
            subject=self.value("summary"),
            occurred_at=occurred,
            duration_seconds=duration,
            body=self.value("note") or None,
            outcome=self.value("outcome") or None,
        )

        def save(session) -> int:
            from crmtui.core.interactions import log_interaction
            from crmtui.core.tasks import add_task

            interaction = log_interaction(session, data)
            if followup:
                add_task(
                    session, TaskInput(title=followup, due_at=due, contact=str(self.contact_id))
                )
            return interaction.id

        return save


class EditInteractionScreen(LogInteractionScreen):
    """What was logged, to correct: the same fields but a follow-up, saved as `crm log edit`
    saves them; a time or duration left as shown keeps its seconds."""

    FOLLOW_UP = False

    def __init__(self, interaction: dict[str, Any]) -> None:
        super().__init__(interaction["contact_id"])
        self.interaction = interaction
        self.TITLE_TEXT = f"Edit the {interaction['kind']} with {interaction['contact']}"
        self.shown = {
            "when": local_time(interaction["occurred_at"]),
            "duration": format_duration(interaction["duration_seconds"]),
        }

    def on_mount(self) -> None:
        i = self.interaction
        self.query_one("#kind", Select).value = i["kind"]
        texts = {"summary": i["subject"], "note": i["body"], "outcome": i["outcome"], **self.shown}
        for name, text in texts.items():
            self.query_one(f"#{name}", Input).value = text or ""
        super().on_mount()

    def prepare(self):
        from crmtui.core.timeparse import parse_duration, parse_when

        values: dict[str, Any] = {
            "kind": self.value("kind"), "subject": self.value("summary"),
            "body": self.value("note"), "outcome": self.value("outcome"),
        }  # fmt: skip
        when, duration = self.value("when"), self.value("duration")
        if when != self.shown["when"]:
            values["occurred_at"] = parse_when(when, now=self.app.now())
        if duration != self.shown["duration"]:
            values["duration_seconds"] = parse_duration(duration) if duration else None
        interaction_id = self.interaction["id"]

        def save(session) -> int:
            from crmtui.core.interactions import edit_interaction, get_interaction

            edit_interaction(session, get_interaction(session, interaction_id), **values)
            return interaction_id

        return save


class ContactFormScreen(FormScreen):
    """Every field a contact has, checked by the same services as `crm contact add/edit`."""

    ERROR_FIELDS = (
        ("custom field", "custom_fields"), ("needs a name", "name"), ("birthday", "birthday"),
        ("consent", "consent"), ("email", "emails"), ("phone", "phones"), ("name", "name"),
        ("lifecycle", "lifecycle"), ("tag", "tags"), ("company", "company"), ("user", "owner"),
    )  # fmt: skip

    BINDINGS = [Binding("ctrl+l", "load_theirs", "Load theirs", id="load_theirs", show=False)]
    COMPARED = (
        ("name", "Name"), ("emails", "Emails"), ("phones", "Phones"), ("company", "Company"),
        ("job_title", "Job title"), ("lifecycle", "Lifecycle stage"), ("owner", "Owner"),
        ("tags", "Tags"), ("birthday", "Birthday"), ("website", "Website"),
        ("street", "Street"), ("city", "City"), ("region", "Region"),
        ("postal_code", "Postal code"), ("country", "Country"), ("consent", "Email consent"),
        ("consent_source", "Consent source"), ("do_not_contact", "Do not contact"),
        ("source", "Source"), ("custom_fields", "Custom fields"), ("notes", "Notes"),
    )  # fmt: skip
    PLAIN = (
        "job_title", "website", "street", "city", "region", "postal_code", "country",
        "consent_source", "source", "notes",
    )  # fmt: skip

    def __init__(self, contact_id: int | None = None) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.version: int | None = None
        self.old_tags: list[str] = []
        self.old_custom: dict[str, str] = {}
        self.theirs: dict[str, Any] | None = None
        self.TITLE_TEXT = "Edit contact" if contact_id else "New contact"
        # an edit is focused once filled: what is typed meanwhile waits, then adds to the contact
        self.focus_on_mount = contact_id is None

    def fields(self) -> ComposeResult:
        stages = [(s.replace("_", " "), s) for s in LIFECYCLE]
        yield from self.field("name", "Name", Input(placeholder="Ada Lovelace"))
        yield from self.field("emails", "Emails", Input(placeholder="ada@example.com, ..."))
        yield from self.field("phones", "Phones", Input(placeholder="+44 20 7946 0000, ..."))
        yield from self.field("company", "Company", Input())
        yield from self.field("job_title", "Job title", Input())
        yield from self.field(
            "lifecycle", "Lifecycle stage", Select(stages, value="lead", allow_blank=False)
        )
        yield from self.field("owner", "Owner", Input(placeholder="you"))
        yield from self.field("tags", "Tags", Input(placeholder="vip, london"))
        yield from self.field(
            "birthday", "Birthday", Input(placeholder="1985-04-12, or --04-12 without a year")
        )
        yield from self.field("website", "Website", Input(placeholder="https://example.com"))
        yield from self.field("street", "Street", Input())
        yield from self.field("city", "City", Input())
        yield from self.field("region", "Region", Input(placeholder="state or region"))
        yield from self.field("postal_code", "Postal code", Input())
        yield from self.field("country", "Country", Input())
        yield from self.field(
            "consent",
            "Email consent",
            Select([(c, c) for c in CONSENT], value="unknown", allow_blank=False),
        )
        yield from self.field(
            "consent_source", "Consent source", Input(placeholder="web form, phone call")
        )
        yield from self.field("do_not_contact", "Do not contact", Checkbox("never contact"))
        yield from self.field("source", "Source", Input(placeholder="where they came from"))
        yield from self.field(
            "custom_fields", "Custom fields", Input(placeholder="size=10-50; referral=Kim")
        )
        yield from self.field("notes", "Notes", Input())

    def on_mount(self) -> None:
        if self.contact_id is not None:
            run_db(self, self._read, self._fill)

    def _read(self, session) -> dict[str, Any]:
        from crmtui.core.contacts import contact_rows, get_contact

        return contact_rows(session, [get_contact(session, self.contact_id)])[0]

    @classmethod
    def _form_values(cls, row: dict[str, Any]) -> dict[str, str]:
        custom = "; ".join(f"{key}={value}" for key, value in row["custom_fields"].items())
        return {
            "name": row["name"], "emails": ", ".join(row["emails"]),
            "phones": ", ".join(row["phones"]), "company": row["company"] or "",
            "tags": ", ".join(row["tags"]), "lifecycle": row["lifecycle_stage"],
            "owner": row["owner"] or "", "birthday": row["birthday"] or "",
            "consent": row["email_consent"], "custom_fields": custom,
            "do_not_contact": "yes" if row["do_not_contact"] else "",
            **{name: row[name] or "" for name in cls.PLAIN},
        }  # fmt: skip

    def _fill(self, row: dict[str, Any]) -> None:
        self.version = row["version"]
        self.old_tags = row["tags"]
        self.old_custom = dict(row["custom_fields"])
        for name, value in self._form_values(row).items():
            widget = self.query_one(f"#{name}")
            widget.value = value == "yes" if isinstance(widget, Checkbox) else value
        if self.focused is None:
            self.set_focus(self.query_one("#name", Input))

    def _refused(self, message: str) -> None:
        """A stale edit: show each field as you left it and as it now is; you choose."""
        if "changed by someone else" not in message:
            super()._refused(message)
            return
        run_db(self, self._read, self._show_conflict)

    def _show_conflict(self, row: dict[str, Any]) -> None:
        self.saving = False
        self.theirs = row
        theirs = self._form_values(row)
        lines = [
            f"{label}: yours {self.value(name)!r}, theirs {theirs[name]!r}"
            for name, label in self.COMPARED
            if self.value(name) != theirs[name]
        ]
        self.version = row["version"]
        self.old_custom = dict(row["custom_fields"])
        self.clear_errors()
        notice = self.query_one("#form-error", Static)
        notice.update(
            "Someone else changed this contact while you edited it.\n"
            + "\n".join(lines or ["(the same values as yours)"])
            + "\nctrl+s saves yours over theirs; ctrl+l loads theirs; esc cancels."
        )
        notice.display = True

    def action_load_theirs(self) -> None:
        if self.theirs is not None:
            self._fill(self.theirs)
            self.clear_errors()

    def prepare(self):
        from crmtui.core.schemas import ContactInput

        tags = split_list(self.value("tags"))
        custom = parse_custom_fields(self.value("custom_fields"))
        # the service merges an edit into what is there: send what changed, "" for a key taken out
        removed = {key: "" for key in self.old_custom if key not in custom}
        changed = {
            key: value
            for key, value in custom.items()
            if key not in self.old_custom or str(self.old_custom[key]) != value
        }
        data = ContactInput(
            name=self.value("name"),
            emails=split_list(self.value("emails")),
            phones=split_list(self.value("phones")),
            company=self.value("company"),
            lifecycle_stage=self.value("lifecycle"),
            owner=self.value("owner"),
            birthday=self.value("birthday"),
            email_consent=self.value("consent"),
            do_not_contact=self.value("do_not_contact") == "yes",
            custom_fields={**removed, **changed},
            tags=tags,
            **{name: self.value(name) for name in self.PLAIN},
        )
        contact_id, version, old_tags = self.contact_id, self.version, self.old_tags

        def save(session) -> int:
            from crmtui.core.contacts import add_contact, get_contact, untag_dropped, update_contact

            if contact_id is None:
                return add_contact(session, data).id
            contact = get_contact(session, contact_id)
            update_contact(session, contact, data, version)
            untag_dropped(session, contact, old_tags, tags)
            return contact.id

        return save


class DealFormScreen(FormScreen):
    TITLE_TEXT = "New deal"
    ERROR_FIELDS = (
        ("title", "title"), ("amount", "amount"), ("currency", "currency"),
        ("pipeline", "pipeline"), ("stage", "stage"), ("close", "expected_close"),
        ("date", "expected_close"),
    )  # fmt: skip

    def __init__(self, contact_id: int | None = None) -> None:
        super().__init__()
        self.contact_id = contact_id

    def fields(self) -> ComposeResult:
        yield from self.field("title", "Title", Input(placeholder="Website redesign"))
        yield from self.field("amount", "Amount", Input(placeholder="1500.00"))
        yield from self.field("currency", "Currency", Input(value="EUR"))
        yield from self.field("pipeline", "Pipeline", Input(placeholder="default pipeline"))
        yield from self.field("stage", "Stage", Input(placeholder="first stage"))
        yield from self.field("expected_close", "Expected close", Input(placeholder="2026-06-30"))

    def prepare(self):
        from crmtui.core.schemas import DealInput
        from crmtui.core.timeparse import parse_date

        close = self.value("expected_close")
        data = DealInput(
            title=self.value("title"),
            contact=str(self.contact_id) if self.contact_id else None,
            amount=self.value("amount") or None,
            currency=self.value("currency") or "EUR",
            pipeline=self.value("pipeline") or None,
            stage=self.value("stage") or None,
            expected_close=parse_date(close) if close else None,
        )

        def save(session) -> int:
            from crmtui.core.deals import add_deal

            return add_deal(session, data).id

        return save


class TaskFormScreen(FormScreen):
    """A new task (for a contact, or none), or an open one renamed, rescheduled, reprioritised."""

    ERROR_FIELDS = (
        ("title", "title"), ("priority", "priority"), ("contact", "contact"), ("date", "due"),
        ("time", "due"),
    )  # fmt: skip

    def __init__(self, task_id: int | None = None, contact_id: int | None = None) -> None:
        super().__init__()
        self.task_id, self.contact_id = task_id, contact_id
        self.TITLE_TEXT = "Edit task" if task_id else "New task"
        self.focus_on_mount = task_id is None  # an edit is focused once filled

    def fields(self) -> ComposeResult:
        priorities = [(p, p) for p in ("low", "normal", "high")]
        yield from self.field("title", "Task", Input(placeholder="Send the proposal"))
        yield from self.field(
            "due", "Due", Input(placeholder="tomorrow 9:00 · +3d · empty: no date")
        )
        yield from self.field(
            "priority", "Priority", Select(priorities, value="normal", allow_blank=False)
        )
        if self.task_id is None and self.contact_id is None:
            yield from self.field(
                "contact", "Contact", Input(placeholder="optional: name, email or id")
            )

    def on_mount(self) -> None:
        if self.task_id is None:
            super().on_mount()
            return
        task_id = self.task_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.tasks import get_task, task_rows

            return task_rows(session, [get_task(session, task_id)])[0]

        run_db(self, read, self._fill, on_error=self.show_error)

    def _fill(self, task: dict[str, Any]) -> None:
        from crmtui.tui.formatting import local_time

        self.query_one("#title", Input).value = task["title"]
        self.query_one("#due", Input).value = local_time(task["due_at"])
        self.query_one("#priority", Select).value = task["priority"]
        if self.focused is None:  # most edits are a new date: what is typed replaces the old
            due = self.query_one("#due", Input)
            self.set_focus(due)
            due.select_all()

    def prepare(self):
        from crmtui.core.schemas import TaskInput
        from crmtui.core.timeparse import parse_when

        due_text = self.value("due")
        due = parse_when(due_text, now=self.app.now()) if due_text else None
        title, priority = self.value("title"), self.value("priority")
        task_id = self.task_id
        named = self.value("contact") if self.query("#contact") else ""
        contact = str(self.contact_id) if self.contact_id else named or None

        def save(session) -> int:
            from crmtui.core.tasks import add_task, edit_task, get_task

            if task_id is None:
                data = TaskInput(title=title, due_at=due, contact=contact, priority=priority)
                return add_task(session, data).id
            task = get_task(session, task_id)
            return edit_task(session, task, title=title, due_at=due, priority=priority).id

        return save


class CompanyFormScreen(FormScreen):
    """A company's own fields, checked by the same service as `crm company edit`."""

    TITLE_TEXT = "Edit company"
    ERROR_FIELDS = (("name", "name"), ("user", "owner"), ("domain", "domain"))
    FIELDS = (
        ("name", "Name"), ("domain", "Domain"), ("industry", "Industry"), ("size", "Size"),
        ("website", "Website"), ("street", "Street"), ("city", "City"), ("region", "Region"),
        ("postal_code", "Postal code"), ("country", "Country"), ("owner", "Owner"),
        ("notes", "Notes"),
    )  # fmt: skip

    def __init__(self, company_id: int) -> None:
        super().__init__()
        self.company_id = company_id
        self.focus_on_mount = False  # focused once filled

    def fields(self) -> ComposeResult:
        for name, label in self.FIELDS:
            yield from self.field(name, label, Input())

    def on_mount(self) -> None:
        company_id = self.company_id

        def read(session) -> dict[str, Any]:
            from crmtui.core.companies import company_rows, get_company

            return company_rows(session, [get_company(session, company_id)])[0]

        run_db(self, read, self._fill, on_error=self.show_error)

    def _fill(self, row: dict[str, Any]) -> None:
        for name, _label in self.FIELDS:
            self.query_one(f"#{name}", Input).value = row[name] or ""
        if self.focused is None:
            self.set_focus(self.query_one("#name", Input))

    def prepare(self):
        from crmtui.core.schemas import CompanyInput

        # "" clears a field; the name is refused empty by the service
        data = CompanyInput(**{name: self.value(name) for name, _label in self.FIELDS})
        company_id = self.company_id

        def save(session) -> int:
            from crmtui.core.companies import get_company, update_company

            update_company(session, get_company(session, company_id), data)
            return company_id

        return save


class LostReasonScreen(FormScreen):
    """Asks why a deal was lost; dismisses with the reason (possibly empty) or None."""

    TITLE_TEXT = "Why was it lost?"

    def fields(self) -> ComposeResult:
        yield from self.field(
            "reason", "Reason", Input(placeholder="price, timing, went elsewhere")
        )

    def action_save(self) -> None:
        self.dismiss(self.value("reason"))


class FilterScreen(FormScreen):
    """Narrow the contact list; dismisses with the filter fields that are set."""

    TITLE_TEXT = "Filter contacts"

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__()
        self.current = current

    def fields(self) -> ComposeResult:
        stages = [(s.replace("_", " "), s) for s in LIFECYCLE]
        yield from self.field("tag", "Tag", Input(value=self.current.get("tag") or ""))
        yield from self.field(
            "lifecycle_stage",
            "Lifecycle stage",
            Select(stages, value=self.current.get("lifecycle_stage") or Select.NULL, prompt="any"),
        )
        yield from self.field("owner", "Owner", Input(value=self.current.get("owner") or ""))
        yield from self.field("company", "Company", Input(value=self.current.get("company") or ""))
        yield from self.field(
            "email_consent",
            "Email consent",
            Select(
                [(c, c) for c in CONSENT], value=self.current.get("email_consent") or Select.NULL,
                prompt="any",
            ),
        )  # fmt: skip
        yield from self.field(
            "contactable",
            "Reachable",
            Checkbox(
                "not do-not-contact, not unsubscribed", self.current.get("contactable", False)
            ),
        )

    def action_save(self) -> None:
        names = ("tag", "lifecycle_stage", "owner", "company", "email_consent", "contactable")
        chosen = {name: self.value(name) for name in names}
        chosen["contactable"] = bool(chosen["contactable"])
        self.dismiss({key: value for key, value in chosen.items() if value})
