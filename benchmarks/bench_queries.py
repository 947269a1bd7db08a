"""Everyday commands on a big demo database against `python -c "import sqlmodel"`.

    python benchmarks/bench_queries.py --contacts 1000000 --db /tmp/demo1m.db

Builds the demo first unless --db names one (an existing demo is reused). Targets (issue 3):
`crm search smith --limit 20`, `crm contact list --limit 50 --sort name` and `crm contact show ID`
each within 1.3x of the sqlmodel import as whole processes (medians); the search itself, in
process, under 20 ms, where a LIKE scan over the same text takes far longer. And a big listing:
`crm due` (75,000 tasks on the 1M demo) as a table within 3x of the same rows as CSV.

Every process runs with its bytecode cached, as an installed crm and sqlmodel run, even where
PYTHONDONTWRITEBYTECODE is set (then each run would compile crmtui from source while sqlmodel
comes compiled): the cache lives in a temp dir and is warmed once. --no-bytecode-cache times
them as the environment leaves them.
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import crm_command, timing_env

QUERY = "smith"


def median_times(
    commands: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, float]:
    """Median seconds per command after one untimed run each, run in turns so that a busy
    moment hits all alike."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for round_ in range(runs + 1):
        for label, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
            )
            if round_:
                times[label].append(time.perf_counter() - start)
            if result.returncode != 0:
                sys.exit(f"{' '.join(command)} failed: {result.stderr.decode().strip()}")
    return {label: statistics.median(t) for label, t in times.items()}


def in_process_search(path: Path, runs: int) -> tuple[float, float, int]:
    """(first, median of the next runs) seconds of core.search.search_all, and the hits."""
    from crmtui.core.db import Database, sqlite_url
    from crmtui.core.search import search_all

    db = Database(sqlite_url(path))
    times = []
    with db.session() as session:
        for _ in range(runs + 1):
            start = time.perf_counter()
            hits = search_all(session, QUERY, limit=20)
            times.append(time.perf_counter() - start)
    db.dispose()
    return times[0], statistics.median(times[1:]), len(hits)


def like_scan(path: Path) -> tuple[float, int]:
    """The same words found with LIKE over search_text in the three tables: a full scan."""
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    found = sum(
        conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE search_text LIKE ?", (f"%{QUERY}%",)
        ).fetchone()[0]
        for table in ("contact", "company", "deal")
    )
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, found


def big_listing(db: list[str], runs: int, env: dict[str, str]) -> None:
    """`crm due` in each format: the table (sized from its first rows, then streamed) against
    CSV, the same rows through the same query."""
    listed = subprocess.run(
        [*crm_command(), *db, "due", "--format", "csv"], capture_output=True, env=env, check=True
    )
    rows = listed.stdout.count(b"\n") - 1
    results = median_times(
        {f"crm due --format {fmt}": [*crm_command(), *db, "due", "--format", fmt]
         for fmt in ("csv", "json", "table")},
        runs,
        env,
    )  # fmt: skip
    csv_time = results["crm due --format csv"]
    print(f"big listing: {rows:,} due tasks, {runs} runs")
    for label, elapsed in results.items():
        ratio = f"  {elapsed / csv_time:5.2f}x of csv" + (
            " (target 3x)" if "table" in label else ""
        )
        print(f"{label:<42}{elapsed:7.3f} s{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--db", help="A demo database to use (built there if missing).")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--listing-runs", type=int, default=3, help="Runs of the big listing (seconds each)."
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="Time the processes as the environment leaves them (PYTHONDONTWRITEBYTECODE).",
    )
    args = parser.parse_args()
    path = Path(args.db or Path(tempfile.gettempdir()) / f"crm-bench-demo-{args.contacts}.db")
    start = time.perf_counter()
    subprocess.run(
        [*crm_command(), "demo", "--contacts", str(args.contacts), "--db", str(path), "--no-open"],
        check=True,
    )
    print(f"demo ready in {time.perf_counter() - start:.1f} s: {path}")
    conn = sqlite3.connect(path)
    contacts = conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0]
    some_id = conn.execute("SELECT MAX(id) / 2 FROM contact").fetchone()[0] or 1
    conn.close()
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    print(f"contacts: {contacts:,}   runs: {args.runs} (medians, commands taken in turns, {cache})")

    db = ["--db", str(path)]
    baseline = "python -c 'import sqlmodel'"
    results = median_times(
        {
            baseline: [sys.executable, "-c", "import sqlmodel"],
            f"crm search {QUERY} --limit 20": [
                *crm_command(),
                *db,
                "search",
                QUERY,
                "--limit",
                "20",
            ],
            "crm contact list --limit 50 --sort name": [
                *crm_command(),
                *db,
                "contact",
                "list",
                "--limit",
                "50",
                "--sort",
                "name",
            ],
            f"crm contact show {some_id}": [*crm_command(), *db, "contact", "show", str(some_id)],
        },
        args.runs,
        timing_env(not args.no_bytecode_cache),
    )
    base = results[baseline]
    for label, elapsed in results.items():
        ratio = "" if label == baseline else f"  {elapsed / base:5.2f}x (target 1.3x)"
        print(f"{label:<42}{elapsed:7.3f} s{ratio}")

    first, warm, hits = in_process_search(path, max(args.runs, 10))
    print(
        f"{'in-process search_all(' + repr(QUERY) + ', limit=20)':<42}{warm * 1000:7.1f} ms "
        f"(target 20 ms; first call {first * 1000:.1f} ms, {hits} hits)"
    )
    scan, found = like_scan(path)
    print(
        f"{'LIKE scan of the same text, for comparison':<42}{scan * 1000:7.1f} ms ({found:,} rows)"
    )
    big_listing(db, args.listing_runs, timing_env(not args.no_bytecode_cache))


if __name__ == "__main__":
    main()
