"""Database configuration from one URL, so that the same code runs on SQLite and PostgreSQL.

SQLite is the embedded default (one commune, a demo, a laptop). It runs in WAL mode with
IMMEDIATE transactions so that concurrent writers queue instead of failing half-way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

SQLITE_INIT = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=10000;"
)


def sqlite_database(path: Path | str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": SQLITE_INIT, "timeout": 20},
        "ATOMIC_REQUESTS": False,
    }


def database_from_url(url: str, default_sqlite: Path) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    if not url:
        return sqlite_database(default_sqlite)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return sqlite_database(unquote(parsed.path[1:]) if parsed.path.startswith("//") else parsed.path or default_sqlite)
    if parsed.scheme in {"postgres", "postgresql"}:
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        options: dict[str, Any] = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": query.get("host") or parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(f"Unsupported database URL scheme: {parsed.scheme!r}")
