"""The parse result: every value keeps the source text it came from, so a reviewer can check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a value was read: 1-based line range and character offsets into the NFC text."""

    line_start: int
    line_end: int
    char_start: int
    char_end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [self.line_start, self.line_end],
            "chars": [self.char_start, self.char_end],
            "text": self.text,
        }


@dataclass
class Field:
    """One extracted value; ``repaired`` says letters lost by the PDF extraction were filled in."""

    value: Any
    source: Source | None = None
    repaired: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "source": self.source.as_dict() if self.source else None}
        if self.repaired:
            out["repaired"] = True
        if self.notes:
            out["notes"] = list(self.notes)
        return out


SCALARS = ("doc_type", "number", "symbol", "issuer", "place", "issued_on", "title", "year")
LISTS = (
    "references",
    "purposes",
    "requirements",
    "targets",
    "sections",
    "assignments",
    "deadlines",
    "recipients",
)


@dataclass
class PlanParse:
    """The richer internal result behind ``parse_plan``: values, sources, repair flags, warnings."""

    doc_type: Field = field(default_factory=lambda: Field(None))
    number: Field = field(default_factory=lambda: Field(None))
    symbol: Field = field(default_factory=lambda: Field(None))
    issuer: Field = field(default_factory=lambda: Field(None))
    place: Field = field(default_factory=lambda: Field(None))
    issued_on: Field = field(default_factory=lambda: Field(None))
    title: Field = field(default_factory=lambda: Field(None))
    year: Field = field(default_factory=lambda: Field(None))
    references: list[Field] = field(default_factory=list)
    purposes: list[Field] = field(default_factory=list)
    requirements: list[Field] = field(default_factory=list)
    targets: list[Field] = field(default_factory=list)
    sections: list[Field] = field(default_factory=list)
    assignments: list[Field] = field(default_factory=list)
    deadlines: list[Field] = field(default_factory=list)
    recipients: list[Field] = field(default_factory=list)
    signer: Field = field(default_factory=lambda: Field(None))
    garbled: bool = False
    warnings: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """Exactly the shape ``--json`` prints: fixed keys, ``null`` or ``[]`` when absent."""
        out: dict[str, Any] = {name: getattr(self, name).value for name in SCALARS}
        for name in LISTS:
            out[name] = [item.value for item in getattr(self, name)]
        out["signer"] = self.signer.value
        order = (*SCALARS[:7], "year", *LISTS, "signer")
        return {key: out[key] for key in order}

    def detailed(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name).as_dict() for name in SCALARS}
        for name in LISTS:
            out[name] = [item.as_dict() for item in getattr(self, name)]
        out["signer"] = self.signer.as_dict()
        out["garbled"] = self.garbled
        out["warnings"] = list(self.warnings)
        return out
