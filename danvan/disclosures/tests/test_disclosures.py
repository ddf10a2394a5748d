"""Disclosure services and reads: the law's dates, every permission boundary, bad input, double submits,
concurrent edits, quarterly lists, the public and report reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.disclosures import queries, services
from danvan.disclosures.models import Disclosure, DisclosureStatus, QuarterlyList
from danvan.orgs.scope import subtree_q

pytestmark = pytest.mark.django_db

# Monday 03/03/2025: 5 working days later is Monday 10/03/2025 (no holiday in between).
DECIDED = dt.date(2025, 3, 3)
DUE = dt.date(2025, 3, 10)
TODAY = timezone.localdate()


def make(unit: Any, cat: Any, actor: Any = None, **kw: Any) -> Disclosure:
    kw.setdefault("title", "Dự toán ngân sách xã năm 2025")
    kw.setdefault("decided_on", DECIDED)
    return services.create_disclosure(actor=actor, org_unit=unit, category=cat, **kw)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return exc.value.message_dict


def test_create_stores_due_date_and_permanence(tree: dict, people: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"], people["officer"], forms=("posting", "website", "posting"),
             content="  Chi tiết  ", place="Nhà văn hoá")
    assert d.status == DisclosureStatus.DRAFT and d.due_on == DUE and d.permanent is False
    assert d.forms == ["posting", "website"] and d.created_by == people["officer"]
    assert AuditEvent.objects.filter(action="disclosures.disclosure.create", object_id=str(d.pk)).exists()
    p = make(tree["A1"], cats["fees"], title="Phí, lệ phí")
    assert p.permanent is True
    none = make(tree["A1"], cats["other"], title="Không có quyết định", decided_on=None)
    assert none.due_on is None


@pytest.mark.parametrize("who, allowed", [
    ("officer", True), ("head", True), ("village", False), ("front", False), ("sibling", False),
    ("province", False), ("other", False), ("nobody", False),
])
def test_create_permission_boundaries(tree: dict, people: dict, cats: dict, who: str, allowed: bool) -> None:
    if allowed:
        assert make(tree["A1"], cats["budget"], people[who]).pk
    else:
        with pytest.raises(PermissionDenied):
            make(tree["A1"], cats["budget"], people[who])
        assert not Disclosure.objects.exists()


def test_province_officer_may_record_for_a_commune(tree: dict, make_user: Any, cats: dict) -> None:
    officer = make_user("prov_officer", (tree["A"], "officer"))
    assert make(tree["A1"], cats["budget"], officer).org_unit == tree["A1"]


@pytest.mark.parametrize("kw, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 256}, "title"),
    ({"title": 12}, "title"),
    ({"content": "x" * 20001}, "content"),
    ({"decided_on": "2025-03-03"}, "decided_on"),
    ({"decided_on": TODAY + dt.timedelta(days=1)}, "decided_on"),
    ({"disclosed_on": dt.date(2025, 3, 1)}, "disclosed_on"),
    ({"disclosed_on": dt.date(2025, 3, 5), "posting_ends_on": dt.date(2025, 3, 4)}, "posting_ends_on"),
    ({"posting_ends_on": dt.date(2025, 4, 4)}, "posting_ends_on"),
    ({"forms": ["fax"]}, "forms"),
    ({"forms": "posting"}, "forms"),
    ({"loudspeaker_days": -1}, "loudspeaker_days"),
    ({"loudspeaker_days": "3"}, "loudspeaker_days"),
    ({"loudspeaker_days": 3, "forms": ["posting"]}, "loudspeaker_days"),
    ({"is_public": "yes"}, "is_public"),
])
def test_create_bad_input(tree: dict, people: dict, cats: dict, kw: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], cats["budget"], people["officer"], **kw)
    assert field in errors_of(exc)
    assert not Disclosure.objects.exists()


def test_create_bad_category_and_unit(tree: dict, people: dict, cats: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], "budget", people["officer"])
    assert "category" in errors_of(exc)
    cats["other"].is_active = False
    cats["other"].save()
    with pytest.raises(ValidationError):
        make(tree["A1"], cats["other"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        make(None, cats["budget"], people["officer"])
    assert "org_unit" in errors_of(exc)


def test_double_submit_is_refused(tree: dict, people: dict, cats: dict) -> None:
    make(tree["A1"], cats["budget"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], cats["budget"], people["officer"], title="dự toán NGÂN SÁCH xã năm 2025")
    assert "title" in errors_of(exc)
    assert Disclosure.objects.count() == 1
    make(tree["A2"], cats["budget"])  # another unit: its own item
    make(tree["A1"], cats["budget"], decided_on=dt.date(2025, 4, 1))  # another decision
    assert Disclosure.objects.count() == 3


def test_update_checks_version_and_rules(tree: dict, people: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"], people["officer"])
    services.update_disclosure(actor=people["head"], disclosure=d, expected_version=1, title="Dự toán (sửa)",
                               decided_on=dt.date(2025, 3, 7))
    d.refresh_from_db()
    assert d.title == "Dự toán (sửa)" and d.lock_version == 2
    assert d.due_on == dt.date(2025, 3, 14)
    with pytest.raises(ConcurrentEditError):
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=1, title="Cũ")
    with pytest.raises(ValidationError) as exc:
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=2,
                                   disclosed_on=dt.date(2025, 4, 1), posting_ends_on=dt.date(2025, 3, 1))
    assert "posting_ends_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=2, status="published")
    assert "status" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version="2", title="X")
    assert "expected_version" in errors_of(exc)
    for who in ("sibling", "province", "front", "nobody", "other"):
        with pytest.raises(PermissionDenied):
            services.update_disclosure(actor=people[who], disclosure=d, expected_version=2, title="X")
    d.refresh_from_db()
    assert d.title == "Dự toán (sửa)" and d.lock_version == 2
    services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=2, category=cats["fees"])
    assert d.permanent is True and d.lock_version == 3


def test_update_duplicate_of_another(tree: dict, people: dict, cats: dict) -> None:
    make(tree["A1"], cats["budget"], title="Một")
    d = make(tree["A1"], cats["budget"], title="Hai")
    with pytest.raises(ValidationError) as exc:
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=1, title="Một")
    assert "title" in errors_of(exc)


def test_publish_defaults(tree: dict, people: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"], people["officer"])
    services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=1,
                                disclosed_on=dt.date(2025, 3, 5))
    d.refresh_from_db()
    assert d.status == DisclosureStatus.PUBLISHED and d.published_at is not None
    assert d.posting_ends_on == dt.date(2025, 4, 3)  # 30 consecutive days, 05/03 counted
    with pytest.raises(ValidationError) as exc:
        services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=2)
    assert "status" in errors_of(exc)
    p = make(tree["A1"], cats["fees"], title="Phí")
    services.publish_disclosure(actor=people["officer"], disclosure=p, expected_version=1)
    assert p.disclosed_on == TODAY and p.posting_ends_on is None and p.permanent


def test_publish_keeps_a_chosen_end_and_checks_dates(tree: dict, people: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"], disclosed_on=dt.date(2025, 3, 4), posting_ends_on=dt.date(2025, 3, 20))
    with pytest.raises(ValidationError) as exc:
        services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=1,
                                    disclosed_on=dt.date(2025, 3, 21))
    assert "posting_ends_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=1,
                                    disclosed_on=dt.date(2025, 3, 1))
    assert "disclosed_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=1,
                                    disclosed_on=TODAY + dt.timedelta(days=1))
    assert "disclosed_on" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.publish_disclosure(actor=people["sibling"], disclosure=d, expected_version=1)
    services.publish_disclosure(actor=people["officer"], disclosure=d, expected_version=1)
    assert d.disclosed_on == dt.date(2025, 3, 4) and d.posting_ends_on == dt.date(2025, 3, 20)
    with pytest.raises(ValidationError) as exc:
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=2, disclosed_on=None,
                                   posting_ends_on=None)
    assert "disclosed_on" in errors_of(exc)


def test_withdraw_and_delete(tree: dict, people: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"])
    with pytest.raises(ValidationError) as exc:
        services.withdraw_disclosure(actor=people["officer"], disclosure=d, expected_version=1, reason="Sai")
    assert "status" in errors_of(exc)
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1, disclosed_on=dt.date(2025, 3, 4))
    with pytest.raises(ValidationError) as exc:
        services.withdraw_disclosure(actor=people["officer"], disclosure=d, expected_version=2, reason="  ")
    assert "reason" in errors_of(exc)
    services.withdraw_disclosure(actor=people["officer"], disclosure=d, expected_version=2, reason="Có bản thay thế")
    assert d.status == DisclosureStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.update_disclosure(actor=people["officer"], disclosure=d, expected_version=3, title="X")
    with pytest.raises(PermissionDenied):  # an officer may not delete
        services.delete_disclosure(actor=people["officer"], disclosure=d, reason="Nhập nhầm")
    with pytest.raises(ValidationError) as exc:
        services.delete_disclosure(actor=people["head"], disclosure=d, reason="")
    assert "reason" in errors_of(exc)
    services.delete_disclosure(actor=people["head"], disclosure=d, reason="Nhập nhầm")
    assert d.deleted_at is not None
    assert not queries.disclosures_for(people["head"]).exists()
    ev = AuditEvent.objects.get(action="disclosures.disclosure.delete")
    assert ev.summary["reason"] == "Nhập nhầm"
    with pytest.raises(ValidationError):
        services.delete_disclosure(actor=people["head"], disclosure=d, reason="Lần nữa")
    # The same title may be entered again once the mistaken one is deleted.
    assert make(tree["A1"], cats["budget"]).pk != d.pk


def test_visibility(tree: dict, people: dict, cats: dict) -> None:
    a1 = make(tree["A1"], cats["budget"])
    make(tree["A2"], cats["budget"])
    make(tree["B1"], cats["budget"])
    assert list(queries.disclosures_for(people["officer"])) == [a1]
    assert queries.disclosures_for(people["province"]).count() == 2
    assert queries.disclosures_for(people["other"]).count() == 1
    assert not queries.disclosures_for(people["nobody"]).exists()
    assert not queries.disclosures_for(people["village"]).exists()


def test_public_disclosures_and_made_between(tree: dict, cats: dict) -> None:
    day = dt.date(2025, 3, 20)
    running = make(tree["A1"], cats["budget"], title="Đang niêm yết")
    services.publish_disclosure(actor=None, disclosure=running, expected_version=1, disclosed_on=dt.date(2025, 3, 4))
    ended = make(tree["A1"], cats["budget"], title="Đã hết hạn", disclosed_on=dt.date(2025, 1, 2),
                 posting_ends_on=dt.date(2025, 2, 1), decided_on=dt.date(2025, 1, 2))
    services.publish_disclosure(actor=None, disclosure=ended, expected_version=1)
    permanent = make(tree["A1v"], cats["fees"], title="Phí", decided_on=dt.date(2024, 1, 2))
    services.publish_disclosure(actor=None, disclosure=permanent, expected_version=1,
                                disclosed_on=dt.date(2024, 1, 3))
    private = make(tree["A1"], cats["budget"], title="Nội bộ", is_public=False)
    services.publish_disclosure(actor=None, disclosure=private, expected_version=1, disclosed_on=dt.date(2025, 3, 4))
    make(tree["A1"], cats["budget"], title="Nháp")
    other = make(tree["A2"], cats["budget"], title="Xã khác")
    services.publish_disclosure(actor=None, disclosure=other, expected_version=1, disclosed_on=dt.date(2025, 3, 4))
    withdrawn = make(tree["A1"], cats["budget"], title="Rút")
    services.publish_disclosure(actor=None, disclosure=withdrawn, expected_version=1, disclosed_on=dt.date(2025, 3, 4))
    services.withdraw_disclosure(actor=None, disclosure=withdrawn, expected_version=2, reason="Thay")
    assert set(queries.public_disclosures(tree["A1"], on=day)) == {running, permanent}
    assert set(queries.public_disclosures(tree["A1"], on=dt.date(2025, 1, 15))) == {ended, permanent}
    units = subtree_q([tree["A1"].path], prefix="org_unit__")
    made = queries.made_between(units, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert set(made) == {running, ended, private, withdrawn}
    assert queries.made_between(units, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).get() == permanent


def test_quarterly_list(tree: dict, people: dict, cats: dict) -> None:
    year, quarter = services.quarter_of(TODAY)
    first, _last = services.quarter_bounds(year, quarter)
    d = make(tree["A1v"], cats["budget"], decided_on=first, title="Trong quý")
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1, disclosed_on=first)
    row = services.post_quarterly_list(actor=people["officer"], org_unit=tree["A1"], year=year, quarter=quarter)
    assert (row.items, row.posted_on, row.posted_by) == (1, TODAY, people["officer"])
    with pytest.raises(ValidationError) as exc:
        services.post_quarterly_list(actor=people["head"], org_unit=tree["A1"], year=year, quarter=quarter)
    assert "quarter" in errors_of(exc)
    nyear, nquarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    with pytest.raises(ValidationError) as exc:
        services.post_quarterly_list(actor=people["officer"], org_unit=tree["A1"], year=nyear, quarter=nquarter)
    assert set(errors_of(exc)) & {"quarter", "year"}
    for bad, field in (({"quarter": 5}, "quarter"), ({"quarter": "1"}, "quarter"), ({"year": 1999}, "year"),
                       ({"posted_on": dt.date(2023, 12, 31)}, "posted_on"),
                       ({"posted_on": TODAY + dt.timedelta(days=1)}, "posted_on")):
        kw = {"year": 2024, "quarter": 1, **bad}
        with pytest.raises(ValidationError) as exc:
            services.post_quarterly_list(actor=people["officer"], org_unit=tree["A1"], **kw)
        assert field in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.post_quarterly_list(actor=people["sibling"], org_unit=tree["A1"], year=2024, quarter=1)
    with pytest.raises(PermissionDenied):
        services.post_quarterly_list(actor=people["province"], org_unit=tree["A1"], year=2024, quarter=1)
    assert QuarterlyList.objects.count() == 1
    assert AuditEvent.objects.filter(action="disclosures.quarterly.post").count() == 1


def test_quarter_bounds() -> None:
    assert services.quarter_bounds(2025, 1) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert services.quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert services.quarter_of(dt.date(2025, 7, 1)) == (2025, 3)
