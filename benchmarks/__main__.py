"""``python -m benchmarks [--area NAME] [--db sqlite|postgres|both] [--runs N]``.

One area on one database runs in this process (Django's settings name one database). Several
areas or both databases run one child process each, one after the other, so that each child's
figures are merged into ``results.json`` before the next starts.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys

from .areas import AREAS
from .core import DEFAULT_RUNS, DEFAULT_WARMUP, format_table, merge_results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--area", choices=sorted(AREAS), help="one area (default: every area)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per scenario (median, p95)")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help="untimed runs before timing")
    parser.add_argument("--no-save", action="store_true", help="print the figures but leave results.json alone")
    return parser.parse_args(argv)


def machine() -> str:
    """Enough about the machine to compare figures: cores, load while measuring, database version."""
    import platform

    from django.db import connection

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cur.fetchone()[0]
    return (
        f"{os.cpu_count()} cores, load {load}, Python {platform.python_version()}, "
        f"{connection.vendor} {version}"
    )


def run_one(area: str, db: str, args: argparse.Namespace) -> int:
    from .db import database_url

    os.environ["DANVAN_BENCH_DATABASE_URL"] = database_url(area, db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    if area == "portal":  # served from the shared production cache (benchmarks/settings.py)
        os.environ["DANVAN_BENCH_CACHE"] = "db"
    import django

    django.setup()
    from .context import RunContext
    from .generate import ensure_data

    module = importlib.import_module(AREAS[area])
    counts = ensure_data(area, module)
    ctx = RunContext(area=area, db=db, counts=counts, runs=args.runs, warmup=args.warmup)
    about = machine()  # the load before this run adds its own
    results = module.run(ctx)
    print(f"\n== {area} on {db}: {args.runs} runs after {args.warmup} warm-up; {about} ==")
    print(format_table(results))
    if not args.no_save:
        merge_results(results, area, db)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    areas = [args.area] if args.area else sorted(AREAS)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    combos = [(a, d) for a in areas for d in dbs]
    if len(combos) == 1:
        return run_one(*combos[0], args)
    passthrough = ["--runs", str(args.runs), "--warmup", str(args.warmup)] + (["--no-save"] if args.no_save else [])
    status = 0
    for area, db in combos:
        cmd = [sys.executable, "-m", "benchmarks", "--area", area, "--db", db, *passthrough]
        status = max(status, subprocess.run(cmd, check=False).returncode)
    return status


if __name__ == "__main__":
    sys.exit(main())
