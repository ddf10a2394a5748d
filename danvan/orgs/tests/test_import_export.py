"""Importing units from CSV/XLSX and exporting them back: every bad row named, all or nothing, no duplicates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from danvan.core.models import AuditEvent
from danvan.orgs import exporters
from danvan.orgs.importers import parse_date, plan_import, run_import
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

HEADER_VI = "Mã đơn vị cấp trên,Loại,Tên,Mã,Loại hình,Hiệu lực từ"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def errors_by_row(report) -> dict:
    return {(e.row, e.column): e.message for e in report.errors}


def test_happy_csv_with_bom_vietnamese_headers_and_nested_rows(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    data = csv_bytes(
        HEADER_VI,
        ",thôn,Thôn Nà Khoang,A1-NK,thôn,01/07/2025",
        "03440,Phòng,Phòng Văn hóa - Xã hội,A1-VHXH,phòng,",
        "A1-VHXH,other,Tổ công tác số 1,,,",
        bom=True,
    )
    report = run_import(actor=admin, root=tree["A1"], data=data, filename="don-vi.csv")
    assert report.ok, report.errors
    assert [u.name for u in report.created] == ["Thôn Nà Khoang", "Phòng Văn hóa - Xã hội", "Tổ công tác số 1"]
    team = OrgUnit.objects.get(name="Tổ công tác số 1")
    assert team.parent is not None and team.parent.code == "A1-VHXH" and team.path.startswith(tree["A1"].path)
    village = OrgUnit.objects.get(code="A1-NK")
    assert village.kind.code == "village" and village.valid_from == dt.date(2025, 7, 1)
    assert village.parent_id == tree["A1"].pk
    ev = AuditEvent.objects.get(action="orgs.unit.import")
    assert ev.summary["created"] == 3 and ev.actor == admin


def test_english_headers_semicolons_and_xlsx(tree, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    csv_report = plan_import(
        actor=admin, root=tree["A"], filename="u.csv",
        data=csv_bytes("Parent code;Kind;Name;Code", "12-SNV;department;Phòng Tổ chức;12-SNV-TC"),
    )
    parent = csv_report.to_create[0].parent
    assert csv_report.ok and parent is not None and parent.pk == tree["Adep"].pk
    xlsx = xlsx_bytes([["Name", "Kind", "Valid from"], ["Ban Dân vận", "party", None]])
    report = run_import(actor=admin, root=tree["A"], data=xlsx, filename="u.xlsx")
    assert report.ok and report.created[0].kind.code == "party"


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_saved(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    before = OrgUnit.objects.count()
    data = csv_bytes(
        HEADER_VI,
        ",village,Thôn Tốt,GOOD-1,,",  # 2: fine
        "99999,village,Thôn A,,,",  # 3: unknown parent
        "03388,village,Thôn B,,,",  # 4: parent in a sibling commune: not visible → unknown
        ",village,Thôn C,GOOD-1,,",  # 5: duplicate code within the file
        ",village,Thôn D,12-SNV,,",  # 6: code of an existing unit elsewhere
        ",village,,,,",  # 7: empty name
        ",village," + "x" * 256 + ",,,",  # 8: name too long
        ",village,Thôn E,,,31/02/2025",  # 9: impossible date
        ",castle,Thôn F,,,",  # 10: unknown kind
        ",commune,Xã G,,,",  # 11: official-list kind
        "LATER,village,Thôn H,,,",  # 12: parent on a later row
        ",other,Tổ Sau,LATER,,",  # 13: fine
    )
    report = run_import(actor=admin, root=tree["A1"], data=data, filename="x.csv")
    errs = errors_by_row(report)
    assert set(errs) == {
        (3, "parent_code"), (4, "parent_code"), (5, "code"), (6, "code"), (7, "name"), (8, "name"),
        (9, "valid_from"), (10, "kind"), (11, "kind"), (12, "parent_code"),
    }
    assert "99999" in errs[(3, "parent_code")]
    assert "2" in errs[(5, "code")]
    assert "31/02/2025" in errs[(9, "valid_from")]
    assert "13" in errs[(12, "parent_code")]
    assert OrgUnit.objects.count() == before and not report.created
    assert not AuditEvent.objects.filter(action="orgs.unit.import").exists()


def test_parent_outside_the_import_unit_is_refused(tree, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    report = plan_import(actor=admin, root=tree["A1"], filename="x.csv", data=csv_bytes("Kind,Name,Parent code", "village,Thôn,03388"))
    assert list(errors_by_row(report)) == [(2, "parent_code")]
    assert "outside" in report.errors[0].message or "Xã Bình Lư" in report.errors[0].message


def test_importer_must_administer_the_unit(tree, make_user):
    data = csv_bytes("Kind,Name", "village,Thôn")
    for user, unit in [
        (make_user("cb", (tree["A1"], "officer")), tree["A1"]),
        (make_user("qtv", (tree["A1"], "admin")), tree["A"]),
        (make_user("qtv2", (tree["A1"], "admin")), tree["B1"]),
        (make_user("khong"), tree["A1"]),
    ]:
        with pytest.raises(PermissionDenied):
            run_import(actor=user, root=unit, data=data, filename="x.csv")
    assert not OrgUnit.objects.filter(name="Thôn").exists()


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"", "x.csv", "không có nội dung"),
        (b"%PDF-1.7\n1 0 obj", "x.csv", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls", ".xls"),
        (b"Name,Kind\nplain text", "x.xlsx", ".xlsx"),
        (b"PK\x03\x04not really a zip", "x.csv", ".xlsx"),
        ("Tên,Kind\nThôn Nà,village\n".encode("cp1258"), "x.csv", "UTF-8"),
        ("Tên,Loại\n".encode("utf-16"), "x.csv", "UTF-8"),
        (b"Name,Kind\n", "x.csv", "không có dòng dữ liệu"),
        (b"Name,Colour\nA,red\n", "x.csv", "Loại"),
        (b"Name,Kind\nA,village\n", "x.docx", "CSV"),
    ],
)
def test_bad_files_get_a_clear_message(tree, make_user, data, filename, words):
    admin = make_user("qtv", (tree["A1"], "admin"))
    report = plan_import(actor=admin, root=tree["A1"], data=data, filename=filename)
    assert len(report.errors) == 1 and report.errors[0].row is None
    assert words in report.errors[0].message, report.errors[0].message


def test_too_large_file(tree, make_user, settings):
    settings.DANVAN_IMPORT_MAX_BYTES = 100
    admin = make_user("qtv", (tree["A1"], "admin"))
    report = plan_import(actor=admin, root=tree["A1"], data=b"Name,Kind\n" + b"A,village\n" * 20, filename="x.csv")
    assert "quá lớn" in report.errors[0].message


def test_garbled_text_is_reported_per_row(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    garbled = "Xóm Bình Minh".encode().decode("cp1252")
    assert garbled == "XÃ³m BÃ¬nh Minh"
    report = plan_import(actor=admin, root=tree["A1"], data=csv_bytes("Name,Kind", f"{garbled},village"), filename="x.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]


def test_importing_twice_creates_nothing_twice(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    data = csv_bytes("Parent code,Kind,Name,Code", ",village,Thôn Một,T1", ",village,Thôn Hai,", "T1,other,Tổ,")
    first = run_import(actor=admin, root=tree["A1"], data=data, filename="x.csv")
    assert len(first.created) == 3
    second = run_import(actor=admin, root=tree["A1"], data=data, filename="x.csv")
    assert second.ok and not second.created and [x.row for x in second.existing] == [2, 3, 4]
    assert OrgUnit.objects.filter(name__in=["Thôn Một", "Thôn Hai", "Tổ"]).count() == 3


def test_existing_fixture_village_without_code_is_recognised(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    report = plan_import(actor=admin, root=tree["A1"], data=csv_bytes("Name,Kind", "bản thẳm,village"), filename="x.csv")
    assert report.ok and report.existing[0].unit_id == tree["A1v"].pk and not report.to_create


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(tree, make_user, fmt):
    admin = make_user("qtv", (tree["A1"], "admin"))
    source = csv_bytes(
        HEADER_VI,
        ",village,Thôn Nà Khoang,A1-NK,thôn,01/07/2025",
        "03440,department,Phòng Văn hóa,A1-VH,phòng,",
        "A1-VH,other,Tổ số 1,A1-VH-1,,15/08/2025",
    )
    assert run_import(actor=admin, root=tree["A1"], data=source, filename="x.csv").ok
    rows = exporters.unit_rows(exporters.export_queryset(admin, tree["A1"]))
    if fmt == "csv":
        data = "".join(exporters.csv_lines(rows)).encode("utf-8")
        assert data.startswith(b"\xef\xbb\xbf")
    else:
        buf = io.BytesIO()
        exporters.write_xlsx(rows, buf)
        data = buf.getvalue()
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert table[1][3] == "03440"  # codes keep their leading zeros
    again = plan_import(actor=admin, root=tree["A1"], data=data, filename=f"export.{fmt}")
    assert again.ok, again.errors
    assert not again.to_create
    assert {x.name for x in again.existing} == {"Xã Bình Lư", "Bản Thẳm", "Thôn Nà Khoang", "Phòng Văn hóa", "Tổ số 1"}


def test_export_rows_are_the_import_columns(tree):
    rows = list(exporters.unit_rows(exporters.export_queryset(None, tree["A1"])))
    assert rows[0][:4] == ["12", "Xã, phường, đặc khu", "Xã Bình Lư", "03440"]
    assert rows[1][:3] == ["03440", "Thôn, bản, tổ dân phố", "Bản Thẳm"]


def test_export_is_scoped_to_the_user(tree, make_user):
    officer = make_user("cb", (tree["A1"], "officer"))
    names = {r[2] for r in exporters.unit_rows(exporters.export_queryset(officer, tree["A"]))}
    assert names == {"Xã Bình Lư", "Bản Thẳm"}  # only the part of the province the officer may see


def test_parse_date():
    assert parse_date("1/7/2025") == dt.date(2025, 7, 1)
    assert parse_date("2025-07-01") == dt.date(2025, 7, 1)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("31/02/2025")


def test_cli_dry_run_import_and_export(tree, tmp_path, capsys):
    src = tmp_path / "units.csv"
    src.write_bytes(csv_bytes("Kind,Name,Code", "village,Thôn CLI,CLI-1"))
    call_command("orgs_import", str(src), "--parent", "03440", "--dry-run")
    assert not OrgUnit.objects.filter(code="CLI-1").exists()
    call_command("orgs_import", str(src), "--parent", "03440")
    assert OrgUnit.objects.get(code="CLI-1").parent_id == tree["A1"].pk
    out = tmp_path / "out.xlsx"
    call_command("orgs_export", "--root", "03440", "--format", "xlsx", "-o", str(out))
    sheet = load_workbook(out, read_only=True).worksheets[0]
    assert "Thôn CLI" in [r[2] for r in sheet.iter_rows(values_only=True)]
    out_csv = tmp_path / "out.csv"
    call_command("orgs_export", "--root", "03440", "-o", str(out_csv))
    assert "Thôn CLI" in out_csv.read_text(encoding="utf-8-sig")


def test_cli_reports_bad_rows_and_fails(tree, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_bytes(csv_bytes("Kind,Name", "village,", "castle,Thôn"))
    with pytest.raises(CommandError):
        call_command("orgs_import", str(src), "--parent", "03440")
    with pytest.raises(CommandError):
        call_command("orgs_import", str(src), "--parent", "NOPE")
