"""From the parser's JSON to a draft plan: registry links, sections and tasks, targets, units matched."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.models import AuditEvent
from danvan.legal.models import DocType, LegalDocument
from danvan.orgs import services as org_services
from danvan.plans import services
from danvan.plans.models import Plan, PlanStatus
from danvan.plans.parsing import parse_plan, parse_plan_detailed

pytestmark = pytest.mark.django_db

SEEDS = Path(os.environ.get("DANVAN_SEEDS_DIR", Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds"))


def parsed_sample(**extra: Any) -> dict[str, Any]:
    data = {
        "doc_type": "KH", "number": "21", "symbol": "KH-UBND", "issuer": "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
        "place": "Lai Châu", "issued_on": "2025-01-15", "title": "Thực hiện công tác dân vận chính quyền năm 2025",
        "year": 2025,
        "references": [
            {"type": "Chỉ thị", "number": "33", "symbol": "CT-TTg", "date": "2021-11-26", "issuer": "Thủ tướng Chính phủ"},
            {"type": "Kết luận", "number": "114", "symbol": "KL/TW", "date": "2015-07-14", "issuer": "Ban Bí thư"},
            {"type": "Kế hoạch", "number": None, "symbol": "KH-UBND", "date": None, "issuer": None},
        ],
        "purposes": ["Nâng cao nhận thức"], "requirements": ["Bám sát thực tiễn"],
        "targets": [{"text": "95% xã có mô hình Dân vận khéo", "value": 95, "unit": "%"},
                    {"text": "Tổ chức 02 hội nghị", "value": 2, "unit": "hội nghị"},
                    {"text": "Nâng cao chất lượng", "value": None, "unit": None}],
        "sections": [{"number": "1", "title": "Công tác tuyên truyền", "tasks": ["Tuyên truyền Chỉ thị 33", "Tập huấn"]},
                     {"number": "2", "title": "Cải cách hành chính", "tasks": []}],
        "assignments": [
            {"unit": "Sở Nội vụ", "role": "lead", "duties": "Chủ trì, theo dõi"},
            {"unit": "Xa Binh Lu", "role": "co-operating", "duties": "Phối hợp"},
            {"unit": "Các sở, ban, ngành", "role": "other", "duties": "Thực hiện"},
            {"unit": "Phòng Văn hóa", "role": "weird", "duties": ""},
        ],
        "deadlines": [{"text": "báo cáo định kỳ 06 tháng (trước ngày 05/6/2025)", "due": "2025-06-05"},
                      {"text": "01 năm (trước ngày 15/11/2025)", "due": "2025-11-15"},
                      {"text": "trước tháng 12", "due": "2025-12"}],
        "recipients": ["Bộ Nội vụ", "Lưu: VT"],
        "signer": {"name": "Lê Văn Lương", "position": "CHỦ TỊCH", "authority": "TM."},
    }
    data.update(extra)
    return data


@pytest.fixture
def officer(tree: Any, make_user: Any) -> Any:
    return make_user("officer", (tree["A"], "officer"))


def test_import_builds_full_draft(tree: Any, officer: Any) -> None:
    plan = services.create_plan_from_import(actor=officer, issuer=tree["A"], parsed=parsed_sample())
    assert plan.status == PlanStatus.DRAFT and plan.number is None  # the number comes when it is issued here
    assert (plan.title, plan.year, plan.place, plan.issued_on) == (
        "Thực hiện công tác dân vận chính quyền năm 2025", 2025, "Lai Châu", dt.date(2025, 1, 15))
    assert plan.issuing_body == "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    assert (plan.signer_name, plan.signer_position, plan.signer_authority) == ("Lê Văn Lương", "CHỦ TỊCH", "TM.")
    assert plan.purposes == ["Nâng cao nhận thức"] and plan.recipients == ["Bộ Nội vụ", "Lưu: VT"]
    docs = [link.document for link in plan.basis_links.select_related("document")]
    assert [(d.doc_type, d.number, d.symbol) for d in docs] == [
        (DocType.DIRECTIVE, "33", "CT-TTg"), (DocType.CONCLUSION, "114", "KL/TW")]
    sections = list(plan.sections.order_by("order"))
    assert [(s.number, s.title) for s in sections] == [("1", "Công tác tuyên truyền"), ("2", "Cải cách hành chính")]
    assert list(sections[0].tasks.values_list("text", flat=True)) == ["Tuyên truyền Chỉ thị 33", "Tập huấn"]
    targets = list(plan.targets.order_by("order"))
    assert [(t.value, t.unit) for t in targets] == [(Decimal("95"), "%"), (Decimal("2"), "hội nghị"), (None, "")]
    assignments = list(plan.assignments.order_by("order"))
    assert [a.unit for a in assignments] == [tree["Adep"], tree["A1"], None, None]  # matched ignoring marks
    assert [a.unit_name for a in assignments][2] == "Các sở, ban, ngành"
    assert [a.role for a in assignments] == ["lead", "co-operating", "other", "other"]
    deadlines = list(plan.deadlines.order_by("due_on"))
    assert [(d.kind, d.due_on) for d in deadlines] == [
        ("half_year_report", dt.date(2025, 6, 5)), ("annual_report", dt.date(2025, 11, 15))]
    assert plan.import_source is not None and plan.import_source["parsed"]["number"] == "21"
    assert AuditEvent.objects.filter(action="plans.plan.import", object_id=str(plan.pk)).exists()


def test_import_reuses_registry_records(tree: Any, officer: Any) -> None:
    services.create_plan_from_import(actor=officer, issuer=tree["A"], parsed=parsed_sample())
    services.create_plan_from_import(actor=officer, issuer=tree["A"], parsed=parsed_sample())
    assert LegalDocument.objects.count() == 2
    assert LegalDocument.objects.get(number="33").citing_plans.count() == 2


def test_ambiguous_unit_name_kept_as_text(tree: Any, kinds: Any, officer: Any) -> None:
    org_services.create_unit(actor=None, kind=kinds["department"], name="Sở Nội vụ", parent=tree["A1"])
    plan = services.create_plan_from_import(actor=officer, issuer=tree["A"], parsed=parsed_sample())
    first = plan.assignments.order_by("order")[0]
    assert first.unit is None and first.unit_name == "Sở Nội vụ"


def test_unit_of_another_province_never_matched(tree: Any, officer: Any) -> None:
    plan = services.create_plan_from_import(
        actor=officer, issuer=tree["A"],
        parsed=parsed_sample(assignments=[{"unit": "Phường Bắc Kạn", "role": "lead", "duties": ""}]),
    )
    assert plan.assignments.get().unit is None


def test_import_keeps_nulls_and_guesses_period(tree: Any, officer: Any) -> None:
    parsed = parsed_sample(title=None, issued_on="2024", year=None, place=None, signer={"name": None, "position": None,
                                                                                          "authority": None})
    plan = services.create_plan_from_import(actor=officer, issuer=tree["A"], parsed=parsed)
    assert plan.title and plan.issued_on is None and plan.place == "" and plan.signer_authority == ""
    multi = services.create_plan_from_import(
        actor=officer, issuer=tree["A"], parsed=parsed_sample(title="Chương trình dân vận giai đoạn 2021 - 2025"))
    assert (multi.kind, multi.year, multi.end_year) == ("multi_year", 2021, 2025)


def test_import_permissions_and_bad_shape(tree: Any, make_user: Any) -> None:
    for user in (make_user("viewer", (tree["A"], "viewer")), make_user("b", (tree["B"], "admin"))):
        with pytest.raises(PermissionDenied):
            services.create_plan_from_import(actor=user, issuer=tree["A"], parsed=parsed_sample())
    with pytest.raises(ValidationError):
        services.create_plan_from_import(actor=None, issuer=tree["A"], parsed=["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as exc:
        services.create_plan_from_import(actor=None, issuer=tree["A"], parsed=parsed_sample(title="x" * 600))
    assert "title" in exc.value.message_dict
    assert not Plan.objects.exists() and not LegalDocument.objects.exists()


def test_import_each_seed(tree: Any, officer: Any) -> None:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"seed plans not found in {SEEDS}")
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        parsed = parse_plan(text)
        plan = services.create_plan_from_import(
            actor=officer, issuer=tree["A"], parsed=parsed, detailed=parse_plan_detailed(text).detailed())
        assert plan.title == parsed["title"]
        assert plan.sections.count() == len(parsed["sections"])
        assert plan.tasks.count() == sum(len(s["tasks"]) for s in parsed["sections"])
        assert plan.targets.count() == len(parsed["targets"])
        assert plan.basis_links.count() == len({(r["number"], r["symbol"]) for r in parsed["references"] if r["number"]})
        assert plan.import_source is not None and plan.import_source["detailed"]
    seed1 = Plan.objects.get(title__contains="huyện Tam Đường")
    assert [(d.kind, d.due_on) for d in seed1.deadlines.order_by("due_on")] == [
        ("half_year_report", dt.date(2023, 6, 5)), ("annual_report", dt.date(2023, 11, 15))]
    assert seed1.signer_name == "Sùng Lử Páo" and seed1.signer_authority == "TM."
