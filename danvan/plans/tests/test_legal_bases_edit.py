"""Editing a draft's legal bases and deadlines by hand: the pages and the service behind the deadline form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from danvan.core.audit import AuditEvent
from danvan.core.exceptions import ConcurrentEditError
from danvan.legal.models import LegalDocument
from danvan.legal.services import register_document
from danvan.plans import services
from danvan.plans.forms import read_citation
from danvan.plans.models import PlanDeadline, PlanLegalBasis

from .test_views import as_user, draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "commune": make_user("xa", (tree["A1"], "officer")),
        "commune_head": make_user("chutich", (tree["A1"], "head")),
        "sibling": make_user("xakhac", (tree["A2"], "officer")),
        "province": make_user("tinh", (tree["A"], "officer")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "viewer": make_user("xem", (tree["A1"], "viewer")),
        "nobody": make_user("khongco"),
    }

CT33 = "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ"


def url(plan: Any) -> str:
    return reverse("plans:legal_bases", args=[plan.pk])


def bases(plan: Any) -> list[str]:
    return [str(k) for k in PlanLegalBasis.objects.filter(plan=plan).order_by("order").values_list(
        "document__key", flat=True)]


def doc(number: str, symbol: str, doc_type: str = "Nghị quyết") -> LegalDocument:
    return register_document(actor=None, doc_type=doc_type, number=number, symbol=symbol, issued_on=None, issuer="")


def post(client: Any, plan: Any, **data: Any) -> Any:
    plan.refresh_from_db()
    return client.post(url(plan), {"expected_version": plan.lock_version, **data})


# --------------------------------------------------------------------------- reading citations


@pytest.mark.parametrize(("text", "expected"), [
    (CT33, {"type": "Chỉ thị", "number": "33", "symbol": "CT-TTg", "date": "2021-11-26",
            "issuer": "Thủ tướng Chính phủ"}),
    ("33/CT-TTg", {"type": "Chỉ thị", "number": "33", "symbol": "CT-TTg", "date": None, "issuer": None}),
    ("Luật số 10/2022/QH15", {"type": "Luật", "number": "10/2022", "symbol": "QH15", "date": None, "issuer": None}),
    ("Số 12/ABC-XYZ", {"type": None, "number": "12", "symbol": "ABC-XYZ", "date": None, "issuer": None}),
    ("căn cứ tình hình thực tế", None),
    ("33", None),
])
def test_read_citation(text: str, expected: Any) -> None:
    assert read_citation(text) == expected


# --------------------------------------------------------------------------- the legal bases page


def test_add_a_typed_citation_registers_it_and_links_it(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["commune"])
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert url(plan) in page.content.decode()
    assert client.get(url(plan)).status_code == 200
    version = plan.lock_version
    response = post(client, plan, citation=CT33)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    d = LegalDocument.objects.get(key=bases(plan)[0])
    assert (d.doc_type, d.number, d.symbol, d.issued_on, d.issuer) == (
        "directive", "33", "CT-TTg", dt.date(2021, 11, 26), "Thủ tướng Chính phủ")
    plan.refresh_from_db()
    assert plan.lock_version == version + 1
    assert AuditEvent.objects.filter(action="plans.plan.legal_bases").exists()
    # A bare reference of a document the registry knows links the same record, not a new one.
    second = doc("25", "NQ/TW")
    response = post(client, plan, citation="25/NQ-TW")
    assert response.status_code == 302
    assert bases(plan) == [d.key, second.key] and LegalDocument.objects.count() == 2


def test_pick_from_the_registry_reorder_and_remove(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    a, b, c = doc("25", "NQ/TW"), doc("43", "KL/TW", "Kết luận"), doc("59/2023", "NĐ-CP", "Nghị định")
    services.set_legal_bases(actor=None, plan=plan, documents=[a, b])
    as_user(client, people["commune"])
    found = client.get(url(plan), {"q": "59/2023"})
    choices = [v for v, _label in found.context["form"].fields["document"].choices]
    assert c.pk in choices and a.pk not in choices  # current bases are not offered again
    response = post(client, plan, document=c.pk, **{f"order_{a.pk}": 2, f"order_{b.pk}": 1})
    assert response.status_code == 302
    assert bases(plan) == [b.key, a.key, c.key]
    response = post(client, plan, **{f"remove_{b.pk}": "on"})
    assert response.status_code == 302
    assert bases(plan) == [a.key, c.key]


UNREADABLE = "Could not read a number and symbol in this citation. Write it as in the document, e.g. 33/CT-TTg."
ALREADY = "This document is already a legal basis of the plan."


@pytest.mark.parametrize(("data", "field", "words"), [
    ({}, None, "Type a citation, choose a document, or change the list."),
    ({"citation": "căn cứ tình hình thực tế"}, "citation", UNREADABLE),
    ({"citation": "Nghị quyết 25-NQ/TW"}, "citation", ALREADY),
    ({"citation": "x" * 501}, "citation", "500"),
    ({"citation": "Chỉ thị số 99/CT-TTg ngày 01/01/2099"}, "citation", "The date of issue cannot be in the future."),
    ({"document": "987654321"}, "document", ""),
    ({"order_X": "abc"}, "order_X", ""),
])
def test_bad_input_saves_nothing(client: Any, tree: Any, people: Any, data: dict[str, str], field: Any,
                                 words: str) -> None:
    plan = draft(tree["A1"])
    existing = doc("25", "NQ/TW")
    services.set_legal_bases(actor=None, plan=plan, documents=[existing])
    data = {k.replace("X", str(existing.pk)): v for k, v in data.items()}
    field = field.replace("X", str(existing.pk)) if field else None
    plan.refresh_from_db()
    version, documents = plan.lock_version, LegalDocument.objects.count()
    as_user(client, people["commune"])
    response = post(client, plan, **data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors
    assert _(words) in str(errors)
    plan.refresh_from_db()
    assert plan.lock_version == version and bases(plan) == [existing.key]
    assert LegalDocument.objects.count() == documents


def test_duplicate_choice_from_the_registry_is_refused(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    existing = doc("25", "NQ/TW")
    services.set_legal_bases(actor=None, plan=plan, documents=[existing])
    as_user(client, people["commune"])
    response = post(client, plan, document=existing.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["document"] == [_(ALREADY)]


def test_stale_form_is_a_conflict_and_keeps_what_was_typed(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    stale = plan.lock_version
    services.update_plan(actor=people["province"], plan=plan, expected_version=stale, title="Đổi tên")
    as_user(client, people["commune"])
    response = client.post(url(plan), {"expected_version": stale, "citation": CT33})
    assert response.status_code == 200
    form = response.context["form"]
    assert _("Someone else changed this plan after you opened it. Your changes were not saved: "
             "reload the plan, review the current values and save again.") in form.non_field_errors()
    assert form.data["citation"] == CT33
    plan.refresh_from_db()
    assert form.data["expected_version"] == str(plan.lock_version)
    assert bases(plan) == [] and not LegalDocument.objects.exists()  # nothing registered either


def test_who_may_edit_the_legal_bases(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    assert client.get(url(plan)).status_code == 302  # anonymous → sign in
    assert client.post(url(plan), {"expected_version": plan.lock_version, "citation": CT33}).status_code == 302
    for who, status in (("viewer", 403), ("sibling", 404), ("other", 404), ("nobody", 404)):
        as_user(client, people[who])
        assert client.get(url(plan)).status_code == status, who
        assert post(client, plan, citation=CT33).status_code == status, who
    as_user(client, people["province"])  # a role above reaches the commune's draft
    assert post(client, plan, citation=CT33).status_code == 302
    assert len(bases(plan)) == 1


def test_an_issued_plan_is_locked(client: Any, tree: Any, people: Any) -> None:
    plan = issued(tree["A1"])
    as_user(client, people["commune_head"])
    response = post(client, plan, citation=CT33)
    assert response.status_code == 302 and response.url == reverse("plans:detail", args=[plan.pk])
    assert bases(plan) == [] and not LegalDocument.objects.exists()
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert url(plan) not in page.content.decode()


def test_the_page_reads_in_bounded_queries(client: Any, tree: Any, people: Any,
                                           django_assert_max_num_queries: Any) -> None:
    plan = draft(tree["A1"])
    services.set_legal_bases(actor=None, plan=plan, documents=[doc(str(n), "NQ/TW") for n in range(1, 30)])
    as_user(client, people["commune"])
    client.get(url(plan))
    with django_assert_max_num_queries(15):
        response = client.get(url(plan), {"q": "NQ"})
    assert response.status_code == 200


# --------------------------------------------------------------------------- deadlines


def deadline_url(plan: Any, d: Any) -> str:
    return reverse("plans:deadline_edit", args=[plan.pk, d.pk])


def test_edit_a_deadline(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"], issued_on=dt.date(2026, 3, 1))
    d = services.add_deadline(actor=None, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(2026, 6, 5))
    as_user(client, people["commune"])
    assert deadline_url(plan, d) in client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    page = client.get(deadline_url(plan, d))
    assert page.status_code == 200 and page.context["form"].initial["text"] == "Báo cáo 6 tháng"
    plan.refresh_from_db()
    version = plan.lock_version
    response = client.post(deadline_url(plan, d), {"text": "Báo cáo 6 tháng đầu năm", "due_on": "10/06/2026",
                                                   "kind": "half_year_report"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.text, d.due_on, d.kind) == ("Báo cáo 6 tháng đầu năm", dt.date(2026, 6, 10), "half_year_report")
    plan.refresh_from_db()
    assert plan.lock_version == version + 1
    assert AuditEvent.objects.filter(action="plans.deadline.update").count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"text": "", "due_on": "10/06/2026", "kind": "other"}, "text"),
    ({"text": "x" * 501, "due_on": "10/06/2026", "kind": "other"}, "text"),
    ({"text": "Báo cáo", "due_on": "31/02/2026", "kind": "other"}, "due_on"),
    ({"text": "Báo cáo", "due_on": "15/02/2026", "kind": "other"}, "due_on"),  # before the plan's date
    ({"text": "Báo cáo", "due_on": "10/06/2026", "kind": "weekly"}, "kind"),
])
def test_edit_a_deadline_bad_input(client: Any, tree: Any, people: Any, data: dict[str, str], field: str) -> None:
    plan = draft(tree["A1"], issued_on=dt.date(2026, 3, 1))
    d = services.add_deadline(actor=None, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(2026, 6, 5))
    as_user(client, people["commune"])
    response = client.post(deadline_url(plan, d), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    d.refresh_from_db()
    assert (d.text, d.due_on) == ("Báo cáo 6 tháng", dt.date(2026, 6, 5))


def test_who_may_edit_a_deadline(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    d = services.add_deadline(actor=None, plan=plan, text="Báo cáo", due_on=dt.date(2026, 6, 5))
    data = {"text": "Đổi", "due_on": "05/06/2026", "kind": "other"}
    assert client.post(deadline_url(plan, d), data).status_code == 302  # anonymous → sign in
    for who, status in (("viewer", 403), ("sibling", 404), ("other", 404), ("nobody", 404)):
        as_user(client, people[who])
        assert client.post(deadline_url(plan, d), data).status_code == status, who
    d.refresh_from_db()
    assert d.text == "Báo cáo"
    other = services.add_deadline(actor=None, plan=draft(tree["A1"], title="Khác"), text="Khác",
                                  due_on=dt.date(2026, 6, 5))
    as_user(client, people["commune"])
    assert client.post(deadline_url(plan, other), data).status_code == 404  # not a deadline of this plan


def test_a_deadline_of_an_issued_plan_is_locked(client: Any, tree: Any, people: Any) -> None:
    plan = issued(tree["A1"])
    d = PlanDeadline.objects.create(plan=plan, text="Báo cáo", due_on=dt.date(2026, 6, 5))
    as_user(client, people["commune_head"])
    response = client.post(deadline_url(plan, d), {"text": "Đổi", "due_on": "05/06/2026", "kind": "other"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.text == "Báo cáo"
    with pytest.raises(services.PlanLockedError):
        services.update_deadline(actor=None, deadline=d, text="Đổi")


def test_update_deadline_service_checks(tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    d = services.add_deadline(actor=None, plan=plan, text="Báo cáo", due_on=dt.date(2026, 6, 5))
    stale = plan.lock_version
    services.update_deadline(actor=people["commune"], deadline=d, expected_version=stale, kind="annual_report")
    with pytest.raises(ConcurrentEditError):
        services.update_deadline(actor=people["commune"], deadline=d, expected_version=stale, text="Hai")
    with pytest.raises(PermissionDenied):
        services.update_deadline(actor=people["viewer"], deadline=d, text="Hai")
    with pytest.raises(PermissionDenied):
        services.update_deadline(actor=people["sibling"], deadline=d, text="Hai")
    with pytest.raises(ValidationError) as exc:
        services.update_deadline(actor=people["commune"], deadline=d, text=" ", due_on=dt.datetime(2026, 1, 1, 8, 0),
                                 kind="x")
    assert set(exc.value.message_dict) == {"text", "due_on", "kind"}
    with pytest.raises(TypeError):
        services.update_deadline(actor=people["commune"], deadline=d, plan=None)
    d.refresh_from_db()
    assert (d.text, d.kind) == ("Báo cáo", "annual_report")
