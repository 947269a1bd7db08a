"""The full-screen app on a big demo: start-up to the first screen, search keystrokes, paging.

    python benchmarks/bench_tui.py [--db /tmp/demo1m.db] [--runs 5] [--pages 300]

Targets (issue 5), all headless with `App.run_test()`:
- process start to the first screen of contacts within 1.5x of `python -c "import sqlmodel,
  textual.app"`, both measured in this run (median of the runs, taken in turns);
- each search keystroke to updated results under 100 ms;
- paging down (pages of 50 rows read two screens ahead, the table holding a window of 400
  rows), jumping to the end and back to the top: no step over 100 ms, RSS under 300 MB.
The pipeline board's reads are timed too: the first board, then a column paged by keyset. So
are the Tasks and Companies views: the key to their first rows on screen (the first showing in a
fresh app, median of the runs), and the Companies view paged like the contacts (each page < 100
ms).
Without --db it uses /tmp/demo1m.db if it exists, else builds /tmp/demo100k.db with `crm demo`.
"""

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

FIRST_SCREEN = """
import asyncio, os, sys
from pathlib import Path
from crmtui.core.db import Database, sqlite_url
from crmtui.tui.app import CRMApp

async def main():
    app = CRMApp(Database(sqlite_url(Path(sys.argv[1]))), "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#contacts")
        while table.row_count == 0:
            await pilot.pause(0.002)
        print("ready", flush=True)
        os._exit(0)  # the figure is the time to the first screen, not to a tidy exit

asyncio.run(main())
"""

# The key to a view's first rows drawn, once the contact list has settled; argv: db, key, table.
OPEN_VIEW = """
import asyncio, os, sys, time
from pathlib import Path
from crmtui.core.db import Database, sqlite_url
from crmtui.tui.app import CRMApp

async def main():
    app = CRMApp(Database(sqlite_url(Path(sys.argv[1]))), "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#contacts")
        while table.row_count == 0:
            await pilot.pause(0.002)
        await pilot.pause(0.5)  # the list's own reads ahead and its count done
        start = time.perf_counter()
        await pilot.press(sys.argv[2])
        shown = app.screen.query_one(sys.argv[3])
        while shown.row_count == 0:
            await pilot.pause(0.001)
        await pilot.pause()  # drawn
        print(f"{time.perf_counter() - start:.4f}", flush=True)
        os._exit(0)

asyncio.run(main())
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def demo_database(path: str | None) -> Path:
    if path:
        return Path(path)
    big = Path("/tmp/demo1m.db")
    if big.exists():
        return big
    small = Path("/tmp/demo100k.db")
    if not small.exists():
        crm = shutil.which("crm") or str(Path(sys.executable).parent / "crm")
        subprocess.run(
            [crm, "demo", "--contacts", "100000", "--db", str(small), "--no-open"], check=True
        )
    return small


def time_to_ready(command: list[str], marker: str | None) -> float:
    start = time.perf_counter()
    if marker is None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            if line.strip() == marker:
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError("the app never showed its first screen")
        child.wait()
    return elapsed


def startup(db: Path, runs: int) -> None:
    commands = {
        "import sqlmodel, textual.app": (
            [sys.executable, "-c", "import sqlmodel, textual.app"],
            None,
        ),
        "app: first screen of contacts": ([sys.executable, "-c", FIRST_SCREEN, str(db)], "ready"),
    }
    time_to_ready(*commands["app: first screen of contacts"])  # warm the page cache
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, (command, marker) in commands.items():
            times[label].append(time_to_ready(command, marker))
    base = statistics.median(times["import sqlmodel, textual.app"])
    print(f"{'start-up':<34}{'median':>8}{'min':>8}   (runs: {runs}, taken in turns)")
    for label, values in times.items():
        median = statistics.median(values)
        ratio = "" if label.startswith("import") else f"  {median / base:5.2f}x (target 1.5x)"
        print(f"{label:<34}{median:8.3f}{min(values):8.3f}{ratio}")


def views(db: Path, runs: int) -> None:
    print(f"\n{'first showing, key to rows drawn':<34}{'median':>8}{'min':>8}   (runs: {runs})")
    for label, key, table in (("Tasks (t)", "t", "#tasks"), ("Companies (o)", "o", "#companies")):
        command = [sys.executable, "-c", OPEN_VIEW, str(db), key, table]
        times = [
            float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            for _ in range(runs)
        ]
        print(f"{label:<34}{statistics.median(times):8.3f}{min(times):8.3f}")


async def wait_loaded(pilot, screen, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while screen.loading and time.perf_counter() < end:
        await pilot.pause(0.001)


async def interactive(db: Path, pages: int) -> None:
    from crmtui.core.db import Database, sqlite_url
    from crmtui.tui.app import CRMApp

    app = CRMApp(Database(sqlite_url(db)), "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        table = screen.query_one("#contacts")
        while table.row_count == 0:
            await pilot.pause(0.005)

        print("\nsearch: each keystroke to updated results (target < 100 ms)")
        for word in ("martin", "smith", "london", "anna", "+44 20", "zz"):
            await pilot.press("slash")
            steps = []
            inside = []
            for char in word:
                screen.timings.clear()
                start = time.perf_counter()
                await pilot.press("space" if char == " " else char)
                await pilot.pause(0)
                await wait_loaded(pilot, screen)
                steps.append((time.perf_counter() - start) * 1000)
                # the keystroke's own read (pages read ahead after it are not waited for)
                resets = [ms for mode, ms in screen.timings if mode == "reset"]
                inside.append(resets[-1] * 1000 if resets else 0.0)
            shown = table.row_count
            cells = " ".join(f"{ms:4.0f}" for ms in inside)
            print(
                f"  {word!r:<9} key to rows, ms: {cells}  max {max(inside):4.0f}"
                f"  (with Pilot: max {max(steps):4.0f})  rows {shown}"
            )
            await pilot.press("escape")
            await wait_loaded(pilot, screen)

        print(
            f"\npaging: pagedown {pages} times, then end (the last page) and home (the first);"
            " target each step < 100 ms"
        )
        table.focus()
        await page_through(pilot, screen, table, pages)

        print(f"\ncompanies (o): pagedown {pages} times, then end and home; the same targets")
        await pilot.press("o")
        screen = app.screen
        table = screen.query_one("#companies")
        while table.row_count == 0:
            await pilot.pause(0.005)
        await wait_loaded(pilot, screen)
        await page_through(pilot, screen, table, pages)
        print(f"  RSS {rss_mb():.0f} MB (target < 300 MB)")


async def page_through(pilot, screen, table, pages: int) -> None:
    """pagedown `pages` times, then end and home, in a PagedList screen: its request-to-rows
    timings."""
    from crmtui.tui.screens.paged_list import MAX_ROWS

    screen.timings.clear()
    for _ in range(pages):
        await pilot.press("pagedown")
        await pilot.pause(0)
        await wait_loaded(pilot, screen)
    down = sorted(ms * 1000 for mode, ms in screen.timings if mode == "down")
    print(
        f"  {len(down)} pages read going down, {table.row_count:,} rows held"
        f" (a window of at most {MAX_ROWS:,}); request to rows in the table: median"
        f" {statistics.median(down):.0f} ms, p95 {down[int(len(down) * 0.95) - 1]:.0f} ms,"
        f" max {down[-1]:.0f} ms"
    )
    for key, mode in (("end", "end"), ("home", "reset")):
        screen.timings.clear()
        await pilot.press(key)
        await pilot.pause(0)
        await wait_loaded(pilot, screen)
        took = [ms * 1000 for kind, ms in screen.timings if kind == mode]
        row = str(table.get_row_at(table.cursor_row)[0])
        print(f"  {key}: {took[0] if took else 0:.0f} ms, cursor on {row!r}")


def board(db: Path, pages: int) -> None:
    from crmtui.core.board import pipeline_board, stage_cards
    from crmtui.core.db import Database, sqlite_url
    from crmtui.tui.screens.pipeline import PER_COLUMN

    database = Database(sqlite_url(db))
    with database.session() as session:
        start = time.perf_counter()
        first = pipeline_board(session, per_column=PER_COLUMN)
        took = (time.perf_counter() - start) * 1000
        column = max(first["columns"], key=lambda c: c["count"])
        cards, steps = column["cards"], []
        for _ in range(pages):
            start = time.perf_counter()
            after = (cards[-1]["stage_entered_at"], cards[-1]["id"])
            cards = stage_cards(session, column["stage_id"], after=after, limit=PER_COLUMN)
            steps.append((time.perf_counter() - start) * 1000)
            if not cards:
                break
    database.dispose()
    steps.sort()
    print(
        f"\nboard: first board {took:.0f} ms ({len(first['columns'])} columns, "
        f"{sum(c['count'] for c in first['columns']):,} open deals); {len(steps)} more pages of"
        f" {PER_COLUMN} cards down the {column['count']:,}-deal column: median"
        f" {statistics.median(steps):.0f} ms, max {steps[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=300, help="pagedown presses")
    args = parser.parse_args()
    db = demo_database(args.db)
    print(f"database: {db} ({db.stat().st_size / 2**20:,.0f} MiB)\n")
    startup(db, args.runs)
    views(db, args.runs)
    asyncio.run(interactive(db, args.pages))
    board(db, 20)


if __name__ == "__main__":
    main()
