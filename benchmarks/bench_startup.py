"""Start-up time of `crm --version` and `crm --help` against `python -c "import typer"`.

    python benchmarks/bench_startup.py --runs 10

Target (issue 3): both within 1.5x of the typer import, measured as whole processes in the same
run (median of the runs), and `crm --help` imports neither textual nor the SQL engine.

The processes run with their bytecode cached, as installed ones do, even where
PYTHONDONTWRITEBYTECODE is set (the cache lives in a temp dir); --no-bytecode-cache times them
as the environment leaves them.
"""

import argparse
import statistics
import subprocess
import sys
import time

from timing import crm_command, timing_env

HEAVY = ("textual", "sqlalchemy", "sqlmodel", "alembic", "rich", "crmtui.core.db")
CHECK_IMPORTS = f"""
import sys
sys.argv = ["crm", "--help"]
from crmtui.cli import main
try:
    main()
except SystemExit:
    pass
loaded = [m for m in {HEAVY!r} if m in sys.modules]
print(",".join(loaded), file=sys.stderr)
"""


def median_times(
    commands: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """(median, min) seconds per command, run in turns so that a busy moment hits all alike."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
            times[label].append(time.perf_counter() - start)
    return {label: (statistics.median(t), min(t)) for label, t in times.items()}


def heavy_imports_of_help() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS], capture_output=True, text=True, check=True
    )
    return [name for name in result.stderr.strip().split(",") if name]


def slowest_imports(command: list[str], top: int) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time (-X importtime), in microseconds."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command], capture_output=True, text=True
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        depth = len(name) - len(name.lstrip()) - 1
        if depth <= 2:  # a module imported at the top or one level down
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="Time the processes as the environment leaves them (PYTHONDONTWRITEBYTECODE).",
    )
    args = parser.parse_args()
    crm = crm_command()
    env = timing_env(not args.no_bytecode_cache)
    for warm in ([sys.executable, "-c", "import typer"], [*crm, "--version"], [*crm, "--help"]):
        subprocess.run(warm, check=True, stdout=subprocess.DEVNULL, env=env)  # warm the caches

    results = median_times(
        {
            "python -c 'import typer'": [sys.executable, "-c", "import typer"],
            "crm --version": [*crm, "--version"],
            "crm --help": [*crm, "--help"],
        },
        args.runs,
        env,
    )
    base = results["python -c 'import typer'"][0]
    print(f"{'':<26}{'median':>8}{'min':>8}   (runs: {args.runs}, taken in turns)")
    for label, (median, fastest) in results.items():
        ratio = "" if median == base else f"  {median / base:5.2f}x (target 1.5x)"
        print(f"{label:<26}{median:8.3f}{fastest:8.3f}{ratio}")

    heavy = heavy_imports_of_help()
    forbidden = [name for name in heavy if name in ("textual", "sqlalchemy", "sqlmodel")]
    verdict = (
        f"FAIL: imports {', '.join(forbidden)}" if forbidden else "ok: no textual, no SQL engine"
    )
    print(f"crm --help loads: {', '.join(heavy) or 'none of ' + ', '.join(HEAVY)}  ({verdict})")
    print("largest top-level imports of crm --help (cumulative):")
    for micros, name in slowest_imports(["-m", "crmtui", "--help"], 6):
        print(f"  {micros / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
