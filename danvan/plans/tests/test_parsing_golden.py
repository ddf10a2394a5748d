"""The parser's whole detailed output for the four seeds, frozen, so that speed work changes no result.

The expected JSON (``golden/<seed>.json``) was written from the parser before it was optimised and
checked against ``test_parsing_seeds.py``. When a deliberate behaviour change alters it, review the
diff and rewrite the files with ``python danvan/plans/tests/test_parsing_golden.py`` (settings not needed).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from danvan.plans.parsing import parse_plan, parse_plan_detailed
from danvan.plans.parsing.repair import Repairer
from danvan.plans.parsing.text import normalise, read_lines

GOLDEN = Path(__file__).resolve().parent / "golden"
SEEDS = Path(
    os.environ.get("DANVAN_SEEDS_DIR", Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds")
)
PREFIXES = ["000", "001", "002", "004"]


def _seed(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed plans not found in {SEEDS}")
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _repairs(text: str) -> list[list[Any]]:
    """Every letter the repairer fills, line by line: finer than the parse, which keeps only some lines."""
    doc = read_lines(normalise(text))
    if not doc.garbled:
        return []
    lines = [line.gap_text for line in doc.lines]
    repairer = Repairer(lines)
    out: list[list[Any]] = []
    for no, line in enumerate(lines):
        _fixed, changes = repairer.repair(line)
        out.extend([no, c.start, c.end, c.old, c.new] for c in changes)
    return out


def _snapshot(text: str) -> dict[str, Any]:
    return {
        "detailed": parse_plan_detailed(text).detailed(),
        "public": parse_plan(text),
        "line_repairs": _repairs(text),
    }


def _normal(value: Any) -> Any:
    """Tuples and lists alike, as JSON reads them back."""
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_seed_output_is_unchanged(prefix):
    expected = json.loads((GOLDEN / f"{prefix}.json").read_text(encoding="utf-8"))
    actual = _normal(_snapshot(_seed(prefix)))
    for part in ("public", "detailed", "line_repairs"):
        assert actual[part] == expected[part], part


def test_seed_000_golden_has_repairs():
    """The garbled seed is the one that exercises the repairer: its frozen output must contain repairs."""
    expected = json.loads((GOLDEN / "000.json").read_text(encoding="utf-8"))
    assert expected["detailed"]["garbled"] is True
    assert len(expected["line_repairs"]) > 20
    assert any(field.get("repaired") for field in expected["detailed"]["references"])


def _write() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for prefix in PREFIXES:
        (path,) = SEEDS.glob(f"{prefix}_*.txt")
        data = _normal(_snapshot(path.read_text(encoding="utf-8")))
        (GOLDEN / f"{prefix}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    _write()
    sys.exit(0)
