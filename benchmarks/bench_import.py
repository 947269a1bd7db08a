"""Import and export speed against plain sqlite3 and the csv module, measured in the same run.

    python benchmarks/bench_import.py --rows 100000

Targets (issue 4): import within 5x the baseline executemany, re-import (all unchanged) within
6x, export within 3x of csv over a plain sqlite3 query, peak memory of `crm` under 300 MB.
"""

import argparse
import csv
import json
import os
import random
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


def baseline_import(csv_path: Path, db_path: Path) -> float:
    start = time.perf_counter()
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
    return time.perf_counter() - start


def baseline_export(db_path: Path, out_path: Path) -> float:
    start = time.perf_counter()
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
    return time.perf_counter() - start


def run_crm_measured(*args: str) -> tuple[float, float, str]:
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
    return elapsed, usage.ru_maxrss / 1024, stdout.decode()


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

    base = baseline_import(csv_path, work / "baseline.db")
    print(f"baseline sqlite3 executemany:  {base:8.2f} s")

    env_db = ["--db", str(db_path)]
    elapsed, rss, out = run_crm_measured(*env_db, "import", "contacts", str(csv_path),
                                         "--format", "json")  # fmt: skip
    summary = json.loads(out)
    print(f"crm import contacts:           {elapsed:8.2f} s  {elapsed / base:5.2f}x (target 5x)"
          f"  peak RSS {rss:6.1f} MB (target 300)  inserted {summary['inserted']:,}")  # fmt: skip

    elapsed, rss, out = run_crm_measured(*env_db, "import", "contacts", str(csv_path),
                                         "--on-duplicate", "update", "--format", "json")  # fmt: skip
    summary = json.loads(out)
    print(f"re-import --on-duplicate update:{elapsed:7.2f} s  {elapsed / base:5.2f}x (target 6x)"
          f"  peak RSS {rss:6.1f} MB  unchanged {summary['unchanged']:,}")  # fmt: skip
    if summary["unchanged"] != args.rows:
        print(f"  !! expected {args.rows:,} unchanged, got {summary}")

    export_base = baseline_export(db_path, work / "baseline-export.csv")
    print(f"baseline csv over sqlite3:     {export_base:8.2f} s")
    out_path = work / "export.csv"
    elapsed, rss, _ = run_crm_measured(*env_db, "export", "contacts", "--format", "csv",
                                       "-o", str(out_path))  # fmt: skip
    print(f"crm export contacts --format csv:{elapsed:6.2f} s  {elapsed / export_base:5.2f}x "
          f"(target 3x)  peak RSS {rss:6.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
