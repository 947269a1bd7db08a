"""`crm demo` build time against the same rows inserted with plain sqlite3, in the same run.

    python benchmarks/bench_demo.py --contacts 1000000

The baseline generates exactly the rows `crm demo` writes (the same generator, seed and day) and
inserts them with `sqlite3.executemany` into the same tables and indexes, without the search
index. Target (issue 3): `crm demo` within 4x the baseline.
"""

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crmtui.core.db import Database, sqlite_url
from crmtui.core.demo import FTS_TABLES, TABLE_ORDER, DemoRows, PipelineStages, insert_sql


def plain_schema(work: Path) -> tuple[list[str], list[tuple], list[tuple]]:
    """The DDL of the crm tables and indexes without the search index, and the default stages."""
    template = work / "schema.db"
    Database(sqlite_url(template)).dispose()
    conn = sqlite3.connect(template)
    fts = tuple(f"{table}_fts" for table in FTS_TABLES)
    ddl = [
        sql
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN "
            "('table', 'index') ORDER BY rowid"
        )
        if not name.startswith(fts)
    ]
    pipelines = conn.execute("SELECT * FROM pipeline").fetchall()
    stages = conn.execute("SELECT * FROM stage").fetchall()
    conn.close()
    return ddl, pipelines, stages


def prepare(path: Path, schema: tuple[list[str], list[tuple], list[tuple]]) -> None:
    ddl, pipelines, stages = schema
    conn = sqlite3.connect(path)
    for statement in ddl:
        conn.execute(statement)
    conn.executemany(
        f"INSERT INTO pipeline VALUES ({','.join('?' * len(pipelines[0]))})", pipelines
    )
    conn.executemany(f"INSERT INTO stage VALUES ({','.join('?' * len(stages[0]))})", stages)
    conn.commit()
    conn.close()


def generate_only(contacts: int, stages: PipelineStages) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    rows = DemoRows(contacts, 1, stages)
    for _ in rows.batches():
        pass
    return time.perf_counter() - start, rows.counts.rows


def baseline(path: Path, contacts: int, tuned: bool) -> float:
    """Generate the demo rows and executemany them: sqlite3 defaults, or the build's pragmas."""
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    if tuned:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
    rows = DemoRows(contacts, 1, PipelineStages.read(conn))
    sql = {table: insert_sql(table) for table in TABLE_ORDER}
    for table, batch in rows.batches():
        conn.executemany(sql[table], batch)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def crm_demo(path: Path, contacts: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "crmtui", "demo", "--contacts", str(contacts), "--seed", "1",
         "--db", str(path), "--fresh", "--no-open"],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"crm demo failed: {result.stderr.strip()}")
    return time.perf_counter() - start


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLE_ORDER}
    conn.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--dir", help="Work in this directory (default: a temp dir).")
    parser.add_argument("--no-tuned", action="store_true", help="Skip the tuned baseline.")
    parser.add_argument("--keep", action="store_true", help="Keep the databases (GBs at 1M).")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="crm-bench-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("*.db*"):
        stale.unlink()
    schema = plain_schema(work)
    print(f"contacts: {args.contacts:,}  dir: {work}")

    stages = PipelineStages(1, (1, 2, 3, 4), 5, 6)
    generated, counts = generate_only(args.contacts, stages)
    total = sum(counts.values())
    print(f"rows: {total:,}  ({', '.join(f'{t} {n:,}' for t, n in counts.items() if n > 999)})")
    print(f"generating the rows only:              {generated:8.2f} s")

    plain = work / "baseline.db"
    prepare(plain, schema)
    base = baseline(plain, args.contacts, tuned=False)
    print(f"baseline: generate + sqlite3 executemany {base:7.2f} s  {total / base:10,.0f} rows/s")
    if not args.no_tuned:
        tuned_path = work / "baseline-tuned.db"
        prepare(tuned_path, schema)
        tuned = baseline(tuned_path, args.contacts, tuned=True)
        print(f"same, with the build's pragmas:        {tuned:8.2f} s")

    demo_path = work / "demo.db"
    elapsed = crm_demo(demo_path, args.contacts)
    print(
        f"crm demo --contacts {args.contacts:,} --no-open: {elapsed:8.2f} s  "
        f"{elapsed / base:5.2f}x baseline (target 4x)"
    )
    if not args.no_tuned:
        print(f"  ({elapsed / tuned:.2f}x the tuned baseline)")
    if table_counts(demo_path) != table_counts(plain):
        print("  !! the demo and the baseline hold different rows")
    else:
        print("  same row counts in every table")
    if not args.keep:
        for built in work.glob("*.db"):
            built.unlink()


if __name__ == "__main__":
    main()
