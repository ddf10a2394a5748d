"""Every write of the commune's disclosures and their quarterly lists: one transaction and one audit event each.

What the law asks is kept in the rows, so the checks (checks.py) and the lists filter in SQL:
``due_on`` (5 working days after the decision, Art. 12, counted by the one working-day calendar) and
``permanent`` (copied from the category) are stored on every write; publishing fills in the posting
end the category's minimum gives when the official left it empty.

Two officials editing one disclosure: every edit names the version it started from and the second
gets ``ConcurrentEditError``, nothing of the first overwritten. A double submit (same unit, same title,
same decision date) is refused, not duplicated. ``actor=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.calendar import add_working_days
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import (
    check_version,
    clean_field_text,
    conditional_update,
    fmt_date,
    is_int,
    raise_if,
    user_or_none,
)
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .models import Disclosure, DisclosureCategory, DisclosureForm, DisclosureStatus, QuarterlyList

DUE_WORKING_DAYS = 5  # Art. 12: within 5 working days of the decision
TITLE_MAX = 255
CONTENT_MAX = 20000
REF_MAX = 100
PLACE_MAX = 255
REASON_MAX = 1000
LOUDSPEAKER_MAX = 366
EDITABLE = ("category", "title", "content", "decision_ref", "decided_on", "disclosed_on", "posting_ends_on",
            "forms", "place", "loudspeaker_days", "is_public")


def conflict_message() -> str:
    return _("Someone else changed this disclosure after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


def due_on_for(decided_on: dt.date | None) -> dt.date | None:
    return add_working_days(decided_on, DUE_WORKING_DAYS) if decided_on else None


def default_posting_end(category: DisclosureCategory, disclosed_on: dt.date) -> dt.date | None:
    """The last day of the category's minimum posting: the posting day counts as day 1 (consecutive days)."""
    if category.permanent:
        return None
    return disclosed_on + dt.timedelta(days=max(category.min_posting_days, 1) - 1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return first, last


# --------------------------------------------------------------------------- helpers


def _allowed(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _date(errors: dict[str, Any], name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if not _is_date(value):
        errors[name] = _("Enter a valid date.")
        return None
    return value  # type: ignore[no-any-return]


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _forms(errors: dict[str, Any], value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        errors["forms"] = _("Choose the forms of disclosure from the list.")
        return []
    out: list[str] = []
    for item in value:
        if item not in DisclosureForm.values:
            errors["forms"] = _("Choose the forms of disclosure from the list.")
            return []
        if item not in out:
            out.append(str(item))
    return [f for f in DisclosureForm.values if f in out]  # the list's order, whatever the input's


def _validated(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every field of a disclosure checked together; all problems at once, each beside its field."""
    errors: dict[str, Any] = {}
    category = values["category"]
    if not isinstance(category, DisclosureCategory) or not category.is_active:
        errors["category"] = _("Choose a category in use.")
        category = None
    out: dict[str, Any] = {
        "category": category,
        "title": _text(errors, "title", values["title"], TITLE_MAX, required=True),
        "content": _text(errors, "content", values["content"], CONTENT_MAX, multiline=True),
        "decision_ref": _text(errors, "decision_ref", values["decision_ref"], REF_MAX),
        "place": _text(errors, "place", values["place"], PLACE_MAX),
        "decided_on": _date(errors, "decided_on", values["decided_on"]),
        "disclosed_on": _date(errors, "disclosed_on", values["disclosed_on"]),
        "posting_ends_on": _date(errors, "posting_ends_on", values["posting_ends_on"]),
        "forms": _forms(errors, values["forms"]),
    }
    days = values["loudspeaker_days"]
    if days in (None, ""):
        days = 0
    if not is_int(days) or not 0 <= days <= LOUDSPEAKER_MAX:
        errors["loudspeaker_days"] = _("Enter a whole number of days from 0 to %(n)d.") % {"n": LOUDSPEAKER_MAX}
        days = 0
    elif days and DisclosureForm.LOUDSPEAKER not in out["forms"] and "forms" not in errors:
        errors["loudspeaker_days"] = _("Broadcast days need the loudspeaker among the forms of disclosure.")
    out["loudspeaker_days"] = days
    if not isinstance(values["is_public"], bool):
        errors["is_public"] = _("Choose yes or no.")
    out["is_public"] = values["is_public"] is True
    decided, disclosed, ends = out["decided_on"], out["disclosed_on"], out["posting_ends_on"]
    if decided and decided > today:
        errors["decided_on"] = _("The date of the decision cannot be in the future.")
    if decided and disclosed and disclosed < decided:
        errors["disclosed_on"] = _("The posting cannot start before the date of the decision (%(d)s).") % {
            "d": fmt_date(decided)}
    if disclosed and ends and ends < disclosed:
        errors["posting_ends_on"] = _("The posting cannot end before it starts (%(d)s).") % {"d": fmt_date(disclosed)}
    if ends and not disclosed:
        errors["posting_ends_on"] = _("Enter the first day of the posting too.")
    raise_if(errors)
    out["due_on"] = due_on_for(decided)
    out["permanent"] = bool(category and category.permanent)
    return out


def _duplicate(org_unit: OrgUnit, title: str, decided_on: dt.date | None, exclude_pk: int | None = None) -> None:
    # Compared in Python, case folded: SQLite folds only ASCII case, and a unit has few items per decision date.
    qs = Disclosure.objects.filter(org_unit=org_unit, decided_on=decided_on, deleted_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    key = title.casefold()
    if any(other.casefold() == key for other in qs.values_list("title", flat=True)[:1000]):
        raise ValidationError({"title": _(
            "This unit already has a disclosure with this title and decision date; open it instead of "
            "entering it twice.")})


def _locked(disclosure: Disclosure) -> Disclosure:
    fresh = (Disclosure.objects.select_for_update(of=("self",)).select_related("org_unit", "category")
             .filter(pk=disclosure.pk).first())
    if fresh is None or fresh.deleted_at is not None:
        raise ValidationError({"disclosure": _("This disclosure has been deleted.")})
    return fresh


def _refresh(caller: Disclosure, fresh: Disclosure) -> None:
    if caller is not fresh:
        for f in Disclosure._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))
        caller.category = fresh.category


def _version(fresh: Disclosure, expected_version: Any) -> int:
    version = check_version(expected_version)
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    return version


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k not in ("content", "category")}
    if "category" in values:
        out["category"] = getattr(values["category"], "code", None)
    return out


# --------------------------------------------------------------------------- disclosures


@transaction.atomic
def create_disclosure(*, actor: Any, org_unit: Any, category: Any, title: Any, content: Any = "",
                      decision_ref: Any = "", decided_on: Any = None, disclosed_on: Any = None,
                      posting_ends_on: Any = None, forms: Any = (), place: Any = "", loudspeaker_days: Any = 0,
                      is_public: Any = True) -> Disclosure:
    """A new disclosure in draft; ``publish_disclosure`` makes it public."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _allowed(actor, "disclosures.change", org_unit, _("You may not record disclosures for this unit."))
    values = _validated({
        "category": category, "title": title, "content": content, "decision_ref": decision_ref,
        "decided_on": decided_on, "disclosed_on": disclosed_on, "posting_ends_on": posting_ends_on,
        "forms": list(forms) if isinstance(forms, tuple) else forms, "place": place,
        "loudspeaker_days": loudspeaker_days, "is_public": is_public,
    }, timezone.localdate())
    # The unit's row serialises two submits of the same form (PostgreSQL; SQLite writes one at a time).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    _duplicate(org_unit, values["title"], values["decided_on"])
    disclosure = Disclosure.objects.create(org_unit=org_unit, created_by=user_or_none(actor), **values)
    audit.record("disclosures.disclosure.create", actor=actor, obj=disclosure, org_unit=org_unit,
                 summary=_summary(values))
    return disclosure


@transaction.atomic
def update_disclosure(*, actor: Any, disclosure: Disclosure, expected_version: Any, **fields: Any) -> Disclosure:
    """Change any of ``EDITABLE``; the others keep their values. A withdrawn disclosure is not edited."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fresh = _locked(disclosure)
    _allowed(actor, "disclosures.change", fresh, _("You may not change the disclosures of this unit."))
    version = _version(fresh, expected_version)
    if fresh.status == DisclosureStatus.WITHDRAWN:
        raise ValidationError({"status": _("A withdrawn disclosure cannot be changed.")})
    current = {name: getattr(fresh, name) for name in EDITABLE}
    values = _validated({**current, **fields}, timezone.localdate())
    if fresh.status == DisclosureStatus.PUBLISHED and values["disclosed_on"] is None:
        raise ValidationError({"disclosed_on": _("A disclosed item keeps the first day of its posting.")})
    _duplicate(fresh.org_unit, values["title"], values["decided_on"], exclude_pk=fresh.pk)
    changed = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    if changed:
        conditional_update(Disclosure, fresh, version, conflict_message(), **changed)
        audit.record("disclosures.disclosure.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                     summary=_summary(changed))
    _refresh(disclosure, fresh)
    return disclosure


@transaction.atomic
def publish_disclosure(*, actor: Any, disclosure: Disclosure, expected_version: Any,
                       disclosed_on: Any = None) -> Disclosure:
    """Disclose a draft from ``disclosed_on`` (today by default); the posting end defaults to the minimum."""
    fresh = _locked(disclosure)
    _allowed(actor, "disclosures.change", fresh, _("You may not disclose for this unit."))
    version = _version(fresh, expected_version)
    if fresh.status != DisclosureStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft can be disclosed.")})
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    day = _date(errors, "disclosed_on", disclosed_on) or (None if errors else fresh.disclosed_on or today)
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    if day > today:
        errors["disclosed_on"] = _("The first day of the posting cannot be in the future.")
    elif fresh.decided_on and day < fresh.decided_on:
        errors["disclosed_on"] = _("The posting cannot start before the date of the decision (%(d)s).") % {
            "d": fmt_date(fresh.decided_on)}
    ends = fresh.posting_ends_on
    if ends is not None and ends < day:
        errors["posting_ends_on"] = _("The posting cannot end before it starts (%(d)s).") % {"d": fmt_date(day)}
    raise_if(errors)
    if ends is None:
        ends = default_posting_end(fresh.category, day)
    conditional_update(Disclosure, fresh, version, conflict_message(), status=DisclosureStatus.PUBLISHED,
                       disclosed_on=day, posting_ends_on=ends, published_at=timezone.now())
    audit.record("disclosures.disclosure.publish", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"disclosed_on": day, "posting_ends_on": ends})
    _refresh(disclosure, fresh)
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, actor: Any, disclosure: Disclosure, expected_version: Any, reason: Any) -> Disclosure:
    """Take a disclosed item down (e.g. replaced by a corrected one); it leaves the portal, the record stays."""
    fresh = _locked(disclosure)
    _allowed(actor, "disclosures.change", fresh, _("You may not withdraw the disclosures of this unit."))
    version = _version(fresh, expected_version)
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    if fresh.status != DisclosureStatus.PUBLISHED:
        errors["status"] = _("Only a disclosed item can be withdrawn.")
    raise_if(errors)
    conditional_update(Disclosure, fresh, version, conflict_message(), status=DisclosureStatus.WITHDRAWN)
    audit.record("disclosures.disclosure.withdraw", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text})
    _refresh(disclosure, fresh)
    return disclosure


@transaction.atomic
def delete_disclosure(*, actor: Any, disclosure: Disclosure, reason: Any) -> Disclosure:
    """Remove an item entered by mistake (soft: the row and the audit trail stay)."""
    fresh = _locked(disclosure)
    _allowed(actor, "disclosures.delete", fresh, _("You may not delete the disclosures of this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Disclosure, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("disclosures.disclosure.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text, "title": fresh.title})
    _refresh(disclosure, fresh)
    return disclosure


# --------------------------------------------------------------------------- quarterly lists


def quarter_items(org_unit: OrgUnit, year: int, quarter: int) -> Any:
    """What the unit (and the units below it) disclosed in the quarter, in posting order."""
    first, last = quarter_bounds(year, quarter)
    return (Disclosure.objects.filter(subtree_q([org_unit.path], prefix="org_unit__"), deleted_at__isnull=True,
                                      status__in=[DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN],
                                      disclosed_on__gte=first, disclosed_on__lte=last)
            .order_by("disclosed_on", "pk"))


@transaction.atomic
def post_quarterly_list(*, actor: Any, org_unit: Any, year: Any, quarter: Any, posted_on: Any = None) -> QuarterlyList:
    """Record that the quarter's list was posted (Art. 12), for an ended quarter or the current one."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _allowed(actor, "disclosures.change", org_unit, _("You may not post the lists of this unit."))
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    if not is_int(year) or not 2000 <= year <= today.year:
        errors["year"] = _("Enter a year from 2000 to %(y)d.") % {"y": today.year}
    if not is_int(quarter) or not 1 <= quarter <= 4:
        errors["quarter"] = _("Choose a quarter from 1 to 4.")
    raise_if(errors)
    if (year, quarter) > quarter_of(today):
        raise ValidationError({"quarter": _("A quarter's list is posted once the quarter has started.")})
    first, _last = quarter_bounds(year, quarter)
    day = _date(errors, "posted_on", posted_on) if posted_on not in (None, "") else today
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    if day > today:
        errors["posted_on"] = _("The posting date cannot be in the future.")
    elif day < first:
        errors["posted_on"] = _("The list cannot be posted before the quarter starts (%(d)s).") % {"d": fmt_date(first)}
    raise_if(errors)
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    duplicate = _("The list of quarter %(q)d/%(y)d was already posted for this unit.") % {"q": quarter, "y": year}
    if QuarterlyList.objects.filter(org_unit=org_unit, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": duplicate})
    items = quarter_items(org_unit, year, quarter).count()
    try:
        with transaction.atomic():
            row = QuarterlyList.objects.create(org_unit=org_unit, year=year, quarter=quarter, posted_on=day,
                                               items=items, posted_by=user_or_none(actor))
    except IntegrityError as exc:
        raise ValidationError({"quarter": duplicate}) from exc
    audit.record("disclosures.quarterly.post", actor=actor, obj=row, org_unit=org_unit,
                 summary={"year": year, "quarter": quarter, "posted_on": day, "items": items})
    return row
