"""The public site: online filing with a code and a hashed secret, tracking, published results, rate limits,
ALTCHA proof-of-work on both forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from danvan.petitions import public
from danvan.petitions.models import Channel, Petition
from danvan.portal.testing import solve_altcha

from .fixtures_cases import classify, fields, people, step  # noqa: F401

pytestmark = pytest.mark.django_db
NAME, ADDRESS, CONTACT = "Giàng A Páo", "Bản Thẳm, xã Bình Lư", "0912 345 678"


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _submit(unit: Any, key: str = "k1", **kw: Any) -> tuple[Petition, str]:
    kw.setdefault("kind", "recommendation")
    return public.submit_online(org_unit=unit, summary="Đề nghị sửa đường vào bản", content="Đường hỏng nặng",
                                name=NAME, address=ADDRESS, contact=CONTACT, idempotency_key=key, **kw)


def test_submit_creates_one_online_petition_with_code(tree: dict) -> None:
    p, secret = _submit(tree["A1"])
    assert p.channel == Channel.ONLINE and p.kind == "recommendation" and p.org_unit == tree["A1"]
    assert p.tracking_code and p.tracking_code.startswith("PA") and len(p.tracking_code) == 10 and secret
    row = Petition.objects.values("tracking_secret_hash", "content").get(pk=p.pk)
    assert secret not in row["tracking_secret_hash"] and row["tracking_secret_hash"].count("$") >= 1
    assert CONTACT in row["content"]  # the unit's officers need it to reply
    again, secret2 = _submit(tree["A1"])  # replay: same key
    assert again.pk == p.pk and secret2 == "" and Petition.objects.count() == 1


@pytest.mark.parametrize("kind", ["complaint", "denunciation", "mixed", "nonsense"])
def test_only_recommendation_and_feedback(tree: dict, kind: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _submit(tree["A1"], kind=kind)
    assert "kind" in exc.value.message_dict and not Petition.objects.exists()


@pytest.mark.parametrize(("kw", "field"), [({"name": ""}, "name"), ({"summary": ""}, "summary"),
                                           ({"idempotency_key": ""}, "idempotency_key"),
                                           ({"address": "x" * 301}, "address")])
def test_submit_bad_input(tree: dict, kw: dict, field: str) -> None:
    args = {"org_unit": tree["A1"], "kind": "feedback", "summary": "Góp ý", "content": "", "name": NAME,
            "address": "", "contact": "", "idempotency_key": "k", **kw}
    with pytest.raises(ValidationError) as exc:
        public.submit_online(**args)
    assert field in exc.value.message_dict and not Petition.objects.exists()


def test_track(tree: dict, fields: dict) -> None:  # noqa: F811
    p, secret = _submit(tree["A1"])
    status = public.track(p.tracking_code, secret)
    assert status is not None and status.status == "received" and status.result == ""
    assert public.track(public.display_code(p.tracking_code or "").lower(), secret) is not None  # typed by hand
    classify(p, fields["ha-tang"] if "ha-tang" in fields else next(iter(fields.values())))
    step(p, "reply", reason="Đã đưa vào kế hoạch sửa chữa")
    status = public.track(p.tracking_code, secret)
    assert status is not None and status.status == "answered" and [s.status for s in status.steps] == ["received", "answered"]
    assert "kế hoạch" not in str(status.__dict__)  # no reasons
    assert public.track(p.tracking_code, "wrong") is None
    assert public.track("PA00000000", secret) is None
    assert public.track("", "") is None and public.track(None, None) is None


def test_publish_result(tree: dict, people: dict, fields: dict) -> None:  # noqa: F811
    p, secret = _submit(tree["A1"])
    officer = people["officer"]
    f = next(iter(fields.values()))
    with pytest.raises(ValidationError):  # not decided yet
        public.publish_result(actor=officer, petition=p, text="Kết quả", expected_version=p.lock_version)
    classify(p, f)
    step(p, "reply", reason="Đã trả lời")
    for leak in (f"Trả lời ông {NAME.upper()}", "Gửi tới Ban Tham, xa Binh Lu", "Liên hệ 0912345678",
                 "Gửi a@b.vn"):
        with pytest.raises(ValidationError) as exc:
            public.publish_result(actor=officer, petition=p, text=leak, expected_version=p.lock_version)
        assert "text" in exc.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        public.publish_result(actor=people["viewer"], petition=p, text="Đường sẽ được sửa",
                              expected_version=p.lock_version)
    public.publish_result(actor=officer, petition=p, text="Đường sẽ được sửa trong quý III",
                          expected_version=p.lock_version)
    assert getattr(public.track(p.tracking_code, secret), "result", None) == "Đường sẽ được sửa trong quý III"
    page = public.published_results()
    assert [r.text for r in page.items] == ["Đường sẽ được sửa trong quý III"]
    public.unpublish_result(actor=officer, petition=p, expected_version=p.lock_version)
    assert public.published_results().items == []


# --------------------------------------------------------------------------- pages


ROBOT = "Vui lòng xác nhận bạn không phải là robot (bước kiểm tra chống robot chưa hoàn tất)."


def _form(c: Client, unit: Any, **kw: Any) -> dict[str, Any]:
    """The filing form as the browser posts it, with the widget's solved ALTCHA payload."""
    data = {"org_unit": unit.pk, "kind": "feedback", "summary": "Góp ý về chợ", "content": "Chợ bẩn",
            "name": NAME, "address": ADDRESS, "contact": CONTACT, "consent": "on", "idempotency_key": "abc123",
            "website": "", "altcha": solve_altcha(client=c)}
    data.update(kw)
    return data


def _track(c: Client, code: str | None, secret: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, "secret": secret, "altcha": solve_altcha(client=c), **kw}


def test_submit_page_shows_the_secret_once(tree: dict) -> None:
    c = Client(enforce_csrf_checks=True)
    r = c.get("/public/petitions/submit/?q=Bình Lư")
    assert r.status_code == 200 and "Xã Bình Lư" in r.content.decode()
    token = r.cookies["csrftoken"].value
    r = c.post("/public/petitions/submit/", _form(c, tree["A1"]), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 302
    r = c.get(r["Location"])
    assert "no-store" in r["Cache-Control"]
    p = Petition.objects.get()
    body = r.content.decode()
    assert public.display_code(p.tracking_code or "") in body and 'data-testid="tracking-secret"' in body
    assert p.channel == "online"
    r = c.get("/public/petitions/submitted/")
    assert r.status_code == 302  # shown once
    r = c.post("/public/petitions/submit/", _form(c, tree["A1"]), HTTP_X_CSRFTOKEN=token)  # double submit
    body = c.get(r["Location"]).content.decode()
    assert Petition.objects.count() == 1 and 'data-testid="tracking-secret"' not in body


def test_submit_page_refusals(tree: dict) -> None:
    c = Client()
    assert c.post("/public/petitions/submit/", _form(c, tree["A1"], consent="")).status_code == 400
    assert c.post("/public/petitions/submit/", _form(c, tree["A1"], kind="complaint")).status_code == 400
    assert c.post("/public/petitions/submit/", _form(c, tree["A1"], website="http://spam")).status_code == 400
    assert not Petition.objects.exists()
    assert Client(enforce_csrf_checks=True).post("/public/petitions/submit/", _form(c, tree["A1"])).status_code == 403


def test_rate_limit(tree: dict, settings: Any) -> None:
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"petitions_submit": (2, 60), "petitions_track": (3, 60)}
    c = Client()
    for i in range(2):
        assert c.post("/public/petitions/submit/", _form(c, tree["A1"], idempotency_key=f"k{i}")).status_code == 302
    assert c.post("/public/petitions/submit/", _form(c, tree["A1"], idempotency_key="k9")).status_code == 429
    assert Petition.objects.count() == 2
    for _i in range(3):
        assert c.post("/public/petitions/track/", _track(c, "PA00000000", "x")).status_code == 400
    r = c.post("/public/petitions/track/", _track(c, "PA00000000", "x"))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and 'data-testid="too-many"' in r.content.decode()


def test_track_page_same_answer_for_unknown_and_wrong(tree: dict) -> None:
    p, secret = _submit(tree["A1"])
    c = Client()
    wrong = c.post("/public/petitions/track/", _track(c, p.tracking_code, "sai"))
    unknown = c.post("/public/petitions/track/", _track(c, "PA11111111", "sai"))
    assert wrong.status_code == unknown.status_code == 400
    def strip(r: Any) -> str:
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())
        return body.replace(p.tracking_code or "", "").replace("PA11111111", "")

    assert strip(wrong) == strip(unknown)
    ok = c.post("/public/petitions/track/", _track(c, p.tracking_code, secret))
    assert ok.status_code == 200 and 'data-status="received"' in ok.content.decode()
    assert NAME not in ok.content.decode() and "no-store" in ok["Cache-Control"]
    assert c.get(f"/public/petitions/track/?code={p.tracking_code}&secret={secret}").status_code == 200
    assert 'data-testid="tracked"' not in c.get(f"/public/petitions/track/?code={p.tracking_code}").content.decode()


def test_results_page_has_no_personal_data(tree: dict, people: dict, fields: dict,  # noqa: F811
                                           django_assert_max_num_queries: Any) -> None:
    f = next(iter(fields.values()))
    for i in range(5):
        p, _s = _submit(tree["A1"], key=f"r{i}")
        classify(p, f)
        step(p, "reply", reason="Đã trả lời")
        public.publish_result(actor=people["officer"], petition=p, text=f"Kết quả số {i}",
                              expected_version=p.lock_version)
    c = Client()
    with django_assert_max_num_queries(4):
        r = c.get("/public/petitions/results/")
    body = r.content.decode()
    assert r.status_code == 200 and "Kết quả số 4" in body
    for personal in (NAME, ADDRESS, CONTACT, "Đề nghị sửa đường", p.tracking_code or "?"):
        assert personal not in body
    r = c.get("/public/petitions/results/?q=Tân Phong")
    assert "Kết quả số" not in r.content.decode()


def test_schedules_page(tree: dict, django_assert_max_num_queries: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from danvan.petitions.models import ReceptionSession

    today = timezone.localdate()
    ReceptionSession.objects.create(org_unit=tree["A1"], date=today + dt.timedelta(days=3), host_name="Lò Văn Thanh",
                                    by_head=True, location="Trụ sở UBND xã")
    ReceptionSession.objects.create(org_unit=tree["A2"], date=today + dt.timedelta(days=3), host_name="Người khác",
                                    published=False)
    c = Client()
    with django_assert_max_num_queries(4):
        r = c.get("/public/petitions/")
    body = r.content.decode()
    assert "Lò Văn Thanh" in body and "Người khác" not in body
    assert "Lò Văn Thanh" not in c.get("/public/petitions/?q=Tân Phong").content.decode()


# --------------------------------------------------------------------------- proof-of-work, preselected unit


def test_forms_show_the_altcha_widget(tree: dict) -> None:
    c = Client()
    for url in ("/public/petitions/submit/", "/public/petitions/track/"):
        body = c.get(url).content.decode()
        assert 'data-testid="altcha"' in body and 'challenge="/public/altcha/challenge"' in body
        assert body.count("<altcha-widget") == 1


@pytest.mark.parametrize("altcha", ["", "bm90IGEgcGF5bG9hZA==", None])
def test_filing_without_proof_of_work_is_refused(tree: dict, altcha: str | None) -> None:
    c = Client()
    data = _form(c, tree["A1"])
    if altcha is None:
        del data["altcha"]
    else:
        data["altcha"] = altcha
    r = c.post("/public/petitions/submit/", data)
    body = r.content.decode()
    assert r.status_code == 400 and ROBOT in body and not Petition.objects.exists()
    assert "Góp ý về chợ" in body and "Chợ bẩn" in body  # what was typed is kept


def test_reused_proof_of_work_is_refused(tree: dict) -> None:
    c = Client()
    first = _form(c, tree["A1"], idempotency_key="one")
    assert c.post("/public/petitions/submit/", first).status_code == 302
    again = _form(c, tree["A1"], idempotency_key="two", altcha=first["altcha"])  # a robot replaying its work
    r = c.post("/public/petitions/submit/", again)
    assert r.status_code == 400 and ROBOT in r.content.decode() and Petition.objects.count() == 1


def test_double_tap_shows_the_confirmation(tree: dict) -> None:
    """The same post twice (same payload, same key): one petition, and the second answer is the confirmation."""
    c = Client()
    data = _form(c, tree["A1"], idempotency_key="tap")
    assert c.post("/public/petitions/submit/", data).status_code == 302
    r = c.post("/public/petitions/submit/", data)
    assert r.status_code == 302 and Petition.objects.count() == 1
    body = c.get(r["Location"]).content.decode()
    p = Petition.objects.get()
    assert public.display_code(p.tracking_code or "") in body and 'data-testid="tracking-secret"' in body


def test_tracking_needs_proof_of_work(tree: dict) -> None:
    p, secret = _submit(tree["A1"])
    c = Client()
    r = c.post("/public/petitions/track/", {"code": p.tracking_code, "secret": secret})
    assert r.status_code == 400 and ROBOT in r.content.decode() and 'data-testid="tracked"' not in r.content.decode()
    payload = solve_altcha(client=c)
    assert c.post("/public/petitions/track/", _track(c, p.tracking_code, secret, altcha=payload)).status_code == 200
    r = c.post("/public/petitions/track/", _track(c, p.tracking_code, secret, altcha=payload))  # reused
    assert r.status_code == 400 and 'data-testid="tracked"' not in r.content.decode()


def test_unit_preselected_from_link(tree: dict) -> None:
    c = Client()
    r = c.get(f"/public/petitions/submit/?unit={tree['A1'].pk}")
    body = r.content.decode()
    assert r.status_code == 200 and f'<option value="{tree["A1"].pk}" selected>' in body
    assert "Xã Bình Lư" in body
    for bad in ("abc", "99999999", "-1", "1" * 40):
        r = c.get(f"/public/petitions/submit/?unit={bad}")
        select = r.content.decode().split('name="org_unit"')[1].split("</select>")[0]
        assert r.status_code == 200 and select.count(" selected>") == 1 and '<option value="" selected>' in select
    # the unit chosen by link stays chosen when the form comes back with an error
    r = c.post(f"/public/petitions/submit/?unit={tree['A1'].pk}", _form(c, tree["A1"], consent=""))
    assert r.status_code == 400 and f'<option value="{tree["A1"].pk}" selected>' in r.content.decode()
