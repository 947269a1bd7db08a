"""Helpers for the io tests: run an import against the test database and read contacts back."""

from pathlib import Path

import pytest

from crmtui.core.schemas import ContactFilter
from crmtui.io.export import contact_pages
from crmtui.io.imports import ImportRequest, import_contacts

DATA = Path(__file__).parent.parent / "data" / "import"
VOLATILE = {"id", "created_at", "updated_at", "version", "consent_at", "owner", "last_contacted_at"}


class Importer:
    def __init__(self, db):
        self.db = db

    def __call__(self, path, **options):
        request = ImportRequest(path=str(path), **options)
        return import_contacts(self.db, request, username="sam")

    def contacts(self) -> list[dict]:
        """Every contact as exported to JSON, without ids and timestamps, sorted by name."""
        with self.db.session() as session:
            rows = [row for page in contact_pages(session, ContactFilter()) for row in page]
        return sorted(
            ({k: v for k, v in row.items() if k not in VOLATILE} for row in rows),
            key=lambda r: (r["name"], r["email"] or ""),
        )

    def by_email(self, email: str) -> dict:
        matches = [c for c in self.contacts() if email in c["emails"]]
        assert len(matches) == 1, matches
        return matches[0]

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.db.session() as session:
            return session.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()


@pytest.fixture
def importer(db):
    return Importer(db)


@pytest.fixture
def ctrl_c_on_second_batch(monkeypatch):
    """Call it to make the contact importer raise KeyboardInterrupt as its second batch is
    written, as if Ctrl-C arrived after the first; returns the sizes of the batches asked for."""
    from crmtui.io import contacts_import

    def arm() -> list[int]:
        calls: list[int] = []
        original = contacts_import.ContactImporter._insert

        def failing_insert(self, records):
            calls.append(len(records))
            if len(calls) == 2:
                raise KeyboardInterrupt
            return original(self, records)

        monkeypatch.setattr(contacts_import.ContactImporter, "_insert", failing_insert)
        return calls

    return arm
