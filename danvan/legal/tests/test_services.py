"""Registering, completing, correcting and merging documents: what is kept, what is refused, who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.legal import services
from danvan.legal.models import DocType, LegalDocument
from danvan.legal.queries import known_documents
from danvan.plans.models import PlanLegalBasis

pytestmark = pytest.mark.django_db


def test_same_reference_written_differently_is_one_record(register):
    first = register("33/CT-TTg", issued_on=dt.date(2021, 11, 26), issuer="Thủ tướng Chính phủ")
    assert (first.number, first.symbol, first.doc_type) == ("33", "CT-TTg", DocType.DIRECTIVE)
    for number, symbol, doc_type in [
        ("33", "CT-TTG", "chi thi"), ("33/ CT-TTg", "", "directive"), ("033", "ct - ttg", "CHỈ THỊ"), ("Số 33/CT-TTg", "", ""),
    ]:
        again = services.register_document(
            actor=None, doc_type=doc_type, number=number, symbol=symbol, issued_on=None, issuer=""
        )
        assert again.pk == first.pk
    first.refresh_from_db()
    assert LegalDocument.objects.count() == 1
    assert (first.number, first.symbol) == ("33", "CT-TTg")  # stored as first written
    assert first.key == "33/ct-ttg"


def test_register_writes_one_audit_event_and_a_repeat_none(register):
    register("114-KL/TW", doc_type="Kết luận", issued_on=dt.date(2015, 7, 14), issuer="Ban Bí thư")
    register("114-KL/TW", doc_type="Kết luận", issued_on=dt.date(2015, 7, 14), issuer="Ban Bí thư")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["legal.document.register"]


def test_later_mention_fills_blanks_without_overwriting(register):
    doc = register("25-NQ/TW", doc_type="Nghị quyết", issued_on="2013-06-03")
    assert doc.issuer == "" and doc.title == ""
    again = register("25-NQ/TW", doc_type="Nghị quyết", issued_on="2013-06-23", issuer="Ban Chấp hành Trung ương Đảng",
                     title="Về tăng cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận")
    assert again.pk == doc.pk
    doc.refresh_from_db()
    assert doc.issued_on == dt.date(2013, 6, 3)  # the known date is not replaced by a seed's typo
    assert doc.issuer == "Ban Chấp hành Trung ương Đảng"
    assert doc.title.startswith("Về tăng cường")
    assert "ban chap hanh trung uong dang" in doc.search_text
    event = AuditEvent.objects.get(action="legal.document.complete")
    assert set(event.summary["filled"]) == {"issuer", "title"}
    register("25-NQ/TW", doc_type="Nghị quyết", issuer="Ban Bí thư", title="Khác")
    doc.refresh_from_db()
    assert doc.issuer == "Ban Chấp hành Trung ương Đảng" and doc.title.startswith("Về tăng cường")


def test_other_type_is_completed_by_a_specific_one(register):
    doc = register("1037-CV/HU", doc_type="")
    assert doc.doc_type == DocType.OTHER
    register("1037-CV/HU", doc_type="Công văn")
    doc.refresh_from_db()
    assert doc.doc_type == DocType.OFFICIAL_LETTER


def test_partial_date_is_unknown_not_invented(register):
    assert register("21/KH-UBND", doc_type="Kế hoạch", issued_on="2024-03").issued_on is None
    assert register("22/KH-UBND", doc_type="Kế hoạch", issued_on="2024").issued_on is None
    assert register("23/KH-UBND", doc_type="Kế hoạch", issued_on="2024-03-05").issued_on == dt.date(2024, 3, 5)


def test_document_without_number_and_symbol_is_stored_each_time(register):
    a = register("", doc_type="Luật", title="Luật Tiếp công dân")
    b = register("", doc_type="Luật", title="Luật Tiếp công dân")
    assert a.pk != b.pk and a.key == b.key == ""


def test_number_without_symbol_is_not_deduplicated(register):
    a = register("25", doc_type="Nghị quyết", title="Nghị quyết 25")
    b = register("25", doc_type="Chỉ thị", title="Chỉ thị 25")
    assert a.pk != b.pk and a.key == ""


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"number": "", "symbol": "", "title": ""}, "number"),
        ({"number": "   ", "symbol": " ", "title": "  "}, "number"),
        ({"number": "33", "symbol": "X" * 61}, "symbol"),
        ({"number": "1" * 31, "symbol": "CT-TTg"}, "number"),
        ({"number": "33", "symbol": "CT-TTg", "issuer": "Q" * 256}, "issuer"),
        ({"number": "33", "symbol": "CT-TTg", "title": "t" * 2001}, "title"),
        ({"number": "abc", "symbol": "CT-TTg"}, "number"),
        ({"number": "33", "symbol": "CT-TTg", "doc_type": "Sắc lệnh lạ"}, "doc_type"),
        ({"number": "33", "symbol": "CT-TTg", "issued_on": "2021-02-31"}, "issued_on"),
        ({"number": "33", "symbol": "CT-TTg", "issued_on": "26/11/2021"}, "issued_on"),
        ({"number": "33", "symbol": "CT-TTg", "issued_on": 20211126}, "issued_on"),
        ({"number": "33", "symbol": "CT-TTg", "url": "javascript:alert(1)"}, "url"),
        ({"number": "33", "symbol": ["CT-TTg"]}, "symbol"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(kwargs, field):
    args = {"doc_type": "Chỉ thị", "number": "", "symbol": "", "issued_on": None, "issuer": "", "title": ""} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.register_document(actor=None, **args)
    assert field in exc.value.message_dict
    assert not LegalDocument.objects.exists() and not AuditEvent.objects.exists()


def test_future_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.register_document(
            actor=None, doc_type="Chỉ thị", number="99", symbol="CT-TTg",
            issued_on=timezone.localdate() + dt.timedelta(days=1), issuer="",
        )
    assert "issued_on" in exc.value.message_dict


def test_only_drafting_roles_may_register(tree, make_user, register):
    for role in ("admin", "head", "officer"):
        doc = register("33/CT-TTg", actor=make_user(f"u-{role}", (tree["A1"], role)))
        assert doc.pk
    for user in (make_user("viewer", (tree["A"], "viewer")), make_user("nobody"),
                 make_user("handler", (tree["A"], "case_handler"))):
        with pytest.raises(PermissionDenied):
            register("34/CT-TTg", actor=user)
    assert register("35/CT-TTg", actor=make_user("root", is_superuser=True)).pk
    assert not LegalDocument.objects.filter(number="34").exists()


def test_update_corrects_and_recomputes_key_and_search(register, tree, make_user):
    doc = register("33/CT-TTG")
    officer = make_user("cb", (tree["A1"], "officer"))
    doc = services.update_document(actor=officer, document=doc, symbol="CT-TTg", issuer="Thủ tướng Chính phủ",
                                   issued_on=dt.date(2021, 11, 26))
    doc.refresh_from_db()
    assert (doc.symbol, doc.issuer, doc.issued_on) == ("CT-TTg", "Thủ tướng Chính phủ", dt.date(2021, 11, 26))
    assert "thu tuong" in doc.search_text and "2021" in doc.search_text
    ev = AuditEvent.objects.get(action="legal.document.update")
    assert ev.summary["changes"]["symbol"] == ["CT-TTG", "CT-TTg"] and ev.actor_id == officer.pk
    doc = services.update_document(actor=officer, document=doc, number="34")
    assert doc.key == "34/ct-ttg"


def test_update_to_an_existing_reference_is_refused(register):
    a = register("33/CT-TTg")
    b = register("34/CT-TTg")
    with pytest.raises(ValidationError) as exc:
        services.update_document(actor=None, document=b, number="033", symbol="ct-ttg")
    assert "number" in exc.value.message_dict
    b.refresh_from_db()
    assert (b.number, b.key) == ("34", "34/ct-ttg") and a.key == "33/ct-ttg"


def test_update_without_change_writes_nothing(register):
    doc = register("33/CT-TTg")
    services.update_document(actor=None, document=doc, number="33")
    assert not AuditEvent.objects.filter(action="legal.document.update").exists()


def test_stale_update_is_refused_and_keeps_the_other_edit(register):
    doc = register("33/CT-TTg")
    version = services.document_version(doc)
    services.update_document(actor=None, document=doc, expected_version=version, issuer="Thủ tướng Chính phủ")
    with pytest.raises(ConcurrentEditError):
        services.update_document(actor=None, document=doc, expected_version=version, issuer="Chính phủ")
    doc.refresh_from_db()
    assert doc.issuer == "Thủ tướng Chính phủ"


def test_viewer_cannot_update(register, tree, make_user):
    doc = register("33/CT-TTg")
    with pytest.raises(PermissionDenied):
        services.update_document(actor=make_user("v", (tree["A"], "viewer")), document=doc, issuer="X")
    doc.refresh_from_db()
    assert doc.issuer == ""


def test_unknown_field_is_a_programming_error(register):
    with pytest.raises(ValueError):
        services.update_document(actor=None, document=register("33/CT-TTg"), key="x")


def test_issuing_unit_must_be_in_the_editors_tree(register, tree, make_user):
    doc = register("12/KH-UBND", doc_type="Kế hoạch")
    officer = make_user("cb", (tree["A1"], "officer"))
    with pytest.raises(ValidationError) as exc:
        services.update_document(actor=officer, document=doc, issuing_unit=tree["B1"])
    assert "issuing_unit" in exc.value.message_dict
    services.update_document(actor=officer, document=doc, issuing_unit=tree["A1"])
    doc.refresh_from_db()
    assert doc.issuing_unit_id == tree["A1"].pk


def test_merge_repoints_citations_and_fills_blanks(register, cite, tree, make_user):
    keep = register("114-KL/TW", doc_type="Kết luận", issued_on=dt.date(2015, 7, 14))
    dup = register("", doc_type="Kết luận", title="Về nâng cao chất lượng, hiệu quả công tác dân vận",
                   issuer="Ban Bí thư")
    other = register("33/CT-TTg")
    only_dup = cite(tree["A1"], dup)
    both = cite(tree["A2"], other, dup, keep)  # dup at position 1, keep at 2
    admin = make_user("qtv", (tree["A"], "admin"))
    result = services.merge_documents(actor=admin, keep=keep, duplicate=dup)
    assert result.pk == keep.pk and not LegalDocument.objects.filter(pk=dup.pk).exists()
    assert list(only_dup.legal_bases.all()) == [keep]
    links = list(PlanLegalBasis.objects.filter(plan=both).order_by("order").values_list("document_id", "order"))
    assert links == [(other.pk, 0), (keep.pk, 1)]
    keep.refresh_from_db()
    assert keep.issuer == "Ban Bí thư" and keep.title.startswith("Về nâng cao") and keep.issued_on == dt.date(2015, 7, 14)
    assert "ban bi thu" in keep.search_text
    ev = AuditEvent.objects.get(action="legal.document.merge")
    assert ev.summary["duplicate_id"] == dup.pk and ev.summary["citations_moved"] == 1
    assert ev.summary["citations_joined"] == 1 and ev.actor_id == admin.pk


def test_merge_keyless_keeper_takes_the_duplicates_reference(register):
    keep = register("", doc_type="Luật", title="Luật Tiếp công dân")
    dup = register("42/2013/QH13", doc_type="Luật")
    services.merge_documents(actor=None, keep=keep, duplicate=dup)
    keep.refresh_from_db()
    assert (keep.number, keep.symbol, keep.key) == ("42/2013", "QH13", "42/2013/qh13")


def test_merge_into_itself_is_refused(register):
    doc = register("33/CT-TTg")
    with pytest.raises(ValidationError) as exc:
        services.merge_documents(actor=None, keep=doc, duplicate=doc)
    assert "duplicate" in exc.value.message_dict


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("province_admin", True), ("superuser", True), ("commune_admin", False), ("province_head", False),
     ("province_officer", False), ("viewer", False), ("nobody", False)],
)
def test_who_may_merge(register, cite, tree, make_user, who, allowed):
    users = {
        "province_admin": lambda: make_user("pa", (tree["B"], "admin")),
        "superuser": lambda: make_user("su", is_superuser=True),
        "commune_admin": lambda: make_user("ca", (tree["A1"], "admin")),
        "province_head": lambda: make_user("ph", (tree["A"], "head")),
        "province_officer": lambda: make_user("po", (tree["A"], "officer")),
        "viewer": lambda: make_user("v", (tree["A"], "viewer")),
        "nobody": lambda: make_user("n"),
    }
    keep, dup = register("33/CT-TTg"), register("", title="Chỉ thị 33 viết thiếu số hiệu")
    plan = cite(tree["A1"], dup)
    user = users[who]()
    if allowed:
        services.merge_documents(actor=user, keep=keep, duplicate=dup)
        assert list(plan.legal_bases.all()) == [keep]
    else:
        with pytest.raises(PermissionDenied):
            services.merge_documents(actor=user, keep=keep, duplicate=dup)
        assert list(plan.legal_bases.all()) == [dup]


def test_load_core_is_idempotent_and_searchable():
    created, existing = services.load_core_documents()
    assert created >= 30 and existing == 0
    assert services.load_core_documents() == (0, created)
    d33 = LegalDocument.objects.get(key="33/ct-ttg")
    assert (d33.doc_type, d33.issued_on, d33.issuer) == (DocType.DIRECTIVE, dt.date(2021, 11, 26), "Thủ tướng Chính phủ")
    law = LegalDocument.objects.get(key="10/2022/qh15")
    assert (law.doc_type, law.number, law.symbol, law.title) == (DocType.LAW, "10/2022", "QH15", "Thực hiện dân chủ ở cơ sở")
    assert LegalDocument.objects.get(key="114/kl-tw").issued_on == dt.date(2015, 7, 14)
    assert LegalDocument.objects.get(key="18/2000/ct-ttg").symbol == "CT-TTg"
    assert LegalDocument.objects.get(key="217/qd-tw").issued_on == dt.date(2013, 12, 12)
    assert LegalDocument.objects.get(key="154/2026/nd-cp").issued_on is None  # not known: left empty
    assert LegalDocument.objects.search("chi thi 33").filter(pk=d33.pk).exists()


def test_load_core_command_prints_counts(capsys):
    from django.core.management import call_command

    call_command("legal_load_core")
    out = capsys.readouterr().out
    assert str(LegalDocument.objects.count()) in out


def test_known_documents_has_the_parsers_shape(register):
    register("33/CT-TTg", issued_on=dt.date(2021, 11, 26), issuer="Thủ tướng Chính phủ")
    register("10/2022/QH15", doc_type="law", issuer="Quốc hội")
    register("", title="Không số")
    rows = known_documents()
    assert ("Chỉ thị", "33", "CT-TTg", "2021-11-26", "Thủ tướng Chính phủ") in rows
    assert ("Luật", "10/2022", "QH15", None, "Quốc hội") in rows
    assert len(rows) == 2


def test_known_documents_feed_the_parsers_registry_type(register):
    from danvan.plans.parsing.references import Known

    register("33/CT-TTg", issued_on=dt.date(2021, 11, 26), issuer="Thủ tướng Chính phủ")
    known = [Known(kind, number, symbol, day or "", issuer) for kind, number, symbol, day, issuer in known_documents()]
    assert known[0].type == "Chỉ thị" and known[0].date == "2021-11-26"
