"""Expected values for the four seed plans, written by reading them, not by running the parser.

Seed 000 is a PDF extraction that lost letters; where a value cannot be read it is ``None``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from danvan.plans.parsing import parse_plan, parse_plan_detailed

SEEDS = Path(
    os.environ.get("DANVAN_SEEDS_DIR", Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds")
)
KEYS = [
    "doc_type",
    "number",
    "symbol",
    "issuer",
    "place",
    "issued_on",
    "title",
    "year",
    "references",
    "purposes",
    "requirements",
    "targets",
    "sections",
    "assignments",
    "deadlines",
    "recipients",
    "signer",
]


def seed(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed plans not found in {SEEDS}")
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def ref(type_: str, number: str | None, symbol: str, date: str | None, issuer: str | None) -> dict:
    return {"type": type_, "number": number, "symbol": symbol, "date": date, "issuer": issuer}


@pytest.fixture(scope="module")
def p000() -> dict:
    return parse_plan(seed("000"))


@pytest.fixture(scope="module")
def p001() -> dict:
    return parse_plan(seed("001"))


@pytest.fixture(scope="module")
def p002() -> dict:
    return parse_plan(seed("002"))


@pytest.fixture(scope="module")
def p004() -> dict:
    return parse_plan(seed("004"))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_public_shape_has_exactly_the_fixed_keys(prefix):
    assert list(parse_plan(seed(prefix))) == KEYS


# --- seed 000: commune plan 2024, PDF extraction with lost letters -------------------------------


def test_000_header_reads_what_survived(p000):
    assert p000["doc_type"] == "KH"
    assert p000["number"] is None and p000["symbol"] is None  # the "Số:" line did not survive
    assert p000["issuer"] is None  # "UBND          ươ  " cannot be read
    assert p000["place"] is None
    assert p000["issued_on"] == "2023-05"  # "tháng 5  ăm 2023": no day written
    assert p000["title"] == "Thực hiện công tác dân vận chính quyền năm 2024"
    assert p000["year"] == 2024


def test_000_references_repaired_and_lost(p000):
    assert p000["references"] == [
        ref("Kế hoạch", None, "KH-UBND", None, None),
        ref("Công văn", "1037", "CV/HU", "2024-03-01", "Ban Thường vụ Huyện ủy"),
        ref("Kết luận", "43", "KL/TW", "2019-01-07", "Ban Bí thư"),
        ref("Nghị quyết", "25", "NQ/TW", "2013-06-03", "Ban Chấp hành Trung ương Đảng"),
        ref("Kết luận", "114", "KL/TW", "2015-07-14", "Ban Bí thư Trung ương Đảng"),
        ref("Chỉ thị", "33", "CT-TTg", "2021-11-26", "Thủ tướng Chính phủ"),
        ref("Luật", "10/2022", "QH15", "2022-11-10", None),
        ref("Quyết định", "763", "QĐ/TU", None, "Ban Thường vụ Tỉnh ủy"),
        ref("Nghị định", "145/2020", "NĐ-CP", "2020-12-14", "Chính phủ"),
        ref("Chỉ thị", "35", "CT/TW", "2014-05-26", "Bộ Chính trị"),
        ref("Chỉ thị", "14", "CT-TTg", "2012-05-18", "Thủ tướng Chính phủ"),
        ref("Chỉ thị", "21", "CT-UBND", "2012-06-29", "Chủ tịch UBND tỉnh Thanh Hóa"),
        ref("Quyết định", "217", "QĐ/TW", None, "Bộ Chính trị"),
        ref("Quyết định", "218", "QĐ/TW", None, "Bộ Chính trị"),
    ]


def test_000_repairs_are_flagged_with_their_source():
    detailed = parse_plan_detailed(seed("000"))
    assert detailed.garbled
    by_number = {f.value["number"]: f for f in detailed.references}
    decree = by_number["145/2020"]
    assert decree.repaired and "number repaired" in decree.notes
    assert decree.source is not None and "Đ-CP ngày 14/12/2020" in decree.source.text
    source_763 = by_number["763"].source
    assert by_number["763"].repaired and source_763 is not None and "QĐ TU" in source_763.text
    assert not by_number["35"].repaired
    assert "issue date is earlier than a document it cites" in detailed.warnings


def test_000_sections(p000):
    assert [(s["number"], s["title"]) for s in p000["sections"]] == [
        (
            "1",
            "Quán triệt, học tập các Chỉ thị, Nghị quyết của Đảng, chính sách pháp luật của nhà nước về "
            'công tác dân vận, "Dân vận chính quyền"',
        ),
        ("2", "Tiếp tục đẩy mạnh thực hiện cải cách hành chính, xây dựng chính quyền năng động, hiệu quả"),
        ("3", "Tiếp tục thực hiện tốt quy chế dân chủ ở cơ sở"),
        ("4", "Thực hiện tốt công tác tiếp dân và giải quyết khiếu nại, tố cáo"),
        (
            "5",
            "Công tác phối hợp giữa Chính quyền với Mặt trận Tổ quốc Việt Nam và các đoàn thể chính trị - "
            "xã hội trong thực hiện công tác dân vận chính quyền",
        ),
    ]
    assert [len(s["tasks"]) for s in p000["sections"]] == [1, 6, 1, 2, 4]
    assert p000["sections"][0]["tasks"][0].startswith("Tiếp tục đẩy mạnh việc tổ chức học tập, quán triệt")


def test_000_purposes_requirements_targets(p000):
    assert len(p000["purposes"]) == 2 and len(p000["requirements"]) == 4
    assert p000["purposes"][1].startswith("Nâng cao nhận thức về công tác vận động quần chúng")
    assert p000["requirements"][0].startswith("Thực hiện tốt công tác tiếp công dân, kịp thời giải quyết")
    assert p000["targets"] == []


def test_000_assignments_deadlines_foot(p000):
    assert [(a["unit"], a["role"]) for a in p000["assignments"]] == [
        ("Công chức Văn phòng Thống", "other"),  # "Thống kê": the last word is lost
        ("Công chức Tư pháp – Hộ tịch", "lead"),
        ("Công chức Văn hóa – hội, Cán bộ Văn hóa Thông tin truyền thông", "co-operating"),
        ("Khối Dân vận Đảng ủy", "co-operating"),
        ("Các công chức chuyên môn hối UBND", "other"),
    ]
    assert "Thực hiện tốt quy định về tiếp công dân" in p000["assignments"][1]["duties"]
    assert p000["deadlines"] == [
        {"text": "Định kỳ (trước ngày 30/5)", "due": "2024-05-30"},
        {"text": "một năm (trước ngày 15/11)", "due": "2024-11-15"},
    ]
    assert p000["recipients"] == ["TT Đảng ủy, TT.HĐ , TT.MTTQ xã", "BPT 06 thôn"]
    assert p000["signer"] == {"name": None, "position": "CHỦ TỊCH", "authority": "TM."}


# --- seed 001: district plan 2023, clean PDF extraction with broken lines ---------------------


def test_001_header(p001):
    assert (p001["doc_type"], p001["number"], p001["symbol"], p001["place"], p001["issued_on"]) == (
        "KH",
        None,
        None,
        None,
        None,
    )
    assert p001["issuer"] == "UBND huyện Tam Đường"
    assert (
        p001["title"]
        == "Triển khai thực hiện công tác dân vận chính quyền trên địa bàn huyện Tam Đường năm 2023"
    )
    assert p001["year"] == 2023


def test_001_references_each_once(p001):
    assert p001["references"] == [
        ref("Kết luận", "114", "KL/TW", "2015-07-14", "Ban Bí thư Trung ương Đảng"),
        ref("Chỉ thị", "33", "CT-TTg", "2021-11-26", "Thủ tướng Chính phủ"),
        ref("Kế hoạch", "4812", "KH-UBND", "2022-12-26", "Ủy ban nhân dân tỉnh Lai Châu"),
        ref("Kết luận", "69", "KL/TU", "2021-04-09", "Ban Thường vụ Tỉnh ủy"),
        ref("Đề án", "07", "ĐA/TU", "2022-06-30", "Ban Thường vụ Tỉnh ủy"),
        ref("Quy chế", "06", "QC/TU", "2019-04-04", "Tỉnh ủy"),
        ref("Kết luận", "01", "KL/TW", "2021-05-18", "Bộ Chính trị"),
        ref("Chỉ thị", "05", "CT/TW", "2016-05-15", "Bộ Chính trị"),
    ]


def test_001_five_targets(p001):
    assert [(t["value"], t["unit"]) for t in p001["targets"]] == [
        (100, "%"),
        (100, "%"),
        (100, "%"),
        (95, "%"),
        (100, "%"),
    ]
    assert p001["targets"][0]["text"] == (
        "100% cơ quan, đơn vị từ cấp huyện đến cấp xã quán triệt các văn bản của Trung ương, của tỉnh về công "
        "tác dân vận; triển khai Luật Thực hiện dân chủ ở cơ sở và các văn bản có liên quan."
    )
    assert p001["targets"][3]["text"].startswith("95% các cơ quan, đơn vị, UBND các xã, thị trấn triển khai")


def test_001_purposes_and_requirements(p001):
    assert len(p001["purposes"]) == 2
    assert p001["purposes"][0].startswith("Nhằm triển khai thực hiện có hiệu quả công tác dân vận")
    assert p001["requirements"] == [
        "Việc triển khai thực hiện công tác dân vận chính quyền trên địa bàn huyện phải bám sát sự chỉ đạo "
        "của Trung ương, của tỉnh về công tác dân vận. Xác định công tác dân vận là nhiệm vụ quan trọng, "
        "thường xuyên và phải gắn với triển khai các nhiệm vụ chính trị của cơ quan, đơn vị, địa phương, tạo "
        "sự đồng thuận, phát huy sức mạnh của Nhân dân trong thực hiện các mục tiêu, nhiệm vụ phát triển kinh "
        "tế - xã hội, quốc phòng, an ninh xây dựng hệ thống chính trị của huyện."
    ]


def test_001_sections(p001):
    assert [s["title"] for s in p001["sections"]] == [
        "Tiếp tục quán triệt và triển khai thực hiện có hiệu quả các văn bản chỉ đạo của Trung ương, của tỉnh "
        "về công tác dân vận",
        "Tập trung nâng cao hiệu lực, hiệu quả quản lý nhà nước; tăng cường kỷ luật, kỷ cương; đẩy mạnh cải "
        "cách hành chính",
        "Xây dựng và thực hiện quy chế dân chủ ở cơ sở",
        "Thực hiện có hiệu quả công tác tiếp xúc, đối thoại, tiếp dân, giải quyết đơn, thư, khiếu nại, tố cáo, "
        "những vấn đề liên quan đến quyền lợi của Nhân dân",
        "Triển khai có hiệu quả phong trào thi đua “Dân vận khéo”",
        "Công tác phối hợp với Ủy ban Mặt trận Tổ quốc, các tổ chức chính trị - xã hội trong công tác dân vận",
        "Tăng cường công tác kiểm tra, thanh tra công vụ; kiểm tra, giám sát việc triển khai, thực hiện công "
        "tác dân vận của các cơ quan nhà nước",
    ]
    assert [s["number"] for s in p001["sections"]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert p001["sections"][6]["tasks"][0].startswith("Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ")


def test_001_assignments_deadlines_foot(p001):
    assert [(a["unit"], a["role"]) for a in p001["assignments"]] == [
        ("Thủ trưởng các cơ quan, đơn vị, UBND các xã, thị trấn", "other"),
        ("Phòng Nội vụ", "lead"),
        ("các cơ quan, đơn vị, UBND các xã, thị trấn", "co-operating"),
        ("Thanh tra huyện", "lead"),
        (
            "Phòng Văn hóa - Thông tin, Trung tâm Văn hóa, Thể thao và Truyển thông; Trang Thông tin điện tử huyện",
            "co-operating",
        ),
    ]
    assert p001["assignments"][1]["duties"].startswith("chủ trì, phối hợp với các cơ quan")
    assert p001["deadlines"] == [
        {"text": "báo cáo định kỳ 06 tháng (trước ngày 05/6/2023)", "due": "2023-06-05"},
        {"text": "01 năm (trước ngày 15/11/2023)", "due": "2023-11-15"},
    ]
    assert p001["recipients"] == [
        "Sở Nội vụ",
        "TT. Huyện ủy, TT HĐND huyện",
        "Chủ tịch, các Phó Chủ tịch UBND huyện",
        "Ban Dân vận Huyện ủy",
        "Các cơ quan, đơn vị trực thuộc UBND huyện",
        "UBND các xã, thị trấn",
    ]
    assert p001["signer"] == {"name": "Sùng Lử Páo", "position": "CHỦ TỊCH", "authority": "TM."}


# --- seed 002: town plan 2024, blank number and date -----------------------------------------


def test_002_header_with_blanks(p002):
    assert p002["doc_type"] == "KH"
    assert p002["number"] is None  # "Số: /KH-UBND"
    assert p002["symbol"] == "KH-UBND"
    assert p002["place"] == "Phú Phong"
    assert p002["issued_on"] == "2024"  # "ngày tháng năm 2024"
    assert p002["issuer"] == "Ủy ban nhân dân thị trấn"
    assert p002["title"] == "Triển khai thực hiện công tác dân vận chính quyền năm 2024"
    assert p002["year"] == 2024


def test_002_references(p002):
    assert p002["references"] == [
        ref("Chỉ thị", "18/2000", "CT-TTg", "2000-09-21", "Thủ tướng Chính phủ"),
        ref("Nghị quyết", "25", "NQ/TW", "2013-06-23", "BCHTW Đảng"),
        ref("Chỉ thị", "16", "CT-TTg", "2016-05-16", "Thủ tướng Chính phủ"),
    ]


def test_002_body(p002):
    assert len(p002["purposes"]) == 3 and p002["requirements"] == []
    assert p002["purposes"][1].startswith("Đổi mới nội dung, phương thức hoạt động")
    assert len(p002["sections"]) == 6
    assert p002["sections"][5]["title"] == (
        "Phối hợp với Ban Dân vận Đảng ủy thị trấn thực hiện tốt các nội dung chương trình công tác phối hợp"
    )
    assert p002["sections"][0]["title"].startswith("Tiếp tục thực hiện Chỉ thị số 18/2000/CT-TTg")
    assert p002["sections"][0]["tasks"] == [
        "Toàn thể cán bộ, công chức bám sát nhiệm vụ đã được giao, quản lý, vận động cán bộ, hội đoàn viên và "
        "các tầng lớp nhân dân tích cực tham gia các phong trào thi đua, yêu nước, góp phần thực hiện thắng lợi "
        "các mục tiêu phát triển kinh tế - xã hội, giữ vững an ninh quốc phòng trên địa bàn thị trấn."
    ]
    assert "*" not in str(p002["sections"])  # markdown emphasis removed
    assert p002["targets"] == [] and p002["deadlines"] == []


def test_002_assignments_and_foot(p002):
    assert [(a["unit"], a["role"]) for a in p002["assignments"]] == [
        ("Bộ phận Văn phòng - Thống kê thị trấn", "other"),
        ("Bộ phận Văn hóa - Xã hội", "co-operating"),
        ("Các bộ phận, cá nhân khác", "other"),
    ]
    assert p002["recipients"] == [
        "UBND huyện (b/c)",
        "TT Đảng ủy thị trấn",
        "TT HĐND thị trấn",
        "CT, PCT.UBND thị trấn",
        "Ban Dân vận Đảng ủy thị trấn",
        "UBMTTQVN thị trấn",
        "Các bộ phận chuyên môn UBND thị trấn",
        "Các khối phố",
    ]
    assert p002["signer"] == {"name": "Nguyễn Trung Hậu", "position": "PHÓ CHỦ TỊCH", "authority": "KT."}


# --- seed 004: provincial plan 2021, markdown conversion ----------------------------------------


def test_004_header(p004):
    assert p004["title"] == "Thực hiện công tác dân vận chính quyền năm 2021"
    assert (p004["doc_type"], p004["year"], p004["issuer"]) == ("KH", 2021, "Ủy ban nhân dân tỉnh")
    assert (p004["number"], p004["symbol"], p004["place"], p004["issued_on"]) == (None, None, None, None)


def test_004_references(p004):
    assert p004["references"] == [
        ref("Chỉ thị", "04", "CT-UBND", "2017-03-02", "Ủy ban nhân dân tỉnh"),
        ref("Chỉ thị", "05", "CT/TW", "2016-05-15", "Bộ Chính trị"),
        ref("Quyết định", "217", "QĐ/TW", "2013-12-12", "Bộ Chính trị"),
        ref("Quyết định", "124", "QĐ/TW", "2018-02-02", "Ban Bí thư"),
        ref("Chỉ thị", "22", "CT/TU", "2016-11-22", "Ban Thường vụ Tỉnh ủy"),
        ref("Quyết định", "890", "QĐ/TU", "2018-07-10", "Ban Thường vụ Tỉnh ủy"),
        ref("Công văn", "28", "UBND-NC", "2021-01-11", "Ủy ban nhân dân tỉnh"),
        ref("Kết luận", "22", "KL/TU", "2020-12-21", "Ban Thường vụ Tỉnh ủy"),
        ref("Kế hoạch", "128", "KH-UBND", "2019-07-15", "Ủy ban nhân dân tỉnh"),
    ]


def test_004_body(p004):
    assert len(p004["purposes"]) == 2
    assert p004["requirements"] == [
        "Việc thực hiện công tác dân vận chính quyền năm 2021 phải đảm bảo thiết thực hiệu quả, tránh phô trương, "
        "hình thức."
    ]
    assert [s["title"] for s in p004["sections"]][2:4] == [
        "Tiếp tục đẩy mạnh thực hiện cải cách hành chính",
        "Nâng cao kỹ luật, kỷ cương hành chính, đạo đức công vụ, tinh thần trách nhiệm, ý thức phục vụ nhân dân "
        "của đội ngũ cán bộ, công chức, viên chức",
    ]
    assert [len(s["tasks"]) for s in p004["sections"]] == [4, 3, 4, 5, 2, 3, 4, 4]
    assert p004["sections"][7]["title"] == "Triển khai thực hiện phong trào thi đua “Dân vận khéo”"


def test_004_assignments_deadlines_foot(p004):
    assert [(a["unit"], a["role"]) for a in p004["assignments"]] == [
        ("các Sở, ban, ngành, Ủy ban nhân dân các huyện, thành phố", "other"),
        ("Sở Nội vụ", "lead"),
        ("các cơ quan liên quan", "co-operating"),
    ]
    assert p004["deadlines"] == [
        {"text": "trước ngày 20/5/2021 đối với báo cáo 6 tháng", "due": "2021-05-20"},
        {"text": "trước ngày 05/11/2021 đối với báo cáo năm", "due": "2021-11-05"},
    ]
    assert p004["recipients"] == [
        "Thường trực Tỉnh ủy",
        "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
        "Ban Dân vận Tỉnh ủy",
        "Ủy ban MTTQVN, các tổ chức CT-XH tỉnh",
        "Các Sở, ban, ngành",
        "UBND các huyện, thành phố",
        "Chánh VP, các Phó CVP/UBND tỉnh",
    ]
    assert p004["signer"] == {"name": "Đình Công Sứ", "position": "PHÓ CHỦ TỊCH", "authority": "KT."}


def test_every_value_has_a_source():
    detailed = parse_plan_detailed(seed("001"))
    for name in ("references", "sections", "targets", "assignments", "deadlines", "recipients"):
        for item in getattr(detailed, name):
            assert item.source is not None and item.source.line_start <= item.source.line_end
    target = detailed.targets[3]
    assert target.source is not None and "95%" in target.source.text
    original = seed("001")
    assert original[target.source.char_start : target.source.char_end].strip().startswith("- 95%")
