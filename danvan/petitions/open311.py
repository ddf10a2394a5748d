"""Open311 GeoReport v2 for recommendations and feedback, so that existing civic apps can submit and follow them.

Only recommendations and feedback have services: a complaint or a denunciation carries legal
consequences and (for a denunciation) a protected identity, so it is never accepted through an
anonymous civic-app channel. What goes out is public data only: a request's status, its service,
the unit handling it and — once the unit has published it — the published result. Never a name, an
address, a contact or the citizen's own text.

Plain Django views (GeoReport paths end in ``.json`` and its errors are a bare list of
``{code, description}``, neither of which fits the /api/v1 conventions). Intake goes through
``public.submit_online`` (the same path as the public site), rate-limited per client address.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from danvan.core.text import clean_text
from danvan.orgs.models import OrgUnit

from .models import OPEN_STATUSES, Petition, PetitionField, PetitionKind, PetitionStatus

KINDS = (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK)
DESCRIPTION_MAX = 10_000
SUMMARY_MAX = 500
NAME_MAX = 200
ADDRESS_MAX = 300
CONTACT_MAX = 254
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
# Still being worked on, as Open311 sees it.
_OPEN = frozenset({*OPEN_STATUSES, PetitionStatus.SUSPENDED})


# --------------------------------------------------------------------------- helpers


def _errors(status: int, *descriptions: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": d} for d in descriptions], status=status, safe=False)


def _ok(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    response["Access-Control-Allow-Origin"] = "*"  # GeoReport clients are browser apps on other origins
    return response


def _fields() -> list[PetitionField]:
    return list(PetitionField.objects.filter(active=True).order_by("order", "code"))


def _code(kind: str, field: PetitionField | None) -> str:
    return f"{kind}.{field.code}" if field is not None else kind


def _service(kind: str, field: PetitionField) -> dict[str, Any]:
    label = PetitionKind(kind).label
    return {
        "service_code": _code(kind, field),
        "service_name": f"{label}: {field.name}",
        "description": _("%(kind)s to the authorities about: %(field)s") % {"kind": label, "field": field.name},
        "metadata": False,
        "type": "realtime",
        "keywords": f"{kind}, {field.code}",
        "group": str(label),
    }


def _parse_code(code: str) -> tuple[str, PetitionField] | None:
    kind, _sep, field_code = (code or "").partition(".")
    if kind not in KINDS or not field_code:
        return None
    field = PetitionField.objects.filter(code=field_code, active=True).first()
    return (kind, field) if field is not None else None


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(request: HttpRequest) -> bool:
    """Fixed one-minute window per client address, in the shared cache (so every worker counts together)."""
    limit = int(getattr(settings, "DANVAN_OPEN311_POSTS_PER_MINUTE", 10))
    window = int(timezone.now().timestamp() // 60)
    key = f"danvan:open311:post:{_client_ip(request)}:{window}"
    if cache.add(key, 1, 120):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        count = 1
    return count > limit


def _jurisdiction(value: str) -> OrgUnit | None:
    code = (value or "").strip() or str(getattr(settings, "DANVAN_OPEN311_JURISDICTION", "") or "")
    if not code:
        return None
    return OrgUnit.objects.filter(code=code, valid_to__isnull=True).first()


# --------------------------------------------------------------------------- services


@require_GET
def services_list(request: HttpRequest) -> JsonResponse:
    """One service per kind (recommendation, feedback) and field in use."""
    return _ok([_service(kind, f) for kind in KINDS for f in _fields()])


@require_GET
def service_definition(request: HttpRequest, code: str) -> JsonResponse:
    """Our services take no extra attributes (``metadata`` false), so the definition is an empty list."""
    parsed = _parse_code(code)
    if parsed is None:
        return _errors(404, _("No such service."))
    return _ok({"service_code": _code(*parsed), "attributes": []})


# --------------------------------------------------------------------------- requests


def _request_out(p: Petition) -> dict[str, Any]:
    published = p.published_at is not None and bool(p.public_summary)
    kind_label = PetitionKind(p.kind).label
    description = (p.public_summary if published else
                   f"{kind_label}: {p.field.name}" if p.field is not None else str(kind_label))
    return {
        "service_request_id": p.tracking_code,
        "status": "open" if p.status in _OPEN else "closed",
        "status_notes": p.public_summary if published else None,
        "service_name": str(kind_label),
        "service_code": _code(p.kind, p.field),
        "description": description,
        "agency_responsible": p.org_unit.name,
        "service_notice": None,
        "requested_datetime": timezone.localtime(p.created_at).isoformat(),
        "updated_datetime": timezone.localtime(p.updated_at).isoformat(),
        "expected_datetime": None,
        "address": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _public_requests() -> Any:
    return (Petition.objects.alive().filter(kind__in=KINDS, tracking_code__isnull=False)
            .select_related("org_unit", "field"))


def _when(value: str) -> dt.datetime | None:
    parsed = parse_datetime(value)
    if parsed is None and (day := parse_date(value)) is not None:
        parsed = dt.datetime.combine(day, dt.time.min)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _list_requests(request: HttpRequest) -> JsonResponse:
    qs = _public_requests()
    params = request.GET
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return _ok([_request_out(p) for p in qs.filter(tracking_code__in=ids[:MAX_RESULTS]).order_by("-created_at")])
    if code := params.get("service_code", ""):
        parsed = _parse_code(code)
        if parsed is None:
            return _errors(400, _("service_code: no such service."))
        qs = qs.filter(kind=parsed[0], field=parsed[1])
    if jurisdiction := params.get("jurisdiction_id", ""):
        unit = _jurisdiction(jurisdiction)
        if unit is None:
            return _errors(400, _("jurisdiction_id: no such jurisdiction."))
        qs = qs.filter(org_unit=unit)
    start = end = None
    for name in ("start_date", "end_date"):
        if raw := params.get(name, ""):
            value = _when(raw)
            if value is None:
                return _errors(400, _("%(name)s: enter a date and time in ISO 8601 format.") % {"name": name})
            if name == "start_date":
                start = value
            else:
                end = value
    if start and end and end < start:
        return _errors(400, _("end_date: cannot be before start_date."))
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return _errors(400, _("status: use open or closed."))
    if statuses == {"open"}:
        qs = qs.filter(status__in=_OPEN)
    elif statuses == {"closed"}:
        qs = qs.exclude(status__in=_OPEN)
    return _ok([_request_out(p) for p in qs.order_by("-created_at", "-pk")[:MAX_RESULTS]])


def _submit(request: HttpRequest) -> JsonResponse:
    if _rate_limited(request):
        return _errors(429, _("Too many requests; wait a moment and try again."))
    data = request.POST
    problems: list[str] = []
    unit = _jurisdiction(data.get("jurisdiction_id", ""))
    if unit is None:
        problems.append(_("jurisdiction_id: required; use the official code of the unit."))
    parsed = _parse_code(data.get("service_code", ""))
    if parsed is None:
        problems.append(_("service_code: no such service; see services.json."))
    description = (data.get("description") or "").strip()
    if not description:
        problems.append(_("description: required."))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(_("description: at most %(n)d characters.") % {"n": DESCRIPTION_MAX})
    name = clean_text(f"{data.get('first_name', '')} {data.get('last_name', '')}")
    address = clean_text(data.get("address_string", ""))
    contact = clean_text(" ".join(v for v in (data.get("email", ""), data.get("phone", "")) if v))
    for label, value, limit in (("first_name/last_name", name, NAME_MAX), ("address_string", address, ADDRESS_MAX),
                                ("email/phone", contact, CONTACT_MAX)):
        if len(value) > limit:
            problems.append(_("%(name)s: at most %(n)d characters.") % {"name": label, "n": limit})
    for coord in ("lat", "long"):
        if raw := data.get(coord, ""):
            try:
                float(raw)
            except ValueError:
                problems.append(_("%(name)s: enter a number.") % {"name": coord})
    if problems or unit is None or parsed is None:
        return _errors(400, *problems)
    kind, field = parsed
    summary = clean_text(description)[:SUMMARY_MAX]
    key = clean_text(request.headers.get("Idempotency-Key", ""))[:100]
    try:
        petition, secret = _file(unit=unit, kind=kind, field=field, summary=summary, content=description,
                                 name=name, address=address, contact=contact, idempotency_key=key)
    except ValidationError as exc:
        messages = [f"{_PARAMS.get(k, k)}: {m}" for k, ms in exc.message_dict.items() for m in ms] if hasattr(
            exc, "error_dict") else list(exc.messages)
        return _errors(400, *messages)
    except PermissionDenied as exc:
        return _errors(403, str(exc) or _("Not accepted."))
    out: dict[str, Any] = {
        "service_request_id": petition.tracking_code,
        "service_notice": _("Received by %(unit)s. Keep the request id and the token to follow it.") % {
            "unit": unit.name},
        "account_id": None,
    }
    if secret:
        out["token"] = secret
    return _ok([out], status=201)


def _file(*, unit: OrgUnit, kind: str, field: PetitionField, summary: str, content: str, name: str, address: str,
          contact: str, idempotency_key: str) -> tuple[Petition, str]:
    """Through the public site's intake, the one path for online petitions (tracking code, secret, audit)."""
    from . import public

    return public.submit_online(
        org_unit=unit, kind=kind, field=field, summary=summary, content=content, name=name, address=address,
        contact=contact, idempotency_key=idempotency_key or uuid.uuid4().hex,
    )


# The public intake's field names, as a GeoReport client knows them.
_PARAMS = {"name": "first_name/last_name", "address": "address_string", "contact": "email/phone",
           "summary": "description", "content": "description", "org_unit": "jurisdiction_id", "kind": "service_code",
           "field": "service_code"}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest) -> JsonResponse:
    """GET: public status of online requests; POST: a new recommendation or feedback (form-encoded)."""
    if request.method == "POST":
        return _submit(request)
    return _list_requests(request)


@require_GET
def request_detail(request: HttpRequest, request_id: str) -> JsonResponse:
    p = _public_requests().filter(tracking_code=request_id).first() if request_id else None
    if p is None:
        return _errors(404, _("No such request."))
    return _ok([_request_out(p)])
