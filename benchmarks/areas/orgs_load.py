"""Child process of the orgs area: the official loader into the empty database it is given.

Run as ``python -m benchmarks.areas.orgs_load`` with ``DANVAN_BENCH_DATABASE_URL`` naming a new
database. It migrates, times ``load_official()`` three times (the first into the fresh database,
then after deleting the units again) and a second, idempotent run, and prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

RUNS = 3


def _delete_units() -> None:
    """Empty the tree again; the audit log is append-only, and the loader's events name no unit."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        cur.execute("DELETE FROM orgs_orgunit")


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from danvan.orgs.loaders import load_official

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - start

    samples, created = [], 0
    for i in range(RUNS):
        if i:
            _delete_units()
        start = time.perf_counter()
        result = load_official()
        samples.append(time.perf_counter() - start)
        created = result.created
    start = time.perf_counter()
    rerun = load_official()
    rerun_s = time.perf_counter() - start
    assert not rerun.changed, "the second run of load_official changed something"
    print(json.dumps({
        "load_official_s": round(statistics.median(samples), 3),
        "load_official_first_s": round(samples[0], 3),
        "load_official_max_s": round(max(samples), 3),
        "load_official_rerun_s": round(rerun_s, 3),
        "created": created,
        "runs": RUNS,
        "migrate_s": round(migrate_s, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
