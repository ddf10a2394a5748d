"""The kinds of unit every deployment starts with. They are rows, so a province can add its own."""

from django.db import migrations

KINDS = [
    ("province", "Tỉnh, thành phố", 10, True),
    ("district", "Huyện, quận, thị xã (cũ)", 20, True),
    ("commune", "Xã, phường, đặc khu", 30, True),
    ("village", "Thôn, bản, tổ dân phố", 40, False),
    ("department", "Sở, phòng, ban chuyên môn", 35, False),
    ("front", "Mặt trận Tổ quốc và đoàn thể", 36, False),
    ("party", "Cơ quan Đảng", 37, False),
    ("other", "Đơn vị khác", 90, False),
]


def add_kinds(apps, schema_editor):
    OrgKind = apps.get_model("orgs", "OrgKind")
    for code, name, rank, admin in KINDS:
        OrgKind.objects.get_or_create(code=code, defaults={"name": name, "rank": rank, "is_administrative": admin})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_tree_and_memberships")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
