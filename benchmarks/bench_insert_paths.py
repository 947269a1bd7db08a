"""Two ways to send rows to SQLite: executemany, and one INSERT ... SELECT over json_each per batch.

    python benchmarks/bench_insert_paths.py --rows 100000

The second would let a parsing thread run beside SQLite: sqlite3 releases the GIL for the whole
statement, where executemany takes it back after every row. This measures what it costs for a
row as wide as a contact (33 columns), in batches of 2,000 as the importer sends them.
"""

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

COLUMNS = 33
BATCH = 2000


def rows(count: int) -> list[list]:
    return [
        [i] + [f"value {i} {j}" if j % 3 == 0 else (None if j % 3 == 1 else i)
               for j in range(1, COLUMNS)]
        for i in range(1, count + 1)
    ]  # fmt: skip


def table(path: Path) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        f"CREATE TABLE t (id INTEGER PRIMARY KEY, {', '.join(f'c{j}' for j in range(1, COLUMNS))})"
    )
    conn.execute("BEGIN")
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    data, work = rows(args.rows), Path(tempfile.mkdtemp(prefix="crm-bench-"))

    conn = table(work / "many.db")
    start = time.perf_counter()
    for first in range(0, len(data), BATCH):
        conn.executemany(
            f"INSERT INTO t VALUES ({','.join('?' * COLUMNS)})", data[first : first + BATCH]
        )
    many = time.perf_counter() - start
    conn.execute("COMMIT")

    conn = table(work / "json.db")
    select = ", ".join(f"value->>{j}" for j in range(COLUMNS))
    start = time.perf_counter()
    for first in range(0, len(data), BATCH):
        payload = json.dumps(data[first : first + BATCH], ensure_ascii=False, separators=(",", ":"))
        conn.execute(f"INSERT INTO t SELECT {select} FROM json_each(?)", [payload])
    through_json = time.perf_counter() - start
    conn.execute("COMMIT")

    print(f"rows: {args.rows:,}, {COLUMNS} columns, batches of {BATCH:,}")
    print(f"executemany                    {many:6.2f} s")
    print(f"INSERT ... SELECT json_each    {through_json:6.2f} s   {through_json / many:.1f}x")


if __name__ == "__main__":
    main()
