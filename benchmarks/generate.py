"""Generate an area's data once and reuse it while the generator is unchanged.

A marker table outside Django's models (``benchmark_dataset``) holds, per area, the generator's
version and the counts it produced. When the version differs, the database is wiped and rebuilt:
stale data measured by a newer scenario would give a figure that means nothing.
"""

from __future__ import annotations

import json
import sys
import time
from types import ModuleType
from typing import Any

MARKER_DDL = (
    "CREATE TABLE IF NOT EXISTS benchmark_dataset ("
    " area VARCHAR(50) PRIMARY KEY, version INTEGER NOT NULL, counts TEXT NOT NULL, generated_at VARCHAR(40) NOT NULL)"
)


def read_marker(area: str) -> dict[str, Any] | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(MARKER_DDL)
        cur.execute("SELECT version, counts FROM benchmark_dataset WHERE area = %s", [area])
        row = cur.fetchone()
    if row is None:
        return None
    return {"version": int(row[0]), "counts": json.loads(row[1])}


def write_marker(area: str, version: int, counts: dict[str, Any]) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(MARKER_DDL)
        cur.execute("DELETE FROM benchmark_dataset WHERE area = %s", [area])
        cur.execute(
            "INSERT INTO benchmark_dataset (area, version, counts, generated_at) VALUES (%s, %s, %s, %s)",
            [area, version, json.dumps(counts), timezone.now().isoformat()],
        )


def wipe_database() -> None:
    """Empty the bench database: delete the SQLite file, or recreate PostgreSQL's public schema."""
    from django.db import connection

    if connection.vendor == "sqlite":
        from pathlib import Path

        name = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def analyze() -> None:
    """PostgreSQL's autovacuum would gather statistics soon after a bulk load; do it now, as it would.

    SQLite gathers none unless asked (``ANALYZE``/``PRAGMA optimize``), and a deployment does not
    ask, so SQLite is measured without them.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def ensure_data(area: str, module: ModuleType) -> dict[str, Any]:
    """Migrate, then generate the area's data unless the marker shows this generator already did."""
    migrate()
    marker = read_marker(area)
    version = module.GENERATOR_VERSION
    if marker is not None and marker["version"] == version:
        print(f"[{area}] reusing generated data (generator v{version}): {marker['counts']}", file=sys.stderr)
        return marker["counts"]
    if marker is not None:
        print(f"[{area}] generator v{marker['version']} -> v{version}: rebuilding the database", file=sys.stderr)
    wipe_database()
    migrate()
    start = time.perf_counter()
    counts = module.generate()
    analyze()
    counts["generate_s"] = round(time.perf_counter() - start, 1)
    write_marker(area, version, counts)
    print(f"[{area}] generated in {counts['generate_s']} s: {counts}", file=sys.stderr)
    return counts
