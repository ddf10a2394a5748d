"""Assembles each app's ``api.py`` router into /api/v1."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from danvan.accounts.api import router as accounts_router
from danvan.orgs.api import router as orgs_router

from .auth import AUTH

api = NinjaAPI(
    title="danvan API",
    version="1.0.0",
    description="Dân vận chính quyền — API for other systems. Every response is scoped to the caller's units.",
    urls_namespace="api-v1",
    auth=AUTH,
)
api.add_router("/", accounts_router)
api.add_router("/units", orgs_router)


def _error(request: HttpRequest, status: int, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    body: dict = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, _("Authentication required: the token is missing, unknown, revoked or expired."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You do not have permission to do this."))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            errors.extend({"field": field, "message": m} for m in errs)
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return _error(request, 422, _("The data is not valid."), errors)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None, "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return _error(request, 422, _("The data is not valid."), errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))
