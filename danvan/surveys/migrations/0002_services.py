"""The public services the seeds name for satisfaction surveys, as data (an administrator may add more)."""

from django.db import migrations

SERVICES = [
    ("chung-thuc", "Chứng thực"),
    ("xac-nhan", "Xác nhận"),
    ("dat-dai", "Cấp giấy chứng nhận quyền sử dụng đất"),
    ("ho-tich", "Hộ tịch"),
    ("cu-tru", "Cư trú"),
    ("bao-tro-xa-hoi", "Bảo trợ xã hội"),
    ("xay-dung", "Cấp phép xây dựng"),
    ("khac", "Thủ tục khác"),
]


def add(apps, schema_editor):
    Service = apps.get_model("surveys", "Service")
    for order, (code, name) in enumerate(SERVICES, start=1):
        Service.objects.update_or_create(code=code, defaults={"name": name, "order": order * 10})


def remove(apps, schema_editor):
    apps.get_model("surveys", "Service").objects.filter(code__in=[c for c, _ in SERVICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_surveys")]
    operations = [migrations.RunPython(add, remove)]
