"""Import of plan documents: text in, a draft plan out, each value beside the text it came from.

``parse_plan(text)`` returns the public shape printed by ``danvan plans parse --json``;
``parse_plan_detailed(text)`` the :class:`~.model.PlanParse` behind it (sources, repair flags,
warnings); ``parse_file(path)`` reads .txt, .docx and .pdf first (see :mod:`.readers`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .dates import find_deadlines
from .footer import RECIPIENTS_HEAD, read_signer, readable, split_recipients
from .model import Field, PlanParse
from .readers import MAX_BYTES, ReadError, read_text
from .references import TYPES, find_citations, merge, restore_from_registry
from .repair import Repairer
from .structure import (
    _CLOSING_ISSUER,
    issuer_from_text,
    read_assignments,
    read_header,
    read_purposes,
    read_sections,
    read_targets,
    scan_targets,
    split_parts,
    year_of,
)
from .text import Block, _set_body, build_blocks, clean, lines_source, normalise, read_lines

__all__ = ["MAX_BYTES", "PlanParse", "ReadError", "parse_file", "parse_plan", "parse_plan_detailed"]

_CLOSING = re.compile(r"^\W*Tr[êe]n\s+đây\s+là\b", re.IGNORECASE)


def parse_plan(text: str) -> dict[str, Any]:
    return parse_plan_detailed(text).public()


def parse_file(path: str | Path) -> dict[str, Any]:
    return parse_plan(read_text(Path(path)))


def parse_plan_detailed(text: str) -> PlanParse:
    result = PlanParse()
    doc = read_lines(normalise(text))
    result.garbled = doc.garbled
    lines = doc.lines
    foot = next((i for i, line in enumerate(lines) if RECIPIENTS_HEAD.match(line.text)), None)
    repairer = Repairer([line.gap_text for line in lines]) if doc.garbled else None
    header = read_header(lines, repairer)
    body_lines = lines[header.body_start : foot if foot is not None else len(lines)]
    blocks = build_blocks(doc, body_lines)
    if repairer is not None:
        for block in blocks:
            fixed, changes = repairer.repair(block.text)
            if changes:
                block.text, block.repaired = fixed, True
                block.extras["changes"] = changes
                _set_body(block, doc.garbled)
    closing = next((i for i, block in enumerate(blocks) if _CLOSING.match(block.text)), None)
    content = blocks[:closing] if closing is not None else blocks
    tail = blocks[closing:] if closing is not None else []

    for name in ("number", "symbol", "issuer", "place", "issued_on", "title"):
        if name in header.fields:
            setattr(result, name, header.fields[name])
    symbol = result.symbol.value
    if symbol:
        result.doc_type = Field(re.split(r"[-/]", symbol)[0], result.symbol.source)
    elif "type_name" in header.fields:
        type_field = header.fields["type_name"]
        result.doc_type = Field(TYPES.get(type_field.value) or None, type_field.source)
    year = year_of(result.title.value, result.issued_on.value)
    if year is not None:
        result.year = Field(year, result.title.source or result.issued_on.source)

    preamble, parts = split_parts(content)
    if result.issuer.value is None:
        found = issuer_from_text(preamble) or _closing_issuer(tail)
        if found is not None:
            result.issuer = found

    _references(result, blocks)
    has_targets = False
    for kind, heading, part_blocks in parts:
        if kind == "purpose":
            purposes, requirements = read_purposes(part_blocks, heading.body)
            result.purposes.extend(purposes)
            result.requirements.extend(requirements)
        elif kind == "targets":
            has_targets = True
            result.targets.extend(read_targets(part_blocks))
        elif kind == "content":
            result.sections.extend(read_sections(part_blocks))
        elif kind == "organisation":
            result.assignments.extend(read_assignments(part_blocks))
    if not has_targets:
        result.targets.extend(
            scan_targets([b for kind, _h, bl in parts if kind in ("purpose", "content") for b in bl])
        )
    for block in content:
        for clause, due, _start, _end in find_deadlines(
            block.body if block.kind != "para" else block.text, year
        ):
            result.deadlines.append(
                Field({"text": clean(clause), "due": due}, block.source(), repaired=block.repaired)
            )
            if due is None:
                result.deadlines[-1].notes.append("date unreadable or impossible")

    if foot is not None:
        foot_lines = lines[foot:]
        first_rest = RECIPIENTS_HEAD.match(foot_lines[0].text)
        texts = [line.gap_text if doc.garbled else line.text for line in foot_lines]
        if first_rest and first_rest.group("rest"):
            texts[0] = first_rest.group("rest")
        else:
            texts[0] = ""
        items, tails = split_recipients(texts)
        for index, item in items:
            if doc.garbled and re.match(r"^\s*[-+•]\s{3,}", foot_lines[index].gap_text):
                result.warnings.append(f"unreadable recipient on line {foot_lines[index].no}")
                continue
            value = item
            repaired = False
            if repairer is not None:
                fixed, changes = repairer.repair(item)
                value, repaired = fixed, bool(changes)
            value = value.rstrip(";,. ")
            source = lines_source([foot_lines[index]])
            if readable(value):
                result.recipients.append(Field(clean(value), source, repaired=repaired))
                if re.search(r"\S\s{2,}\S", item):
                    result.recipients[-1].notes.append("partly unreadable")
            else:
                result.warnings.append(f"unreadable recipient on line {source.line_start}")
        last_item = max((index for index, _ in items), default=0)
        sign_lines = foot_lines[last_item + 1 :] if items else foot_lines[1:]
        signer = read_signer([line.text for line in sign_lines], tails)
        if signer is not None:
            result.signer = Field(
                signer, lines_source(sign_lines) if sign_lines else lines_source(foot_lines)
            )
    else:
        signer = read_signer([line.text for line in lines[-8:]], [])
        if signer is not None:
            result.signer = Field(signer, lines_source(lines[-8:]))
    _warn(result)
    return result


def _closing_issuer(blocks: list[Block]) -> Field | None:
    for block in blocks:
        match = _CLOSING_ISSUER.search(block.text)
        if match:
            value = clean(match.group("issuer"))
            if readable(value) and "  " not in match.group("issuer"):
                return Field(value, block.source(), repaired=block.repaired)
    return None


def _references(result: PlanParse, blocks: list[Block]) -> None:
    found = []
    for block in blocks:
        for citation in find_citations(block.text):
            restore_from_registry(citation, block.text)
            found.append((citation, block))
    by_id = {id(c): b for c, b in found}
    for citation in merge([c for c, _b in found]):
        block = by_id[id(citation)]
        changes = block.extras.get("changes") or []
        extent = citation.end + (len(citation.issuer) + 6 if citation.issuer else 0)
        touched = any(
            change.start < extent and change.end > citation.start
            for change in changes  # type: ignore[attr-defined]
        )
        field = Field(citation.value(), block.source(), repaired=bool(citation.repaired) or touched)
        field.notes.extend(f"{name} repaired" for name in citation.repaired)
        result.references.append(field)


def _warn(result: PlanParse) -> None:
    issued, year = result.issued_on.value, result.year.value
    dates = [ref.value["date"] for ref in result.references if ref.value["date"]]
    if issued and dates and max(dates)[: len(issued)] > issued:
        result.warnings.append("issue date is earlier than a document it cites")
    if year and issued and int(issued[:4]) > year:
        result.warnings.append("issue date is after the plan's year")
    if result.garbled:
        result.warnings.append("text extraction lost letters; repaired values are flagged")

