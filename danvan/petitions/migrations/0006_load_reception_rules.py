"""Heads' minimum reception days per kind of unit (Law 42/2013/QH13 Arts. 12–15), as data.

The 2026 amendment (Law 136/2025/QH15, in force 1 July 2026) may change the commune figure; a
change is a new row with its own ``effective_from``, never an edit of these.
"""

import datetime as dt

from django.db import migrations

LAW_FROM = dt.date(2014, 7, 1)
DISTRICTS_END = dt.date(2025, 6, 30)  # district level abolished from 1 July 2025

RULES = [
    # kind, days, per, from, to, basis
    ("province", 1, "month", LAW_FROM, None, "Luật Tiếp công dân 2013, Điều 12 khoản 5"),
    ("district", 2, "month", LAW_FROM, DISTRICTS_END, "Luật Tiếp công dân 2013, Điều 13 khoản 5"),
    ("commune", 1, "week", LAW_FROM, None, "Luật Tiếp công dân 2013, Điều 15 khoản 2 điểm d"),
    ("department", 1, "month", LAW_FROM, None, "Luật Tiếp công dân 2013, Điều 18 (thủ trưởng cơ quan)"),
]


def load(apps, schema_editor):
    OrgKind = apps.get_model("orgs", "OrgKind")
    ReceptionRule = apps.get_model("petitions", "ReceptionRule")
    kinds = {k.code: k for k in OrgKind.objects.filter(code__in=[r[0] for r in RULES])}
    for code, days, per, start, end, basis in RULES:
        if code in kinds:
            ReceptionRule.objects.get_or_create(
                unit_kind=kinds[code], effective_from=start,
                defaults={"min_days": days, "per": per, "effective_to": end, "legal_basis": basis},
            )


def unload(apps, schema_editor):
    apps.get_model("petitions", "ReceptionRule").objects.filter(effective_from=LAW_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0005_reception_attachments_notices_mediation"), ("orgs", "0002_unit_kinds")]
    operations = [migrations.RunPython(load, unload)]
