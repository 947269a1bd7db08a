"""`crm report monthly` on a big demo: whole process against `import sqlmodel`, queries against SQL.

    python benchmarks/bench_reports.py --db /tmp/try1m.db [--month 2026-10] [--runs 5]

Targets (issue 6), on 1,000,000 contacts and 5,000,000 interactions: `crm report monthly --format
json` within 1.5x of `python -c "import sqlmodel"` as whole processes (medians), and the report's
queries in process (`reports.monthly.monthly`: the month and the previous one) within 3x of
hand-written SQL aggregates computing the same figures through plain `sqlite3` (mostly the same
algorithms through the same indexes; contacts are counted from the contact table itself, so the
same-figures check covers `contact_day`). The script also checks that both give the same figures,
that the pipeline from `pipeline_flow` equals today's deals with every move since walked back,
that `interaction_day` gives every interaction of the month counted one by one, and that every
statement the report runs is index searches (EXPLAIN QUERY PLAN), so a missing index
shows as SCAN. The processes run with their bytecode cached, as installed ones do, even where
PYTHONDONTWRITEBYTECODE is set; --no-bytecode-cache times them as the environment leaves them.
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from timing import crm_command, timing_env

CUSTOMER = ("customer", "evangelist")


def median_times(
    commands: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, float]:
    """Median seconds per command, run in turns so that a busy moment hits all alike."""
    for command in commands.values():  # warm the bytecode cache
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
            )
            times[label].append(time.perf_counter() - start)
            if result.returncode != 0:
                sys.exit(f"{' '.join(command)} failed: {result.stderr.decode().strip()}")
    return {label: statistics.median(t) for label, t in times.items()}


def stamp(when: datetime) -> str:
    """How the UTCDateTime column stores a time in SQLite: naive UTC text."""
    return when.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


# The hand-written baseline: the same figures through the same indexes, straight SQL (changes
# walked back from today; a count per interaction kind and user; the top customers ranked in SQL).
KINDS = ("call", "email", "meeting", "note", "chat")
IN_MONTH = "occurred_at >= :s AND occurred_at < :e"


def _per_kind(user: str) -> str:
    return ", ".join(
        f"(SELECT count(*) FROM interaction WHERE kind = '{kind}' AND {user} AND {IN_MONTH})"
        for kind in KINDS
    )


def _micros(column: str) -> str:
    return f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"  # fmt: skip


SQL = {
    "contacts_new": "SELECT count(*) FROM contact WHERE created_at >= :s AND created_at < :e",
    "contacts_total": "SELECT (SELECT count(*) FROM contact) "
    "- (SELECT count(*) FROM contact WHERE created_at >= :e)",
    "interaction_days": "SELECT kind, user_key, sum(interactions) FROM interaction_day "
    "WHERE day >= :first AND day < :last GROUP BY kind, user_key",
    "interaction_part_day": "SELECT kind, user_id, count(*) FROM interaction "
    "WHERE occurred_at >= :a AND occurred_at < :b GROUP BY kind, user_id",
    "deals_created": "SELECT currency, count(*), sum(amount_units) FROM deal "
    "WHERE created_at >= :s AND created_at < :e GROUP BY currency",
    "deals_closed": "SELECT status, currency, count(*), sum(amount_units), "
    "sum(julianday(closed_at) - julianday(created_at)) FROM deal "
    "WHERE status IN ('won', 'lost') AND closed_at >= :s AND closed_at < :e "
    "GROUP BY status, currency",
    "cycle_exact": f"SELECT sum({_micros('closed_at')} - {_micros('created_at')}) FROM deal "
    "WHERE status = 'won' AND closed_at >= :s AND closed_at < :e",
    "flow_before": "SELECT stage_id, currency, sum(deals), sum(units) FROM pipeline_flow "
    "WHERE day < :d GROUP BY stage_id, currency",
    "moved_in": "SELECT m.to_stage_id, d.currency, count(*), sum(d.amount_units) "
    "FROM deal_stage_change m JOIN deal d ON d.id = m.deal_id "
    "WHERE m.changed_at >= :m AND m.changed_at < :e GROUP BY 1, 2",
    "moved_out": "SELECT m.from_stage_id, d.currency, -count(*), -sum(d.amount_units) "
    "FROM deal_stage_change m JOIN deal d ON d.id = m.deal_id "
    "WHERE m.changed_at >= :m AND m.changed_at < :e AND m.from_stage_id IS NOT NULL GROUP BY 1, 2",
    "tasks_done": "SELECT count(*) FROM task WHERE done_at >= :s AND done_at < :e",
    "tasks_overdue": "SELECT (SELECT count(*) FROM task WHERE done_at IS NULL AND due_at < :e) "
    "+ (SELECT count(*) FROM task WHERE done_at >= :e AND due_at < :e)",
    "customers_now": "SELECT count(*) FROM contact WHERE lifecycle_stage IN "
    "('customer', 'evangelist')",
    "customers_entered": "SELECT count(*) FROM lifecycle_change "
    "WHERE to_stage IN ('customer', 'evangelist') AND changed_at >= :t "
    "AND coalesce(from_stage, '') NOT IN ('customer', 'evangelist')",
    "customers_left": "SELECT count(*) FROM lifecycle_change "
    "WHERE from_stage IN ('customer', 'evangelist') AND changed_at >= :t "
    "AND to_stage NOT IN ('customer', 'evangelist')",
    "customers_new": "SELECT count(DISTINCT contact_id) FROM lifecycle_change "
    "WHERE to_stage IN ('customer', 'evangelist') AND changed_at >= :s AND changed_at < :e "
    "AND coalesce(from_stage, '') NOT IN ('customer', 'evangelist')",
    "customers_lost": "SELECT count(DISTINCT contact_id) FROM lifecycle_change "
    "WHERE from_stage IN ('customer', 'evangelist') AND changed_at >= :s AND changed_at < :e "
    "AND to_stage NOT IN ('customer', 'evangelist')",
    "top": "SELECT contact_id, CASE WHEN contact_id IS NULL THEN company_id END, count(*), "
    "sum(amount_units) AS units FROM deal WHERE status = 'won' AND closed_at >= :s "
    "AND closed_at < :e AND currency = :c AND (contact_id IS NOT NULL OR company_id IS NOT NULL) "
    "GROUP BY 1, 2 ORDER BY units DESC, contact_id IS NULL DESC, coalesce(contact_id, company_id) "
    "LIMIT 10",
}


# Checked once, untimed: every interaction of the month counted, per kind and user, which does
# not read interaction_day.
RAW_INTERACTIONS = (
    f"SELECT u.id, {_per_kind('user_id = u.id')} FROM user u "
    f"UNION ALL SELECT NULL, {_per_kind('user_id IS NULL')}"
)
# Checked once, untimed: the pipeline from today's deals with every move since walked back,
# which does not read pipeline_flow, so a flow that drifted from its moves shows.
WALK_BACK = {
    "open_now": "SELECT stage_id, currency, count(*), sum(amount_units) FROM deal "
    "WHERE status = 'open' AND created_at < :e GROUP BY stage_id, currency",
    "closed_since": "SELECT stage_id, currency, count(*), sum(amount_units) FROM deal "
    "WHERE status IN ('won', 'lost') AND closed_at >= :e AND created_at < :e "
    "GROUP BY stage_id, currency",
    "moves_since": "WITH m AS MATERIALIZED (SELECT deal_id, from_stage_id, to_stage_id "
    "FROM deal_stage_change WHERE changed_at >= :e AND from_stage_id IS NOT NULL "
    "AND deal_id NOT IN (SELECT deal_id FROM deal_stage_change WHERE from_stage_id IS NULL "
    "AND changed_at >= :e) ORDER BY deal_id + 0) "
    "SELECT m.from_stage_id, m.to_stage_id, d.currency, count(*), sum(d.amount_units) "
    "FROM m JOIN deal d ON d.id = m.deal_id WHERE d.created_at < :e GROUP BY 1, 2, 3",
}


def hand_written(conn: sqlite3.Connection, start: datetime, end: datetime) -> dict[str, object]:
    """The month's figures (counts; amounts as integer units) from plain SQL."""
    s, e = stamp(start), stamp(end)
    one = lambda name, **p: conn.execute(SQL[name], p).fetchone()  # noqa: E731
    rows = lambda name, **p: conn.execute(SQL[name], p).fetchall()  # noqa: E731
    figures: dict[str, object] = {
        "contacts.new": one("contacts_new", s=s, e=e)[0],
        "contacts.total": one("contacts_total", e=e)[0],
        "interactions.total": interactions_from_days(conn, start, end),
        "deals.created": sum(r[1] for r in rows("deals_created", s=s, e=e)),
    }
    closed = rows("deals_closed", s=s, e=e)
    for status in ("won", "lost"):
        figures[f"deals.{status}"] = sum(r[2] for r in closed if r[0] == status)
        units: dict[str, int] = defaultdict(int)
        for r in closed:
            if r[0] == status:
                units[r[1]] += r[3]
        figures[f"deals.{status}_units"] = dict(sorted(units.items()))
    won = figures["deals.won"]
    figures["deals.avg_cycle_days"] = None
    if won:
        # float days to the millisecond, exact microseconds only near a rounding boundary
        mean = Decimal(sum(r[4] for r in closed if r[0] == "won") / won)
        if abs(mean * 10 % 1 - Decimal("0.5")) <= Decimal("1e-4"):
            mean = Decimal(one("cycle_exact", s=s, e=e)[0]) / (won * 86_400_000_000)
        figures["deals.avg_cycle_days"] = float(mean.quantize(Decimal("0.1"), ROUND_HALF_UP))
    figures.update(pipeline_from_flow(conn, end))
    figures["tasks.completed"] = one("tasks_done", s=s, e=e)[0]
    figures["tasks.overdue"] = one("tasks_overdue", e=e)[0]
    now = one("customers_now")[0]
    for key, t in (("customers.at_start", s), ("customers.at_end", e)):
        figures[key] = now - one("customers_entered", t=t)[0] + one("customers_left", t=t)[0]
    figures["customers.new"] = one("customers_new", s=s, e=e)[0]
    figures["customers.lost"] = one("customers_lost", s=s, e=e)[0]
    won_currencies = sorted({r[1] for r in closed if r[0] == "won"})
    figures["top.units"] = [r[3] for c in won_currencies for r in rows("top", s=s, e=e, c=c)]
    return figures


def interactions_from_days(conn: sqlite3.Connection, start: datetime, end: datetime) -> int:
    """The month's interactions: the counts of its whole UTC days, the part-days at its ends."""
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(days=1)
    last = end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    total = sum(
        row[2]
        for row in conn.execute(
            SQL["interaction_days"],
            {"first": first.date().isoformat(), "last": last.date().isoformat()},
        )
    )
    for a, b in ((start, first), (last, end)):
        if a < b:
            params = {"a": stamp(a), "b": stamp(b)}
            total += sum(row[2] for row in conn.execute(SQL["interaction_part_day"], params))
    return total


def pipeline_from_flow(conn: sqlite3.Connection, end: datetime) -> dict[str, object]:
    """pipeline.open and pipeline.units at `end`: the flow of the days before, its day's moves."""
    midnight = end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    params = {"d": end.astimezone(UTC).date().isoformat(), "m": stamp(midnight), "e": stamp(end)}
    rows = [row for name in ("flow_before", "moved_in", "moved_out")
            for row in conn.execute(SQL[name], params)]  # fmt: skip
    return open_figures(conn, rows)


def pipeline_walked_back(conn: sqlite3.Connection, end: datetime) -> dict[str, object]:
    """The same from today's deals with every move since walked back (WALK_BACK)."""
    params = {"e": stamp(end)}
    rows = [row for name in ("open_now", "closed_since")
            for row in conn.execute(WALK_BACK[name], params)]  # fmt: skip
    for from_stage, to_stage, currency, count, units in conn.execute(
        WALK_BACK["moves_since"], params
    ):
        rows += [(to_stage, currency, -count, -units), (from_stage, currency, count, units)]
    return open_figures(conn, rows)


def open_figures(conn: sqlite3.Connection, rows) -> dict[str, object]:
    """pipeline.open and pipeline.units from (stage id, currency, count, units) rows."""
    kinds = dict(conn.execute("SELECT id, kind FROM stage").fetchall())
    count, units = 0, defaultdict(int)
    for stage_id, currency, deals, amount in rows:
        if kinds.get(stage_id) == "open":
            count += deals
            units[currency] += amount
    return {
        "pipeline.open": count,
        "pipeline.units": {c: u for c, u in sorted(units.items()) if u},
    }


def from_report(month: dict) -> dict[str, object]:
    """The same figures picked from the report's data."""
    from crmtui.core.money import AMOUNT_SCALE

    def units(amounts: dict) -> dict[str, int]:
        return {c: int(v * AMOUNT_SCALE) for c, v in amounts.items()}

    return {
        "contacts.new": month["contacts"]["new"],
        "contacts.total": month["contacts"]["total"],
        "interactions.total": month["interactions"]["total"],
        "deals.created": month["deals"]["created"],
        "deals.won": month["deals"]["won"],
        "deals.won_units": units(month["deals"]["won_amount"]),
        "deals.lost": month["deals"]["lost"],
        "deals.lost_units": units(month["deals"]["lost_amount"]),
        "pipeline.open": month["pipeline"]["open"],
        "pipeline.units": units(month["pipeline"]["amount"]),
        "tasks.completed": month["tasks"]["completed"],
        "tasks.overdue": month["tasks"]["overdue"],
        "customers.at_start": month["customers"]["at_start"],
        "customers.at_end": month["customers"]["at_end"],
        "customers.new": month["customers"]["new"],
        "customers.lost": month["customers"]["lost"],
        "deals.avg_cycle_days": month["deals"]["avg_cycle_days"],
        "top.units": [units(t["won_amount"]).popitem()[1] for t in month["top_customers"]],
    }


BIG_TABLES = {"contact", "interaction", "deal", "deal_stage_change", "lifecycle_change", "task"}
# `SELECT count(*) FROM contact`: SQLite counts the cells of the smallest index's pages, without
# reading its entries; "all contacts but those created since" needs it.
WHOLE_TABLE_COUNT = "SCAN contact USING COVERING INDEX"


def report_statements(db, month) -> list[tuple[str, object]]:
    """The SQL statements (and parameters) that `monthly` runs, recorded from the engine."""
    from sqlalchemy import event

    from crmtui.reports.monthly import monthly

    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.connection() as connection:  # as `crm report monthly` reads
            monthly(connection, month)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def full_scans(conn: sqlite3.Connection, statements) -> list[tuple[str, str]]:
    """(statement, plan line) for every scan of a big table: a month should be index ranges."""
    found = []
    for statement, parameters in statements:
        for row in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters):
            words = row[-1].split()
            if words[0] == "SCAN" and words[1] in BIG_TABLES:
                if row[-1].startswith(WHOLE_TABLE_COUNT) and "WHERE" not in statement:
                    continue
                found.append((" ".join(statement.split())[:160], row[-1]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/demo1m.db", help="A demo database (crm demo --db).")
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month).")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="Time the processes as the environment leaves them (PYTHONDONTWRITEBYTECODE).",
    )
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        sys.exit(f"{path} is missing: crm demo --contacts 1000000 --db {path} --no-open")

    from crmtui.core.db import Database, sqlite_url
    from crmtui.reports.monthly import monthly
    from crmtui.reports.periods import parse_month

    month = parse_month(args.month)
    db = Database(sqlite_url(path))  # migrates to head once, outside the timings
    conn = sqlite3.connect(path)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("contact", "interaction", "deal")}  # fmt: skip
    print(f"{path}: {counts['contact']:,} contacts, {counts['interaction']:,} interactions, "
          f"{counts['deal']:,} deals; month {month} (and {month.previous})")  # fmt: skip

    statements = report_statements(db, month)
    scans = full_scans(conn, statements)
    print(f"the report's {len(statements)} statements: "
          + ("index searches only" if not scans else f"{len(scans)} SCANS:"))  # fmt: skip
    for statement, plan in scans:
        print(f"  {plan}\n    in {statement}")

    # In process: the report's queries (both months) against the hand-written SQL.
    ours, theirs, report = [], [], None
    for _ in range(args.runs):
        with db.connection() as connection:
            started = time.perf_counter()
            report = monthly(connection, month)
            ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        expected = [hand_written(conn, m.start, m.end) for m in (month, month.previous)]
        theirs.append(time.perf_counter() - started)
    got = [from_report(report), from_report(report["previous"])]
    for figures, m in zip(got, (month, month.previous), strict=True):
        walked = pipeline_walked_back(conn, m.end)
        if walked != {k: figures[k] for k in walked}:
            sys.exit(f"pipeline_flow disagrees with the moves walked back at {m.end}: {walked}")
        params = {"s": stamp(m.start), "e": stamp(m.end)}
        counted = sum(sum(row[1:]) for row in conn.execute(RAW_INTERACTIONS, params))
        if counted != figures["interactions.total"]:
            sys.exit(f"interaction_day disagrees with the interactions of {m}: {counted}")
    if got != expected:
        for mine, sql in zip(got, expected, strict=True):
            for key in mine:
                if mine[key] != sql[key]:
                    print(f"  MISMATCH {key}: report {mine[key]} != sql {sql[key]}")
        sys.exit("the report and the hand-written SQL disagree")
    db.dispose()
    conn.close()
    q_ours, q_sql = statistics.median(ours), statistics.median(theirs)
    print(f"queries in process (median of {args.runs}): report {q_ours * 1000:.0f} ms, "
          f"hand-written SQL {q_sql * 1000:.0f} ms, ratio {q_ours / q_sql:.2f}x (target 3x); "
          "same figures")  # fmt: skip

    commands = {
        "import sqlmodel": [sys.executable, "-c", "import sqlmodel"],
        "crm report monthly": [
            *crm_command(),
            "--db",
            str(path),
            "report",
            "monthly",
            "--month",
            str(month),
            "--format",
            "json",
        ],  # fmt: skip
    }
    times = median_times(commands, args.runs, timing_env(not args.no_bytecode_cache))
    base = times["import sqlmodel"]
    for label, seconds in times.items():
        print(f"{label:<22} {seconds * 1000:7.0f} ms  {seconds / base:5.2f}x")
    print(f"whole process ratio {times['crm report monthly'] / base:.2f}x (target 1.5x)")


if __name__ == "__main__":
    main()
