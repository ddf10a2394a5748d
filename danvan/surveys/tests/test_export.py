"""Exports: responses as CSV and XLSX (one row per response, nothing about who answered), the index as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from danvan.surveys import export, index
from danvan.surveys.models import Desk, Response, Service

from .test_index_support import add_version, make_survey, respond

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def client() -> Any:
    from django.conf import settings
    from django.test import Client

    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture(autouse=True)
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def data(tree: Any, make_user: Any, no_mfa: Any) -> dict[str, Any]:
    officer = make_user("canbo-a1", (tree["A1"], "officer"), first_name="Lan", last_name="Trần")
    survey = make_survey(tree["A1"])
    service = Service.objects.create(code="dv-x", name="Xác nhận cư trú")
    desk = Desk.objects.create(org_unit=tree["A1"], code="q2", name="Quầy 2")
    r1 = respond(survey, {"c1-1-s": 5, "c1-2-s": 4, "c3-1-s": 5, "service": "Chứng thực", "e0": "=HYPERLINK(\"x\")"},
                 on=D(2026, 3, 4), service=service, desk=desk, officer=officer, client_hash="abcdef0123456789",
                 channel="paper")
    r2 = respond(survey, {"c1-1-s": 1, "c3-1-s": 2, "e0": "Tốt\x01lắm"}, on=D(2026, 3, 5), voided=True)
    v2 = add_version(survey, elements=(("officials", "Công chức", ("c3-9-s",)),))
    r3 = respond(survey, {"c3-9-s": 4}, version=v2, on=D(2026, 3, 6))
    return {"survey": survey, "officer": officer, "rows": [r1, r2, r3], "sibling": make_user("x-a2", (tree["A2"], "head"))}


def read_csv(chunks: Any) -> list[list[str]]:
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_one_row_per_response_with_question_columns(data: Any, django_assert_max_num_queries: Any) -> None:
    survey = data["survey"]
    with django_assert_max_num_queries(2):
        rows = read_csv(export.stream_csv(Response.objects.filter(survey=survey)))
    head, *body = rows
    assert head[:9] == ["Response", "Date", "Unit", "Service", "Desk", "Officer", "Channel", "Version", "Voided"]
    # The newest version's keys first, then the keys only the older version had.
    assert head[9:] == ["service", "c3-9-a", "c3-9-s", "e0", "c1-1-a", "c1-1-s", "c1-2-a", "c1-2-s", "c3-1-a", "c3-1-s"]
    assert len(body) == 3
    first = dict(zip(head, body[0], strict=True))
    assert first["Response"] == str(data["rows"][0].pk) and first["Date"] == "04/03/2026"
    assert first["Unit"] == "Xã Bình Lư" and first["Service"] == "Xác nhận cư trú" and first["Desk"] == "Quầy 2"
    assert first["Officer"] == "Lan Trần" and first["Version"] == "1" and first["Voided"] == ""
    assert first["Channel"] == "Paper questionnaire, entered by an officer"
    assert first["c1-1-s"] == "5" and first["c3-9-s"] == ""
    assert first["e0"] == "'=HYPERLINK(\"x\")"  # never a formula in a spreadsheet
    assert dict(zip(head, body[1], strict=True))["Voided"] == "voided"
    assert dict(zip(head, body[2], strict=True))["c3-9-s"] == "4"
    flat = "".join(",".join(r) for r in rows)
    assert "abcdef0123456789" not in flat  # no client hash


def test_xlsx_opens_and_holds_the_same_cells(data: Any, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "out.xlsx"
    with open(path, "wb") as fh:
        count = export.write_xlsx(Response.objects.filter(survey=data["survey"]), fh, title="=Khảo sát")
    assert count == 3
    ws = load_workbook(path, read_only=True).active
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    assert cells[0][0] == "'=Khảo sát"
    head = cells[1]
    assert list(head[:3]) == ["Response", "Date", "Unit"]
    first = dict(zip(head, cells[2], strict=True))
    assert first["c1-1-s"] == 5 and first["e0"] == "'=HYPERLINK(\"x\")" and first["Officer"] == "Lan Trần"
    second = dict(zip(head, cells[3], strict=True))
    assert second["e0"] == "Tốtlắm" and second["Voided"] == "voided"  # a control character is dropped


def test_export_views_stream_and_check_permission(client: Any, data: Any) -> None:
    survey = data["survey"]
    client.force_login(data["officer"])
    response = client.get(reverse("surveys:responses_csv", args=[survey.pk]), {"date_from": "05/03/2026",
                                                                                "date_to": "31/12/2026"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response.streaming_content)
    assert len(rows) == 3  # header + the two responses from 05/03
    response = client.get(reverse("surveys:responses_xlsx", args=[survey.pk]))
    assert response.status_code == 200 and response.streaming
    assert 'filename="khao-sat-' in response["Content-Disposition"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert len(list(ws.iter_rows(values_only=True))) == 2 + 3
    client.force_login(data["sibling"])
    assert client.get(reverse("surveys:responses_xlsx", args=[survey.pk])).status_code == 404


def test_index_csv(client: Any, tree: Any, data: Any) -> None:
    result = index.compute(responses_qs=Response.objects.filter(survey=data["survey"]), by="month")
    rows = read_csv(export.index_csv(result))
    assert rows[0][:3] == ["Group", "Respondents", "Overall index (%)"]
    assert rows[1][:2] == ["03/2026", "2"] and rows[2][0] == "Total"
    assert rows[-1][0] == "Formula" and "≥ 4" in rows[-1][1]
    client.force_login(data["officer"])
    response = client.get(reverse("surveys:results_index_csv"), {"unit": tree["A1"].pk, "by": "desk",
                                                                 "date_from": "01/01/2026"})
    rows = read_csv(response.streaming_content)
    assert [r[0] for r in rows[1:3]] == ["Quầy 2", "No desk named"]
    assert client.get(reverse("surveys:results_index_csv"), {"unit": tree["A1"].pk, "by": "x"}).status_code == 404
    assert client.get(reverse("surveys:results_index_csv"), {"unit": tree["B1"].pk}).status_code == 404
    empty = read_csv(client.get(reverse("surveys:results_index_csv"), {"unit": tree["A1v"].pk}).streaming_content)
    assert empty[1] == ["Total", "0", ""]  # not available, never 0
