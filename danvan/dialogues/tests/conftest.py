"""Service-level tests compare the services' messages in English (their msgids), whatever the catalogue says.

Page tests are not affected: a request activates the visitor's language (Vietnamese by default) itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

ENGLISH_MODULES = {"test_services", "test_commitments", "test_queries", "test_checks", "test_remind",
                   "test_attachments"}


@pytest.fixture(autouse=True)
def _service_messages_in_english(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.module.__name__.rsplit(".", 1)[-1] in ENGLISH_MODULES:
        with translation.override("en"):
            yield
    else:
        yield
