"""Deterministic data and a fixed clock for the full-screen app's Pilot and snapshot tests."""

import sqlite3
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

import pytest

from crmtui.core.contacts import add_contact
from crmtui.core.deals import add_deal
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import ContactInput, DealInput, InteractionInput, TaskInput
from crmtui.core.tasks import add_task

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
FIRST = ("Ada", "Bela", "Chiara", "Dmitri", "Élodie", "Farah", "Goran", "Hiro", "Ines", "Jonas")
LAST = (
    "Lovelace",
    "Müller",
    "Okafor",
    "Nguyen",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
    "Zhou",
    "Kaya",
)
COMPANIES = ("Analytical Engines", "Brightwater", "Cobalt Labs", None)


def build(db, contacts: int = 30) -> dict:
    """Contacts named from a fixed list, one with deals, an interaction and tasks; all dated."""
    start = NOW - timedelta(days=60)
    with db.transaction(username="sam") as session:
        for n in range(contacts):
            first, last = FIRST[n % 10], LAST[(n // 10) % 10]
            suffix = "" if n < 100 else f" {n // 100}"
            add_contact(
                session,
                ContactInput(
                    name=f"{first} {last}{suffix}",
                    emails=[f"{first.lower()}.{n}@example.com"],
                    phones=[f"+44 20 7946 {n:04d}"],
                    company=COMPANIES[n % 4],
                    tags=["vip"] if n % 7 == 0 else None,
                    created_at=start,
                ),
            )
        ada = add_contact(
            session,
            ContactInput(
                name="Zora Quinn", emails=["zora@quinn.example"], company="Quinn & Co",
                tags=["partner"], email_consent="subscribed", created_at=start,
            ),
        )  # fmt: skip
        log_interaction(
            session,
            InteractionInput(
                contact=str(ada.id), kind="meeting", subject="Kick-off",
                occurred_at=start + timedelta(days=10), outcome="keen",
            ),
        )  # fmt: skip
        deals = [
            add_deal(
                session,
                DealInput(
                    title=title,
                    contact=str(ada.id),
                    amount=amount,
                    created_at=start + timedelta(days=day),
                ),
            )  # fmt: skip
            for title, amount, day in (("Website", "1500", 5), ("Audit", "800", 20))
        ]
        overdue = add_task(
            session,
            TaskInput(title="Send proposal", due_at=NOW - timedelta(days=1), contact=str(ada.id)),
        )
        add_task(session, TaskInput(title="Call back", due_at=NOW + timedelta(days=2)))
    return {"zora": ada.id, "deals": [d.id for d in deals], "task": overdue.id}


@pytest.fixture
def data(db):
    return build(db)


@pytest.fixture
def make_app(db):
    from crmtui.tui.app import CRMApp

    return lambda: CRMApp(db, "sam", clock=lambda: NOW)


@pytest.fixture
def notified(monkeypatch):
    """The message of every notification the app shows, in order, however soon it went."""
    from textual.app import App

    messages = []
    notify = App.notify

    def recording(self, message, *args, **kwargs):
        messages.append(message)
        return notify(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", recording)
    return messages


@pytest.fixture
def beside_a_writer(db_path, monkeypatch):
    """Opens the app on the test's SQLite file beside a connection of its own, another process
    that can take the write lock; waits on the lock are short."""
    from crmtui.core import db as dbmodule
    from crmtui.core.db import Database, sqlite_url
    from crmtui.tui import dbwork
    from crmtui.tui.app import CRMApp

    @contextmanager
    def opened(busy_ms: int = 300):
        monkeypatch.setattr(dbmodule, "BUSY_TIMEOUT_MS", busy_ms)
        monkeypatch.setattr(dbwork, "LOCKED_PAUSE_SECONDS", 0.05)
        database = Database(sqlite_url(db_path))
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            yield CRMApp(database, "sam"), other, database
        finally:
            other.close()
            database.dispose()

    return opened


@pytest.fixture
def settle():
    return wait_for_workers


@pytest.fixture
def build_data(db):
    return lambda contacts=30: build(db, contacts)


async def wait_for_workers(pilot) -> None:
    """Wait until database workers have answered and their results are on screen.

    A form's save closes the form from its worker, and closing a screen cancels its workers:
    the save, done by then, may still count as running for that moment and end up cancelled.
    """
    from textual.worker import WorkerCancelled

    for _ in range(10):
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return
