"""What the drill-down page of one unit shows: its totals and rates, its children's, its own reporters.

The aggregate is computed for the unit's subtree only (``aggregate_period(root=unit)``), so a
province's page reads the figures of its own anchors, not the whole country's. The individual
reports are listed when the unit is the anchor of units that are not administrative (a commune's
villages, a province's departments): those have no node of their own in the aggregate.
"""

from __future__ import annotations

from typing import Any

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids, depth_of

from .aggregation import Aggregate, Node, aggregate_period, load_regime, unit_reports
from .models import Period


def _row(agg: Aggregate, node: Node, codes: list[str]) -> dict[str, Any]:
    return {
        "unit_id": node.unit_id,
        "name": node.name,
        "kind": node.kind_name,
        "path": node.path,
        "depth": node.depth,
        "completeness": node.completeness,
        "values": {code: agg.value(node.unit_id, code) for code in codes},
    }


def drilldown(period: Period, unit: OrgUnit) -> dict[str, Any]:
    """The page's data: ``node``, ``children`` (administrative), ``reports`` (own reporters), ``ancestors``.

    ``indicators`` are the form's numeric indicators in form order (the table's columns); each row's
    ``values`` maps their codes to the figure by the indicator's rule (None: nothing reported).
    """
    agg = aggregate_period(period, root=unit)
    indicators = list(agg.spec.numeric_indicators)
    codes = [ind.code for ind in indicators]
    node = agg.nodes[unit.pk]
    reports = unit_reports(period, unit)
    if not any(r["unit_id"] != unit.pk for r in reports):
        reports = []  # only the unit's own report: its figures are the node's
    # The way back up, from the regime's scope root (the consolidating level) to the unit's parent.
    scope_path = load_regime(period).scope_root.path
    above = ancestor_ids(unit.path)[depth_of(scope_path):-1] if unit.path.startswith(scope_path) else []
    ancestors = list(OrgUnit.objects.filter(pk__in=above).order_by("path").values("pk", "name")) if above else []
    return {
        "period": period,
        "unit": unit,
        "indicators": indicators,
        "node": _row(agg, node, codes),
        "children": [_row(agg, child, codes) for child in agg.children(unit.pk)],
        "reports": reports,
        "ancestors": ancestors,
        "aggregate": agg,
    }
