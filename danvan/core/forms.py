"""Form helpers shared by every app's views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def add_service_errors(form: Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors beside the fields they name (renamed where the form calls them otherwise);
    errors about no field of the form go above it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
