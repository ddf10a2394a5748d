"""The registry of areas. Adding an area = adding one module here with:

- ``GENERATOR_VERSION: int`` — bump it whenever ``generate()`` changes, so stored data is rebuilt;
- ``generate() -> dict`` — build the data in the (migrated, empty) bench database, return counts;
- ``run(ctx: RunContext) -> list[Result]`` — time the scenarios against that data.

Modules are named by dotted path so that Django is set up before any model is imported.
"""

from __future__ import annotations

AREAS: dict[str, str] = {
    "orgs": "benchmarks.areas.orgs",
    "plans": "benchmarks.areas.plans",
    "reports": "benchmarks.areas.reports",
    "petitions": "benchmarks.areas.petitions",
    "surveys": "benchmarks.areas.surveys",
    "portal": "benchmarks.areas.portal",
    "dashboard": "benchmarks.areas.dashboard",
    "load": "benchmarks.areas.load",
}
