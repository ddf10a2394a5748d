"""The officials' case pages: work list, intake, a case, each step, permissions and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.petitions.models import CaseHandler, Petition, PetitionEvent, PetitionStatus

from . import fixtures_cases
from .fixtures_cases import ACCEPTED, D, bring_to, classify, receive, step

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus


def client_for(user: Any) -> Client:
    c = Client()
    if getattr(user, "is_authenticated", False):
        c.force_login(user)
    return c


def intake_data(unit: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "idempotency_key": "k-" + str(kw.pop("key", "1")), "org_unit": unit.pk, "kind": "complaint",
        "channel": "direct", "received_on": "10/07/2026", "field": "", "summary": "Khiếu nại về bồi thường đất",
        "content": "", "filer_name": "Nguyễn Văn Bình", "filer_address": "Bản Thẳm", "signers": "1",
        "forwarded_by": "", "round": "", "first_round_number": "",
    }
    data.update(kw)
    return data


# --------------------------------------------------------------------------- URLs and the work list


def test_url_names() -> None:
    assert reverse("petitions:list") == "/petitions/"
    assert reverse("petitions:new") == "/petitions/new/"
    assert reverse("petitions:detail", args=[3]) == "/petitions/3/"
    assert reverse("petitions:act", args=[3, "accept"]) == "/petitions/3/act/accept/"
    assert reverse("petitions:identity", args=[3]) == "/petitions/3/identity/"


@pytest.mark.parametrize("url", ["/petitions/", "/petitions/new/", "/petitions/1/", "/petitions/1/act/accept/",
                                 "/petitions/1/identity/"])
def test_anonymous_is_sent_to_login(url: str) -> None:
    r = Client().get(url)
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.fixture
def cases(tree: Any, fields: Any) -> dict[str, Petition]:
    return {
        "late": receive(tree["A1"], received_on=D(2026, 6, 26)),
        "a1": receive(tree["A1"], summary="Đường làng bị sạt lở"),
        "village": receive(tree["A1v"], kind="feedback", filer_name="Lò Văn Xa"),
        "a2": receive(tree["A2"], summary="Khiếu nại ở phường Tân Phong"),
        "b1": receive(tree["B1"], summary="Khiếu nại ở tỉnh khác"),
        "accepted": bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"]),
        "closed": bring_to(receive(tree["A1"], summary="Đã đóng"), S.CLOSED, fields["land"]),
    }


def listed(r: Any) -> set[int]:
    return {row["p"].pk for row in r.context["rows"]}


def test_worklist_shows_open_cases_of_the_subtree_by_deadline(people: Any, cases: Any) -> None:
    r = client_for(people["officer"]).get("/petitions/")
    assert r.status_code == 200
    pks = [row["p"].pk for row in r.context["rows"]]
    assert set(pks) == {cases[k].pk for k in ("late", "a1", "village", "accepted")}
    assert pks[0] == cases["late"].pk  # the oldest deadline first
    html = r.content.decode()
    late = cases["late"]
    assert f"{late.next_due:%d/%m/%Y}" in html and 'data-state="red"' in html


def test_worklist_scope_boundaries(people: Any, cases: Any) -> None:
    assert listed(client_for(people["other_commune"]).get("/petitions/")) == {cases["a2"].pk}
    assert cases["a1"].pk in listed(client_for(people["province_officer"]).get("/petitions/"))
    assert cases["b1"].pk not in listed(client_for(people["province_officer"]).get("/petitions/"))
    assert listed(client_for(people["other_province"]).get("/petitions/")) == {cases["b1"].pk}
    assert listed(client_for(people["nobody"]).get("/petitions/")) == set()


def test_worklist_filters(people: Any, cases: Any, tree: Any, fields: Any) -> None:
    c = client_for(people["province_head"])
    assert listed(c.get("/petitions/", {"unit": tree["A2"].pk})) == {cases["a2"].pk}
    assert listed(c.get("/petitions/", {"kind": "feedback"})) == {cases["village"].pk}
    assert listed(c.get("/petitions/", {"field": fields["land"].pk})) == {cases["accepted"].pk}
    assert cases["closed"].pk in listed(c.get("/petitions/", {"status": "all"}))
    assert listed(c.get("/petitions/", {"status": "closed"})) == {cases["closed"].pk}
    overdue = listed(c.get("/petitions/", {"overdue": "on"}))
    assert cases["late"].pk in overdue and all(
        (Petition.objects.get(pk=pk).next_due or timezone.localdate()) < timezone.localdate() for pk in overdue)
    Petition.objects.update(over_level=False, prolonged_since=None)  # whatever the flags work decided
    Petition.objects.filter(pk=cases["a1"].pk).update(prolonged_since=D(2026, 10, 1))
    Petition.objects.filter(pk=cases["a2"].pk).update(over_level=True)
    assert listed(c.get("/petitions/", {"prolonged": "on"})) == {cases["a1"].pk}
    assert listed(c.get("/petitions/", {"over_level": "on"})) == {cases["a2"].pk}
    # A unit the user cannot see is refused by the form, not silently widened.
    r = c.get("/petitions/", {"unit": tree["B1"].pk})
    assert "unit" in r.context["form"].errors and listed(r) == set()


def test_worklist_search_by_number_and_words_without_marks(people: Any, cases: Any) -> None:
    c = client_for(people["officer"])
    a1 = cases["a1"]
    assert listed(c.get("/petitions/", {"q": f"{a1.number}/{a1.number_year}"})) == {a1.pk}
    assert listed(c.get("/petitions/", {"q": "duong lang SAT LO"})) == {a1.pk}
    assert listed(c.get("/petitions/", {"q": "Tân Phong"})) == set()  # another commune's case


def test_worklist_keyset_pages(people: Any, tree: Any, settings: Any, monkeypatch: Any) -> None:
    from danvan.petitions import views_cases

    monkeypatch.setattr(views_cases, "PAGE_SIZE", 2)
    made = [receive(tree["A1"], summary=f"Đơn số {i}") for i in range(5)]
    c = client_for(people["officer"])
    seen: list[int] = []
    url = "/petitions/?status=open"
    for _i in range(5):
        r = c.get(url)
        seen += [row["p"].pk for row in r.context["rows"]]
        if not r.context["next_url"]:
            break
        url = "/petitions/" + r.context["next_url"]
    assert sorted(seen) == sorted(p.pk for p in made) and len(seen) == len(set(seen))


def test_worklist_query_count_does_not_grow(people: Any, tree: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(3):
        receive(tree["A1"], summary=f"Đơn {i}")
    c = client_for(people["officer"])
    c.get("/petitions/")  # warm the calendar and rule caches
    with django_assert_max_num_queries(13) as few:
        c.get("/petitions/")
    for i in range(30):
        receive(tree["A1"], summary=f"Thêm {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get("/petitions/")  # thirty more cases: not one query more
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get("/petitions/", {"q": "them", "kind": "complaint"})
    assert len(r.context["rows"]) == 30
    assert not any("COUNT(" in q["sql"].upper() for q in few.captured_queries if "petitions_petition" in q["sql"])


# --------------------------------------------------------------------------- intake


def test_intake_get_needs_the_receive_role(people: Any) -> None:
    r = client_for(people["reception"]).get("/petitions/new/")
    assert r.status_code == 200 and 'name="idempotency_key"' in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    for who in ("viewer", "nobody"):
        assert client_for(people[who]).get("/petitions/new/").status_code == 403


def test_intake_records_the_petition_once(people: Any, tree: Any) -> None:
    c = client_for(people["reception"])
    data = intake_data(tree["A1"], key="same", signers="6")
    r = c.post("/petitions/new/", data)
    assert r.status_code == 302
    p = Petition.objects.get(idempotency_key="k-same")
    assert r["Location"] == f"/petitions/{p.pk}/" and p.signers == 6 and p.received_on == D(2026, 7, 10)
    assert c.post("/petitions/new/", data).status_code == 302  # the double submit
    assert Petition.objects.filter(org_unit=tree["A1"]).count() == 1
    detail = c.get(r["Location"])
    assert 'data-testid="flag-many-signers"' in detail.content.decode()


def test_intake_for_a_unit_outside_the_users_roles_is_refused(people: Any, tree: Any) -> None:
    r = client_for(people["reception"]).post("/petitions/new/", intake_data(tree["A2"]))
    assert r.status_code == 400 and "org_unit" in r.context["form"].errors
    assert not Petition.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"summary": ""}, "summary"),
    ({"summary": "x" * 501}, "summary"),
    ({"received_on": "31/02/2026"}, "received_on"),
    ({"received_on": "01/01/2099"}, "received_on"),
    ({"signers": "nhiều"}, "signers"),
    ({"kind": "petition"}, "kind"),
    ({"filer_name": ""}, "filer_name"),  # a complaint needs the complainant
    ({"kind": "feedback", "identity_name": "Ai đó"}, "identity_name"),
    ({"round": "2", "first_round_number": ""}, "first_round_number"),
    ({"round": "2", "first_round_number": "abc"}, "first_round_number"),
    ({"round": "2", "first_round_number": "999/2026"}, "first_round_number"),
])
def test_intake_bad_input_names_the_field_and_keeps_the_input(people: Any, tree: Any, change: dict[str, str],
                                                               field: str) -> None:
    data = intake_data(tree["A1"], **change)
    r = client_for(people["reception"]).post("/petitions/new/", data)
    assert r.status_code == 400
    assert field in r.context["form"].errors, r.context["form"].errors
    assert not Petition.objects.exists()
    if data["summary"] and len(data["summary"]) < 100:
        assert data["summary"] in r.content.decode()


def test_intake_second_round_links_the_first_by_number(people: Any, tree: Any) -> None:
    first = receive(tree["A1"])
    data = intake_data(tree["A1"], round="2", first_round_number=f"{first.number}/{first.number_year}",
                       received_on="20/08/2026")
    r = client_for(people["reception"]).post("/petitions/new/", data)
    assert r.status_code == 302, r.context["form"].errors
    second = Petition.objects.exclude(pk=first.pk).get()
    assert second.first_round_id == first.pk and second.round == 2


def test_intake_denunciation_keeps_the_identity_protected(people: Any, tree: Any) -> None:
    data = intake_data(tree["A1"], kind="denunciation", filer_name="", filer_address="",
                       identity_name="Marker Tên Người Tố Giác", identity_id_number="001099012345",
                       identity_phone="0912000111")
    r = client_for(people["reception"]).post("/petitions/new/", data)
    assert r.status_code == 302
    p = Petition.objects.get()
    assert p.filer_name == "" and p.identity.ciphertext and "Marker" not in p.identity.ciphertext
    page = client_for(people["reception"]).get(r["Location"]).content.decode()
    assert "Marker" not in page and "001099012345" not in page


def test_intake_denunciation_needs_a_name_or_anonymous(people: Any, tree: Any) -> None:
    data = intake_data(tree["A1"], kind="denunciation", filer_name="", filer_address="")
    r = client_for(people["reception"]).post("/petitions/new/", data)
    assert r.status_code == 400 and "identity_name" in r.context["form"].errors
    data["anonymous"] = "on"
    assert client_for(people["reception"]).post("/petitions/new/", data).status_code == 302
    assert Petition.objects.get().anonymous


def test_duplicate_candidates_partial(people: Any, tree: Any) -> None:
    receive(tree["A1"], summary="Khiếu nại quyết định thu hồi đất ở bản Thẳm")
    r = client_for(people["reception"]).get(
        reverse("petitions:duplicate_candidates"), {"summary": "thu hoi dat ban Tham", "org_unit": tree["A1"].pk})
    assert r.status_code == 200 and 'data-testid="candidates"' in r.content.decode()
    assert client_for(people["reception"]).get(reverse("petitions:duplicate_candidates")).status_code == 200


# --------------------------------------------------------------------------- one case


def test_detail_shows_facts_deadlines_steps_and_allowed_actions(people: Any, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    classify(p, fields["land"], is_complex=True, complex_criteria=["several_sites"])
    r = client_for(people["officer"]).get(f"/petitions/{p.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Nguyễn Văn An" in html and "10/07/2026" in html
    names = {a["act"].name for a in r.context["actions"]}
    assert "accept" in names and "forward" in names and "close" not in names and "classify" not in names
    assert r.context["deadlines"] and r.context["criteria"]
    assert len(r.context["events"]) == 2
    # The viewer of the unit reads the case but gets no buttons.
    r = client_for(people["viewer"]).get(f"/petitions/{p.pk}/")
    assert r.status_code == 200 and r.context["actions"] == []


@pytest.mark.parametrize(("who", "status"), [
    ("officer", 200), ("province_officer", 200), ("other_commune", 404), ("other_province", 404), ("nobody", 404),
])
def test_detail_permission_boundaries(people: Any, tree: Any, who: str, status: int) -> None:
    p = receive(tree["A1"])
    assert client_for(people[who]).get(f"/petitions/{p.pk}/").status_code == status


def test_detail_query_count(people: Any, tree: Any, fields: Any, django_assert_max_num_queries: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.VERIFYING, fields["land"])
    c = client_for(people["head"])
    c.get(f"/petitions/{p.pk}/")
    with django_assert_max_num_queries(20) as few:
        c.get(f"/petitions/{p.pk}/")
    for _i in range(5):
        p = step(p, "extend", reason="Cần thêm thời gian", decision_number="1/QĐ") if p.kind == "denunciation" else p
        PetitionEvent.objects.create(petition=p, at=timezone.now(), action="note", to_status=p.status, reason="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(f"/petitions/{p.pk}/")


def test_assign_and_revoke_handler(people: Any, tree: Any) -> None:
    p = receive(tree["A1"])
    head = client_for(people["head"])
    r = head.post(reverse("petitions:handler_assign", args=[p.pk]), {"user": people["handler"].pk})
    assert r.status_code == 302
    assert CaseHandler.objects.filter(petition=p, user=people["handler"], revoked_at__isnull=True).exists()
    assert client_for(people["officer"]).post(reverse("petitions:handler_assign", args=[p.pk]),
                                              {"user": people["officer"].pk}).status_code == 403
    # A viewer cannot be a handler.
    head.post(reverse("petitions:handler_assign", args=[p.pk]), {"user": people["viewer"].pk})
    assert not CaseHandler.objects.filter(user=people["viewer"]).exists()
    head.post(reverse("petitions:handler_revoke", args=[p.pk]), {"user": people["handler"].pk})
    assert not CaseHandler.objects.filter(petition=p, revoked_at__isnull=True).exists()


# --------------------------------------------------------------------------- steps


def test_classify_then_accept_through_the_pages(people: Any, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    c = client_for(people["officer"])
    r = c.get(f"/petitions/{p.pk}/act/classify/")
    assert r.status_code == 200 and 'name="expected_version"' in r.content.decode()
    r = c.post(f"/petitions/{p.pk}/act/classify/", {
        "expected_version": p.lock_version, "kind": "complaint", "field": fields["land"].pk, "eligible": "yes",
        "competence": "own", "is_complex": "on", "complex_criteria": ["several_sites", "many_filers"],
    })
    assert r.status_code == 302, r.context["form"].errors
    p.refresh_from_db()
    assert p.status == S.CLASSIFIED and p.is_complex and p.complex_criteria == ["many_filers", "several_sites"]
    r = c.post(f"/petitions/{p.pk}/act/accept/", {"expected_version": p.lock_version, "accepted_on": "21/07/2026"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == S.ACCEPTED and p.accepted_on == ACCEPTED


def test_accept_before_received_and_future_dates_are_refused(people: Any, tree: Any, fields: Any) -> None:
    p = classify(receive(tree["A1"]), fields["land"])
    c = client_for(people["officer"])
    for value in ("09/07/2026", "01/01/2099", "hôm qua"):
        r = c.post(f"/petitions/{p.pk}/act/accept/", {"expected_version": p.lock_version, "accepted_on": value})
        assert r.status_code == 400 and "accepted_on" in r.context["form"].errors
    p.refresh_from_db()
    assert p.status == S.CLASSIFIED


def test_stale_version_is_a_conflict_and_keeps_the_input(people: Any, tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    stale = p.lock_version
    step(p, "start_verification")  # someone else moves the case first
    r = client_for(people["officer"]).post(f"/petitions/{p.pk}/act/resolve/", {
        "expected_version": stale, "decision_number": "77/QĐ-UBND", "decision_on": "15/08/2026", "outcome": "partly",
        "reason": "Lý do riêng của tôi",
    })
    assert r.status_code == 409 and r.context["conflict"]
    html = r.content.decode()
    assert "77/QĐ-UBND" in html and "Lý do riêng của tôi" in html
    p.refresh_from_db()
    assert p.status == S.VERIFYING and p.decision_number == ""
    assert f'value="{p.lock_version}"' in html  # resubmitting now applies to the current case


def test_action_not_allowed_in_the_state(people: Any, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    c = client_for(people["officer"])
    r = c.get(f"/petitions/{p.pk}/act/accept/")
    assert r.status_code == 302 and r["Location"] == f"/petitions/{p.pk}/"
    r = c.post(f"/petitions/{p.pk}/act/accept/", {"expected_version": p.lock_version, "accepted_on": "21/07/2026"})
    assert r.status_code == 400 and r.context["form"].non_field_errors()
    assert c.get(f"/petitions/{p.pk}/act/fly/").status_code == 404


@pytest.mark.parametrize(("who", "status"), [
    ("viewer", 403), ("reception", 403), ("other_commune", 404), ("other_province", 404), ("nobody", 404),
])
def test_who_cannot_act(people: Any, tree: Any, fields: Any, who: str, status: int) -> None:
    p = classify(receive(tree["A1"]), fields["land"])
    r = client_for(people[who]).post(f"/petitions/{p.pk}/act/accept/",
                                     {"expected_version": p.lock_version, "accepted_on": "21/07/2026"})
    assert r.status_code == status
    p.refresh_from_db()
    assert p.status == S.CLASSIFIED


def test_close_needs_the_head(people: Any, tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.RESOLVED, fields["land"])
    assert client_for(people["officer"]).get(f"/petitions/{p.pk}/act/close/").status_code == 403
    r = client_for(people["head"]).post(f"/petitions/{p.pk}/act/close/", {"expected_version": p.lock_version})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == S.CLOSED


def test_forward_to_a_unit(people: Any, tree: Any, fields: Any) -> None:
    p = classify(receive(tree["A1"]), fields["land"])
    r = client_for(people["officer"]).post(f"/petitions/{p.pk}/act/forward/", {
        "expected_version": p.lock_version, "to_unit": tree["Adep"].pk})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == S.FORWARDED and p.forwarded_to_id == tree["Adep"].pk


def test_file_away_ground_is_checked(people: Any, tree: Any, fields: Any) -> None:
    p = classify(receive(tree["A1"]), fields["land"])
    c = client_for(people["officer"])
    r = c.post(f"/petitions/{p.pk}/act/file_away/", {"expected_version": p.lock_version,
                                                     "ground": "anonymous_denunciation"})
    assert r.status_code == 400 and "ground" in r.context["form"].errors
    r = c.post(f"/petitions/{p.pk}/act/file_away/", {"expected_version": p.lock_version, "ground": "illegible"})
    assert r.status_code == 302


# --------------------------------------------------------------------------- publishing a result


def test_publish_result_from_the_case_page(people: Any, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"], kind="recommendation", filer_name="Nguyễn Thị Công Khai")
    Petition.objects.filter(pk=p.pk).update(status=S.RESOLVED)  # the steps to get there are tested elsewhere
    p.refresh_from_db()
    officer = client_for(people["officer"])
    page = officer.get(f"/petitions/{p.pk}/").content.decode()
    assert f'action="/petitions/{p.pk}/publish/"' in page
    # The filer's name in the text is refused; nothing is published.
    r = officer.post(f"/petitions/{p.pk}/publish/", {"expected_version": p.lock_version,
                                                       "text": "Đã trả lời bà Nguyễn Thị Công Khai"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.published_at is None
    # A stale version is a conflict, not an overwrite.
    officer.post(f"/petitions/{p.pk}/publish/", {"expected_version": p.lock_version - 1, "text": "Đã sửa đường"})
    p.refresh_from_db()
    assert p.published_at is None
    officer.post(f"/petitions/{p.pk}/publish/", {"expected_version": p.lock_version, "text": "Đã sửa đường."})
    p.refresh_from_db()
    assert p.published_at is not None and p.public_summary == "Đã sửa đường."
    # Another commune cannot see the case at all; a viewer may not publish or take it down.
    assert client_for(people["other_commune"]).post(
        f"/petitions/{p.pk}/publish/", {"expected_version": p.lock_version, "unpublish": "1"}).status_code == 404
    client_for(people["viewer"]).post(f"/petitions/{p.pk}/publish/",
                                      {"expected_version": p.lock_version, "unpublish": "1"})
    p.refresh_from_db()
    assert p.published_at is not None
    officer.post(f"/petitions/{p.pk}/publish/", {"expected_version": p.lock_version, "unpublish": "1"})
    p.refresh_from_db()
    assert p.published_at is None


def test_publish_form_is_not_offered_for_open_cases(people: Any, tree: Any) -> None:
    open_case = receive(tree["A1"], kind="recommendation", filer_name="Lò Văn Xa")
    page = client_for(people["officer"]).get(f"/petitions/{open_case.pk}/").content.decode()
    assert "/publish/" not in page
