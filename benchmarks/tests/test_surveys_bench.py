"""The surveys and portal areas: generated responses are what the services would have saved, figures are filed right.

Run with ``pytest benchmarks/tests`` (not part of ``make test``'s default paths).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.utils import timezone

from benchmarks.areas import surveys as bench
from benchmarks.core import result_owned
from danvan.surveys import index, scoring
from danvan.surveys.models import Response, Service
from danvan.surveys.responses import validate_answers

TODAY = dt.date(2026, 7, 6)


@pytest.mark.parametrize(("name", "database", "owned"), [
    ("surveys.index_s", "postgres", True), ("surveys.index_s", "sqlite", False),
    ("surveys.export_peak_mb", "postgres", True), ("surveys.sqlite.index_s", "sqlite", True),
    ("surveys.sqlite.index_s", "postgres", False), ("portal.page_kb", "postgres", True),
    ("portal.p95_ms", "sqlite", False), ("portal.sqlite.p95_ms", "sqlite", True),
])
def test_figures_belong_to_their_database(name, database, owned):
    assert result_owned(name, name.split(".")[0], database) is owned


def test_days_are_quiet_at_weekends():
    weights = bench.day_weights(dt.date(2024, 1, 1), 7)  # from a Monday
    assert weights[0] == 1.0 > weights[5] > weights[6]


@pytest.fixture
def generated(db, tree, monkeypatch):
    monkeypatch.setattr(bench, "POOL", 1000)  # the answer pool's size does not change what is checked
    provinces = [tree["A"], tree["B"]]
    desks = bench._desks([tree["A1"].pk, tree["A2"].pk, tree["B1"].pk])
    surveys, pools = bench.build_surveys(provinces)
    communes = {tree["A"].pk: [tree["A1"].pk, tree["A2"].pk], tree["B"].pk: [tree["B1"].pk]}
    services = dict(Service.objects.values_list("code", "pk"))
    rows = list(bench.response_rows(surveys, communes, desks, services, pools, TODAY, 3000, seed=3))
    n, _load, _idx = bench.insert_responses(iter(rows))
    return {"rows": rows, "n": n, "surveys": surveys, "desks": desks}


def test_rows_are_valid_scored_responses(generated, tree):
    assert generated["n"] == 3000 == Response.objects.count()
    assert set(bench.COLUMNS) <= {f.column for f in Response._meta.concrete_fields}
    required = {f.column for f in Response._meta.concrete_fields if not f.null and not f.primary_key and
                not f.has_default()}
    assert required <= set(bench.COLUMNS), required - set(bench.COLUMNS)
    for r in Response.objects.select_related("version")[:300]:
        clean = validate_answers(r.version, r.answers)  # what the public form would have accepted
        assert clean == r.answers
        assert (r.element_answered, r.element_satisfied) == scoring.masks(scoring.plan_for(r.version), r.answers)
        assert r.org_unit.path.startswith(r.survey.org_unit.path)
        assert r.desk_id is None or r.desk_id in generated["desks"][r.org_unit_id]
    days = Counter(Response.objects.values_list("submitted_on", flat=True))
    assert min(days) >= TODAY - dt.timedelta(days=bench.DAYS - 1) and max(days) <= TODAY
    assert timezone.localdate(Response.objects.order_by("pk").first().submitted_at) == min(days)  # arrival order


def test_index_is_realistic(generated, tree):
    result = index.unit_index(tree["A"], TODAY - dt.timedelta(days=400), TODAY)
    assert result.respondents > 1000
    assert result.overall is not None and 35 < result.overall < 95  # not everybody is satisfied
    assert [e.key for e in result.elements] == ["access", "procedure", "officials", "result", "feedback"]
    voided = Response.objects.filter(voided_at__isnull=False).count()
    assert 0 < voided < 40


def test_copy_text_escapes_json():
    text = bench._copy_text(json.dumps({"e1": 'a "b"\\c\td'}))
    assert "\t" not in text and "\\\\" in text
    assert bench._copy_text(None) == "\\N"
