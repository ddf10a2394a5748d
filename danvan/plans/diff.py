"""What an amendment changed, structured for a side-by-side view.

An amendment's rows are copies, not the same rows, so items are matched by content: first the
ones left exactly as they were, then the rest by their place (same section number, same position,
same unit), which reports an edited task as "changed" rather than as one removed and one added.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .models import Plan, PlanLegalBasis

PLAN_FIELDS = (
    "title", "year", "end_year", "kind", "issuing_body", "parent_body", "symbol", "place", "preamble",
    "purposes", "requirements", "recipients", "signer_name", "signer_position", "signer_authority",
    "requires_subordinate_plans", "subordinate_due_on",
)


@dataclass(frozen=True)
class Change:
    area: str  # plan, legal_basis, section, task, target, assignment, deadline
    kind: str  # added, removed, changed
    label: str  # what the user recognises the item by
    field: str = ""  # for "changed": which field
    old: Any = None
    new: Any = None


def _section_label(s: dict[str, Any] | None) -> str:
    if not s:
        return ""
    return f"{s['number']}. {s['title']}" if s["number"] else s["title"]


def _snapshot(plan: Plan) -> dict[str, Any]:
    sections = {s["pk"]: s for s in plan.sections.values("pk", "number", "title", "parent_id", "order")}

    def section_path(pk: int | None) -> str:
        parts = []
        while pk is not None and pk in sections:
            parts.append(sections[pk]["number"] or sections[pk]["title"][:30])
            pk = sections[pk]["parent_id"]
        return ".".join(reversed(parts))

    return {
        "plan": {f: getattr(plan, f) for f in PLAN_FIELDS}
        | {"subordinate_kinds": sorted(plan.subordinate_kinds.values_list("code", flat=True))},
        "legal_basis": [
            {"document": link.document_id, "citation": link.document.citation}
            for link in PlanLegalBasis.objects.filter(plan=plan).select_related("document")
        ],
        "section": [
            {"path": section_path(s["parent_id"]), "number": s["number"], "title": s["title"], "order": s["order"]}
            for s in sections.values()
        ],
        "task": [
            {"section": section_path(t["section_id"]), "text": t["text"], "order": t["order"],
             "lead_unit": t["lead_unit__name"], "due_on": t["due_on"]}
            for t in plan.tasks.values("section_id", "text", "order", "lead_unit__name", "due_on")
        ],
        "target": list(plan.targets.values("text", "value", "unit", "measurement", "indicator_code", "order")),
        "assignment": list(plan.assignments.values("unit_name", "role", "duties", "due_on", "task__text", "order")),
        "deadline": list(plan.deadlines.values("kind", "text", "due_on")),
    }


_ANCHORS: dict[str, Callable[[dict[str, Any]], Hashable]] = {
    "legal_basis": lambda r: r["document"],
    "section": lambda r: (r["path"], r["number"] or r["order"]),
    "task": lambda r: (r["section"], r["order"]),
    "target": lambda r: r["order"],
    "assignment": lambda r: (r["unit_name"], r["role"]),
    "deadline": lambda r: (r["kind"], r["text"]),
}
_LABELS: dict[str, Callable[[dict[str, Any]], str]] = {
    "legal_basis": lambda r: r["citation"],
    "section": lambda r: _section_label(r),
    "task": lambda r: r["text"][:120],
    "target": lambda r: r["text"][:120],
    "assignment": lambda r: r["unit_name"],
    "deadline": lambda r: r["text"][:120],
}
_IGNORED = {"order"}


def _freeze(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in row.items() if k not in _IGNORED))


def _alike(area: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    key = {"task": "text", "target": "text", "section": "title"}.get(area)
    if key is None:
        return True
    return SequenceMatcher(None, a[key], b[key], autojunk=False).ratio() >= 0.6


def _diff_rows(area: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    new_left = list(new)
    old_left = []
    for row in old:  # 1. untouched rows
        same = next((i for i, n in enumerate(new_left) if _freeze(n) == _freeze(row)), None)
        if same is None:
            old_left.append(row)
        else:
            new_left.pop(same)
    anchor = _ANCHORS[area]
    label = _LABELS[area]
    removed = []
    for row in old_left:  # 2. edited rows, matched by their place when their text still looks alike
        match = next(
            (i for i, n in enumerate(new_left) if anchor(n) == anchor(row) and _alike(area, row, n)), None
        )
        if match is None:
            removed.append(row)
            continue
        other = new_left.pop(match)
        for key in row:
            if key not in _IGNORED and row[key] != other[key]:
                changes.append(Change(area, "changed", label(other), key, row[key], other[key]))
    changes += [Change(area, "removed", label(r), old=r) for r in removed]
    changes += [Change(area, "added", label(r), new=r) for r in new_left]
    return changes


def plan_diff(old: Plan, new: Plan) -> list[Change]:
    """Changes from ``old`` to ``new``: plan fields first, then legal bases, sections, tasks, targets, assignments, deadlines."""
    a, b = _snapshot(Plan.objects.get(pk=old.pk)), _snapshot(Plan.objects.get(pk=new.pk))
    changes = [
        Change("plan", "changed", field, field, a["plan"][field], b["plan"][field])
        for field in a["plan"]
        if a["plan"][field] != b["plan"][field]
    ]
    for area in ("legal_basis", "section", "task", "target", "assignment", "deadline"):
        changes += _diff_rows(area, a[area], b[area])
    return changes
