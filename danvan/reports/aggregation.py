"""Upward aggregation of a period: every level's figures and reporting rates, from two grouped reads.

Why this shape (the national data is 100,000 reports × 60 indicators, ≈ 6 M counted figures):

- the figures come from the subtotals kept per (anchor, indicator) in ``AnchorTotal`` — SUM, COUNT,
  MIN, MAX of the counted figures, recomputed for one anchor in the transaction that changes them
  (``totals.py``) — so the national aggregate reads ≈ 3,400 anchors × 60 rows, not 6 M figures;
  ``figures_query`` computes the same groups from ``DataValue`` (one ordered scan of its covering
  index) for rebuilds and checks;
- completeness is ONE grouped query over ``Submission`` per (anchor, expected, status, late);
- both are then rolled up in Python over the administrative units, deepest first, each node merged
  into its parent once (a node's parent is read from its path), so the levels above the anchors
  cost a few hundred thousand additions instead of a join of every figure with every ancestor.

Cells carry what every rule needs (sum, count, min, max, yes), so one pass serves all indicators;
the rule is applied when a value is read (``Aggregate.value``). Rates count expected units only:
a unit closed during the period that had reported is "extra", never "received", so no rate ever
exceeds 100 %. The result is cached per (period, data_version, root): any change to counted
figures bumps ``Period.data_version`` and so makes a new key; stale entries expire after an hour.
"""

from __future__ import annotations

import math
import operator
import time
from array import array
from dataclasses import astuple, dataclass, field
from itertools import compress
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, Max, Min, Q, Sum

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import SEGMENT, ancestor_ids, depth_of

from .models import (
    COUNTED_STATUSES,
    Aggregation,
    AnchorTotal,
    DataValue,
    Period,
    Submission,
    SubmissionStatus,
    ValueType,
)
from .validation import spec_for

if TYPE_CHECKING:
    from .validation import FormSpec, QuestionSpec, SectionSpec

CACHE_SECONDS = 3600
_COUNTED = frozenset(str(s) for s in COUNTED_STATUSES)


@dataclass(slots=True)
class Cell:
    """What every aggregation rule needs about one indicator over a set of reports.

    ``yes`` is the number of reports answering yes, for yes/no indicators (0 for the others): they
    are stored as 1/0, so it is their sum — one aggregate fewer in the scan of 6 M figures.
    """

    sum: float = 0.0
    count: int = 0
    min: float | None = None
    max: float | None = None
    yes: int = 0

    def merge(self, other: Cell) -> None:
        self.sum += other.sum
        self.count += other.count
        if other.min is not None and (self.min is None or other.min < self.min):
            self.min = other.min
        if other.max is not None and (self.max is None or other.max > self.max):
            self.max = other.max
        self.yes += other.yes

    def copy(self) -> Cell:
        return Cell(self.sum, self.count, self.min, self.max, self.yes)

    def __reduce__(self) -> tuple[Any, ...]:
        # A national aggregate holds ≈ 200,000 cells: pickle each as a plain tuple, not a dict of slots.
        return (Cell, (self.sum, self.count, self.min, self.max, self.yes))


@dataclass(slots=True)
class Completeness:
    """Reports expected and received (DHIS2's reporting rate), on time and late, by status.

    ``received``, ``on_time``, ``late`` and the status counts are about expected units only;
    ``extra`` counts reports (counted) of units no longer expected, e.g. closed during the period.
    """

    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    accepted: int = 0
    returned: int = 0
    draft: int = 0
    not_started: int = 0
    extra: int = 0

    @property
    def submitted(self) -> int:
        """Received but not yet accepted."""
        return self.received - self.accepted

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (Completeness, astuple(self))

    def merge(self, other: Completeness) -> None:
        self.expected += other.expected
        self.received += other.received
        self.on_time += other.on_time
        self.late += other.late
        self.accepted += other.accepted
        self.returned += other.returned
        self.draft += other.draft
        self.not_started += other.not_started
        self.extra += other.extra

    def add_group(self, expected: bool, status: str, is_late: bool, n: int) -> None:
        counted = status in _COUNTED
        if not expected:
            if counted:
                self.extra += n
            return
        self.expected += n
        if counted:
            self.received += n
            if is_late:
                self.late += n
            else:
                self.on_time += n
        if status == SubmissionStatus.ACCEPTED:
            self.accepted += n
        elif status == SubmissionStatus.RETURNED:
            self.returned += n
        elif status == SubmissionStatus.DRAFT:
            self.draft += n
        elif status == SubmissionStatus.NOT_STARTED:
            self.not_started += n


class Node:
    """One unit of the aggregate: an anchor of reports, an ancestor of one, or the root.

    Pickled compactly (the cells as five typed arrays) and unpacked into ``Cell`` s only when read:
    a page reads a few dozen nodes of a cached national aggregate of ≈ 3,400.
    """

    __slots__ = ("unit_id", "name", "path", "depth", "kind_name", "parent_id", "completeness", "_cells", "_packed",
                 "_vec")

    def __init__(
        self, unit_id: int, name: str, path: str, depth: int, kind_name: str, parent_id: int | None,
        completeness: Completeness | None = None, cells: dict[int, Cell] | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.name = name
        self.path = path
        self.depth = depth
        self.kind_name = kind_name
        self.parent_id = parent_id
        self.completeness = completeness if completeness is not None else Completeness()
        self._cells: dict[int, Cell] | None = cells if cells is not None else {}
        self._packed: tuple[array, ...] | None = None
        self._vec: tuple[list[int], list[bool], list[list[Any]]] | None = None

    def pack(self, ids: list[int], yes_flags: list[bool], vec: list[list[Any]]) -> None:
        """Hold dense vectors (sum, count, min, max over ``ids``); packed into arrays only when read or pickled."""
        self._vec = (ids, yes_flags, vec)
        self._cells = self._packed = None

    def _unvec(self) -> None:
        """The vectors as the packed arrays, keeping only the indicators with a count."""
        assert self._vec is not None  # noqa: S101 (called only when set)  # nosec B101
        ids, yes_flags, (sums, counts, mins, maxs) = self._vec
        mask = [c > 0 for c in counts]
        self._packed = (
            array("q", compress(ids, mask)), array("d", compress(sums, mask)), array("q", compress(counts, mask)),
            array("d", compress(mins, mask)), array("d", compress(maxs, mask)),
            array("q", compress([int(s) if y else 0 for s, y in zip(sums, yes_flags, strict=True)], mask)),
        )
        self._vec = None

    @property
    def cells(self) -> dict[int, Cell]:
        if self._cells is None:
            if self._vec is not None:
                self._unvec()
            assert self._packed is not None  # noqa: S101 (one of the two is always set)  # nosec B101
            ids, sums, counts, mins, maxs, yes = self._packed
            self._cells = {
                i: Cell(s, c, None if math.isnan(lo) else lo, None if math.isnan(hi) else hi, y)
                for i, s, c, lo, hi, y in zip(ids, sums, counts, mins, maxs, yes, strict=True)
            }
            self._packed = None
        return self._cells

    @cells.setter
    def cells(self, value: dict[int, Cell]) -> None:
        self._cells, self._packed, self._vec = value, None, None

    def __repr__(self) -> str:
        return f"Node({self.unit_id}, {self.name!r}, {self.completeness!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return (self.unit_id, self.path, self.completeness, self.cells) == (
            other.unit_id, other.path, other.completeness, other.cells
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[Any, ...]:
        if self._vec is not None:
            self._unvec()
        if self._packed is not None:
            packed = self._packed
        else:
            cells = self.cells
            nan = math.nan
            packed = (
                array("q", cells.keys()), array("d", [c.sum for c in cells.values()]),
                array("q", [c.count for c in cells.values()]),
                array("d", [nan if c.min is None else c.min for c in cells.values()]),
                array("d", [nan if c.max is None else c.max for c in cells.values()]),
                array("q", [c.yes for c in cells.values()]),
            )
        return (self.unit_id, self.name, self.path, self.depth, self.kind_name, self.parent_id, self.completeness, packed)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (self.unit_id, self.name, self.path, self.depth, self.kind_name, self.parent_id, self.completeness,
         self._packed) = state
        self._cells = None
        self._vec = None


@dataclass
class Aggregate:
    period: Period
    spec: FormSpec
    root_id: int
    nodes: dict[int, Node]
    _children: dict[int, list[int]] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_children"] = None
        return state

    @property
    def root(self) -> Node:
        return self.nodes[self.root_id]

    def children(self, unit_id: int) -> list[Node]:
        """Nodes right below ``unit_id``, in tree order."""
        if self._children is None:
            index: dict[int, list[int]] = {}
            for node in sorted(self.nodes.values(), key=lambda n: n.path):
                if node.unit_id != self.root_id and node.parent_id is not None:
                    index.setdefault(node.parent_id, []).append(node.unit_id)
            self._children = index
        return [self.nodes[pk] for pk in self._children.get(unit_id, [])]

    def value(self, unit_id: int, code: str) -> float | None:
        """The indicator's figure for the unit's subtree by its rule; None when nothing was reported."""
        node = self.nodes.get(unit_id)
        ind = self.spec.indicator(code)
        if node is None or ind is None or ind.value_type == ValueType.TEXT:
            return None
        if ind.aggregation == Aggregation.RATIO:
            num_ind = self.spec.indicator(ind.numerator_code) if ind.numerator_code else None
            den_ind = self.spec.indicator(ind.denominator_code) if ind.denominator_code else None
            if num_ind is None or den_ind is None:
                return None
            num, den = node.cells.get(num_ind.id), node.cells.get(den_ind.id)
            if num is None or den is None or not num.count or not den.count or den.sum == 0:
                return None
            ratio = num.sum / den.sum
            return 100 * ratio if ind.value_type == ValueType.PERCENTAGE else ratio
        cell = node.cells.get(ind.id)
        if cell is None or cell.count == 0:
            return None
        rule = ind.aggregation
        if rule == Aggregation.SUM:
            return cell.sum
        if rule == Aggregation.AVERAGE:
            return cell.sum / cell.count
        if rule == Aggregation.MIN:
            return cell.min
        if rule == Aggregation.MAX:
            return cell.max
        if rule == Aggregation.SHARE_YES:
            return 100 * cell.yes / cell.count
        # Aggregation.NONE: a node always stands for a set of reports; each unit's own figure is in unit_reports().
        return None


def cache_key(period: Period, root_id: int) -> str:
    return f"reports:agg:{period.pk}:{period.data_version}:{root_id}"


def load_regime(period: Period) -> Any:
    """The regime with its form and scope root, read once (reused when the caller already loaded it)."""
    state = period._state.fields_cache
    regime = state.get("regime")
    if regime is None or "form" not in regime._state.fields_cache or "scope_root" not in regime._state.fields_cache:
        from .models import ReportingRegime

        regime = ReportingRegime.objects.select_related("form", "scope_root").get(pk=period.regime_id)
        period.regime = regime
    return regime


def aggregate_period(period: Period, *, root: OrgUnit | None = None) -> Aggregate:
    """The aggregate of ``root``'s subtree (the regime's scope root by default), cached."""
    regime = load_regime(period)
    root_unit = root if root is not None else regime.scope_root
    key = cache_key(period, root_unit.pk)
    found = cache.get(key)
    if found is not None:
        return found
    result = compute_aggregate(period, root=root_unit)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _units(root: OrgUnit, ids: set[int] | None = None) -> dict[int, tuple[str, str, str, int | None]]:
    """(name, path, kind name, parent id) of the administrative units in ``root``'s subtree and root, or of ``ids``."""
    qs = OrgUnit.objects.all() if ids is not None else OrgUnit.objects.subtree_of(root)
    qs = qs.filter(pk__in=ids) if ids is not None else qs.filter(Q(kind__is_administrative=True) | Q(pk=root.pk))
    rows = qs.order_by().values_list("pk", "name", "path", "kind__name", "parent_id")
    return {pk: (name, path, kind, parent) for pk, name, path, kind, parent in rows}


def values_query(period: Period, anchor_ids: list[int] | None = None) -> Any:
    """(anchor, indicator, sum, count, min, max) per group, read from the subtotals kept per anchor."""
    base = AnchorTotal.objects.filter(period_id=period.pk)
    if anchor_ids is not None:
        base = base.filter(anchor_id__in=anchor_ids)
    return base.order_by("anchor_id").values_list(
        "anchor_id", "indicator_id", "value_sum", "value_count", "value_min", "value_max",
    )


def figures_query(period: Period, anchor_ids: list[int] | None = None) -> Any:
    """The same groups computed from the figures themselves: what the subtotals must always equal."""
    base = DataValue.objects.filter(period_id=period.pk)
    if anchor_ids is not None:
        base = base.filter(anchor_id__in=anchor_ids)
    return base.order_by().values_list("anchor_id", "indicator_id").annotate(
        s=Sum("num"), c=Count("num"), mn=Min("num"), mx=Max("num"),
    )


def _value_rows(period: Period, anchor_ids: list[int] | None) -> list[tuple[Any, ...]]:
    """The figures query, run through the cursor: 200,000 rows are cheaper as plain tuples than through the ORM."""
    qs = values_query(period, anchor_ids)
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _empty_vector(width: int) -> list[list[Any]]:
    return [[0.0] * width, [0] * width, [math.inf] * width, [-math.inf] * width]


def _anchor_vectors(period: Period, anchor_ids: list[int] | None, ids: list[int]) -> dict[int, list[list[Any]]]:
    """Each anchor's subtotals as four lists aligned on ``ids`` (sorted indicator ids).

    On PostgreSQL the rows of one anchor arrive as arrays (one row per anchor, ≈ 3,400 instead of
    200,000, decoded by psycopg's C code); an anchor with every indicator — nearly all of them —
    then needs no Python step per cell. Elsewhere the rows are read one by one.
    """
    width = len(ids)
    pos = {pk: k for k, pk in enumerate(ids)}
    vectors: dict[int, list[list[Any]]] = {}

    def place(vec: list[list[Any]], indicator_id: int, s: float, c: int, mn: float | None, mx: float | None) -> None:
        k = pos.get(indicator_id)
        if k is None:
            return  # a figure of an indicator that no longer holds figures (e.g. made a ratio in a new version)
        vec[0][k], vec[1][k] = s, c
        vec[2][k] = math.inf if mn is None else mn
        vec[3][k] = -math.inf if mx is None else mx

    connection = connections[AnchorTotal.objects.db]
    if connection.vendor == "postgresql":
        import psycopg
        from psycopg import sql as pg

        query = pg.SQL(
            "SELECT anchor_id, array_agg(indicator_id), array_agg(value_sum), array_agg(value_count), "
            "array_agg(value_min), array_agg(value_max) FROM (SELECT * FROM {table} WHERE period_id = %s{only} "
            "ORDER BY anchor_id, indicator_id) t GROUP BY anchor_id"
        ).format(
            table=pg.Identifier(AnchorTotal._meta.db_table),
            only=pg.SQL(" AND anchor_id = ANY(%s)" if anchor_ids is not None else ""),
        )
        params: list[Any] = [period.pk] + ([anchor_ids] if anchor_ids is not None else [])
        connection.ensure_connection()
        # A cursor of its own on Django's connection (same transaction): Django's client-side cursors
        # cannot ask for binary results, which decode ≈ 200,000 floats twice as fast as text.
        start = time.monotonic()
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(query, params, binary=True)
            rows = cur.fetchall()
            if connection.queries_logged:  # shown in debug tools and query counts like any other query
                connection.queries_log.append(
                    {"sql": query.as_string(cur), "time": f"{time.monotonic() - start:.3f}"})
        for anchor_id, ind_ids, sums, counts, mins, maxs in rows:
            if ind_ids == ids:  # every indicator: the arrays are the vectors
                vectors[anchor_id] = [sums, counts, mins, maxs]
                continue
            vec = vectors[anchor_id] = _empty_vector(width)
            for cell in zip(ind_ids, sums, counts, mins, maxs, strict=True):
                place(vec, *cell)
        return vectors

    current: list[list[Any]] = []
    current_anchor = None
    for anchor_id, indicator_id, s, c, mn, mx in _value_rows(period, anchor_ids):
        if anchor_id != current_anchor:
            current_anchor = anchor_id
            current = vectors.get(anchor_id) or vectors.setdefault(anchor_id, _empty_vector(width))
        place(current, indicator_id, s, c, mn, mx)
    return vectors


def compute_aggregate(period: Period, *, root: OrgUnit | None = None) -> Aggregate:
    """The aggregate without the cache: 3 queries (plus the regime and the form's spec when not loaded yet)."""
    regime = load_regime(period)
    root = root if root is not None else regime.scope_root
    spec = spec_for(regime.form)
    units = _units(root)
    scope_path = regime.scope_root.path
    # The whole period when root covers the regime's scope; else the anchors inside root's subtree.
    anchor_ids = None if scope_path.startswith(root.path) else sorted(units)

    submissions = Submission.objects.filter(period_id=period.pk)
    if anchor_ids is not None:
        submissions = submissions.filter(anchor_id__in=anchor_ids)
    groups = submissions.order_by().values_list("anchor_id", "expected", "status", "is_late").annotate(n=Count("pk"))
    by_anchor: dict[int, Completeness] = {}
    for anchor_id, expected, status, is_late, n in groups:
        comp = by_anchor.get(anchor_id)
        if comp is None:
            comp = by_anchor[anchor_id] = Completeness()
        comp.add_group(expected, status, is_late, n)

    # The figures as dense vectors over the indicators that can hold figures (sum, count, min, max):
    # the roll-up is then a few C-level map() calls per node, not a Python step per cell.
    ids = sorted(i.id for i in spec.indicators if i.value_type != ValueType.TEXT and i.aggregation != Aggregation.RATIO)
    vectors = _anchor_vectors(period, anchor_ids, ids)

    # Anchors that are not administrative units (a reporter with none above it) are fetched apart.
    missing = (set(by_anchor) | set(vectors)) - set(units)
    if missing:
        units.update(_units(root, missing))
    root_depth = depth_of(root.path)
    node_ids: set[int] = {root.pk}
    for anchor_id in set(by_anchor) | set(vectors):
        info = units.get(anchor_id)
        if info is None or not info[1].startswith(root.path):
            continue
        node_ids.update(ancestor_ids(info[1])[root_depth:])
    absent = node_ids - set(units)
    if absent:  # a non-administrative unit between an anchor and root
        units.update(_units(root, absent))

    nodes: dict[int, Node] = {}
    for pk in node_ids:
        name, path, kind, parent = units[pk]
        nodes[pk] = Node(
            unit_id=pk, name=name, path=path, depth=len(path) // SEGMENT - 1, kind_name=kind, parent_id=parent,
            completeness=by_anchor.get(pk) or Completeness(),
        )
    # Deepest first: each node is merged into its parent once, after all its own children were.
    for node in sorted(nodes.values(), key=lambda n: n.depth, reverse=True):
        if node.unit_id == root.pk:
            continue
        up_id = ancestor_ids(node.path)[-2]
        nodes[up_id].completeness.merge(node.completeness)
        vec = vectors.get(node.unit_id)
        if vec is None:
            continue
        up = vectors.get(up_id)
        if up is None:
            vectors[up_id] = [list(vec[0]), list(vec[1]), list(vec[2]), list(vec[3])]
        else:
            up[0] = list(map(operator.add, up[0], vec[0]))
            up[1] = list(map(operator.add, up[1], vec[1]))
            up[2] = list(map(min, up[2], vec[2]))
            up[3] = list(map(max, up[3], vec[3]))
    boolean = {i.id for i in spec.indicators if i.value_type == ValueType.BOOLEAN}
    yes_flags = [pk in boolean for pk in ids]
    for pk, node in nodes.items():
        vec = vectors.get(pk)
        if vec is not None:
            node.pack(ids, yes_flags, vec)
    return Aggregate(period=period, spec=spec, root_id=root.pk, nodes=nodes)


def _subtree_q(root: OrgUnit, prefix: str = "org_unit__") -> Q:
    from danvan.orgs.paths import next_prefix

    return Q(**{f"{prefix}path__gte": root.path, f"{prefix}path__lt": next_prefix(root.path)})


def unit_reports(period: Period, anchor: OrgUnit) -> list[dict[str, Any]]:
    """Every report anchored at ``anchor`` (the unit itself, its villages or departments), in tree order.

    Figures are given only for counted reports: a draft is the unit's own working copy.
    """
    rows = (
        Submission.objects.filter(period_id=period.pk, anchor_id=anchor.pk)
        .select_related("org_unit__kind").order_by("org_unit__path")
    )
    out = []
    for s in rows:
        counted = s.status in _COUNTED
        out.append({
            "submission_id": s.pk,
            "unit_id": s.org_unit_id,
            "unit": s.org_unit.name,
            "kind": s.org_unit.kind.name,
            "path": s.org_unit.path,
            "status": s.status,
            "status_label": s.get_status_display(),
            "expected": s.expected,
            "late": s.is_late,
            "counted": counted,
            "submitted_at": s.submitted_at,
            "values": dict(s.values) if counted else {},
        })
    return out


def late_and_missing(period: Period, root: OrgUnit) -> tuple[list[Submission], list[Submission]]:
    """(counted reports that came late, expected reports not counted yet) in ``root``'s subtree, in tree order."""
    late_q = Q(status__in=COUNTED_STATUSES, is_late=True)
    missing_q = Q(expected=True) & ~Q(status__in=COUNTED_STATUSES)
    rows = list(
        Submission.objects.filter(_subtree_q(root), late_q | missing_q, period_id=period.pk)
        .select_related("org_unit__kind").order_by("org_unit__path")
    )
    late = [s for s in rows if s.status in _COUNTED]
    missing = [s for s in rows if s.status not in _COUNTED]
    return late, missing


def narratives(
    period: Period, root: OrgUnit
) -> list[tuple[SectionSpec | None, QuestionSpec, list[tuple[str, str]]]]:
    """Narrative answers of counted reports in ``root``'s subtree, question by question in form order.

    Each answer is named by its unit; units come in tree order (a commune, then its villages).
    """
    spec = spec_for(load_regime(period).form)
    rows = list(
        Submission.objects.filter(_subtree_q(root), period_id=period.pk, status__in=COUNTED_STATUSES)
        .order_by("org_unit__path").values_list("org_unit__name", "answers")
    )
    sections = {s.id: s for s in spec.sections}
    section_order = {s.id: (s.order, i) for i, s in enumerate(spec.sections)}

    def question_key(q: QuestionSpec) -> tuple[int, int, int, int]:
        sec = section_order.get(q.section_id) if q.section_id is not None else None
        # Questions of sections in section order, then questions with no section.
        return (0, *sec, q.order) if sec else (1, 0, 0, q.order)

    out = []
    for q in sorted(spec.questions, key=question_key):
        answers = []
        for name, data in rows:
            text = (data or {}).get(q.code)
            if isinstance(text, str) and text.strip():
                answers.append((name, text.strip()))
        out.append((sections.get(q.section_id) if q.section_id is not None else None, q, answers))
    return out
