"""Whole lists (`crm ... list --limit 0`) against the export of the same records, and their memory.

    python benchmarks/bench_full_lists.py --db /tmp/d100.db --runs 3

Each list streams keyset pages of plain rows, as the exports do: target within 2x of the
matching `crm export ... -f csv` (medians, commands taken in turns), with a peak RSS that stays
flat however many rows (the contact list of the 1M demo under 300 MB).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from timing import crm_command, timing_env

PAIRS = {
    "contacts": (["contact", "list", "--limit", "0"], ["export", "contacts"]),
    "deals": (["deal", "list", "--limit", "0"], ["export", "deals"]),
    "companies": (["company", "list", "--limit", "0"], ["export", "companies"]),
    "tasks": (["task", "list", "--all", "--limit", "0"], ["export", "tasks"]),
    "interactions": (["log", "list", "--limit", "0"], ["export", "interactions"]),
}


def run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of one process, its output thrown away."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    errors = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        sys.exit(f"{' '.join(command)} failed: {errors.strip()}")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="A demo database (crm demo --db ...).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=PAIRS, action="append", help="These records only.")
    args = parser.parse_args()
    env = timing_env(True)
    base = [*crm_command(), "--db", args.db]
    print(f"{args.db}, {args.runs} runs (medians, list and export taken in turns), csv")
    for name in args.only or PAIRS:
        listing, export = PAIRS[name]
        commands = {
            " ".join(listing): [*base, *listing, "-f", "csv"],
            " ".join(export): [*base, *export, "-f", "csv", "-o", "-"],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        peaks: dict[str, int] = {}
        for _ in range(args.runs):
            for label, command in commands.items():
                elapsed, peak = run(command, env)
                times[label].append(elapsed)
                peaks[label] = max(peak, peaks.get(label, 0))
        list_label, export_label = commands
        medians = {label: statistics.median(t) for label, t in times.items()}
        ratio = medians[list_label] / medians[export_label]
        for label in commands:
            print(f"  {label:<34}{medians[label]:8.2f} s {peaks[label]:6d} MB peak")
        print(f"  {'list / export':<34}{ratio:8.2f}x (target 2x)")


if __name__ == "__main__":
    main()
