"""`crm import ...`: contacts, companies, deals and interactions from CSV; history and undo."""

import json
import signal
import sys
import threading
from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import (
    FormatOption,
    LimitOption,
    message,
    print_json,
    render_record,
    render_rows,
)

app = typer.Typer(no_args_is_help=True)

FileArg = Annotated[str, typer.Argument(help="CSV (or .vcf) file to read; - for stdin.")]
Preset = Annotated[
    str | None,
    typer.Option("--preset", help="google, google-legacy, outlook, hubspot, pipedrive or plain."),
]
Mapping = Annotated[
    list[str] | None,
    typer.Option("--map", help='Map a column to a field: "Column=field" (repeatable).'),
]
KeepUnknown = Annotated[
    bool, typer.Option("--keep-unknown", help="Keep unmapped columns as custom fields.")
]
Encoding = Annotated[
    str | None, typer.Option("--encoding", help="Input encoding (default: detected).")
]
Delimiter = Annotated[
    str | None, typer.Option("--delimiter", help="Field delimiter (default: sniffed); tab = \\t.")
]
OnDuplicate = Annotated[
    str,
    typer.Option(
        "--on-duplicate",
        help="skip (default), update (overwrite with the file's values) or merge (fill blanks).",
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")]
Rejects = Annotated[
    str | None,
    typer.Option(
        "--rejects", help="Write refused rows here (- for stdout), with line number and reason."
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print each row's outcome.")]

HISTORY_COLUMNS = (
    "id", "entity", "file", "status", "started", "rows", "inserted", "updated", "unchanged",
    "rejected",
)  # fmt: skip


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    from crmtui.cli.options import key_values

    return key_values(pairs, "--map")


READING = "importing"
# after the last row is read: the last batch, rebuilding indexes, committing (seconds on millions)
FINISHING = "writing indexes and committing"


def _progress_bar():
    """A rich progress bar on a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


class _LateInterrupt:
    """Ctrl-C stops an import, nothing kept, until its final commit starts. From then on the
    import is saved whatever happens, so a Ctrl-C is only noted: raised, it would be reported
    as 'nothing was changed' over a complete import."""

    def __init__(self) -> None:
        self.saving = False
        self.pressed = False
        self.previous = None

    def __enter__(self) -> "_LateInterrupt":
        # where Ctrl-C is ignored (a background job) or handled by someone else, leave it so
        mine = threading.current_thread() is threading.main_thread()
        if mine and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.previous = signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def start_saving(self) -> None:
        self.saving = True

    def _on_interrupt(self, signum, frame) -> None:
        if not self.saving:
            raise KeyboardInterrupt
        self.pressed = True


def _run(kind: str, request, fmt, verbose: bool) -> None:
    if request.rejects_path == "-" and fmt is not None and fmt.value != "table":
        raise typer.BadParameter(
            f"--rejects - and --format {fmt.value} would both write to stdout: name a file"
        )
    with _LateInterrupt() as late:
        result = _import(kind, request, fmt, verbose, late)
    if late.pressed and result.batch is not None:
        message(
            f"interrupted while saving: batch {result.batch} is complete "
            f"(crm import undo {result.batch} removes it)"
        )
    if result.rejected:
        raise typer.Exit(2)


def _import(kind: str, request, fmt, verbose: bool, late: _LateInterrupt):
    from crmtui.io.imports import run_import

    bar = _progress_bar()
    task = bar.add_task(READING, total=None, rows=0) if bar else None

    def progress(done: int, total: int | None, rows: int) -> None:
        if bar is not None:
            read = total is not None and done >= total
            phase = FINISHING if read else READING
            bar.update(task, completed=done, total=total, rows=rows, description=phase)

    def event(line: int, action: str, text: str) -> None:
        message(f"line {line}: {action} {text}")

    if bar is not None:
        bar.start()
    try:
        result = run_import(
            kind, context.database(), request, username=context.username(),
            progress=progress, on_event=event if verbose else None, on_saving=late.start_saving,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    summary = result.summary()
    if fmt is not None and fmt.value == "json":
        print_json(summary)
    elif fmt is not None and fmt.value == "ndjson":
        sys.stdout.write(json.dumps(summary) + "\n")
    elif fmt is not None and fmt.value == "csv":
        render_record(summary, fmt)
    else:
        what = "would be " if result.dry_run else ""
        batch = "dry run, nothing written" if result.dry_run else f"batch {result.batch}"
        rows = "row" if result.rows == 1 else "rows"
        message(
            f"{result.rows:,} {rows} ({batch}): {what}inserted {result.inserted:,}, "
            f"{what}updated {result.updated:,}, unchanged {result.unchanged:,}, "
            f"rejected {result.rejected:,}"
        )
        if result.ignored_columns:
            message("ignored columns: " + ", ".join(result.ignored_columns))
    return result


def _request(file, preset, map_, keep_unknown, encoding, delimiter, on_duplicate, match,
             dry_run, rejects):  # fmt: skip
    from crmtui.io.imports import ImportRequest

    return ImportRequest(
        path=file, preset=preset, mapping=_mapping(map_), keep_unknown=keep_unknown,
        encoding=encoding, delimiter=delimiter, on_duplicate=on_duplicate,
        match=tuple(match or ()), dry_run=dry_run, rejects_path=rejects,
        escape_formulas=context.state.escape_formulas,
    )  # fmt: skip


@app.command("contacts")
def contacts(
    file: FileArg,
    preset: Preset = None,
    map_: Mapping = None,
    keep_unknown: KeepUnknown = False,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    on_duplicate: OnDuplicate = "skip",
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match", help="Also match duplicates on phone or a custom field (repeatable)."
        ),
    ] = None,
    dry_run: DryRun = False,
    rejects: Rejects = None,
    verbose: Verbose = False,
    fmt: FormatOption = None,
) -> None:
    """Import contacts from CSV (Google, Outlook, HubSpot, Pipedrive, plain) or vCard.

    Exit 0 when every row went in, 2 when some were rejected, 1 when the import failed.

    Example: crm import contacts google.csv --on-duplicate merge --rejects rejects.csv
    """
    request = _request(file, preset, map_, keep_unknown, encoding, delimiter, on_duplicate,
                       match, dry_run, rejects)  # fmt: skip
    _run("contacts", request, fmt, verbose)


@app.command("companies")
def companies(
    file: FileArg,
    map_: Mapping = None,
    keep_unknown: KeepUnknown = False,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    on_duplicate: OnDuplicate = "skip",
    dry_run: DryRun = False,
    rejects: Rejects = None,
    verbose: Verbose = False,
    fmt: FormatOption = None,
) -> None:
    """Import companies from CSV; duplicates match on the name, case-insensitively.

    Example: crm import companies companies.csv --on-duplicate update
    """
    request = _request(file, None, map_, keep_unknown, encoding, delimiter, on_duplicate,
                       None, dry_run, rejects)  # fmt: skip
    _run("companies", request, fmt, verbose)


@app.command("deals")
def deals(
    file: FileArg,
    map_: Mapping = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    on_duplicate: OnDuplicate = "skip",
    dry_run: DryRun = False,
    rejects: Rejects = None,
    verbose: Verbose = False,
    fmt: FormatOption = None,
) -> None:
    """Import deals from CSV, linked by contact email, company name and stage name.

    Example: crm import deals deals.csv --dry-run -v
    """
    request = _request(file, None, map_, False, encoding, delimiter, on_duplicate,
                       None, dry_run, rejects)  # fmt: skip
    _run("deals", request, fmt, verbose)


@app.command("interactions")
def interactions(
    file: FileArg,
    map_: Mapping = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    dry_run: DryRun = False,
    rejects: Rejects = None,
    verbose: Verbose = False,
    fmt: FormatOption = None,
) -> None:
    """Import calls, emails, meetings and notes from CSV, linked by contact email.

    Example: crm import interactions calls.csv --rejects bad.csv
    """
    request = _request(file, None, map_, False, encoding, delimiter, "skip",
                       None, dry_run, rejects)  # fmt: skip
    _run("interactions", request, fmt, verbose)


@app.command("presets")
def presets(
    preset: Annotated[str | None, typer.Argument(help="Only this preset.")] = None,
    fmt: FormatOption = None,
) -> None:
    """List the column mappings each preset recognises.

    Example: crm import presets outlook
    """
    from crmtui.io.presets import describe_presets, get_preset

    rows = describe_presets()
    if preset:
        name = get_preset(preset).name
        rows = [r for r in rows if r["preset"] == name]
    render_rows(rows, ("preset", "column", "field"), fmt)


@app.command("history")
def history(limit: LimitOption = 50, fmt: FormatOption = None) -> None:
    """List import batches, newest first.

    Example: crm import history --format json
    """
    from crmtui.io.batches import batch_rows

    with context.database().session() as session:
        rows = batch_rows(session, limit or None)
    render_rows(rows, HISTORY_COLUMNS, fmt)


@app.command("undo")
def undo(
    batch: Annotated[str, typer.Argument(help="Batch id, from `crm import history`.")],
    unfinished: Annotated[
        bool,
        typer.Option(
            "--unfinished", help="Undo what a killed import committed (its batch says running)."
        ),
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Undo an import: delete what it inserted, restore what it updated.

    Refused (exit 4, nothing changed) when a record was edited after the import.

    Example: crm import undo 12
    """
    from crmtui.io.batches import undo_batch

    with context.database().transaction(username=context.username()) as session:
        counts = undo_batch(session, batch, unfinished=unfinished)
    if fmt is not None:
        render_record({"batch": int(batch), **counts}, fmt)
    else:
        message(
            f"undid import batch {batch}: deleted {counts['deleted']}, "
            f"restored {counts['restored']}"
        )
