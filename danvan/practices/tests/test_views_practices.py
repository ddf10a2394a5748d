"""The registry's pages: list, register, a practice and its actions, evaluation, replication, commendations,
criteria, the registration share; permissions at every boundary and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from danvan.plans.models import Measurement, Plan, Target
from danvan.practices import evaluation, services
from danvan.practices.models import (
    Attachment,
    Commendation,
    CriteriaSet,
    Evaluation,
    Practice,
    PracticeField,
    PracticeStatus,
    PracticeUpdate,
    Replication,
)

from .test_practices import START, TODAY, YEAR, make, make_people, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _html(r: Any) -> str:
    return r.content.decode()


def _form(unit: Any, **kw: Any) -> dict[str, Any]:
    data = {"org_unit": unit.pk, "year": YEAR, "name": "Dân vận khéo trong giảm nghèo",
            "field": PracticeField.objects.get(code="economy").pk, "registered_by": "collective",
            "goals": "Giảm hộ nghèo", "starts_on": START.strftime("%d/%m/%Y"), "responsible_person": "Lò Văn Hùng",
            "ethnic_remote": "on"}
    data.update(kw)
    return data


def test_anonymous_goes_to_login(tree: dict) -> None:
    p = make(tree["A1"])
    for url in ("/practices/", "/practices/new/", f"/practices/{p.pk}/", f"/practices/{p.pk}/edit/",
                f"/practices/{p.pk}/updates/new/", f"/practices/{p.pk}/evaluate/", f"/practices/{p.pk}/replicate/",
                "/practices/commendations/", "/practices/commendations/new/", "/practices/criteria/",
                "/practices/criteria/new/", "/practices/registration/"):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url


# --------------------------------------------------------------------------- list


def test_list_scope_filters_pages_and_queries(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    for i in range(52):
        make(tree["A1"], f"Mô hình {i}")
    remote = make(tree["A1"], "Bản xa", ethnic_remote=True, field=PracticeField.objects.get(code="culture_society"))
    make(tree["A2"], "Phường bên")
    make(tree["B1"], "Tỉnh khác")
    c = _client(people["officer"])
    c.get("/practices/")
    with django_assert_max_num_queries(12):
        r = c.get("/practices/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1 and html.count('data-testid="practice-row"') == 50
    assert "Phường bên" not in html and "Tỉnh khác" not in html and "/practices/new/" in html
    nxt = html.split('data-testid="next-page"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    r2 = c.get("/practices/" + nxt)
    assert _html(r2).count('data-testid="practice-row"') == 3
    r = c.get("/practices/?ethnic_remote=yes")
    assert _html(r).count('data-testid="practice-row"') == 1 and f'data-pk="{remote.pk}"' in _html(r)
    r = c.get("/practices/?field=" + str(remote.field_id))
    assert _html(r).count('data-testid="practice-row"') == 1
    r = c.get(f"/practices/?year={YEAR - 1}")
    assert 'data-testid="empty"' in _html(r)
    # The province sees both communes; a viewer gets no "register" button.
    r = _client(people["pviewer"]).get(f"/practices/?unit={tree['A2'].pk}")
    assert _html(r).count('data-testid="practice-row"') == 1 and "/practices/new/" not in _html(r)
    # Bad filters: 400 and nothing listed; a unit outside the scope is invalid too.
    assert c.get("/practices/?year=abc").status_code == 400
    assert c.get(f"/practices/?unit={tree['B1'].pk}").status_code == 400
    r = _client(people["nobody"]).get("/practices/")
    assert r.status_code == 200 and 'data-testid="empty"' in _html(r)


def test_list_status_level_and_recognised_everywhere(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    b1 = make(tree["B1"], "Mô hình tỉnh khác được công nhận")
    Practice.objects.filter(pk=b1.pk).update(recognition_level="province", recognised_on=TODAY)
    services.add_update(actor=None, practice=p, kind="progress", on=TODAY, text="Bắt đầu")
    c = _client(people["officer"])
    assert _html(c.get("/practices/?status=in_progress")).count('data-testid="practice-row"') == 1
    assert _html(c.get("/practices/?status=registered")).count('data-testid="practice-row"') == 0
    assert _html(c.get("/practices/?level=none")).count('data-testid="practice-row"') == 1
    assert "Mô hình tỉnh khác" not in _html(c.get("/practices/"))
    r = c.get("/practices/?scope=recognised")
    assert f'data-pk="{b1.pk}"' in _html(r) and f'data-pk="{p.pk}"' not in _html(r)


# --------------------------------------------------------------------------- register, edit


def test_register_page(tree: dict, people: dict) -> None:
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận", year=YEAR, status="issued")
    target = Target.objects.create(plan=plan, text="95% đăng ký mô hình", value=Decimal(95), unit="%",
                                   measurement=Measurement.SHARE_OF_UNITS)
    c = _client(people["officer"])
    r = c.get("/practices/new/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1 and 'for="id_name"' in html and "95% đăng ký" in html
    r = c.post("/practices/new/", _form(tree["A1"], target=target.pk))
    p = Practice.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/practices/{p.pk}/"
    assert p.target == target and p.ethnic_remote and p.created_by == people["officer"]
    # Double submit: refused beside the name, nothing more saved.
    r = c.post("/practices/new/", _form(tree["A1"]))
    assert r.status_code == 400 and 'id="id_name_error"' in _html(r) and Practice.objects.count() == 1
    # Bad input: each beside its field.
    r = c.post("/practices/new/", _form(tree["A1"], name="Khác", ends_on="01/01/2000", starts_on="31/02/2026"))
    assert r.status_code == 400 and 'id="id_starts_on_error"' in _html(r)
    r = c.post("/practices/new/", _form(tree["A1"], name="Khác", ends_on=(START - dt.timedelta(days=1))
                                        .strftime("%d/%m/%Y")))
    assert r.status_code == 400 and 'id="id_ends_on_error"' in _html(r)
    r = c.post("/practices/new/", _form(tree["A1"], name="Cá nhân", registered_by="individual"))
    assert r.status_code == 400 and 'id="id_person_name_error"' in _html(r)
    # A unit outside the user's editing scope is not a choice.
    r = c.post("/practices/new/", _form(tree["A2"], name="Xã bên"))
    assert r.status_code == 400 and 'id="id_org_unit_error"' in _html(r)
    assert Practice.objects.count() == 1
    for who in ("viewer", "pviewer", "nobody"):
        assert _client(people[who]).get("/practices/new/").status_code == 403


def test_edit_page(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    c = _client(people["officer"])
    r = c.get(f"/practices/{p.pk}/edit/")
    assert r.status_code == 200 and 'name="expected_version" value="1"' in _html(r) and "id_org_unit" not in _html(r)
    data = _form(tree["A1"], name="Tên đã sửa", expected_version=1)
    r = c.post(f"/practices/{p.pk}/edit/", data)
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.name == "Tên đã sửa" and p.lock_version == 2 and p.year == YEAR
    # The second of two editors: 409, the first's change kept.
    r = c.post(f"/practices/{p.pk}/edit/", {**data, "name": "Ghi đè"})
    assert r.status_code == 409
    assert Practice.objects.get(pk=p.pk).name == "Tên đã sửa"
    assert _client(people["viewer"]).get(f"/practices/{p.pk}/edit/").status_code == 403
    for who in ("sibling", "other", "nobody"):
        assert _client(people[who]).get(f"/practices/{p.pk}/edit/").status_code == 404


# --------------------------------------------------------------------------- detail and follow-up


def test_detail_and_boundaries(tree: dict, people: dict, media: Any, django_assert_max_num_queries: Any) -> None:
    p = make(tree["A1"], "Dân vận khéo chuyển đổi số")
    for i in range(5):
        services.add_update(actor=None, practice=p, kind="progress", on=TODAY, text=f"Đợt {i}",
                            files=[upload(f"anh-{i}.pdf")])
    default = CriteriaSet.objects.get(owner__isnull=True)
    for council, day in ((tree["A1"], START), (tree["A"], TODAY)):
        evaluation.evaluate(actor=None, practice=p, council_unit=council, criteria_set=default, evaluated_on=day,
                            scores={c.pk: c.max_score for c in default.criteria.all()})
    evaluation.replicate(actor=None, practice=p, org_unit=tree["A2"], adopted_on=TODAY)
    Commendation.objects.create(awarding_unit=tree["A"], year=YEAR, level="province", recipient_kind="collective",
                                recipient_name="UBND xã Bình Lư", org_unit=tree["A1"], practice=p, awarded_on=TODAY)
    c = _client(people["officer"])
    c.get(f"/practices/{p.pk}/")
    with django_assert_max_num_queries(25):
        r = c.get(f"/practices/{p.pk}/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1
    assert html.count('data-testid="update"') == 5 and "anh-4.pdf" in html
    assert html.count('data-testid="evaluation"') == 2 and html.count('data-testid="evaluation-total"') == 2
    assert "Phường Tân Phong" in html.split('data-testid="spread"')[1]
    assert 'data-testid="commendations"' in html
    assert f"/practices/{p.pk}/edit/" in html and f"/practices/{p.pk}/evaluate/" in html
    assert f"/practices/{p.pk}/delete/" not in html  # an officer does not delete
    assert f"/practices/{p.pk}/delete/" in _html(_client(people["head"]).get(f"/practices/{p.pk}/"))
    r = _client(people["pviewer"]).get(f"/practices/{p.pk}/")
    assert r.status_code == 200 and f"/practices/{p.pk}/edit/" not in _html(r)
    for who in ("sibling", "other", "nobody"):
        assert _client(people[who]).get(f"/practices/{p.pk}/").status_code == 404
    assert c.get("/practices/999999/").status_code == 404


def test_recognised_practice_is_open_to_other_units(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    services.add_update(actor=None, practice=p, kind="progress", on=TODAY, text="Nội bộ", files=[upload()])
    Practice.objects.filter(pk=p.pk).update(recognition_level="province", recognised_on=TODAY)
    r = _client(people["other"]).get(f"/practices/{p.pk}/")
    html = _html(r)
    assert r.status_code == 200 and 'data-testid="level"' in html
    assert "Nội bộ" not in html and 'data-testid="attachments"' not in html  # the follow-up stays inside
    assert f"/practices/{p.pk}/replicate/" in html and f"/practices/{p.pk}/edit/" not in html
    assert _client(people["other"]).get(f"/practices/{p.pk}/edit/").status_code == 404
    assert _client(people["other"]).get(f"/practices/{p.pk}/evaluate/").status_code == 404


def test_update_page_with_evidence(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    c = _client(people["officer"])
    r = c.get(f"/practices/{p.pk}/updates/new/")
    assert r.status_code == 200 and 'enctype="multipart/form-data"' in _html(r)
    today = TODAY.strftime("%d/%m/%Y")
    r = c.post(f"/practices/{p.pk}/updates/new/", {"kind": "interim_review", "on": today, "text": "Sơ kết 6 tháng",
                                                   "file": upload("so-ket.pdf")})
    assert r.status_code == 302
    u = PracticeUpdate.objects.get()
    assert u.kind == "interim_review" and Attachment.objects.get().update == u
    assert Practice.objects.get(pk=p.pk).status == PracticeStatus.INTERIM_REVIEWED
    # A disguised file: 400 beside the file, nothing saved.
    r = c.post(f"/practices/{p.pk}/updates/new/", {"kind": "progress", "on": today, "text": "Tiếp",
                                                   "file": upload("x.pdf", b"MZ" * 40)})
    assert r.status_code == 400 and 'id="id_file_error"' in _html(r)
    # The interim review twice: 400 beside the kind.
    r = c.post(f"/practices/{p.pk}/updates/new/", {"kind": "interim_review", "on": today, "text": "Lần hai"})
    assert r.status_code == 400 and 'id="id_kind_error"' in _html(r)
    assert PracticeUpdate.objects.count() == 1 and Attachment.objects.count() == 1
    assert _client(people["viewer"]).get(f"/practices/{p.pk}/updates/new/").status_code == 403
    assert _client(people["sibling"]).get(f"/practices/{p.pk}/updates/new/").status_code == 404


def test_evaluate_page(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    default = CriteriaSet.objects.get(owner__isnull=True)
    criteria = list(default.criteria.all())
    c = _client(people["province"])
    r = c.get(f"/practices/{p.pk}/evaluate/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1
    assert all(f'name="score_{k.pk}"' in html for k in criteria) and 'data-testid="criteria-set"' in html
    data: dict[str, Any] = {"criteria_set": default.pk, "council_unit": tree["A"].pk,
                            "evaluated_on": TODAY.strftime("%d/%m/%Y"), "level": "province", "notes": "Tốt"}
    scores = {f"score_{k.pk}": str(k.max_score) for k in criteria}
    r = c.post(f"/practices/{p.pk}/evaluate/", {**data, **scores, f"score_{criteria[2].pk}": "99"})
    assert r.status_code == 400 and f'id="id_score_{criteria[2].pk}_error"' in _html(r)
    low = {f"score_{k.pk}": "1" for k in criteria}
    r = c.post(f"/practices/{p.pk}/evaluate/", {**data, **low})
    assert r.status_code == 400 and 'id="id_level_error"' in _html(r)
    assert not Evaluation.objects.exists()
    r = c.post(f"/practices/{p.pk}/evaluate/", {**data, **scores})
    assert r.status_code == 302
    assert Practice.objects.get(pk=p.pk).recognition_level == "province"
    # A commune officer sits for the commune only: the province is not a choice.
    o = _client(people["officer"])
    r = o.post(f"/practices/{p.pk}/evaluate/", {**data, **scores, "evaluated_on": START.strftime("%d/%m/%Y")})
    assert r.status_code == 400 and 'id="id_council_unit_error"' in _html(r)
    assert o.get(f"/practices/{p.pk}/evaluate/?criteria_set=999999").status_code == 404
    assert _client(people["viewer"]).get(f"/practices/{p.pk}/evaluate/").status_code == 403
    assert _client(people["sibling"]).get(f"/practices/{p.pk}/evaluate/").status_code == 404


def test_replicate_page(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    c = _client(people["province"])
    r = c.get(f"/practices/{p.pk}/replicate/")
    html = _html(r)
    assert r.status_code == 200 and f'<option value="{tree["A1"].pk}"' not in html  # not its own unit
    r = c.post(f"/practices/{p.pk}/replicate/", {"org_unit": tree["A2"].pk, "adopted_on": TODAY.strftime("%d/%m/%Y")})
    assert r.status_code == 302 and Replication.objects.get().org_unit == tree["A2"]
    r = c.post(f"/practices/{p.pk}/replicate/", {"org_unit": tree["A2"].pk, "adopted_on": TODAY.strftime("%d/%m/%Y")})
    assert r.status_code == 400 and 'id="id_org_unit_error"' in _html(r) and Replication.objects.count() == 1
    # The sibling commune cannot see an unrecognised practice; a viewer records nothing.
    assert _client(people["sibling"]).get(f"/practices/{p.pk}/replicate/").status_code == 404
    assert _client(people["pviewer"]).get(f"/practices/{p.pk}/replicate/").status_code == 403


def test_stop_and_delete(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    c = _client(people["officer"])
    r = c.post(f"/practices/{p.pk}/stop/", {"expected_version": 1, "reason": ""})
    assert r.status_code == 400
    r = c.post(f"/practices/{p.pk}/stop/", {"expected_version": 5, "reason": "Gộp"})
    assert r.status_code == 409
    r = c.post(f"/practices/{p.pk}/stop/", {"expected_version": 1, "reason": "Gộp"})
    assert r.status_code == 302 and Practice.objects.get(pk=p.pk).status == PracticeStatus.STOPPED
    assert c.get(f"/practices/{p.pk}/edit/").status_code == 403
    assert c.post(f"/practices/{p.pk}/delete/", {"reason": "Nhầm"}).status_code == 403
    assert _client(people["sibling_head"]).post(f"/practices/{p.pk}/delete/", {"reason": "Nhầm"}).status_code == 404
    r = _client(people["head"]).post(f"/practices/{p.pk}/delete/", {"reason": "Nhầm"})
    assert r.status_code == 302 and r["Location"] == "/practices/"
    assert c.get(f"/practices/{p.pk}/").status_code == 404
    assert c.get(f"/practices/{p.pk}/stop/").status_code == 405


# --------------------------------------------------------------------------- commendations


def test_commendation_pages(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    p = make(tree["A1"])
    c = _client(people["province"])
    r = c.get(f"/practices/commendations/new/?practice={p.pk}")
    assert r.status_code == 200 and f'value="{p.pk}"' in _html(r)
    data = {"awarding_unit": tree["A"].pk, "year": YEAR, "level": "province", "recipient_kind": "collective",
            "recipient_name": "UBND xã Bình Lư", "org_unit": tree["A1"].pk, "practice_id": p.pk,
            "form": "Bằng khen", "decision_ref": "12/QĐ-UBND", "awarded_on": TODAY.strftime("%d/%m/%Y")}
    r = c.post("/practices/commendations/new/", data)
    assert r.status_code == 302 and r["Location"] == f"/practices/{p.pk}/"
    assert Commendation.objects.get().practice == p
    r = c.post("/practices/commendations/new/", data)
    assert r.status_code == 400 and 'id="id_recipient_name_error"' in _html(r)
    r = c.post("/practices/commendations/new/", {**data, "recipient_name": "Khác", "org_unit": tree["B1"].pk})
    assert r.status_code == 400 and 'id="id_org_unit_error"' in _html(r)
    b1 = make(tree["B1"])
    r = c.post("/practices/commendations/new/", {**data, "recipient_name": "Khác", "practice_id": b1.pk})
    assert r.status_code == 400 and 'id="id_practice_id_error"' in _html(r)
    assert Commendation.objects.count() == 1
    for i in range(55):
        Commendation.objects.create(awarding_unit=tree["A"], year=YEAR - 1, level="commune",
                                    recipient_kind="individual", recipient_name=f"Người {i}", org_unit=tree["A1"],
                                    awarded_on=TODAY)
    Commendation.objects.create(awarding_unit=tree["B"], year=YEAR, level="province", recipient_kind="collective",
                                recipient_name="Tỉnh khác", org_unit=tree["B1"], awarded_on=TODAY)
    o = _client(people["officer"])
    o.get("/practices/commendations/")
    with django_assert_max_num_queries(12):
        r = o.get("/practices/commendations/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1 and html.count('data-testid="commendation-row"') == 50
    assert "Tỉnh khác" not in html and "/practices/commendations/new/" not in html and "Why delete it" not in html
    r = o.get(f"/practices/commendations/?year={YEAR}&recipient_kind=collective")
    assert _html(r).count('data-testid="commendation-row"') == 1
    assert o.get("/practices/commendations/?year=x").status_code == 400
    assert o.get("/practices/commendations/new/").status_code == 403
    row = Commendation.objects.filter(practice=p).get()
    assert o.post(f"/practices/commendations/{row.pk}/delete/", {"reason": "Nhầm"}).status_code == 403
    assert _client(people["other"]).post(f"/practices/commendations/{row.pk}/delete/",
                                         {"reason": "Nhầm"}).status_code == 404
    r = c.post(f"/practices/commendations/{row.pk}/delete/", {"reason": "Nhầm"})
    assert r.status_code == 302 and Commendation.objects.get(pk=row.pk).deleted_at is not None


# --------------------------------------------------------------------------- criteria


def test_criteria_pages(tree: dict, people: dict) -> None:
    r = _client(people["officer"]).get("/practices/criteria/")
    assert r.status_code == 200 and _html(r).count('data-testid="criteria-set"') == 1
    assert "/practices/criteria/new/" not in _html(r)
    assert _client(people["officer"]).get("/practices/criteria/new/").status_code == 403
    assert _client(people["province"]).get("/practices/criteria/new/").status_code == 403
    a = _client(people["padmin"])
    r = a.get("/practices/criteria/new/")
    assert r.status_code == 200 and f'<option value="{tree["B"].pk}"' not in _html(r)
    r = a.post("/practices/criteria/new/", {"owner": tree["A"].pk, "name": "Bộ Lai Châu", "pass_score": "15",
                                            "criteria": "Hiệu quả | 10\nkhông có điểm"})
    assert r.status_code == 400 and 'id="id_criteria_error"' in _html(r)
    r = a.post("/practices/criteria/new/", {"owner": tree["B"].pk, "name": "Bộ B", "pass_score": "5",
                                            "criteria": "Một | 10"})
    assert r.status_code == 400 and 'id="id_owner_error"' in _html(r)
    r = a.post("/practices/criteria/new/", {"owner": tree["A"].pk, "name": "Bộ Lai Châu", "pass_score": "15",
                                            "criteria": "Hiệu quả | 10\nNhân rộng | 10"})
    assert r.status_code == 302 and CriteriaSet.objects.get(owner=tree["A"]).criteria.count() == 2
    assert _html(_client(people["officer"]).get("/practices/criteria/")).count('data-testid="criteria-set"') == 2
    assert _html(_client(people["other"]).get("/practices/criteria/")).count('data-testid="criteria-set"') == 1


# --------------------------------------------------------------------------- registration


def test_registration_page(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận", year=YEAR, status="issued")
    target = Target.objects.create(plan=plan, text="95% cơ quan, xã đăng ký 1–2 mô hình", value=Decimal(95),
                                   unit="%", measurement=Measurement.SHARE_OF_UNITS)
    make(tree["A1"], "Một")
    make(tree["A1"], "Hai")
    make(tree["Adep"], "Sở")
    c = _client(people["pviewer"])
    c.get("/practices/registration/")
    with django_assert_max_num_queries(15):
        r = c.get("/practices/registration/")
    html = _html(r)
    assert r.status_code == 200 and html.count("<h1") == 1
    # A, A1, A2, Adep: villages do not count.
    assert 'data-testid="share-total">4<' in html and 'data-testid="share-registered">2<' in html
    assert html.split('data-testid="share-value">')[1].split("<")[0].replace(",", ".") == "50.0%"
    assert "95% cơ quan" in html and 'data-testid="share-state"' in html
    assert f'<option value="{target.pk}" selected' in html  # the year's target is chosen by default
    assert html.count('data-registered="no"') == 2 and html.count('data-registered="yes"') == 2
    r = c.get(f"/practices/registration/?unit={tree['A'].pk}&year={YEAR}&target={target.pk}&missing=1")
    assert _html(r).count('data-testid="registration-row"') == 2
    # A target counting communes only.
    from danvan.orgs.models import OrgKind

    target.scope_kinds.set([OrgKind.objects.get(code="commune")])
    r = c.get(f"/practices/registration/?unit={tree['A'].pk}&year={YEAR}&target={target.pk}")
    assert 'data-testid="share-total">2<' in _html(r) and 'data-testid="share-registered">1<' in _html(r)
    r = c.get(f"/practices/registration/?unit={tree['A'].pk}&year={YEAR - 1}&target=")
    assert 'data-testid="share-registered">0<' in _html(r) and 'data-testid="share-state"' not in _html(r)
    # Another province's unit: 404; a commune officer sees their commune.
    assert c.get(f"/practices/registration/?unit={tree['B1'].pk}").status_code == 404
    r = _client(people["officer"]).get("/practices/registration/")
    assert 'data-testid="share-total">1<' in _html(r) and 'data-testid="share-registered">1<' in _html(r)
    r = _client(people["nobody"]).get("/practices/registration/")
    assert r.status_code == 200 and 'data-testid="no-unit"' in _html(r)
