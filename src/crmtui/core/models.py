"""SQLModel tables: the one place to read the schema."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crmtui.core.choices import (  # noqa: F401  (re-exported: the schema's allowed values)
    CONSENT_STATES,
    CUSTOMER_STAGES,
    DEAL_STATUSES,
    DIRECTIONS,
    INTERACTION_KINDS,
    LIFECYCLE_STAGES,
    STAGE_KINDS,
    TASK_PRIORITIES,
)
from crmtui.core.types import UTCDateTime, utcnow


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _when(index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True)
    name: str = ""
    email: str | None = None
    active: bool = True
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Company(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    domain: str | None = Field(default=None, index=True)
    industry: str | None = None
    size: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    website: str | None = None
    notes: str | None = None
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    custom_fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    search_text: str = ""
    version: int = 1
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Contact(SQLModel, table=True):
    __table_args__ = (
        Index("ix_contact_sort_key_id", "sort_key", "id"),
        Index("ix_contact_owner_created", "owner_id", "created_at"),
        Index("ix_contact_owner_lifecycle", "owner_id", "lifecycle_stage"),
        Index("ix_contact_stage_sort", "lifecycle_stage", "sort_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = ""
    last_name: str = ""
    display_name: str
    sort_key: str = ""
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    birthday_year: int | None = None
    birthday_month: int | None = None
    birthday_day: int | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    website: str | None = None
    notes: str | None = None
    source: str | None = None
    lifecycle_stage: str = Field(default="lead")
    # looked up by ix_contact_owner_created and ix_contact_owner_lifecycle
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    email_consent: str = "unknown"
    consent_at: datetime | None = _when()
    consent_source: str | None = None
    do_not_contact: bool = False
    custom_fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_contacted_at: datetime | None = _when(index=True)
    search_text: str = ""
    version: int = 1
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = _created()


class ContactEmail(SQLModel, table=True):
    __tablename__ = "contact_email"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    email: str
    email_key: str = Field(unique=True)
    label: str | None = None
    is_primary: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ContactPhone(SQLModel, table=True):
    __tablename__ = "contact_phone"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    phone: str
    phone_key: str = Field(index=True)
    label: str | None = None
    is_primary: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Segment(SQLModel, table=True):
    """A named contact filter, saved to list, export or assign the same people again."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    # the ContactFilter fields that narrow, as {field: value}
    filters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ContactTag(SQLModel, table=True):
    __tablename__ = "contact_tag"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


class CompanyTag(SQLModel, table=True):
    __tablename__ = "company_tag"

    company_id: int = Field(foreign_key="company.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


class DealTag(SQLModel, table=True):
    __tablename__ = "deal_tag"

    deal_id: int = Field(foreign_key="deal.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


class Pipeline(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    position: int = 0
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Stage(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("pipeline_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True, ondelete="CASCADE")
    name: str
    name_key: str
    position: int
    probability: int = Field(description="win probability in percent, 0-100")
    kind: str = "open"
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Deal(SQLModel, table=True):
    # the reports' covering indexes (migration 0007)
    __table_args__ = (
        Index("ix_deal_created_amounts", "created_at", "currency", "amount_units", "owner_id"),
        Index(
            "ix_deal_status_closed_amounts", "status", "closed_at", "created_at", "stage_id",
            "currency", "amount_units", "owner_id", "contact_id", "company_id",
        ),
        Index(
            "ix_deal_status_stage_amounts", "status", "stage_id", "currency", "created_at",
            "amount_units", "owner_id",
        ),
        # the board's columns, in the order deals entered the stage (migration 0008)
        Index("ix_deal_stage_entered", "stage_id", "status", "stage_entered_at"),
        Index("ix_deal_status_created", "status", "created_at"),
        Index("ix_deal_owner_created", "owner_id", "created_at"),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    title: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    pipeline_id: int = Field(foreign_key="pipeline.id")
    stage_id: int = Field(foreign_key="stage.id", index=True)
    amount_units: int = Field(
        default=0, sa_type=BigInteger, description="amount x 10 000 (see core.money)"
    )
    currency: str = "EUR"
    expected_close: date | None = Field(default=None, index=True)
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="open")
    closed_at: datetime | None = _when(index=True)
    lost_reason: str | None = None
    stage_entered_at: datetime = _created()
    notes: str | None = None
    search_text: str = ""
    version: int = 1
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = _created()


class DealStageChange(SQLModel, table=True):
    __tablename__ = "deal_stage_change"
    __table_args__ = (
        Index(
            "ix_deal_stage_change_changed_moves",
            "changed_at",
            "deal_id",
            "from_stage_id",
            "to_stage_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True, ondelete="CASCADE")
    from_stage_id: int | None = Field(default=None, foreign_key="stage.id")
    to_stage_id: int = Field(foreign_key="stage.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")


class Interaction(SQLModel, table=True):
    __table_args__ = (
        Index("ix_interaction_contact_occurred", "contact_id", "occurred_at"),
        Index("ix_interaction_occurred_kind_user", "occurred_at", "kind", "user_id"),
        Index("ix_interaction_kind_user_occurred", "kind", "user_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    deal_id: int | None = Field(default=None, foreign_key="deal.id", index=True)
    kind: str
    direction: str = "out"
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    duration_seconds: int | None = None
    subject: str = ""
    body: str | None = None
    outcome: str | None = None
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()

    @property
    def label(self) -> str:
        """What names it to a person: its summary, else the start of its note."""
        text = self.subject or " ".join((self.body or "").split())
        return text if len(text) <= 40 else text[:39] + "…"


class Task(SQLModel, table=True):
    __table_args__ = (Index("ix_task_done_due_assignee", "done_at", "due_at", "assignee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    due_at: datetime | None = _when()
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="deal.id", index=True)
    priority: str = "normal"
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    done_at: datetime | None = _when()
    notes: str | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


def customer_stage(column: str) -> dict[str, Any]:
    """The predicate of a partial index over the rows where `column` is a customer stage."""
    where = text(f"{column} IN ({', '.join(repr(stage) for stage in CUSTOMER_STAGES)})")
    return {"sqlite_where": where, "postgresql_where": where}


class LifecycleChange(SQLModel, table=True):
    __tablename__ = "lifecycle_change"
    # only changes into and out of the customers, what reports.monthly reads (migration 0014)
    __table_args__ = (
        Index(
            "ix_lifecycle_change_to_changed", "to_stage", "changed_at", "from_stage", "contact_id",
            **customer_stage("to_stage"),
        ),
        Index(
            "ix_lifecycle_change_from_changed", "from_stage", "changed_at", "to_stage", "contact_id",
            **customer_stage("from_stage"),
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    from_stage: str | None = None
    to_stage: str
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id")


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    source: str
    status: str = "running"
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    user_id: int | None = Field(default=None, foreign_key="user.id")
    started_at: datetime = _created()
    finished_at: datetime | None = _when()
    undone_at: datetime | None = _when()


class Change(SQLModel, table=True):
    """The audit log: one row per create, update or delete, written in the same transaction."""

    __table_args__ = (Index("ix_change_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_id: int
    action: str
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str
