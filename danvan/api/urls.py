"""Assembles each app's ``api.py`` router into /api/v1 and gives every error one JSON shape.

The interactive docs page is switched off (``docs_url=None``): ninja's Swagger UI loads its
scripts from a CDN, which a closed government network cannot reach and the house rules forbid.
The schema itself is served at /api/v1/openapi.json and committed as docs/openapi.json.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from danvan.accounts.api import router as accounts_router
from danvan.core.exceptions import ConcurrentEditError
from danvan.dashboard.api import router as dashboard_router
from danvan.dialogues.api import router as dialogues_router
from danvan.disclosures.api import router as grassroots_router
from danvan.legal.api import router as legal_router
from danvan.notifications.api import router as notifications_router
from danvan.orgs.api import router as orgs_router
from danvan.oversight.api import router as oversight_router
from danvan.petitions.api import router as petitions_router
from danvan.plans.api import router as plans_router
from danvan.plans.services import PlanLockedError
from danvan.portal.api import router as portal_router
from danvan.practices.api import router as practices_router
from danvan.reports.api import router as reports_router
from danvan.surveys.api import router as surveys_router

from .auth import AUTH, InvalidToken
from .errors import pydantic_field, pydantic_message

DESCRIPTION = """\
Dân vận chính quyền — the API for other systems.

Authenticate with a personal token (`Authorization: Bearer dvk_…`, created under *Account* or with
`POST /api/v1/tokens`) or, from the browser, with the logged-in session plus the CSRF token for
writes. Every answer is scoped to the caller's units: a unit outside them is reported as not found,
exactly like one that does not exist.

Errors are JSON: `{"detail": "…", "errors": [{"field": "…", "message": "…"}]}` with the messages in
Vietnamese; `errors` lists each wrong input of a 422 answer. 409 means the request conflicts with the
record's state: someone saved it since the caller read it (a stale `lock_version`; nothing was saved,
read it again and redo the change), or it is locked (an issued plan; amend it instead). Lists are
paged with an opaque cursor: pass `next_cursor` back as `cursor` until it is null.
"""


class DanvanAPI(NinjaAPI):
    """NinjaAPI whose URLs also answer unknown paths and wrong methods with the JSON error shape."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        # Any operation that reads a JSON body answers 400 to one it cannot parse (ninja's own
        # check, before our code runs): say so in every such operation, not only where an app
        # listed it, so a client and the schemathesis run both expect it.
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema["paths"].values():
            for op in item.values():
                if "requestBody" in op and "400" not in op["responses"]:
                    op["responses"]["400"] = {
                        "description": "Bad Request",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                    }
        return schema

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = [_json_not_allowed(p) if isinstance(p, URLPattern) else p for p in super()._get_urls()]
        for p in urls:
            if isinstance(p, URLPattern) and p.name == "api-root":
                p.callback = _not_found  # ninja's own raises Http404 into Django's HTML page
        urls.append(re_path(r"^.*$", _not_found, name="api-not-found"))
        return urls


def _json_error(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> HttpResponse:
    return api.create_response(HttpRequest(), {"detail": detail, "errors": errors or []}, status=status)


def _json_not_allowed(pattern: URLPattern) -> URLPattern:
    view = pattern.callback

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = _json_error(405, _("This method is not allowed here."))
            response["Allow"] = allow
        return response

    pattern.callback = wrapped
    return pattern


@csrf_exempt
def _not_found(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return _json_error(404, _("Not found."))


api = DanvanAPI(
    title="danvan API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=AUTH,
    docs_url=None,
)
api.add_router("/", accounts_router)
api.add_router("/units", orgs_router)
api.add_router("/plans", plans_router)
api.add_router("/legal", legal_router)
api.add_router("/petitions", petitions_router)
api.add_router("/reports", reports_router)
api.add_router("/notifications", notifications_router)
api.add_router("/surveys", surveys_router)
api.add_router("/portal", portal_router)
api.add_router("/grassroots", grassroots_router)
api.add_router("/dialogues", dialogues_router)
api.add_router("/practices", practices_router)
api.add_router("/oversight", oversight_router)
api.add_router("/dashboard", dashboard_router)


def _error(request: HttpRequest, status: int, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _handler(exc_class: type[Exception]) -> Callable[[Callable], Callable]:
    return api.exception_handler(exc_class)


@_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        detail = _("The API token is not valid: it is unknown, revoked or expired.")
    else:
        detail = _("Authentication required: send a personal API token or log in.")
    response = _error(request, 401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="danvan"'
    return response


@_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You do not have permission to do this."))


@_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never the exception's text: it may name a model or an id outside the caller's scope.
    return _error(request, 404, _("Not found."))


@_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors.extend({"field": None if field == "__all__" else field, "message": m} for m in messages)
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return _error(request, 422, _("The data is not valid."), errors)


@_handler(ConcurrentEditError)
def on_concurrent_edit(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Someone saved since the caller read the record: nothing was saved, reload and redo.
    return _error(request, 409, " ".join(exc.messages))


@_handler(PlanLockedError)
def on_locked(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # An issued plan is final: the request is well-formed but conflicts with the record's state.
    return _error(request, 409, " ".join(exc.messages))


@_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": pydantic_field(e.get("loc", ())), "message": pydantic_message(e)} for e in exc.errors]
    return _error(request, 422, _("The data is not valid."), errors)


@_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja itself raises 400 (a body it cannot parse) and 429 with English text: say it in
    # Vietnamese. Our own code raises Django's exceptions, or HttpError with a gettext message.
    if exc.status_code == 400:
        detail = _("The request body cannot be read; send valid JSON.")
    elif exc.status_code == 429:
        detail = _("Too many requests; wait a moment and try again.")
    else:
        detail = str(exc)
    return _error(request, exc.status_code, detail)
