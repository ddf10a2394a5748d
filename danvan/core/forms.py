"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .exceptions import ConcurrentEditError


def add_service_errors(form: Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors beside the fields they name (renamed where the form calls them otherwise);
    errors about no field of the form go above it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def run_posted(request: HttpRequest, form: Form, call: Callable[[dict[str, Any]], Any], *, done: str,
               success_url: str, rerender: Callable[[Form, int], HttpResponse]) -> HttpResponse:
    """The one way a page runs a posted action on a record: validate, call the service, report.

    Success: a message and a redirect (so a reload does not post again). A stale ``expected_version``:
    409 with the page re-read and the typed values kept. The service's field errors: 400 with the
    errors beside the fields. ``rerender(form, status)`` draws the record's page with the form.
    """
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return rerender(form, 409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(success_url)
    return rerender(form, 400)
