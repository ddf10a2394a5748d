"""Fuzz every operation of the committed OpenAPI schema against the real Django app, in process.

The committed docs/openapi.json is what other systems build against, so it is the contract this
run holds the code to: no answer is a 5xx, every status is one the operation lists, every body
has the documented media type and validates against the documented schema. Malformed input (the
negative cases: wrong types, missing fields, unreadable bodies) must be refused with a 4xx.

Three runs, each bounded so that the file fits in ``make test``:

* every operation with a token of a provincial administrator (a broad scope with writes), both
  valid and malformed input; ids of units and of the caller are swapped in for most generated
  ones so that the handlers get past "not found" and reach their queries and services;
* every operation without credentials: each one answers 401 except the portal's open data;
* a stateful run over the links schemathesis infers from the schema (the committed spec itself
  declares no OpenAPI ``links``): create a record, then read, change or delete it by the id the
  answer carried.

The Django app is called through its WSGI handler inside the test's transaction, so whatever the
run writes is rolled back with the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per-test fixtures are deliberate: each operation starts from the same small tree, rolled back after.
QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
         HealthCheck.data_too_large]
PUBLIC = re.compile(r"^/api/v1/portal/")
# Input names that carry a unit's id (query, path or a top-level body field).
UNIT_KEY = re.compile(r"(^|_)unit(_id)?$|^scope_root_id$|^unit_id$")
USER_KEY = re.compile(r"^user(_id)?$")
# Examples per operation: small for CI; raise it for a deeper run (DANVAN_FUZZ_EXAMPLES=50 make test).
EXAMPLES = int(os.environ.get("DANVAN_FUZZ_EXAMPLES", "6"))


def _load(*modes: GenerationMode, phases: tuple[str, ...] = ("examples", "fuzzing")) -> Any:
    schema = schemathesis.openapi.from_path(SPEC)
    schema.config.phases.update(phases=list(phases))
    schema.config.generation.update(modes=list(modes), with_security_parameters=False)
    return schema


schema = _load(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
anonymous_schema = _load(GenerationMode.POSITIVE)
# Link inference only runs when the stateful phase is on. The tokens are left out: a workflow that
# lists the caller's tokens and revokes one would revoke its own and spend the rest of the run on 401.
stateful_schema = _load(GenerationMode.POSITIVE, phases=("stateful",)).exclude(path_regex=r"^/api/v1/tokens")


@dataclass
class Target:
    """The app and what a caller of it knows: a token, and ids that exist."""

    app: Any
    token: str
    unit_ids: list[int]
    user_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def target(tree: dict[str, Any], make_user: Any, no_mfa: None) -> Iterator[Target]:
    """The WSGI app with Django's per-request connection closing switched off, as its test client does.

    A real server closes the connection at the end of each request; inside a test transaction
    that would throw the test's data away, so it is switched off while the run lasts.
    """
    from django.core.wsgi import get_wsgi_application

    from danvan.accounts.services import create_api_token

    user = make_user("fuzz-admin", (tree["A"], "admin"))
    _, token = create_api_token(user=user, name="schemathesis")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield Target(get_wsgi_application(), token, [u.pk for u in tree.values()], user.pk)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _known_ids(case: Any, target: Target) -> None:
    """Swap most generated ids of units and users for existing ones, so handlers get past 404.

    Only for valid input (the malformed cases must stay malformed); one generated id in three is
    kept so that "not found" and "outside your scope" are still exercised.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return

    def swap(container: Any) -> None:
        if not isinstance(container, dict):
            return
        for key, value in list(container.items()):
            if isinstance(value, bool) or not isinstance(value, int) or value % 3 == 0:
                continue
            if UNIT_KEY.search(key):
                container[key] = target.unit_ids[value % len(target.unit_ids)]
            elif USER_KEY.search(key):
                container[key] = target.user_id

    swap(case.path_parameters)
    swap(case.query)
    swap(case.body)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=QUIET)
def test_api_answers_as_documented(case: Any, target: Target) -> None:
    """V4.1/V1: every operation, valid and malformed input, as a provincial administrator."""
    _known_ids(case, target)
    case.call_and_validate(app=target.app, headers=target.headers, checks=CHECKS)


@anonymous_schema.parametrize()
@settings(max_examples=1, deadline=None, derandomize=True, suppress_health_check=QUIET)
def test_api_refuses_anonymous_callers(case: Any, target: Target) -> None:
    """Every operation but the portal's open data answers 401 to a caller with no credentials."""
    response = case.call_and_validate(app=target.app, checks=CHECKS)
    if PUBLIC.match(case.operation.path):
        assert response.status_code != 401, case.operation.label
    else:
        assert response.status_code == 401, f"{case.operation.label} answered {response.status_code} to nobody"
        assert response.headers.get("www-authenticate") == ['Bearer realm="danvan"']


def test_api_stateful_workflows(target: Target) -> None:
    """Create-then-use sequences over the links inferred from the schema, in one transaction."""

    class Workflow(stateful_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.target = target

        def before_call(self, case: Any) -> None:
            _known_ids(case, self.target)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"app": self.target.app, "headers": self.target.headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    Workflow.run(settings=settings(
        max_examples=12, stateful_step_count=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
    ))
