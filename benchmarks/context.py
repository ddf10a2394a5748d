"""What a scenario run is told about its surroundings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .core import DEFAULT_RUNS, DEFAULT_WARMUP


@dataclass
class RunContext:
    area: str
    db: str  # "sqlite" or "postgres"
    counts: dict[str, Any] = field(default_factory=dict)
    runs: int = DEFAULT_RUNS
    warmup: int = DEFAULT_WARMUP

    def name(self, metric: str) -> str:
        """The stored name of a figure: ``orgs.search_ms``, or ``orgs.pg.search_ms`` on PostgreSQL."""
        return f"{self.area}.{metric}" if self.db == "sqlite" else f"{self.area}.pg.{metric}"
