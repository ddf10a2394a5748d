"""Materialised paths for the unit tree.

A path is the concatenation of the zero-padded ids of a unit's ancestors and itself, digits
only. Digits sort the same way in every collation (C, en_US, vi_VN, ICU), so "the subtree of X"
is one range scan on an ordinary b-tree index on SQLite and PostgreSQL alike:
``path >= X.path AND path < next_prefix(X.path)``.
"""

from __future__ import annotations

SEGMENT = 9


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def child_path(parent_path: str, pk: int) -> str:
    return parent_path + segment(pk)


def next_prefix(path: str) -> str:
    """The smallest string greater than every string that starts with ``path``."""
    return str(int(path) + 1).zfill(len(path))


def depth_of(path: str) -> int:
    return len(path) // SEGMENT - 1


def ancestor_paths(path: str) -> list[str]:
    """Paths of the unit's ancestors, root first, the unit itself last."""
    return [path[: i * SEGMENT] for i in range(1, len(path) // SEGMENT + 1)]


def ancestor_ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def minimal_prefixes(paths: list[str]) -> list[str]:
    """Drop paths already covered by another (a subtree inside a subtree adds nothing)."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept
