"""Helpers for the test suites of every app (imported by tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls at the same instant in threads; each result is its return value or the exception it raised.

    Each thread has its own database connection (closed at the end), so on PostgreSQL the calls are
    truly concurrent transactions: this is how the races of double submits and two workers are tested.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
