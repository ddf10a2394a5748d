"""The documents that mass-mobilization plans of the government cite again and again.

Loaded by ``danvan legal load-core`` (and the demo data), so that a new installation recognises
them on the first import. Only facts that are certain are given: a date or a summary that is
not known for sure is left empty, and the registry fills it when a plan cites it with one.
"""

from __future__ import annotations

from typing import Any

CC = "Ban Chấp hành Trung ương Đảng"
BBT = "Ban Bí thư"
BCT = "Bộ Chính trị"
TTG = "Thủ tướng Chính phủ"
CP = "Chính phủ"
QH = "Quốc hội"
UBTVQH = "Ủy ban Thường vụ Quốc hội"
TTCP = "Thanh tra Chính phủ"


def _doc(doc_type: str, ref: str, issued_on: str | None, issuer: str, title: str = "") -> dict[str, Any]:
    from .references import split_reference

    number, symbol = split_reference(ref)
    return {
        "doc_type": doc_type, "number": number, "symbol": symbol, "issued_on": issued_on,
        "issuer": issuer, "title": title,
    }


CORE_DOCUMENTS: tuple[dict[str, Any], ...] = (
    # Party
    _doc("Nghị quyết", "25-NQ/TW", "2013-06-03", CC,
         "Về tăng cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình hình mới"),
    _doc("Kết luận", "114-KL/TW", "2015-07-14", BBT,
         "Về nâng cao chất lượng, hiệu quả công tác dân vận của cơ quan nhà nước, chính quyền các cấp"),
    _doc("Kết luận", "43-KL/TW", "2019-01-07", BBT,
         "Về tiếp tục thực hiện Nghị quyết Trung ương 7 khóa XI về tăng cường và đổi mới sự lãnh đạo "
         "của Đảng đối với công tác dân vận trong tình hình mới"),
    _doc("Quyết định", "23-QĐ/TW", "2021-07-30", CC, "Ban hành Quy chế công tác dân vận của hệ thống chính trị"),
    _doc("Quyết định", "217-QĐ/TW", "2013-12-12", BCT,
         "Ban hành Quy chế giám sát và phản biện xã hội của Mặt trận Tổ quốc Việt Nam và các đoàn thể "
         "chính trị - xã hội"),
    _doc("Quyết định", "218-QĐ/TW", "2013-12-12", BCT,
         "Ban hành Quy định về việc Mặt trận Tổ quốc Việt Nam, các đoàn thể chính trị - xã hội và nhân dân "
         "tham gia góp ý xây dựng Đảng, xây dựng chính quyền"),
    _doc("Chỉ thị", "35-CT/TW", "2014-05-26", BCT,
         "Về tăng cường sự lãnh đạo của Đảng đối với công tác tiếp công dân và giải quyết khiếu nại, tố cáo"),
    _doc("Chỉ thị", "05-CT/TW", "2016-05-15", BCT,
         "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    _doc("Kết luận", "01-KL/TW", "2021-05-18", BCT,
         "Về tiếp tục thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị về đẩy mạnh học tập và làm theo "
         "tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    # Prime Minister
    _doc("Chỉ thị", "18/2000/CT-TTg", "2000-09-21", TTG, "Về tăng cường công tác dân vận"),
    _doc("Chỉ thị", "16/CT-TTg", "2016-05-16", TTG,
         "Về tăng cường và đổi mới công tác dân vận trong cơ quan hành chính nhà nước, chính quyền các cấp "
         "trong tình hình mới"),
    _doc("Chỉ thị", "33/CT-TTg", "2021-11-26", TTG,
         "Về tiếp tục tăng cường và đổi mới công tác dân vận của cơ quan hành chính nhà nước, chính quyền "
         "các cấp trong tình hình mới"),
    _doc("Chỉ thị", "14/CT-TTg", "2012-05-18", TTG),
    # Laws and ordinances
    _doc("Pháp lệnh", "34/2007/PL-UBTVQH11", "2007-04-20", UBTVQH, "Thực hiện dân chủ ở xã, phường, thị trấn"),
    _doc("Luật", "10/2022/QH15", "2022-11-10", QH, "Thực hiện dân chủ ở cơ sở"),
    _doc("Luật", "42/2013/QH13", "2013-11-25", QH, "Tiếp công dân"),
    _doc("Luật", "02/2011/QH13", "2011-11-11", QH, "Khiếu nại"),
    _doc("Luật", "25/2018/QH14", "2018-06-12", QH, "Tố cáo"),
    _doc("Luật", "136/2025/QH15", None, QH),
    _doc("Luật", "84/2025/QH15", None, QH, "Thanh tra"),
    _doc("Luật", "91/2025/QH15", None, QH, "Bảo vệ dữ liệu cá nhân"),
    # Government
    _doc("Nghị định", "30/2020/NĐ-CP", "2020-03-05", CP, "Về công tác văn thư"),
    _doc("Nghị định", "09/2019/NĐ-CP", "2019-01-24", CP, "Quy định về chế độ báo cáo của cơ quan hành chính nhà nước"),
    _doc("Nghị định", "59/2023/NĐ-CP", "2023-08-14", CP,
         "Quy định chi tiết một số điều của Luật Thực hiện dân chủ ở cơ sở"),
    _doc("Nghị định", "124/2020/NĐ-CP", "2020-10-19", CP,
         "Quy định chi tiết một số điều và biện pháp thi hành Luật Khiếu nại"),
    _doc("Nghị định", "31/2019/NĐ-CP", "2019-04-10", CP,
         "Quy định chi tiết một số điều và biện pháp tổ chức thi hành Luật Tố cáo"),
    _doc("Nghị định", "61/2018/NĐ-CP", "2018-04-23", CP,
         "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"),
    _doc("Nghị định", "145/2020/NĐ-CP", "2020-12-14", CP,
         "Quy định chi tiết và hướng dẫn thi hành một số điều của Bộ luật Lao động về điều kiện lao động "
         "và quan hệ lao động"),
    _doc("Nghị định", "13/2023/NĐ-CP", "2023-04-17", CP, "Về bảo vệ dữ liệu cá nhân"),
    _doc("Nghị định", "154/2026/NĐ-CP", None, CP),
    _doc("Nghị định", "155/2026/NĐ-CP", None, CP),
    _doc("Nghị định", "156/2026/NĐ-CP", None, CP),
    _doc("Nghị định", "356/2025/NĐ-CP", None, CP),
    _doc("Nghị quyết", "76/NQ-CP", "2021-07-15", CP,
         "Ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"),
    # Government Inspectorate
    _doc("Thông tư", "04/2021/TT-TTCP", "2021-10-01", TTCP, "Quy định quy trình tiếp công dân"),
    _doc("Thông tư", "05/2021/TT-TTCP", "2021-10-01", TTCP,
         "Quy định quy trình xử lý đơn khiếu nại, đơn tố cáo, đơn kiến nghị, phản ánh"),
    _doc("Thông tư", "07/2013/TT-TTCP", None, TTCP, "Quy định quy trình giải quyết khiếu nại hành chính"),
    _doc("Thông tư", "07/2014/TT-TTCP", None, TTCP,
         "Quy định quy trình xử lý đơn khiếu nại, đơn tố cáo, đơn kiến nghị, phản ánh"),
)
