"""Input shapes for the services: what a create or an edit may carry, before validation."""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class ContactInput:
    """A new contact, or an edit of one: None means "leave as it is"."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    job_title: str | None = None
    company: str | None = None
    birthday: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    website: str | None = None
    notes: str | None = None
    source: str | None = None
    lifecycle_stage: str | None = None
    owner: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, str] | None = None
    email_consent: str | None = None
    consent_source: str | None = None
    do_not_contact: bool | None = None
    created_at: datetime | None = None


@dataclass
class CompanyInput:
    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    size: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    website: str | None = None
    notes: str | None = None
    owner: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, str] | None = None
    created_at: datetime | None = None


@dataclass
class DealInput:
    title: str | None = None
    contact: str | None = None
    company: str | None = None
    pipeline: str | None = None
    stage: str | None = None
    amount: str | None = None
    currency: str | None = None
    expected_close: date | None = None
    owner: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    created_at: datetime | None = None


@dataclass
class InteractionInput:
    contact: str
    kind: str
    subject: str = ""
    occurred_at: datetime | None = None
    direction: str = "out"
    duration_seconds: int | None = None
    body: str | None = None
    outcome: str | None = None
    deal_id: int | None = None
    # who logged it, when not the user acting (an import of another database's log)
    user: str | None = None


@dataclass
class TaskInput:
    title: str
    due_at: datetime | None = None
    contact: str | None = None
    deal_id: int | None = None
    priority: str = "normal"
    assignee: str | None = None
    notes: str | None = None


@dataclass
class ContactFilter:
    """What `contact list` and the contacts screen narrow by."""

    query: str | None = None
    tag: str | None = None
    company: str | None = None
    owner: str | None = None
    lifecycle_stage: str | None = None
    where: dict[str, str] = field(default_factory=dict)
    email_consent: str | None = None
    # only those one may reach: not marked do-not-contact, not unsubscribed
    contactable: bool = False
