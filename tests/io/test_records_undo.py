"""Undoing imports of interactions puts back what logging them moved on the contacts."""

from crmtui.core.contacts import add_contact, get_contact
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import ContactInput, InteractionInput
from crmtui.core.timeparse import parse_when
from crmtui.io.batches import undo_batch
from crmtui.io.imports import ImportRequest, run_import


def test_undoing_an_interactions_import_restores_last_contacted(db, tmp_path):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"]))
        add_contact(session, ContactInput(name="Grace", emails=["grace@example.com"]))
        ada = get_contact(session, "ada@example.com")
        log_interaction(
            session,
            InteractionInput(
                contact=str(ada.id), kind="call", subject="First call",
                occurred_at=parse_when("2026-03-01T09:00:00Z"),
            ),
        )  # fmt: skip
    with db.session() as session:
        before = get_contact(session, "ada@example.com").last_contacted_at
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "contact email,kind,occurred at,subject\n"
        "ada@example.com,call,2026-10-01T10:00:00Z,Follow-up\n"
        "grace@example.com,email,2026-10-02T10:00:00Z,Hello\n"
    )
    result = run_import("interactions", db, ImportRequest(path=str(calls)), username="sam")
    with db.session() as session:
        moved = get_contact(session, "ada@example.com").last_contacted_at
    assert moved.isoformat() == "2026-10-01T10:00:00+00:00"

    with db.transaction(username="sam") as session:
        undo_batch(session, result.batch)

    with db.session() as session:
        assert get_contact(session, "ada@example.com").last_contacted_at == before
        assert get_contact(session, "grace@example.com").last_contacted_at is None
