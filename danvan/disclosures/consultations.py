"""Consulting residents (Law 10/2022 Arts. 25–27): a draft put to them, the period, the opinions, the result.

A consultation moves one way: draft → open for opinions → closed (opinions counted and summarised) →
result published (how the opinions were taken into account). Each step checks what the law needs at
that point — a draft to read and a way to reach residents before opening, the whole announced period
before closing, an account of the opinions before publishing — so a published result always says
what residents were asked, for how long, and what came of it.

Each write is one transaction with its audit event; concurrent edits end in ``ConcurrentEditError``
for the second writer; creating the same consultation twice (same unit, title and opening day) is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, clean_field_text, conditional_update, fmt_date, is_int, raise_if
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .decisions import EARLIEST, HOUSEHOLDS_MAX, PAGE_SIZE, Page, keyset_page
from .models import Consultation, ConsultationMatter, ConsultationStatus

TITLE_MAX = 255
DRAFT_MAX = 20_000
SUMMARY_MAX = 10_000
REASON_MAX = 1000
LATEST_YEARS_AHEAD = 5
OPINIONS_MAX = HOUSEHOLDS_MAX
EDITABLE = frozenset({"matter", "title", "draft", "forms", "opens_on", "closes_on", "is_public",
                      "opinions_received", "opinions_summary", "taken_into_account"})
AFTER_CLOSING = frozenset({"opinions_received", "opinions_summary", "taken_into_account"})


class ConsultationMethod(models.TextChoices):
    """How residents are asked (Art. 26); stored as a list in ``Consultation.forms``."""

    MEETING = "meeting", gettext_lazy("Meeting or conference with residents")
    OPINION_FORM = "opinion_form", gettext_lazy("Opinion forms sent to households")
    MAILBOX = "mailbox", gettext_lazy("Suggestion box or hotline")
    WEBSITE = "website", gettext_lazy("Website or electronic portal")
    SOCIAL_NETWORK = "social_network", gettext_lazy("Social networks and messaging groups")
    VILLAGE = "village", gettext_lazy("Through village heads and the Front")


def _conflict() -> str:
    return _("Someone else changed this consultation after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _date(errors: dict[str, Any], name: str, value: Any, latest: dt.date) -> dt.date | None:
    if value is None or value == "":
        errors[name] = _("This field is required.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    if value < EARLIEST:
        errors[name] = _("The date cannot be before 01/01/2000.")
        return None
    if value > latest:
        errors[name] = _("The date cannot be after %(date)s.") % {"date": fmt_date(latest)}
        return None
    return value


def _forms(errors: dict[str, Any], value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        errors["forms"] = _("Choose the forms from the list.")
        return []
    out: list[str] = []
    for item in value:
        if item not in ConsultationMethod.values:
            errors["forms"] = _("Choose the forms from the list.")
            return []
        if item not in out:
            out.append(item)
    return sorted(out, key=ConsultationMethod.values.index)


def _opinions(errors: dict[str, Any], value: Any) -> int:
    if value is None or value == "":
        errors["opinions_received"] = _("This field is required.")
        return 0
    if not is_int(value):
        errors["opinions_received"] = _("Enter a whole number.")
        return 0
    if value < 0:
        errors["opinions_received"] = _("The number cannot be negative.")
        return 0
    if value > OPINIONS_MAX:
        errors["opinions_received"] = _("Enter a number of at most %(n)d.") % {"n": OPINIONS_MAX}
        return 0
    return int(value)


def _clean(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The consultation's own fields checked together (the status rules are each step's)."""
    errors: dict[str, Any] = {}
    latest = dt.date(today.year + LATEST_YEARS_AHEAD, 12, 31)
    out: dict[str, Any] = {}
    if values.get("matter") not in ConsultationMatter.values:
        errors["matter"] = _("Choose the matter from the list.")
    out["matter"] = values.get("matter")
    out["title"] = _text(errors, "title", values.get("title"), TITLE_MAX, required=True)
    out["draft"] = _text(errors, "draft", values.get("draft"), DRAFT_MAX, multiline=True)
    out["forms"] = _forms(errors, values.get("forms"))
    opens = out["opens_on"] = _date(errors, "opens_on", values.get("opens_on"), latest)
    closes = out["closes_on"] = _date(errors, "closes_on", values.get("closes_on"), latest)
    if opens and closes and closes < opens:
        errors["closes_on"] = _("The period for opinions cannot end before it starts (%(date)s).") % {
            "date": fmt_date(opens)}
    is_public = values.get("is_public", True)
    if not isinstance(is_public, bool):
        errors["is_public"] = _("Answer yes or no.")
    out["is_public"] = is_public
    raise_if(errors)
    return out


def _may(actor: Any, perm: str, obj: Any) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not change the consultations of this unit."))


def _lock(consultation: Consultation) -> Consultation:
    fresh = (Consultation.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=consultation.pk, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"consultation": _("This consultation no longer exists.")})
    return fresh


def _refresh(caller: Consultation, fresh: Consultation) -> None:
    if caller is not fresh:
        for f in Consultation._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


def _start(actor: Any, consultation: Consultation, expected_version: Any, status: str, field: str,
           message: str) -> tuple[Consultation, int]:
    """Lock, check permission, version and the status a step starts from."""
    version = check_version(expected_version)
    fresh = _lock(consultation)
    _may(actor, "disclosures.change", fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    if fresh.status != status:
        raise ValidationError({field: message})
    return fresh, version


def _duplicate(org_unit: OrgUnit, title: str, opens_on: dt.date, exclude: int | None = None) -> bool:
    qs = Consultation.objects.filter(org_unit=org_unit, title=title, opens_on=opens_on, deleted_at__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _duplicate_error() -> ValidationError:
    return ValidationError({"title": _("This consultation is already recorded for this unit with this opening date.")})


# --------------------------------------------------------------------------- writes


@transaction.atomic
def create_consultation(*, actor: Any, org_unit: OrgUnit, matter: str, title: str, opens_on: dt.date,
                        closes_on: dt.date, draft: str = "", forms: Any = (), is_public: bool = True) -> Consultation:
    """A consultation in draft: nothing is shown to residents until it is opened."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _may(actor, "disclosures.change", org_unit)
    values = _clean({"matter": matter, "title": title, "draft": draft, "forms": forms, "opens_on": opens_on,
                     "closes_on": closes_on, "is_public": is_public}, timezone.localdate())
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    if _duplicate(org_unit, values["title"], values["opens_on"]):
        raise _duplicate_error()
    c = Consultation.objects.create(org_unit=org_unit, created_by=_user(actor), **values)
    audit.record("disclosures.consultation.create", actor=actor, obj=c, org_unit=org_unit,
                 summary={"matter": c.matter, "title": c.title, "opens_on": c.opens_on, "closes_on": c.closes_on})
    return c


@transaction.atomic
def update_consultation(*, actor: Any, consultation: Consultation, expected_version: Any, **fields: Any
                        ) -> Consultation:
    """Correct a consultation. The opinions and how they were used can be written only once it has closed."""
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    version = check_version(expected_version)
    fresh = _lock(consultation)
    _may(actor, "disclosures.change", fresh)
    if fresh.lock_version != version:  # a stale form: say so before judging its values
        raise ConcurrentEditError(_conflict())
    current = {name: getattr(fresh, name) for name in EDITABLE}
    merged = {**current, **fields}
    values = _clean(merged, timezone.localdate())
    errors: dict[str, Any] = {}
    closed = fresh.status in (ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED)
    for name in sorted(AFTER_CLOSING & set(fields)):
        if not closed and fields[name] != current[name]:
            errors[name] = _("This can be recorded once the consultation has closed.")
    values["opinions_received"] = _opinions(errors, merged["opinions_received"])
    values["opinions_summary"] = _text(errors, "opinions_summary", merged["opinions_summary"], SUMMARY_MAX,
                                       multiline=True)
    values["taken_into_account"] = _text(errors, "taken_into_account", merged["taken_into_account"], SUMMARY_MAX,
                                         multiline=True, required=fresh.status == ConsultationStatus.PUBLISHED)
    if closed and values["opinions_received"] and not values["opinions_summary"] \
            and "opinions_summary" not in errors:
        errors["opinions_summary"] = _("Summarise the opinions received.")
    if closed and values["closes_on"] > timezone.localdate():
        errors["closes_on"] = _("The consultation has closed: its period cannot end in the future.")
    if fresh.result_published_on and values["closes_on"] > fresh.result_published_on:
        errors["closes_on"] = _("The period for opinions cannot end after the result was published (%(date)s).") % {
            "date": fmt_date(fresh.result_published_on)}
    if fresh.status != ConsultationStatus.DRAFT and not values["forms"]:
        errors["forms"] = _("Choose at least one way residents are asked.")
    raise_if(errors)
    if _duplicate(fresh.org_unit, values["title"], values["opens_on"], exclude=fresh.pk):
        raise _duplicate_error()
    changed = sorted(name for name in EDITABLE if values[name] != current[name])
    conditional_update(Consultation, fresh, version, _conflict(), **values)
    audit.record("disclosures.consultation.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"changed": changed})
    _refresh(consultation, fresh)
    return fresh


@transaction.atomic
def open_consultation(*, actor: Any, consultation: Consultation, expected_version: Any) -> Consultation:
    """Put the draft to residents: it needs the draft (text or a file), a way to ask, and time left to answer."""
    fresh, version = _start(actor, consultation, expected_version, ConsultationStatus.DRAFT, "status",
                            _("Only a consultation in draft can be opened."))
    errors: dict[str, Any] = {}
    if not fresh.draft and not fresh.attachments.filter(deleted_at__isnull=True).exists():
        errors["draft"] = _("Add the draft (its text or a file) before opening the consultation.")
    if not fresh.forms:
        errors["forms"] = _("Choose at least one way residents are asked.")
    today = timezone.localdate()
    if fresh.closes_on < today:
        errors["closes_on"] = _("The period for opinions ended on %(date)s: change the dates first.") % {
            "date": fmt_date(fresh.closes_on)}
    raise_if(errors)
    conditional_update(Consultation, fresh, version, _conflict(), status=ConsultationStatus.OPEN)
    audit.record("disclosures.consultation.open", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"opens_on": fresh.opens_on, "closes_on": fresh.closes_on})
    _refresh(consultation, fresh)
    return fresh


@transaction.atomic
def close_consultation(*, actor: Any, consultation: Consultation, expected_version: Any, opinions_received: Any,
                       opinions_summary: str = "") -> Consultation:
    """End the period (not before the announced last day) with the number of opinions and their summary."""
    fresh, version = _start(actor, consultation, expected_version, ConsultationStatus.OPEN, "status",
                            _("Only a consultation open for opinions can be closed."))
    errors: dict[str, Any] = {}
    today = timezone.localdate()
    if today < fresh.closes_on:
        errors["status"] = _("Residents may give opinions until %(date)s: close the consultation after that day.") % {
            "date": fmt_date(fresh.closes_on)}
    count = _opinions(errors, opinions_received)
    summary = _text(errors, "opinions_summary", opinions_summary, SUMMARY_MAX, multiline=True)
    if count and not summary and "opinions_summary" not in errors:
        errors["opinions_summary"] = _("Summarise the opinions received.")
    raise_if(errors)
    conditional_update(Consultation, fresh, version, _conflict(), status=ConsultationStatus.CLOSED,
                       opinions_received=count, opinions_summary=summary)
    audit.record("disclosures.consultation.close", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"opinions_received": count})
    _refresh(consultation, fresh)
    return fresh


@transaction.atomic
def publish_result(*, actor: Any, consultation: Consultation, expected_version: Any, taken_into_account: str,
                   result_published_on: Any = None) -> Consultation:
    """Publish how the opinions were taken into account (today unless a day is given, not before the period ended)."""
    fresh, version = _start(actor, consultation, expected_version, ConsultationStatus.CLOSED, "status",
                            _("Only a closed consultation can have its result published."))
    errors: dict[str, Any] = {}
    today = timezone.localdate()
    taken = _text(errors, "taken_into_account", taken_into_account, SUMMARY_MAX, required=True, multiline=True)
    day = today if result_published_on in (None, "") else result_published_on
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        errors["result_published_on"] = _("Enter a valid date.")
    elif day > today:
        errors["result_published_on"] = _("The date cannot be in the future.")
    elif day < fresh.closes_on:
        errors["result_published_on"] = _(
            "The result cannot be published before the period for opinions ended (%(date)s).") % {
            "date": fmt_date(fresh.closes_on)}
    raise_if(errors)
    conditional_update(Consultation, fresh, version, _conflict(), status=ConsultationStatus.PUBLISHED,
                       taken_into_account=taken, result_published_on=day)
    audit.record("disclosures.consultation.publish", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"result_published_on": day})
    _refresh(consultation, fresh)
    return fresh


@transaction.atomic
def delete_consultation(*, actor: Any, consultation: Consultation, reason: str) -> None:
    """Remove a consultation entered by mistake; the audit keeps why and who."""
    fresh = _lock(consultation)
    _may(actor, "disclosures.delete", fresh)
    errors: dict[str, Any] = {}
    reason = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Consultation, fresh, fresh.lock_version, _conflict(), deleted_at=timezone.now())
    audit.record("disclosures.consultation.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": reason, "title": fresh.title})
    _refresh(consultation, fresh)


# --------------------------------------------------------------------------- reads


def consultations_for(user: Any) -> QuerySet[Consultation]:
    """The consultations the user may read: their units' subtrees, nothing deleted."""
    return Consultation.objects.visible_to(user).filter(deleted_at__isnull=True)


def consultation_for(user: Any, pk: Any) -> Consultation | None:
    if not is_int(pk):
        return None
    return consultations_for(user).select_related("org_unit", "created_by").filter(pk=pk).first()


def consultations_page(user: Any, *, unit: OrgUnit | None = None, matter: str | None = None,
                       status: str | None = None, year: int | None = None, after: str | None = None,
                       limit: int = PAGE_SIZE) -> Page:
    qs = consultations_for(user).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if matter:
        qs = qs.filter(matter=matter)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(opens_on__gte=dt.date(year, 1, 1), opens_on__lte=dt.date(year, 12, 31))
    return keyset_page(qs, "opens_on", after, limit)


def published_results(unit: OrgUnit) -> QuerySet[Consultation]:
    """Public results of a unit's subtree (for the public portal): published, public, not deleted."""
    return (Consultation.objects.filter(subtree_q([unit.path], prefix="org_unit__"), deleted_at__isnull=True,
                                        is_public=True, status=ConsultationStatus.PUBLISHED)
            .order_by("-result_published_on", "-pk"))


def method_labels(consultation: Consultation) -> list[str]:
    labels = dict(ConsultationMethod.choices)
    return [str(labels.get(v, v)) for v in consultation.forms or []]
