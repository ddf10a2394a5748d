"""The kinds of information a commune must disclose (Law 10/2022/QH15 Art. 11), with their periods.

Names are data in Vietnamese (as the law words them, shortened); periods follow Arts. 11–12 and
Decree 59/2023: 30 consecutive days of posting unless the category is posted permanently, 3
consecutive days of loudspeaker broadcasting for the items residents must hear. An administrator
may correct any of them (a sector law may set another period); the code never changes.
"""

from django.db import migrations

CATEGORIES = [
    # code, article point, name, min posting days, permanent, loudspeaker days
    ("socio_economic", "Đ11.1", "Kế hoạch phát triển kinh tế - xã hội hằng năm; phương án chuyển dịch cơ cấu "
     "kinh tế của cấp xã", 30, False, 0),
    ("budget", "Đ11.2", "Dự toán, quyết toán ngân sách xã; tình hình thực hiện ngân sách hằng quý, 6 tháng, năm; "
     "kết luận kiểm toán, thanh tra về ngân sách", 30, False, 0),
    ("projects_land", "Đ11.3", "Dự án, công trình đầu tư; chủ trương, kế hoạch thu hồi đất, bồi thường, hỗ trợ, "
     "tái định cư; quy hoạch, kế hoạch sử dụng đất; quy hoạch xây dựng", 30, False, 3),
    ("democracy_regulation", "Đ11.4", "Quy chế thực hiện dân chủ ở cơ sở của cấp xã", 30, True, 0),
    ("officials_duties", "Đ11.5", "Nhiệm vụ, quyền hạn, quy tắc ứng xử của cán bộ, công chức cấp xã trực tiếp "
     "giải quyết công việc của Nhân dân", 30, True, 0),
    ("contributions", "Đ11.6", "Việc huy động, quản lý, sử dụng các khoản đóng góp, tài trợ của Nhân dân và các "
     "quỹ ở cấp xã", 30, False, 3),
    ("public_assets", "Đ11.7", "Quản lý, sử dụng tài sản công và các nguồn lực công ở cấp xã", 30, False, 0),
    ("social_support", "Đ11.8", "Chính sách an sinh xã hội; đối tượng, mức hưởng, danh sách người được thụ hưởng "
     "các chương trình, chính sách hỗ trợ", 30, False, 3),
    ("military_service", "Đ11.9", "Danh sách công dân gọi nhập ngũ, thực hiện nghĩa vụ tham gia Công an nhân dân",
     30, False, 3),
    ("inspection_anticorruption", "Đ11.10", "Kết quả thanh tra, kiểm tra, giải quyết khiếu nại, tố cáo; vụ việc "
     "tiêu cực, tham nhũng của cán bộ, công chức cấp xã", 30, False, 0),
    ("consultation_results", "Đ11.11", "Kế hoạch và kết quả lấy ý kiến Nhân dân về các nội dung Nhân dân tham gia "
     "ý kiến", 30, False, 0),
    ("fees", "Đ11.12", "Các khoản phí, lệ phí và nghĩa vụ tài chính khác của Nhân dân", 30, True, 0),
    ("procedures", "Đ11.13", "Thủ tục hành chính, việc giải quyết thủ tục hành chính thuộc thẩm quyền cấp xã",
     30, True, 0),
    ("other", "Đ11.14", "Các nội dung khác theo quy định của pháp luật, theo yêu cầu của cơ quan có thẩm quyền "
     "hoặc chính quyền cấp xã thấy cần thiết", 30, False, 0),
]


def load(apps, schema_editor):
    Category = apps.get_model("disclosures", "DisclosureCategory")
    for order, (code, point, name, days, permanent, loud) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(code=code, defaults={
            "article_point": point, "name": name, "min_posting_days": days, "permanent": permanent,
            "loudspeaker_days": loud, "order": order,
        })


def unload(apps, schema_editor):
    apps.get_model("disclosures", "DisclosureCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_grassroots_democracy")]
    operations = [migrations.RunPython(load, unload)]
