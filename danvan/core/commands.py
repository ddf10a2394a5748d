"""Base for management commands: they speak Vietnamese like the rest of the platform."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class VietnameseCommand(BaseCommand):
    """Django switches translations off in commands; officials read this output, so switch them on."""

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
