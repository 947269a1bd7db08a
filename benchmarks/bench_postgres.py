"""The same operations on SQLite and on PostgreSQL in one run, with the ratio between them.

    eval "$(.ci/start-postgres)"     # or pass --pg URL of a server you may create databases on
    python benchmarks/bench_postgres.py --rows 20000 --contacts 20000

Import: `crm import contacts` of the bench_import.py CSV into an empty database (whole process).
Queries, export and reports: the demo database (`crm demo`), copied to PostgreSQL with
`crm db copy`; each command as a whole process (median of --process-runs), then each operation
in process (median of --runs), where PostgreSQL's round trips weigh most. Target (issue 7): no operation more than 3x
slower on PostgreSQL than on SQLite on this machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_import import generate  # noqa: E402  (the import benchmark's CSV, reused)

TARGET = 3.0


def crm_command() -> list[str]:
    script = Path(sys.executable).parent / "crm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "crmtui"]


def run_crm(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*crm_command(), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def database_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CRM_DB", "CRM_DATABASE_URL")}
    env.update(CRM_DATABASE_URL=url, CRM_USER="bench")
    return env


def server_admin(server: str):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname=url.database or "postgres", autocommit=True,
    )  # fmt: skip


def fresh_pg_database(server: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    with server_admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_pg_database(server: str, url: str) -> None:
    from sqlalchemy.engine import make_url

    with server_admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def median(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm the caches and the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


COMMANDS = {
    "crm search smith --limit 20": ["search", "smith", "--limit", "20"],
    "crm contact list --limit 50": ["contact", "list", "--limit", "50"],
    "crm deal list --status open": ["deal", "list", "--status", "open"],
    "crm history --limit 100": ["history", "--limit", "100"],
    "crm export contacts (all, csv)": ["export", "contacts", "--format", "csv"],
    "crm report monthly": ["report", "monthly", "--format", "json"],
}


def command_medians(env: dict[str, str], runs: int) -> dict[str, float]:
    """Whole processes, as a person or a script runs them: start-up, connect, query, print."""
    return {
        name: median(lambda args=args: run_crm(env, *args), runs) for name, args in COMMANDS.items()
    }


def operations(db) -> dict[str, Callable[[], object]]:
    """What people do all day, each as one call on an open database."""
    from crmtui.core.contacts import contact_rows, list_contacts
    from crmtui.core.deals import deal_rows, list_deals
    from crmtui.core.history import list_changes
    from crmtui.core.schemas import ContactFilter
    from crmtui.core.search import search_all

    def in_session(fn):
        def call():
            with db.session() as session:
                return fn(session)

        return call

    ops = {
        "search 'smith'": in_session(lambda s: search_all(s, "smith", 20)),
        "search 'jo sm' (2 words)": in_session(lambda s: search_all(s, "jo sm", 20)),
        "contact list, 50 by name": in_session(
            lambda s: contact_rows(s, list_contacts(s, sort="name", limit=50))
        ),
        "contact list --search": in_session(
            lambda s: list_contacts(s, ContactFilter(query="lov"), limit=50)
        ),
        # a first name: its matches sort last by name, past almost every other contact
        "contact list --search 'zoe'": in_session(
            lambda s: list_contacts(s, ContactFilter(query="zoe"), limit=50)
        ),
        "deal list open, 50": in_session(
            lambda s: deal_rows(s, list_deals(s, status="open", limit=50))
        ),
        "history, last 100": in_session(lambda s: list_changes(s, limit=100)),
    }
    ops.update(report_operations(db))
    return ops


def report_operations(db) -> dict[str, Callable[[], object]]:
    """The reports of crmtui.reports, when they are there: each public function taking a session."""
    import importlib
    import inspect
    import pkgutil

    try:
        import crmtui.reports as package
    except ImportError:
        return {}
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"crmtui.reports.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters.values())
            required = [p for p in params[1:] if p.default is inspect.Parameter.empty]
            if params and params[0].name == "session" and not required:

                def call(fn=fn):
                    with db.session() as session:
                        return fn(session)

                found[f"report {info.name}.{name}"] = call
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("CRM_TEST_POSTGRES_URL"),
                        help="A PostgreSQL URL whose user may create databases.")  # fmt: skip
    parser.add_argument("--rows", type=int, default=20_000, help="Rows in the import CSV.")
    parser.add_argument("--contacts", type=int, default=20_000, help="Contacts in the demo.")
    parser.add_argument("--runs", type=int, default=15, help="Runs of each in-process operation.")
    parser.add_argument("--process-runs", type=int, default=5, help="Runs of each crm command.")
    args = parser.parse_args()
    if not args.pg:
        sys.exit('no PostgreSQL: pass --pg URL or eval "$(.ci/start-postgres)" first')

    from crmtui.core.db import Database, sqlite_url

    results: list[tuple[str, float, float]] = []
    made: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            csv_path = work / "contacts.csv"
            generate(csv_path, args.rows)
            sqlite_env = database_env("")
            sqlite_env.pop("CRM_DATABASE_URL")
            sqlite_env["CRM_DB"] = str(work / "import.db")
            lite = run_crm(sqlite_env, "import", "contacts", str(csv_path))
            made.append(fresh_pg_database(args.pg, f"bench_import_{os.getpid()}"))
            pg = run_crm(database_env(made[-1]), "import", "contacts", str(csv_path))
            results.append((f"import {args.rows} contacts (process)", lite, pg))

            demo = work / "demo.db"
            sqlite_env["CRM_DB"] = str(demo)
            subprocess.run(
                [*crm_command(), "demo", "--contacts", str(args.contacts), "--db", str(demo),
                 "--no-open"], env=sqlite_env, check=True, capture_output=True,
            )  # fmt: skip
            made.append(fresh_pg_database(args.pg, f"bench_demo_{os.getpid()}"))
            lite_db, pg_db = Database(sqlite_url(demo)), Database(made[-1])
            from crmtui.core.dbcopy import copy_database

            start = time.perf_counter()
            copy = copy_database(lite_db, made[-1])
            copied = time.perf_counter() - start
            with server_admin(made[-1]) as conn:
                conn.execute("ANALYZE")
            lite_cli = command_medians({**sqlite_env, "CRM_DB": str(demo)}, args.process_runs)
            pg_cli = command_medians(database_env(made[-1]), args.process_runs)
            for name in COMMANDS:
                results.append((f"{name} (process)", lite_cli[name], pg_cli[name]))
            lite_ops, pg_ops = operations(lite_db), operations(pg_db)
            for name in lite_ops:
                results.append((name, median(lite_ops[name], args.runs),
                                median(pg_ops[name], args.runs)))  # fmt: skip
            lite_db.dispose()
            pg_db.dispose()
        finally:
            for url in made:
                drop_pg_database(args.pg, url)

    print(f"demo: {args.contacts} contacts, {sum(copy.counts.values())} rows; "
          f"crm db copy SQLite -> PostgreSQL took {copied:.1f} s")  # fmt: skip
    print(f"{'operation':44} {'SQLite':>10} {'PostgreSQL':>11} {'ratio':>6}  target <= {TARGET}x")
    worst = 0.0
    for name, lite, pg in results:
        ratio = pg / lite if lite else float("inf")
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= TARGET else "SLOWER"
        print(f"{name:44} {lite * 1000:8.1f}ms {pg * 1000:9.1f}ms {ratio:5.2f}x  {verdict}")
    print(f"worst ratio {worst:.2f}x")


if __name__ == "__main__":
    main()
