"""Import batches: the summary every import returns, history, and undoing a batch."""

import csv
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import select
from sqlmodel import Session

from crmtui.core.db import Database
from crmtui.core.errors import Conflict, Invalid, NotFound, OperationalError
from crmtui.core.models import ImportBatch
from crmtui.core.types import utcnow
from crmtui.core.users import usernames_by_id
from crmtui.io.formulas import escape_cells

ON_DUPLICATE = ("skip", "update", "merge")


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    entity: str
    source: str
    batch: int | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    preset: str | None = None
    dry_run: bool = False

    def summary(self) -> dict[str, Any]:
        """The stable JSON shape scripts read."""
        return {
            "batch": self.batch,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "ignored_columns": list(self.ignored_columns),
        }


class RejectsWriter:
    """Rejected rows as CSV: the line number and the reason, then the row as it was read. First,
    they stay under their headings whatever the row's width; a row left too short or too long
    is refused again when the file is imported after fixing (their columns are ignored then).
    Cells a spreadsheet would run as formulas are neutralised (unless `escape_formulas` is off)
    the way the import undoes, so the fixed file imports the values as they were read."""

    def __init__(self, out: TextIO | None, *, escape_formulas: bool = True) -> None:
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n") if out is not None else None
        self.header_written = False
        self.escape_formulas = escape_formulas

    def header(self, columns: list[str]) -> None:
        if self.writer is not None and not self.header_written:
            self.writer.writerow(["crm_line", "crm_error", *columns])
            self.header_written = True

    def reject(self, line: int, fields: list[str], reason: str) -> None:
        if self.writer is not None:
            row = [line, reason, *fields]
            self.writer.writerow(escape_cells(row, as_read=True) if self.escape_formulas else row)


def check_on_duplicate(value: str) -> str:
    value = value.strip().lower()
    if value not in ON_DUPLICATE:
        raise Invalid(f"--on-duplicate {value}: choose one of {', '.join(ON_DUPLICATE)}")
    return value


def start_batch(session: Session, entity: str, source: str) -> ImportBatch:
    batch = ImportBatch(entity=entity, source=source, user_id=session.info.get("user_id"))
    session.add(batch)
    session.flush()
    session.info["batch_id"] = batch.id
    return batch


def finish_batch(session: Session, batch: ImportBatch, result: ImportResult) -> None:
    for key in ("rows", "inserted", "updated", "unchanged", "rejected"):
        setattr(batch, key, getattr(result, key))
    batch.status = "done"
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    session.info.pop("batch_id", None)
    result.batch = batch.id


def batch_rows(session: Session, limit: int | None = 50) -> list[dict[str, Any]]:
    """Import batches, newest first, as plain rows."""
    stmt = select(ImportBatch).order_by(ImportBatch.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    batches = list(session.scalars(stmt))
    users = usernames_by_id(session, {b.user_id for b in batches if b.user_id})
    return [
        {
            "id": b.id,
            "entity": b.entity,
            "file": b.source,
            "status": b.status,
            "started": b.started_at,
            "finished": b.finished_at,
            "undone": b.undone_at,
            "user": users.get(b.user_id),
            "rows": b.rows,
            "inserted": b.inserted,
            "updated": b.updated,
            "unchanged": b.unchanged,
            "rejected": b.rejected,
        }
        for b in batches
    ]


def get_batch(session: Session, ref: str | int) -> ImportBatch:
    text = str(ref).strip()
    if not text.isdigit():
        raise Invalid(f"name an import batch by its id, not {text!r}")
    batch = session.get(ImportBatch, int(text))
    if batch is None:
        raise NotFound(f"no import batch {text}")
    return batch


def undo_batch(session: Session, ref: str | int, *, unfinished: bool = False) -> dict[str, int]:
    """Delete what the batch inserted and restore what it updated; all or nothing.

    Refuses with Conflict when any record the batch touched was changed after it, and a batch
    still marked running unless `unfinished` (its import was killed before it could undo it).
    """
    batch = get_batch(session, ref)
    if batch.undone_at is not None:
        raise Conflict(f"import batch {batch.id} was already undone")
    if batch.status == "running" and not unfinished:
        raise Conflict(
            f"import batch {batch.id} has not finished: if no import is running any more "
            "(it was killed), undo what it committed with --unfinished"
        )
    return _revert(session, batch, "undone")


def roll_back_batch(db: Database, batch_id: int, username: str | None) -> None:
    """After a failed import that had committed chunks: undo them, in a transaction of its own."""
    try:
        with db.transaction(username=username) as session:
            _revert(session, get_batch(session, batch_id), "rolled back")
    except Conflict as exc:
        raise OperationalError(
            f"the import failed after committing part of batch {batch_id}, and that part could "
            f"not be undone ({exc}); see crm import history"
        ) from None


def _revert(session: Session, batch: ImportBatch, status: str) -> dict[str, int]:
    from crmtui.io.undo import revert_batch

    counts = revert_batch(session, batch.id)
    batch.undone_at = utcnow()
    batch.status = status
    session.add(batch)
    session.flush()
    return counts
