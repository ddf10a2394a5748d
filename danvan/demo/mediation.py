"""Demonstration mediation: the Bản Thẳm team of Xã Bình Lư (Lai Châu) settles a boundary dispute.

Two cases, through ``danvan.petitions.mediation`` like an officer's work: one closed successfully
after two sessions, one still open after a first session. Idempotent: when the first case's
subject exists in the commune's subtree, nothing is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.petitions import mediation
from danvan.petitions.models import MediationCase

from . import data

SUBJECT_DONE = "Tranh chấp ranh giới đất vườn giữa hai hộ ở bản"
SUBJECT_OPEN = "Tranh chấp lối đi chung vào nương"
TEAM = [{"name": "Lò Văn Thanh", "role": "Tổ trưởng tổ hòa giải"},
        {"name": "Tao Thị Mai", "role": "Chi hội trưởng Chi hội Phụ nữ"},
        {"name": "Giàng A Sử", "role": "Người có uy tín"}]


def _team_unit() -> OrgUnit | None:
    commune = OrgUnit.objects.current().filter(code=data.COMMUNES["binhlu"]).first()
    if commune is None:
        return None
    village = OrgUnit.objects.current().filter(parent=commune).order_by("path").first()
    return village or commune


def load_demo_mediation(*, actor: Any = None) -> int:
    """Create the demo cases; the number created (0 when they exist or Bình Lư is missing)."""
    unit = _team_unit()
    if unit is None or MediationCase.objects.filter(org_unit=unit, subject=SUBJECT_DONE).exists():
        return 0
    today = timezone.localdate()
    start = today - dt.timedelta(days=40)
    done = mediation.open_mediation(
        actor=actor, org_unit=unit, subject=SUBJECT_DONE, opened_on=start, mediators=TEAM,
        parties="Hộ ông Lò Văn Pấng và hộ ông Lò Văn Ín, cùng bản",
    )
    mediation.record_session(actor=actor, case=done, held_on=start + dt.timedelta(days=3), place="Nhà văn hóa bản",
                             summary="Hai bên trình bày; tổ hòa giải đối chiếu sơ đồ địa chính.",
                             result="Hẹn đo đạc lại mốc", expected_version=done.lock_version)
    mediation.record_session(actor=actor, case=done, held_on=start + dt.timedelta(days=10), place="Tại thực địa",
                             summary="Đo lại mốc với cán bộ địa chính xã.", result="Hai bên đồng ý mốc mới",
                             expected_version=done.lock_version)
    mediation.close_mediation(actor=actor, case=done, status="successful", closed_on=start + dt.timedelta(days=10),
                              outcome="Hai hộ thống nhất cắm lại mốc ranh giới, lập biên bản hòa giải thành.",
                              expected_version=done.lock_version)
    still = mediation.open_mediation(
        actor=actor, org_unit=unit, subject=SUBJECT_OPEN, opened_on=today - dt.timedelta(days=5), mediators=TEAM[:2],
        parties="Ba hộ ở cuối bản",
    )
    mediation.record_session(actor=actor, case=still, held_on=today - dt.timedelta(days=2), place="Nhà văn hóa bản",
                             summary="Các hộ chưa thống nhất bề rộng lối đi.", expected_version=still.lock_version)
    return 2
