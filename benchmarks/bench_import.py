"""Import and export speed against plain sqlite3 and the csv module, measured in the same run.

    python benchmarks/bench_import.py --rows 100000

Targets (issue 4): import within 5x the baseline executemany, re-import (all unchanged) within
6x, export within 3x of csv over a plain sqlite3 query, peak memory of `crm` under 300 MB.

The first import is also measured, with its own baseline, on the same rows shuffled: generated
rows carry their row number in the email, so they reach the unique email index almost in its
order, which makes that index cheap to fill; a real export lists people by name or by date added.

The floor line is SQLite alone writing what the import wrote (its rows copied table by table by
INSERT ... SELECT into a fresh database, the same indexes suspended and rebuilt, the search index
filled as the import fills it, through a rollback journal as a bulk load is written: see
Database.bulk_load): what crm's schema costs with no Python at all.
"""

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Ada", "Grace", "Alan", "Zoë", "José", "Mary", "Linus", "Ken", "Barbara", "Edsger"]
LAST = ["Lovelace", "Hopper", "Turing", "Núñez", "Liskov", "Ritchie", "Thompson", "Dijkstra"]
CITIES = ["London", "Paris", "Sydney", "New York", "Berlin", "São Paulo", "Tokyo", "Lagos"]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(4)
    companies = [f"Company {i} Ltd" for i in range(1000)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "phone", "company", "city"])
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            writer.writerow([
                f"{first} {last}",
                f"{first.lower()}.{i}@example{i % 97}.com".replace("ë", "e").replace("é", "e"),
                f"+1 555 {i % 1000:03d} {i % 10000:04d}",
                rng.choice(companies),
                rng.choice(CITIES),
            ])  # fmt: skip


SHUFFLE = """
import random, sys
with open(sys.argv[1], encoding="utf-8") as f:
    header, *lines = f
random.Random(5).shuffle(lines)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(header)
    out.writelines(lines)
"""


def shuffle(path: Path, out_path: Path) -> None:
    """The CSV's rows in random order, by a child process: lines held here would count in the
    peak memory of every `crm` started afterwards (a child starts as a copy of this process)."""
    subprocess.run([sys.executable, "-c", SHUFFLE, str(path), str(out_path)], check=True)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def baseline_import(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of plain sqlite3 executemany of the CSV into one table."""
    db_path.unlink(missing_ok=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE person (name TEXT, email TEXT, phone TEXT, company TEXT, city TEXT)")
    conn.execute("CREATE UNIQUE INDEX person_email ON person (email)")
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        conn.executemany("INSERT INTO person VALUES (?, ?, ?, ?, ?)", reader)
    conn.commit()
    conn.close()
    return time.perf_counter() - start, cpu_seconds() - cpu


def baseline_export(db_path: Path, out_path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the csv module over a plain sqlite3 query of the contacts."""
    start, cpu = time.perf_counter(), cpu_seconds()
    conn = sqlite3.connect(db_path)
    cursor = conn.execute(
        "SELECT c.*, co.name FROM contact c LEFT JOIN company co ON co.id = c.company_id "
        "ORDER BY c.id"
    )
    with out_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([d[0] for d in cursor.description])
        writer.writerows(cursor)
    conn.close()
    return time.perf_counter() - start, cpu_seconds() - cpu


FLOOR_TABLES = ("contact", "contact_email", "contact_phone", "change", "lifecycle_change")
FLOOR_KEPT = ("ix_contact_email_contact_id", "ix_contact_phone_contact_id", "ix_change_entity")


def schema_floor(imported: Path, empty: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of SQLite copying the import's rows into an empty crm database."""
    conn = sqlite3.connect(empty, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("ATTACH ? AS imported", [str(imported)])
    start, cpu = time.perf_counter(), cpu_seconds()
    conn.execute("BEGIN IMMEDIATE")
    tables = ", ".join(f"'{t}'" for t in FLOOR_TABLES)
    indexes = [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({tables}) AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
        if name not in FLOOR_KEPT
    ]
    triggers = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
        "AND name IN ('contact_fts_ai', 'contact_day_ai')"
    ).fetchall()
    for name, _ in [*indexes, *triggers]:
        kind = "INDEX" if name.startswith(("ix_", "sqlite_")) else "TRIGGER"
        conn.execute(f"DROP {kind} {name}")
    for table in ("user", "company"):
        conn.execute(f"DELETE FROM main.{table}")
    for table in ("user", "company", "import_batch", *FLOOR_TABLES):
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM imported.{table}")
    conn.execute("INSERT INTO contact_fts (contact_fts, rank) VALUES ('hashsize', 67108864)")
    conn.execute("INSERT INTO contact_fts (contact_fts, rank) VALUES ('automerge', 16)")
    (last,) = conn.execute("SELECT max(id) FROM contact").fetchone()
    for first in range(1, last + 1, 100_000):
        conn.execute(
            "INSERT INTO contact_fts (rowid, search_text) "
            "SELECT id, search_text FROM contact WHERE id BETWEEN ? AND ?",
            [first, first + 99_999],
        )
    conn.execute(
        "INSERT INTO contact_day SELECT date(created_at), coalesce(owner_id, 0), "
        "coalesce(lifecycle_stage, ''), count(*) FROM contact GROUP BY 1, 2, 3"
    )
    for _, sql in [*indexes, *triggers]:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start, cpu_seconds() - cpu


def run_crm_measured(*args: str) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of one `crm` child process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "crmtui", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"crm {' '.join(args)} failed ({code}): {stderr.decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout.decode()


def line(label: str, wall: float, cpu: float, base: tuple[float, float], target: float, extra=""):
    print(
        f"{label:<34} {wall:7.2f} s wall {wall / base[0]:6.2f}x   {cpu:7.2f} s CPU "
        f"{cpu / base[1]:6.2f}x   (target {target:g}x){extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", help="Work in this directory (default: a temp dir).")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="crm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path, db_path = work / "people.csv", work / "crm.db"
    for stale in work.glob("*.db*"):
        stale.unlink()
    print(f"rows: {args.rows:,}  dir: {work}")
    generate(csv_path, args.rows)
    db = ["--db", str(db_path)]

    base = baseline_import(csv_path, work / "baseline.db")
    print(
        f"{'baseline: sqlite3 executemany':<34} {base[0]:7.2f} s wall           {base[1]:7.2f} s CPU"
    )
    wall, cpu, rss, out = run_crm_measured(*db, "import", "contacts", str(csv_path), "-f", "json")
    summary = json.loads(out)
    line("crm import contacts", wall, cpu, base, 5,
         f"  peak RSS {rss:.0f} MB (target 300), inserted {summary['inserted']:,}")  # fmt: skip
    floor_db = work / "floor.db"
    run_crm_measured("--db", str(floor_db), "db", "info")  # an empty database, migrated
    wall, cpu = schema_floor(db_path, floor_db)
    print(
        f"{'floor: SQLite alone, crm schema':<34} {wall:7.2f} s wall {wall / base[0]:6.2f}x   "
        f"{cpu:7.2f} s CPU {cpu / base[1]:6.2f}x"
    )

    wall, cpu, rss, out = run_crm_measured(*db, "import", "contacts", str(csv_path),
                                           "--on-duplicate", "update", "-f", "json")  # fmt: skip
    summary = json.loads(out)
    line("re-import --on-duplicate update", wall, cpu, base, 6,
         f"  peak RSS {rss:.0f} MB, unchanged {summary['unchanged']:,}")  # fmt: skip
    if summary["unchanged"] != args.rows:
        print(f"  !! expected {args.rows:,} unchanged, got {summary}")

    shuffled_csv = work / "people-shuffled.csv"
    shuffle(csv_path, shuffled_csv)
    shuffled_base = baseline_import(shuffled_csv, work / "baseline.db")
    print(
        f"{'baseline, rows shuffled':<34} {shuffled_base[0]:7.2f} s wall           "
        f"{shuffled_base[1]:7.2f} s CPU"
    )
    wall, cpu, rss, out = run_crm_measured(
        "--db", str(work / "shuffled.db"), "import", "contacts", str(shuffled_csv), "-f", "json"
    )
    line("crm import contacts, rows shuffled", wall, cpu, shuffled_base, 5,
         f"  peak RSS {rss:.0f} MB, inserted {json.loads(out)['inserted']:,}")  # fmt: skip

    base = baseline_export(db_path, work / "baseline-export.csv")
    print(
        f"{'baseline: csv over sqlite3 query':<34} {base[0]:7.2f} s wall           {base[1]:7.2f} s CPU"
    )
    wall, cpu, rss, _ = run_crm_measured(*db, "export", "contacts", "-o", str(work / "export.csv"))
    line("crm export contacts --format csv", wall, cpu, base, 3, f"  peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
