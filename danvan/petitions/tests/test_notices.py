"""Numbered notices: which step issues which, numbering per unit/kind/year, the DOCX as printed, who sees the filer."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from docx import Document

from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.documents.decree30 import format_short_date
from danvan.petitions import notices, services
from danvan.petitions.models import Notice, NoticeKind, PetitionEvent, PetitionStatus, ReceptionVisit

from .fixtures_cases import *  # noqa: F403
from .fixtures_cases import ACCEPTED, RECEIVED, bring_to, classify, load_fields, receive, step

pytestmark = pytest.mark.django_db
S = PetitionStatus
K = NoticeKind
WHISTLEBLOWER = "Trần Thị Tố Giác"


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    # A line break inside a paragraph (a body's name on two lines) reads as a space.
    return "\n".join(" ".join(part.split()) for part in parts)


def today_line(place: str) -> str:
    d = timezone.localdate()
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def accepted_denunciation(tree: Any, fields: Any) -> Any:
    p = receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ địa chính nhận tiền")
    classify(p, fields["land"])
    return step(p, "accept", accepted_on=ACCEPTED)


# --------------------------------------------------------------------------- which step issues which notice


def test_accepting_a_complaint_issues_a_numbered_acceptance_notice(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    notice = Notice.objects.get(petition=p)
    assert (notice.kind, notice.number, notice.year) == (K.ACCEPTANCE, 1, timezone.localdate().year)
    assert notice.issued_on == timezone.localdate()
    event = PetitionEvent.objects.get(petition=p, action="accept")
    assert notice.event_id == event.pk
    assert event.notice_number == "01/TB-UBND"
    assert AuditEvent.objects.filter(action="petitions.notice.issue", object_id=str(notice.pk)).count() == 1

    text = docx_text(notices.render_notice_docx(notice))
    assert "ỦY BAN NHÂN DÂN XÃ BÌNH LƯ" in text
    assert "Số: 01/TB-UBND" in text
    assert today_line("Bình Lư") in text
    assert "THÔNG BÁO" in text and "Về việc thụ lý giải quyết khiếu nại" in text
    assert f"số vào sổ {p.number}/{p.number_year}" in text
    assert format_short_date(RECEIVED) in text  # received on
    assert format_short_date(ACCEPTED) in text  # accepted on
    assert p.next_due is not None
    assert f"đến ngày {format_short_date(p.next_due)}" in text  # the resolution deadline
    assert "Khiếu nại quyết định thu hồi đất" in text
    assert "Nguyễn Văn An" in text  # a complainant is named
    assert "CHỦ TỊCH" in text and "Nơi nhận:" in text


@pytest.mark.parametrize(("status", "kind", "title"), [
    (S.FORWARDED, K.FORWARD, "PHIẾU CHUYỂN ĐƠN"),
    (S.GUIDED, K.GUIDANCE, "PHIẾU HƯỚNG DẪN"),
    (S.FILED_AWAY, K.NOT_ACCEPTED, "Về việc không thụ lý giải quyết khiếu nại"),
    (S.RESOLVED, K.RESULT, "Về kết quả giải quyết khiếu nại"),
])
def test_each_step_issues_the_notice_the_law_calls_for(tree: Any, fields: Any, status: str, kind: str,
                                                       title: str) -> None:
    p = bring_to(receive(tree["A1"]), status, fields["land"])
    last = Notice.objects.filter(petition=p).order_by("-pk").first()
    assert last is not None and last.kind == kind
    text = docx_text(notices.render_notice_docx(last))
    assert title in text
    assert f"Số: 01/{last.data['symbol']}" in text
    if kind == K.FORWARD:
        assert "Thanh tra tỉnh" in text  # the body it goes to
    if kind == K.GUIDANCE:
        assert "Hướng dẫn gửi Tòa án" in text
    if kind == K.NOT_ACCEPTED:
        assert "đơn không đọc được" in text  # the ground, in words
    if kind == K.RESULT:
        assert "12/QĐ-UBND" in text and format_short_date(dt.date(2026, 8, 15)) in text
        assert "đúng một phần" in text


def test_steps_without_a_notice_issue_none(tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    classify(p, fields["land"])
    step(p, "accept", accepted_on=ACCEPTED)
    step(p, "start_verification")
    assert list(Notice.objects.filter(petition=p).values_list("kind", flat=True)) == [K.ACCEPTANCE]
    assert PetitionEvent.objects.filter(petition=p, action="classify").get().notice_number == ""


def test_forward_to_a_unit_names_the_unit(tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    classify(p, fields["land"], competence="other")
    step(p, "forward", to_unit=tree["A2"])
    notice = Notice.objects.get(petition=p)
    assert notice.kind == K.FORWARD and notice.data["symbol"] == "PC-UBND"
    assert "Ủy ban nhân dân phường Tân Phong" in docx_text(notices.render_notice_docx(notice))


def test_recommendation_reply_is_a_result_and_filing_it_away_issues_nothing(tree: Any, fields: Any) -> None:
    rec = receive(tree["A1"], kind="recommendation", filer_name="Lò Văn Bình")
    classify(rec, fields["environment"])
    step(rec, "reply", reason="Đã chỉ đạo sửa đường")
    notice = Notice.objects.get(petition=rec)
    assert notice.kind == K.RESULT
    text = docx_text(notices.render_notice_docx(notice))
    assert "Về việc trả lời kiến nghị" in text and "Đã chỉ đạo sửa đường" in text

    other = receive(tree["A1"], kind="recommendation", filer_name="Lò Văn Bình", summary="Khác")
    classify(other, fields["environment"])
    step(other, "file_away", ground="illegible")
    assert not Notice.objects.filter(petition=other).exists()


def test_denunciation_acceptance_is_a_decision_and_extension_issues_an_extension(tree: Any, fields: Any) -> None:
    p = accepted_denunciation(tree, fields)
    step(p, "extend", reason="Vụ việc phức tạp, cần xác minh nhiều nơi", decision_number="33/QĐ-UBND")
    kinds = list(Notice.objects.filter(petition=p).order_by("pk").values_list("kind", "data__symbol"))
    assert kinds == [(K.ACCEPTANCE, "QĐ-UBND"), (K.EXTENSION, "QĐ-UBND")]
    ext = Notice.objects.get(petition=p, kind=K.EXTENSION)
    text = docx_text(notices.render_notice_docx(ext))
    assert "QUYẾT ĐỊNH" in text and "Về việc gia hạn giải quyết tố cáo" in text
    assert "lần 1" in text and "33/QĐ-UBND" in text
    p.refresh_from_db()
    assert p.next_due is not None
    assert f"đến ngày {format_short_date(p.next_due)}" in text
    acc = Notice.objects.get(petition=p, kind=K.ACCEPTANCE)
    assert "Về việc thụ lý tố cáo" in docx_text(notices.render_notice_docx(acc))


def test_anonymous_denunciation_filed_away_issues_nothing(tree: Any, fields: Any) -> None:
    p = receive(tree["A1"], kind="denunciation", anonymous=True, identity=None)
    classify(p, fields["land"])
    step(p, "file_away", ground="anonymous_denunciation")
    assert not Notice.objects.filter(petition=p).exists()


def test_a_department_prints_its_committee_and_initials(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["Adep"]), S.ACCEPTED, fields["land"])
    notice = Notice.objects.get(petition=p)
    text = docx_text(notices.render_notice_docx(notice))
    assert "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU" in text and "SỞ NỘI VỤ" in text
    assert "Số: 01/TB-SNV" in text
    assert today_line("Lai Châu") in text


def test_reception_refusal_notice_from_a_visit(tree: Any) -> None:
    visit = ReceptionVisit.objects.create(
        org_unit=tree["A1"], book_year=2026, number=1, visited_on=dt.date(2026, 7, 10), visitor_name="Hà Văn Cường",
        summary="Khiếu nại lặp lại", kind="complaint", handling="refused", refusal_ground="disruptive",
        refusal_reason="La hét, xúc phạm cán bộ tiếp dân",
    )
    notice = notices.issue_notice(actor=None, kind=K.REFUSAL, org_unit=tree["A1"], visit=visit)
    text = docx_text(notices.render_notice_docx(notice))
    assert "Về việc từ chối tiếp công dân" in text and "Hà Văn Cường" in text
    assert "gây rối trật tự" in text and "La hét, xúc phạm cán bộ tiếp dân" in text


# --------------------------------------------------------------------------- numbering


def test_numbers_run_per_unit_kind_and_year_and_restart_on_1_january(tree: Any) -> None:
    def issue(unit: str, kind: str, on: dt.date | None = None) -> int:
        return notices.issue_notice(actor=None, kind=kind, org_unit=tree[unit], issued_on=on).number

    assert [issue("A1", K.GUIDANCE, dt.date(2025, 12, 31)) for _ in range(3)] == [1, 2, 3]
    assert issue("A1", K.GUIDANCE, dt.date(2026, 1, 1)) == 1  # a new year starts at 01
    assert issue("A1", K.GUIDANCE, dt.date(2026, 1, 2)) == 2
    assert issue("A1", K.FORWARD, dt.date(2026, 1, 2)) == 1  # another kind has its own series
    assert issue("A2", K.GUIDANCE, dt.date(2026, 1, 2)) == 1  # another unit too
    assert issue("A1", K.GUIDANCE, dt.date(2025, 12, 30)) == 4  # back-dated into 2025's series


def test_issue_notice_refuses_bad_input(tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        notices.issue_notice(actor=None, kind="memo", org_unit=tree["A1"])
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        notices.issue_notice(actor=None, kind=K.GUIDANCE, org_unit=tree["A1"],
                             issued_on=timezone.localdate() + dt.timedelta(days=1))
    assert "issued_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        notices.issue_notice(actor=None, kind=K.GUIDANCE, org_unit=tree["A2"], petition=p)
    assert "petition" in exc.value.message_dict
    assert not Notice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_distinct_numbers(tree: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    unit = tree["A1"]
    results = run_together(*[lambda: notices.issue_notice(actor=None, kind=K.GUIDANCE, org_unit=unit)] * 6)
    assert all(isinstance(r, Notice) for r in results), results
    assert sorted(r.number for r in results) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db(transaction=True)
def test_concurrent_steps_on_two_cases_number_their_notices_apart(tree: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    load_fields()
    from danvan.petitions.models import PetitionField

    field = PetitionField.objects.get(code="land")
    cases = [classify(receive(tree["A1"], summary=f"Đơn {i}"), field) for i in range(4)]
    results = run_together(*[
        (lambda c=c: services.transition(actor=None, petition=c, action="accept",
                                         expected_version=c.lock_version, accepted_on=ACCEPTED))
        for c in cases
    ])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Notice.objects.filter(kind=K.ACCEPTANCE).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert sorted(PetitionEvent.objects.filter(action="accept").values_list("notice_number", flat=True)) == [
        "01/TB-UBND", "02/TB-UBND", "03/TB-UBND", "04/TB-UBND"]


# --------------------------------------------------------------------------- the whistleblower in the DOCX


def test_denunciation_notice_never_stores_or_prints_the_filer_for_a_non_handler(tree: Any, fields: Any,
                                                                                 people: Any) -> None:
    p = accepted_denunciation(tree, fields)
    notice = Notice.objects.get(petition=p)
    assert WHISTLEBLOWER not in json.dumps(notice.data, ensure_ascii=False)
    assert "Bản Thẳm" not in json.dumps(notice.data, ensure_ascii=False)
    before = AuditEvent.objects.filter(action="petitions.identity.revealed").count()
    for viewer in (None, people["officer"], people["head"], people["admin"], people["province_head"]):
        text = docx_text(notices.render_notice_docx(notice, viewer=viewer))
        assert WHISTLEBLOWER not in text
        assert "(thông tin người tố cáo được giữ bí mật)" in text
    assert AuditEvent.objects.filter(action="petitions.identity.revealed").count() == before


def test_denunciation_notice_prints_the_filer_for_the_assigned_handler_and_audits_it(tree: Any, fields: Any,
                                                                                      people: Any) -> None:
    p = accepted_denunciation(tree, fields)
    services.assign_handler(actor=people["head"], petition=p, user=people["handler"])
    notice = Notice.objects.get(petition=p)
    text = docx_text(notices.render_notice_docx(notice, viewer=people["handler"]))
    assert WHISTLEBLOWER in text and "Bản Thẳm" in text
    reveal = AuditEvent.objects.filter(action="petitions.identity.revealed", actor=people["handler"]).get()
    assert WHISTLEBLOWER not in json.dumps(reveal.summary, ensure_ascii=False)


# --------------------------------------------------------------------------- the download


def test_notice_download_permissions_and_headers(client: Any, tree: Any, fields: Any, people: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    notice = Notice.objects.get(petition=p)
    url = reverse("petitions:notice_docx", args=[notice.pk])
    assert client.get(url).status_code == 302  # anonymous → log in
    for name in ("officer", "viewer", "head", "province_officer"):
        client.force_login(people[name])
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == notices.DOCX_TYPE
        assert response["Content-Disposition"].startswith("attachment;")
        assert "01-TB-UBND.docx" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert "Số: 01/TB-UBND" in docx_text(response.content)
    for name in ("other_commune", "other_province", "other_province_officer", "nobody"):
        client.force_login(people[name])
        assert client.get(url).status_code == 403, name
    assert client.get(reverse("petitions:notice_docx", args=[notice.pk + 999])).status_code == 404


def test_notice_download_of_a_denunciation_shows_the_filer_only_to_the_handler(client: Any, tree: Any, fields: Any,
                                                                               people: Any) -> None:
    p = accepted_denunciation(tree, fields)
    services.assign_handler(actor=people["head"], petition=p, user=people["handler"])
    url = reverse("petitions:notice_docx", args=[Notice.objects.get(petition=p).pk])
    client.force_login(people["officer"])
    assert WHISTLEBLOWER not in docx_text(client.get(url).content)
    client.force_login(people["handler"])
    assert WHISTLEBLOWER in docx_text(client.get(url).content)
    assert AuditEvent.objects.filter(action="petitions.identity.revealed", actor=people["handler"]).count() == 1


def test_open_notice_refuses_outsiders(tree: Any, fields: Any, people: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.GUIDED, fields["land"])
    notice = Notice.objects.get(petition=p)
    with pytest.raises(PermissionDenied):
        notices.open_notice(people["anon"], notice)
    data, name = notices.open_notice(people["reception"], notice)
    assert name == "01-PHD-UBND.docx" and data[:2] == b"PK"


def test_notice_download_costs_a_bounded_number_of_queries(client: Any, tree: Any, fields: Any, people: Any,
                                                           django_assert_max_num_queries: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    client.force_login(people["officer"])
    url = reverse("petitions:notice_docx", args=[Notice.objects.get(petition=p).pk])
    with django_assert_max_num_queries(8):  # session, user, row, scope, the notice with its unit and case
        assert client.get(url).status_code == 200
