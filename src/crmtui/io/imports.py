"""Running an import end to end: open the input, map it, write it as one batch."""

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from crmtui.core.bulkupkeep import settle_after_bulk_write
from crmtui.core.db import Database
from crmtui.core.errors import Invalid
from crmtui.io.batches import ImportResult, RejectsWriter, roll_back_batch
from crmtui.io.contacts_import import ContactImportOptions, Event, import_contact_rows
from crmtui.io.json_rows import read_table
from crmtui.io.presets import detect_preset, get_preset, map_columns
from crmtui.io.source import open_source, peek_first_line, read_to_end
from crmtui.io.vcard import card_pairs, looks_like_vcard, read_cards

# a long import commits this often, so other writers wait for the lock no longer than that
COMMIT_EVERY_SECONDS = 2.0
# from this many written rows on, an import leaves PostgreSQL's search index and stats fresh
SETTLE_AFTER_ROWS = 1000
# the fields --match takes besides a custom field's name
MATCH_FIELDS = ("email", "phone", "name")
IDENTIFYING_FIELDS = ("name", "first_name", "middle_name", "last_name", "email")
# (bytes read, total bytes or None, rows read)
Progress = Callable[[int, int | None, int], None]
# called once everything is written, as the final commit starts: from then on the import is saved
Saving = Callable[[], None]


@dataclass
class ImportRequest:
    """Everything `crm import ...` was asked for."""

    path: str
    preset: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    keep_unknown: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    on_duplicate: str = "skip"
    match: tuple[str, ...] = ()
    dry_run: bool = False
    rejects_path: str | None = None
    escape_formulas: bool = True


def open_rejects(
    stack: ExitStack, path: str | None, reading: str, *, escape_formulas: bool = True
) -> RejectsWriter:
    """A writer for refused rows: to the file given (closed with the stack), `-` for stdout, or
    nowhere. Never the file being read (`reading`): opening it for writing would empty it under
    the import."""
    if not path:
        return RejectsWriter(None)
    if path == "-":
        return RejectsWriter(sys.stdout, escape_formulas=escape_formulas)
    target = Path(path)
    if reading != "-" and target.exists() and target.samefile(reading):
        raise Invalid(f"--rejects {path} is the file being imported: name another file")
    out = stack.enter_context(target.open("w", encoding="utf-8", newline=""))  # noqa: SIM115
    return RejectsWriter(out, escape_formulas=escape_formulas)


@contextmanager
def undone_on_failure(
    db: Database, username: str | None, on_saving: Saving | None = None
) -> Iterator[Session]:
    """The write transaction of an import that may commit in chunks: should it fail (or be
    interrupted) after a chunk was committed, that batch is undone too, so nothing is left."""
    committed: int | None = None
    try:
        with db.transaction(username=username) as session:
            try:
                yield session
            except BaseException:
                committed = session.info.get("committed_batch")
                raise
            if on_saving is not None:
                on_saving()
    except BaseException:
        if committed is not None:
            roll_back_batch(db, committed, username)
        raise


def import_contacts(
    db: Database,
    request: ImportRequest,
    *,
    username: str | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    on_event: Event | None = None,
    on_saving: Saving | None = None,
) -> ImportResult:
    """Import contacts from CSV (any supported preset) or vCard; one atomic batch."""
    options = ContactImportOptions(
        on_duplicate=request.on_duplicate,
        match=tuple(_match_key(key) for key in request.match),
        dry_run=request.dry_run,
        commit_every=None if request.dry_run else COMMIT_EVERY_SECONDS,
    )
    with ExitStack() as stack:
        source = open_source(request.path, request.encoding, stdin)
        stack.callback(source.close)
        rejects = open_rejects(
            stack, request.rejects_path, request.path, escape_formulas=request.escape_formulas
        )
        if looks_like_vcard(peek_first_line(source)):
            rows = (
                (line, [text], card_pairs_or_reason(text)) for line, text in read_cards(source.text)
            )
            rejects.header(["vcard"])
            ignored: list[str] = []
            preset_name = "vcard"
        else:
            table = read_table(source, request.delimiter)
            preset = get_preset(request.preset) if request.preset else detect_preset(table.header)
            columns, rows = table.map_rows(
                partial(map_columns, preset=preset, overrides=request.mapping,
                        keep_unknown=request.keep_unknown)
            )  # fmt: skip
            _check_match(options.match, columns.fields)
            # a row names someone, or (with --match) finds them
            findable = [key if key in MATCH_FIELDS else f"custom:{key}" for key in options.match]
            require_column(
                columns.fields, table.header, [*IDENTIFYING_FIELDS, *findable],
                "a name or an email", "name|email",
            )  # fmt: skip
            rejects.header(table.rejects_header)
            ignored, preset_name = columns.ignored, preset.name

        def report(count: int) -> None:
            if progress is not None:
                progress(source.bytes_read, source.size, count)

        incoming = None if request.dry_run else source.size
        with db.bulk_load(incoming), undone_on_failure(db, username, on_saving) as session:
            result = import_contact_rows(
                session, read_to_end(rows, source, progress), source=source.name,
                options=options, rejects=rejects, progress=report, on_event=on_event,
            )  # fmt: skip
            if request.dry_run:
                session.rollback()
                result.batch = None
        if not request.dry_run and result.inserted + result.updated >= SETTLE_AFTER_ROWS:
            # after the commit, so nobody waits for it; should it fail (a dropped connection),
            # the import stands and autovacuum does the same later
            with suppress(DBAPIError), db.engine.begin() as connection:
                settle_after_bulk_write(connection, ("contact", "company"))
        result.ignored_columns = ignored
        result.preset = preset_name
        return result


def _match_key(key: str) -> str:
    """`--match` as the importer reads it: email, phone, name, or a custom field's name (also
    written custom:NAME, as in --map)."""
    key = key.strip()
    return key.lower() if key.lower() in MATCH_FIELDS else key.removeprefix("custom:")


def _check_match(match: tuple[str, ...], fields: list[str | None]) -> None:
    """A custom field no column feeds would match nothing, and every row would go in anew."""
    custom = sorted({f[len("custom:") :] for f in fields if f and f.startswith("custom:")})
    for key in match:
        if key not in MATCH_FIELDS and key not in custom:
            found = ", ".join(custom) or "none"
            raise Invalid(
                f"--match {key}: no column is read as that custom field (this file's: {found}; "
                "--keep-unknown or --map COLUMN=custom:NAME make one)"
            )


def require_column(
    fields: list[str | None], header: list[str], wanted: Iterable[str], what: str, map_to: str
) -> None:
    """Refuse, before any row is read, a file no row of which could give `what`: every row would
    be rejected, and the import would only look as if it went in."""
    if not set(wanted).intersection(fields):
        raise Invalid(
            f"no column gives {what} (columns: {', '.join(header) or 'none'}): rename one "
            f"(crm import presets lists the headers read) or use --map COLUMN={map_to}"
        )


def card_pairs_or_reason(text: str):
    try:
        return card_pairs(text)
    except Exception as exc:  # vobject raises many kinds of parse errors
        return f"unreadable vCard: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def run_import(
    kind: str,
    db: Database,
    request: ImportRequest,
    *,
    username: str | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    on_event: Event | None = None,
    on_saving: Saving | None = None,
) -> ImportResult:
    """`contacts`, `companies`, `deals` or `interactions`."""
    if kind == "contacts":
        return import_contacts(
            db, request, username=username, stdin=stdin, progress=progress, on_event=on_event,
            on_saving=on_saving,
        )  # fmt: skip
    from crmtui.io.records_import import import_records

    return import_records(
        kind, db, request, username=username, stdin=stdin, progress=progress, on_event=on_event,
        on_saving=on_saving,
    )  # fmt: skip
