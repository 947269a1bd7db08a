"""A long import commits in chunks: other writers get in between, and a failure undoes it all."""

import threading
import time

import pytest

from crmtui.core import db as core_db
from crmtui.core.contact_detail import contact_detail
from crmtui.core.contacts import add_contact, list_contacts
from crmtui.core.db import Database
from crmtui.core.errors import OperationalError
from crmtui.core.schemas import ContactInput
from crmtui.io import imports
from crmtui.io.batches import batch_rows
from crmtui.io.imports import ImportRequest, import_contacts

ROWS = 20_000


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    lines = (f"Person {n},person{n}@example.com,+1 555 {n:07d}\n" for n in range(ROWS))
    path.write_text("name,email,phone\n" + "".join(lines))
    return path


def interrupt_at_half(_bytes: int, _total: int | None, rows: int) -> None:
    if rows >= ROWS // 2:
        raise KeyboardInterrupt


HANDOVER_SECONDS = core_db.HANDOVER_SECONDS


@pytest.fixture
def short_chunks(monkeypatch):
    monkeypatch.setattr(imports, "COMMIT_EVERY_SECONDS", 0.02)
    monkeypatch.setattr(core_db, "HANDOVER_SECONDS", 0)  # nobody else is waiting


def test_other_writers_get_their_turn_during_a_long_import(
    db, database_url, people, short_chunks, monkeypatch
):
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_MS", 1500)  # the others give up after 1.5 s
    monkeypatch.setattr(core_db, "HANDOVER_SECONDS", HANDOVER_SECONDS)
    other = Database(database_url)
    stop, added, failed = threading.Event(), [], []

    def log_calls_meanwhile():
        while not stop.is_set():
            try:
                with other.transaction(username="kim") as session:
                    n = len(added)
                    add_contact(session, ContactInput(name=f"Kim Call {n}", emails=[f"k{n}@x.org"]))
                added.append(time.monotonic())
            except Exception as exc:  # noqa: BLE001  (what a user would see)
                failed.append(exc)
            time.sleep(0.02)

    writer = threading.Thread(target=log_calls_meanwhile)
    writer.start()
    try:
        result = import_contacts(db, ImportRequest(path=str(people)), username="sam")
        import_ended = time.monotonic()
    finally:
        stop.set()
        writer.join()
        other.dispose()

    assert failed == []
    # saved while the import still ran: in between its chunks, not after its one commit
    assert len([at for at in added if at < import_ended]) >= 3
    assert result.inserted == ROWS
    with db.session() as session:
        assert len(list_contacts(session, limit=None)) == ROWS + len(added)


def test_a_re_import_holds_the_write_lock_only_for_the_chunks_it_changes(
    db, database_url, people, short_chunks, monkeypatch, tmp_path
):
    import_contacts(db, ImportRequest(path=str(people)), username="sam")
    lines = people.read_text().splitlines()
    lines[15_000] = lines[15_000].replace("Person", "Renamed")
    # refused in the same batch, which is read once without the lock and again with it
    lines.insert(15_000, "Both,person1@example.com ::: person2@example.com,")
    (tmp_path / "again.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(imports, "COMMIT_EVERY_SECONDS", 0)  # a chunk per batch of rows
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_MS", 50)  # others give up at once
    other = Database(database_url)
    saved, failed = [], []

    def save_another_contact(_bytes: int, _total: int | None, rows: int) -> None:
        if rows % 2000 == 0:  # between the import's chunks
            try:
                with other.transaction(username="kim") as session:
                    add_contact(
                        session, ContactInput(name=f"Kim {rows}", emails=[f"k{rows}@x.org"])
                    )
                saved.append(rows)
            except OperationalError as exc:
                failed.append((rows, exc))

    try:
        result = import_contacts(
            db, ImportRequest(path=str(tmp_path / "again.csv"), on_duplicate="update"),
            username="sam", progress=save_another_contact,
        )  # fmt: skip
    finally:
        other.dispose()

    assert failed == []
    assert saved == list(range(2000, ROWS + 1, 2000))
    assert (result.updated, result.unchanged, result.rejected) == (1, ROWS - 1, 1)
    with db.session() as session:
        names = [c.display_name for c in list_contacts(session, limit=None)]
    assert len(names) == ROWS + len(saved)
    assert "Renamed 14999" in names and "Person 14999" not in names


def test_a_failure_after_some_chunks_undoes_the_whole_import(db, people, short_chunks):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada Lovelace", emails=["ada@example.com"]))

    with pytest.raises(KeyboardInterrupt):
        import_contacts(
            db, ImportRequest(path=str(people)), username="sam", progress=interrupt_at_half
        )

    with db.session() as session:
        assert [c.display_name for c in list_contacts(session, limit=None)] == ["Ada Lovelace"]
        batch = batch_rows(session)[0]
    assert batch["status"] == "rolled back"


def test_what_a_killed_import_committed_is_undone_on_request(
    crm, db, people, short_chunks, monkeypatch
):
    # as if the process died before it could roll back its committed chunks
    monkeypatch.setattr(imports, "roll_back_batch", lambda *args: None)
    with pytest.raises(KeyboardInterrupt):
        import_contacts(
            db, ImportRequest(path=str(people)), username="sam", progress=interrupt_at_half
        )
    history = crm.json("import", "history")
    assert history[0]["status"] == "running"
    left = len(crm.json("contact", "list", "--limit", "0"))
    assert 0 < left < ROWS

    refused = crm("import", "undo", str(history[0]["id"]))
    assert refused.exit_code == 4 and "--unfinished" in refused.stderr

    crm.ok("import", "undo", str(history[0]["id"]), "--unfinished")
    assert crm.json("contact", "list", "--limit", "0") == []
    assert crm.json("import", "history")[0]["status"] == "undone"


def test_a_failed_interactions_import_undoes_its_committed_chunks(db, tmp_path, short_chunks):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(name="Ada Lovelace", emails=["ada@example.com"]))
    lines = "".join(
        f"ada@example.com,call,2026-10-0{n % 9 + 1} 10:00,Call {n}\n" for n in range(3000)
    )
    (tmp_path / "calls.csv").write_text("email,kind,occurred_at,subject\n" + lines)

    def interrupt(line: int, _action: str, _what: str) -> None:
        if line >= 400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        imports.run_import(
            "interactions", db, ImportRequest(path=str(tmp_path / "calls.csv")),
            username="sam", on_event=interrupt,
        )  # fmt: skip

    with db.session() as session:
        assert contact_detail(session, "ada@example.com")["interactions"] == []
        assert batch_rows(session)[0]["status"] == "rolled back"
