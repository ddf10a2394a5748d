"""The bench databases: one per area, never the dev or the test database.

SQLite lives in ``benchmarks/.data/<area>.sqlite3`` (gitignored). PostgreSQL uses the throw-away
cluster of ``scripts/pg-test-cluster`` and a database ``danvan_bench_<area>`` in it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from .core import DATA_DIR, PACKAGE_DIR

PG_CLUSTER = PACKAGE_DIR.parent / "scripts" / "pg-test-cluster"


def sqlite_path(area: str) -> Path:
    return DATA_DIR / f"{area}.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def pg_server_url() -> str:
    """Start (or find running) the loopback cluster; ``start`` is idempotent and prints its URL."""
    out = subprocess.run([str(PG_CLUSTER), "start"], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def pg_url(server_url: str, database: str) -> str:
    return urlunparse(urlparse(server_url)._replace(path=f"/{database}"))


def pg_ensure_database(server_url: str, database: str, fresh: bool = False) -> str:
    """Create ``database`` on the cluster (dropping it first when ``fresh``); return its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_url(server_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return pg_url(server_url, database)


def pg_drop_database(server_url: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def database_url(area: str, db: str) -> str:
    if db == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return sqlite_url(sqlite_path(area))
    return pg_ensure_database(pg_server_url(), f"danvan_bench_{area}")
