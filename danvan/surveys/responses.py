"""Saving a completed questionnaire: validation, the anti-stuffing checks, the index masks, voiding.

Every way in — the public form, an officer's paper entry, the API — ends in ``submit_response``,
so the rules hold whatever the channel:

- the answers are checked against the version they answer (range 1–5, known choices, length); a
  paper form is entered as it was filled in, so there a required question may stay unanswered;
  text is stored exactly as typed (NFC, outer blanks trimmed) and escaped whenever shown, never
  "cleaned" of markup, so nothing the citizen wrote is lost or altered;
- one response per one-time code (the code is marked used in the same transaction), per scan
  session (a unique constraint: a double click or a second tab makes no second response) and per
  idempotency key (a replay returns the first response);
- the two index masks are computed here, with ``scoring``, once.

Public responses are not written to the audit log: they are anonymous and numerous, and the log
would only repeat the response table. Paper entries, API entries and voids are, with the officer
who made them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import nfc
from danvan.core.writes import clean_field_text, is_int, raise_if

from . import queries, scoring, tokens
from .models import (
    Desk,
    Question,
    QuestionKind,
    Response,
    ResponseChannel,
    Service,
    Survey,
    SurveyToken,
    SurveyVersion,
)

LIKERT_MIN, LIKERT_MAX = 1, 5
VOID_REASON_MAX = 500
IDEMPOTENCY_MAX = 80
SCAN_SESSION_MAX = 32
# The answer that names the service used (SIPAS's first section), when the survey has no fixed service.
SERVICE_QUESTION_KEY = "service"


# --------------------------------------------------------------------------- choices


def options(question: Question) -> list[tuple[str, str]]:
    """(value, label) of a choice question, whatever shape the builder stored: strings, pairs or dicts."""
    out: list[tuple[str, str]] = []
    for item in question.choices or []:
        if isinstance(item, str):
            out.append((item, item))
        elif isinstance(item, list | tuple) and len(item) == 2:
            out.append((str(item[0]), str(item[1])))
        elif isinstance(item, dict) and "value" in item:
            out.append((str(item["value"]), str(item.get("label", item["value"]))))
    return out


# --------------------------------------------------------------------------- validation


def questions_of(version: SurveyVersion) -> list[Question]:
    """The version's questions in the order they are asked (one query)."""
    return list(Question.objects.filter(section__version=version).select_related("section")
                .order_by("section__order", "order"))


def _likert(value: Any) -> tuple[int | None, str]:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not is_int(value):
        return None, _("Choose one answer from 1 to 5.")
    if not LIKERT_MIN <= value <= LIKERT_MAX:
        return None, _("The answer must be between 1 and 5.")
    return int(value), ""


def _choice(question: Question, value: Any) -> tuple[str | None, str]:
    if not isinstance(value, str):
        return None, _("Choose one of the answers offered.")
    if value not in {v for v, _label in options(question)}:
        return None, _("This answer is not one of the answers offered.")
    return value, ""


def _multi(question: Question, value: Any) -> tuple[list[str] | None, str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None, _("Choose answers from the ones offered.")
    allowed = [v for v, _label in options(question)]
    if any(v not in allowed for v in value):
        return None, _("This answer is not one of the answers offered.")
    chosen = set(value)
    return [v for v in allowed if v in chosen], ""  # the builder's order, no repeats


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def validate_question(question: Question, value: Any, *, partial: bool = False) -> tuple[Any, str]:
    """(clean value or None when unanswered, error message or "") for one question.

    ``partial``: a required question may stay unanswered (a paper form is entered as it was filled in).
    """
    required = question.required and not partial
    if question.kind == QuestionKind.TEXT:
        text, error = clean_field_text(value, question.max_length, required=required, multiline=True)
        if error:
            if len(text) > question.max_length:
                error = _("The answer is too long: %(n)d characters, at most %(max)d.") % {
                    "n": len(text), "max": question.max_length}
            return None, error
        return (text or None), ""
    if isinstance(value, str):
        value = value.strip()
    if _empty(value):
        return None, (_("Please answer this question.") if required else "")
    if question.kind == QuestionKind.LIKERT:
        return _likert(value)
    if question.kind == QuestionKind.CHOICE:
        return _choice(question, value)
    if question.kind == QuestionKind.MULTI:
        return _multi(question, value)
    return None, _("This question cannot be answered.")


def validate_answers(version: SurveyVersion, raw: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Clean answers keyed by question key (unanswered optional questions left out), or a
    ValidationError naming every wrong question by its key. Keys the version does not ask are ignored.
    ``partial`` (paper forms): required questions may be left unanswered, but one answer at least."""
    if not isinstance(raw, Mapping):
        raise ValidationError({NON_FIELD_ERRORS: _("The answers are not in the expected form.")})
    clean: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for question in questions_of(version):
        value, error = validate_question(question, raw.get(question.key), partial=partial)
        if error:
            errors[question.key] = error
        elif value is not None:
            clean[question.key] = value
    raise_if(errors)
    if not clean:
        raise ValidationError({NON_FIELD_ERRORS: _("Answer at least one question.")})
    return clean


# --------------------------------------------------------------------------- hashes


def client_hash(address: str) -> str:
    """A keyed hash of the client address (16 hex): same address, same hash; the address is not readable."""
    if not address:
        return ""
    return salted_hmac("danvan.surveys.client", address).hexdigest()[:16]


def answers_hash(answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(nfc(canonical).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- submit


def _version(survey: Survey, version: SurveyVersion | None) -> SurveyVersion:
    if version is None:
        current = queries.current_version(survey)
        if current is None:
            raise ValidationError({"survey": _("This survey is not accepting responses.")})
        return current
    if version.survey_id != survey.pk or version.published_at is None:
        raise ValidationError({"version": _("This questionnaire has changed since you started it. "
                                            "Please start again.")})
    return version


def _take_token(survey: Survey, code: str) -> SurveyToken:
    """The unused, unexpired code of this survey, locked and marked used; else a clear error."""
    token = tokens.find(survey, code, lock=True)
    if token is None:
        raise ValidationError({"token": _("This code is not valid for this survey. Check the code on your slip.")})
    if token.used_at is not None:
        raise ValidationError({"token": _("This code has already been used. Each code can be used once.")})
    now = timezone.now()
    if token.expires_at <= now:
        raise ValidationError({"token": _("This code has expired.")})
    if not SurveyToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=now):
        raise ValidationError({"token": _("This code has already been used. Each code can be used once.")})
    token.used_at = now
    return token


def _service_from_answers(answers: Mapping[str, Any]) -> Service | None:
    code = answers.get(SERVICE_QUESTION_KEY)
    if not isinstance(code, str) or not code:
        return None
    return Service.objects.filter(code=code).first()


def _in_subtree(unit: Any, root: Any) -> bool:
    return bool(unit.path) and unit.path.startswith(root.path)


def _scan_taken() -> ValidationError:
    return ValidationError({"scan_session": _("Your answers were already received from this device. Thank you.")})


def _replayed(response: Response) -> Response:
    """The response a retry of the same idempotency key gets back, marked so (the API answers 200, not 201)."""
    response.replayed = True  # type: ignore[attr-defined]
    return response


def _clean_key(value: Any, limit: int, field: str) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError({field: _("The form's key is invalid; reload the page and try again.")})
    return value


@transaction.atomic
def submit_response(*, survey: Survey, answers: Mapping[str, Any], channel: str = ResponseChannel.WEB,
                    org_unit: Any = None, service: Service | None = None, desk: Desk | None = None,
                    officer: Any = None, token_code: str = "", scan_session: str = "", idempotency_key: str = "",
                    client_address: str = "", recorded_by: Any = None,
                    version: SurveyVersion | None = None) -> Response:
    """Save one completed questionnaire (see the module docstring).

    ``version`` is the version the respondent started (the public form keeps it in the scan
    session): a citizen midway when the survey is edited finishes the questions he or she was
    shown, if that version was published and the survey still accepts responses. None means the
    current version.
    """
    idempotency_key = _clean_key(idempotency_key, IDEMPOTENCY_MAX, "idempotency_key")
    scan_session = _clean_key(scan_session, SCAN_SESSION_MAX, "scan_session")
    if channel not in ResponseChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if idempotency_key:
        existing = Response.objects.filter(survey=survey, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replayed(existing)
    # Serialises with the builder's edits of the survey (it locks the same row): a version can
    # neither be edited under a first response nor get one while being edited.
    locked = Survey.objects.select_for_update().filter(pk=survey.pk, deleted_at__isnull=True).first()
    if locked is None or not queries.accepting_responses(locked):
        raise ValidationError({"survey": _("This survey is not accepting responses.")})
    if recorded_by is not None and not recorded_by.has_perm("surveys.record_response", locked):
        raise PermissionDenied(_("You are not allowed to enter responses for this survey."))
    if scan_session and Response.objects.filter(survey=locked, scan_session=scan_session).exists():
        raise _scan_taken()
    used = _version(locked, version)
    clean = validate_answers(used, answers, partial=channel == ResponseChannel.PAPER)

    token = None
    if locked.access == "token" and not token_code and channel == ResponseChannel.WEB:
        raise ValidationError({"token": _("Enter the code printed on your slip.")})
    if token_code:
        token = _take_token(locked, token_code)
        org_unit, desk = token.org_unit, token.desk or desk
        service, officer = token.service or service, token.officer or officer
    if desk is not None:
        if not _in_subtree(desk.org_unit, locked.org_unit):
            raise ValidationError({"desk": _("This desk does not belong to the survey's unit.")})
        org_unit = org_unit or desk.org_unit
    org_unit = org_unit or locked.org_unit
    if not _in_subtree(org_unit, locked.org_unit):
        raise ValidationError({"org_unit": _("This unit is not covered by the survey.")})
    service = locked.service or service or _service_from_answers(clean)

    now = timezone.now()
    answered, satisfied = scoring.masks(scoring.plan_for(used), clean)
    response = Response(
        survey=locked, version=used, org_unit=org_unit, service=service, desk=desk, officer=officer,
        channel=channel, submitted_at=now, submitted_on=timezone.localdate(now), answers=clean,
        element_answered=answered, element_satisfied=satisfied, token=token, scan_session=scan_session,
        idempotency_key=idempotency_key, client_hash=client_hash(client_address), answers_hash=answers_hash(clean),
        recorded_by=recorded_by,
    )
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError:
        if idempotency_key:
            existing = Response.objects.filter(survey=locked, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replayed(existing)
        raise _scan_taken() from None
    if channel != ResponseChannel.WEB or recorded_by is not None:
        audit.record("surveys.response.record", actor=recorded_by, obj=response, org_unit=org_unit,
                     summary={"survey": locked.pk, "channel": channel, "version": used.number})
    return response


# --------------------------------------------------------------------------- void


@transaction.atomic
def void_response(*, actor: Any, response: Response, reason: str) -> Response:
    """Leave a response out of the index for good, with the reason (kept, never deleted; audited)."""
    locked = Response.objects.select_for_update().select_related("survey", "org_unit").get(pk=response.pk)
    if not actor.has_perm("surveys.void_response", locked.survey):
        raise PermissionDenied(_("You are not allowed to void responses of this survey."))
    text, error = clean_field_text(reason, VOID_REASON_MAX, required=True)
    errors: dict[str, Any] = {}
    if error:
        errors["reason"] = error if text or error != _("This field is required.") else _("Give the reason for voiding.")
    if locked.voided_at is not None:
        errors[NON_FIELD_ERRORS] = _("This response was already voided on %(day)s.") % {
            "day": timezone.localtime(locked.voided_at).strftime("%d/%m/%Y")}
    raise_if(errors)
    locked.voided_at, locked.voided_by, locked.void_reason = timezone.now(), actor, text
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.record("surveys.response.void", actor=actor, obj=locked, org_unit=locked.org_unit,
                 summary={"survey": locked.survey_id, "reason": text})
    return locked
