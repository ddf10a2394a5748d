"""The fields a petition can be about (Circular 05/2021 classification), as data.

Codes are stable: reports, API clients and imports refer to them, so a later change renames or
deactivates a row (``active``) instead of changing its code. Names are Vietnamese data, not UI text.
"""

from django.db import migrations

FIELDS = [
    ("land", "Đất đai"),
    ("compensation", "Bồi thường, hỗ trợ, tái định cư"),
    ("site-clearance", "Giải phóng mặt bằng"),
    ("social-policy", "Chính sách xã hội, người có công"),
    ("officials-conduct", "Tác phong, đạo đức công vụ của cán bộ, công chức"),
    ("administrative-procedures", "Thủ tục hành chính"),
    ("environment", "Môi trường"),
    ("construction", "Xây dựng, trật tự đô thị"),
    ("justice", "Tư pháp, thi hành án"),
    ("labour", "Lao động, việc làm"),
    ("health", "Y tế"),
    ("education", "Giáo dục"),
    ("ethnic-religious", "Dân tộc, tôn giáo"),
    ("other", "Lĩnh vực khác"),
]


def load(apps, schema_editor):
    PetitionField = apps.get_model("petitions", "PetitionField")
    for order, (code, name) in enumerate(FIELDS, start=1):
        PetitionField.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


def unload(apps, schema_editor):
    PetitionField = apps.get_model("petitions", "PetitionField")
    PetitionField.objects.filter(code__in=[code for code, _ in FIELDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_petitions")]
    operations = [migrations.RunPython(load, unload)]
