"""The fields of "Dân vận khéo" practices and a default set of evaluation criteria (DOMAIN §10).

Data in Vietnamese, as the plans word them. The criteria follow the typical ones the provinces use
(named and located; one field; led by the Party committee and the government; mobilises many forces;
practical, measurable results; supported by the people; solves a pressing issue; sustainable and
replicable), 100 points in all with 70 to be recognised; a province sets its own set beside it.
"""

from decimal import Decimal

from django.db import migrations

FIELDS = [
    ("economy", "Kinh tế"),
    ("culture_society", "Văn hóa - xã hội"),
    ("defence_security", "Quốc phòng - an ninh"),
    ("political_system", "Xây dựng hệ thống chính trị"),
    ("new_rural", "Xây dựng nông thôn mới, đô thị văn minh"),
]

CRITERIA = [
    ("Mô hình có tên gọi, địa bàn, thời gian thực hiện cụ thể; thuộc một lĩnh vực", 10),
    ("Có sự lãnh đạo của cấp ủy, sự quản lý, điều hành của chính quyền", 10),
    ("Huy động được sự tham gia của cả hệ thống chính trị và Nhân dân", 15),
    ("Giải quyết được vấn đề bức xúc, cấp bách ở cơ sở", 15),
    ("Hiệu quả thiết thực, đo đếm được về kinh tế, xã hội", 20),
    ("Được Nhân dân đồng tình, ủng hộ và hưởng lợi", 15),
    ("Bền vững, có khả năng nhân rộng", 15),
]


def load(apps, schema_editor):
    Field = apps.get_model("practices", "PracticeField")
    for order, (code, name) in enumerate(FIELDS, start=1):
        Field.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    CriteriaSet = apps.get_model("practices", "CriteriaSet")
    Criterion = apps.get_model("practices", "Criterion")
    name = "Bộ tiêu chí đánh giá mô hình \"Dân vận khéo\" (mặc định)"
    if not CriteriaSet.objects.filter(name=name, owner__isnull=True).exists():
        criteria_set = CriteriaSet.objects.create(name=name, pass_score=Decimal(70))
        for order, (text, score) in enumerate(CRITERIA, start=1):
            Criterion.objects.create(criteria_set=criteria_set, name=text, max_score=Decimal(score), order=order)


def unload(apps, schema_editor):
    apps.get_model("practices", "Criterion").objects.filter(criteria_set__owner__isnull=True).delete()
    apps.get_model("practices", "CriteriaSet").objects.filter(owner__isnull=True).delete()
    apps.get_model("practices", "PracticeField").objects.filter(code__in=[c for c, _ in FIELDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_good_practices_and_programmes")]
    operations = [migrations.RunPython(load, unload)]
