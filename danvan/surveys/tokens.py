"""One-time codes handed to citizens at the desk (printed on a slip or a receipt): one response per code.

A code is 10 Crockford base32 characters (no I, L, O, U to misread; ~50 bits, far beyond guessing
under the public form's rate limit), shown as ``XXXXX-XXXXX``. Only its sha256 is stored, so the
codes exist only on the printed sheet: the sheet is shown once, and a lost sheet means new codes.
The unit, service, desk and officer the code was issued for go with the response it makes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.writes import is_int, raise_if

from .models import Desk, Service, Survey, SurveyToken

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
MAX_COUNT = 200
MAX_VALID_DAYS = 366


def new_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _i in range(CODE_LENGTH))


def normalise(code: Any) -> str:
    """What the citizen typed, as issued: upper case, no blanks or dashes, O read as 0 and I, L as 1."""
    if not isinstance(code, str) or len(code) > 40:
        return ""
    raw = re.sub(r"[\s-]", "", code).upper().translate(str.maketrans("OIL", "011"))
    return raw if len(raw) == CODE_LENGTH and all(c in CROCKFORD for c in raw) else ""


def display(code: str) -> str:
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def find(survey: Survey, code: Any, *, lock: bool = False) -> SurveyToken | None:
    """The survey's token for a typed code (used or not, expired or not), or None."""
    normal = normalise(code)
    if not normal:
        return None
    qs = SurveyToken.objects.filter(survey=survey, code_hash=code_hash(normal))
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def check(survey: Survey, code: Any) -> str:
    """"" if the code can be used now, else the message to show (unknown, used, expired)."""
    token = find(survey, code)
    if token is None:
        return _("This code is not valid for this survey. Check the code on your slip.")
    if token.used_at is not None:
        return _("This code has already been used. Each code can be used once.")
    if token.expires_at <= timezone.now():
        return _("This code has expired.")
    return ""


@transaction.atomic
def issue_tokens(*, actor: Any, survey: Survey, count: Any, org_unit: Any, service: Service | None = None,
                 desk: Desk | None = None, officer: Any = None, valid_days: Any = 30) -> list[str]:
    """``count`` new codes for the survey; returns them in clear, the only time they exist."""
    if survey.deleted_at is not None or not actor.has_perm("surveys.record_response", survey):
        raise PermissionDenied(_("You are not allowed to issue codes for this survey."))
    errors: dict[str, str] = {}
    if not is_int(count) or not 1 <= count <= MAX_COUNT:
        errors["count"] = _("Issue between 1 and %(n)d codes at a time.") % {"n": MAX_COUNT}
    if not is_int(valid_days) or not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = _("Codes are valid between 1 and %(n)d days.") % {"n": MAX_VALID_DAYS}
    if org_unit is None or not org_unit.path.startswith(survey.org_unit.path):
        errors["org_unit"] = _("This unit is not covered by the survey.")
    elif desk is not None and not desk.org_unit.path.startswith(survey.org_unit.path):
        errors["desk"] = _("This desk does not belong to the survey's unit.")
    raise_if(errors)
    now = timezone.now()
    expires = now + dt.timedelta(days=valid_days)
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = new_code()
        if code not in seen:  # 50 bits: a clash with a stored code is beyond reason; within the batch, cheap to avoid
            seen.add(code)
            codes.append(code)
    SurveyToken.objects.bulk_create([
        SurveyToken(survey=survey, code_hash=code_hash(c), org_unit=org_unit, service=service, desk=desk,
                    officer=officer, issued_by=actor, issued_at=now, expires_at=expires)
        for c in codes
    ])
    audit.record("surveys.tokens.issue", actor=actor, obj=survey, org_unit=org_unit,
                 summary={"count": count, "valid_days": valid_days, "desk": getattr(desk, "pk", None),
                          "service": getattr(service, "pk", None), "officer": getattr(officer, "pk", None)})
    return codes
