"""The scan session: one citizen's pass through a survey, from opening it (scanning the QR) to sending it.

It lives in the (server-side, signed-cookie keyed) Django session under the survey's public code:
a random id (``Response.scan_session``, unique per survey, so one response per scan session), the
version the citizen started, where the QR said he or she was served (desk, service, officer), the
one-time code if the survey needs one, and the answers given so far, step by step. Nothing is in
the database until the final step: an abandoned questionnaire leaves nothing behind.

When the survey is edited while a citizen is midway, the citizen finishes the version he or she
started (``Response.version``), as long as that was within ``MAX_AGE`` and the survey still accepts
responses; after that the questionnaire starts again on the current version.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

PREFIX = "survey:"
MAX_AGE = dt.timedelta(hours=3)
TEXT_KEEP_MAX = 10_000  # what a step keeps of a text answer before validation (the form says what is too long)


@dataclass
class ScanState:
    scan_id: str
    version_id: int
    started_at: str  # ISO
    desk_id: int | None = None
    service_id: int | None = None
    officer_id: int | None = None
    token: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    done: bool = False

    @property
    def expired(self) -> bool:
        try:
            started = dt.datetime.fromisoformat(self.started_at)
        except ValueError:
            return True
        return timezone.now() - started > MAX_AGE


def new_scan_id() -> str:
    return secrets.token_hex(16)  # 32 characters: Response.scan_session


def load(request: HttpRequest, code: str) -> ScanState | None:
    raw = request.session.get(PREFIX + code)
    if not isinstance(raw, dict):
        return None
    try:
        return ScanState(**raw)
    except TypeError:  # a session from an older release
        return None


def save(request: HttpRequest, code: str, state: ScanState) -> None:
    request.session[PREFIX + code] = asdict(state)


def start(request: HttpRequest, code: str, version_id: int, **context: Any) -> ScanState:
    state = ScanState(scan_id=new_scan_id(), version_id=version_id, started_at=timezone.now().isoformat(), **context)
    save(request, code, state)
    return state


def finish(request: HttpRequest, code: str, state: ScanState) -> None:
    """Forget the answers (they are in the database now); remember that this session has answered."""
    state.done, state.answers, state.errors, state.token = True, {}, {}, ""
    save(request, code, state)


def forget(request: HttpRequest, code: str) -> None:
    request.session.pop(PREFIX + code, None)


def keep(value: Any) -> Any:
    """A posted value as a step keeps it until the end: strings and lists of strings, bounded."""
    if isinstance(value, list):
        return [keep(v) for v in value[:50]]
    return str(value)[:TEXT_KEEP_MAX]
