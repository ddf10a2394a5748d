"""Errors shared by every app's services."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConcurrentEditError(ValidationError):
    """Someone else saved the record after this form was opened; the caller must reload, nothing was saved."""
