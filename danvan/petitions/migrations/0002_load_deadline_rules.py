"""The legal periods of DOMAIN.md §2–5, each with the date from which it applies.

Rows are facts of law with their source; items DOMAIN.md marks *unverified* or *inference* say so
in ``note`` so that an administrator checks them against the published text. A later change of
law is a new migration adding a row with its own ``effective_from`` and closing the old row's
``effective_to``, never an edit of these rows.
"""

import datetime as dt

from django.db import migrations

D = dt.date
NEW_LAW = D(2026, 7, 1)  # Law 136/2025/QH15, Decrees 154, 155 and 156/2026 take effect

RULES = [
    # Complaints: acceptance (thụ lý).
    dict(key="acceptance", kind="complaint", counting="working_days", days=10,
         effective_from=D(2013, 12, 15), effective_to=NEW_LAW - dt.timedelta(days=1),
         legal_basis="Thông tư 07/2013/TT-TTCP, Điều 5",
         note="Khiếu nại nhận trước ngày 01/07/2026. Ngày hiệu lực của thông tư: chưa kiểm chứng (unverified)."),
    dict(key="acceptance", kind="complaint", counting="working_days", days=7,
         effective_from=NEW_LAW, legal_basis="Nghị định 155/2026/NĐ-CP, Điều 10",
         note="Khiếu nại nhận từ ngày 01/07/2026."),
    # Complaints: resolution, counted from acceptance.
    dict(key="resolution", kind="complaint", round=1, counting="calendar_days",
         days=30, complex_days=45, remote_days=45, remote_complex_days=60,
         effective_from=D(2012, 7, 1), legal_basis="Luật Khiếu nại 02/2011/QH13, Điều 28",
         note="Tính theo ngày lịch là suy luận (DOMAIN.md §3): chưa kiểm chứng (unverified)."),
    dict(key="resolution", kind="complaint", round=2, counting="calendar_days",
         days=45, complex_days=60, remote_days=60, remote_complex_days=70,
         effective_from=D(2012, 7, 1), legal_basis="Luật Khiếu nại 02/2011/QH13, Điều 37",
         note="Tính theo ngày lịch là suy luận (DOMAIN.md §3): chưa kiểm chứng (unverified)."),
    dict(key="filing_limit", kind="complaint", counting="calendar_days", days=90,
         effective_from=D(2012, 7, 1), legal_basis="Luật Khiếu nại 02/2011/QH13, Điều 9",
         note="Kể từ ngày nhận được hoặc biết được quyết định, hành vi; thời gian ốm đau, thiên tai, "
              "đi công tác và trở ngại khách quan khác không tính vào thời hiệu."),
    # Denunciations.
    dict(key="acceptance", kind="denunciation", counting="working_days", days=7, complex_days=10,
         effective_from=D(2019, 1, 1), legal_basis="Luật Tố cáo 25/2018/QH14, Điều 24.1",
         note="10 ngày làm việc khi cần xác minh ở nhiều địa điểm (đánh dấu phức tạp)."),
    dict(key="forward", kind="denunciation", counting="working_days", days=5,
         effective_from=D(2019, 1, 1), legal_basis="Luật Tố cáo 25/2018/QH14, Điều 24.2",
         note="Không thuộc thẩm quyền: chuyển một lần và thông báo cho người tố cáo."),
    dict(key="notification", kind="denunciation", counting="working_days", days=5,
         effective_from=D(2019, 1, 1), legal_basis="Luật Tố cáo 25/2018/QH14, Điều 29.3",
         note="Thông báo quyết định thụ lý cho người tố cáo và người bị tố cáo."),
    dict(key="resolution", kind="denunciation", counting="calendar_days", days=30,
         extension_days=30, max_extensions=2,
         effective_from=D(2019, 1, 1), legal_basis="Luật Tố cáo 25/2018/QH14, Điều 30",
         note="Phức tạp: gia hạn một lần; đặc biệt phức tạp: hai lần; mỗi lần bằng quyết định."),
    # Recommendations and feedback: the reply to a citizen received at reception.
    *[
        dict(key="feedback", kind=kind, counting="working_days", days=10,
             effective_from=D(2014, 7, 1), legal_basis="Luật Tiếp công dân 42/2013/QH13, Điều 28.1",
             note="Trả lời công dân việc thụ lý, kéo dài, từ chối hoặc chuyển đơn.")
        for kind in ("recommendation", "feedback")
    ],
]


def load(apps, schema_editor):
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for rule in RULES:
        DeadlineRule.objects.get_or_create(
            key=rule["key"], kind=rule["kind"], round=rule.get("round"), effective_from=rule["effective_from"],
            defaults={k: v for k, v in rule.items() if k not in {"key", "kind", "round", "effective_from"}},
        )


def unload(apps, schema_editor):
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for rule in RULES:
        DeadlineRule.objects.filter(
            key=rule["key"], kind=rule["kind"], round=rule.get("round"), effective_from=rule["effective_from"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_deadline_rules")]
    operations = [migrations.RunPython(load, unload)]
