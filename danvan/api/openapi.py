"""The API's OpenAPI schema as a stable text, so the committed copy can be compared byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REGENERATE = "make openapi  (or: danvan api openapi -o docs/openapi.json)"


def schema() -> dict:
    from .urls import api

    # The schema documents the API for developers: English, whatever language the caller uses.
    with translation.override("en"):
        return json.loads(json.dumps(api.get_openapi_schema()))


def render() -> str:
    """Sorted keys, two-space indent, a final newline: the same bytes on every machine."""
    return json.dumps(schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
