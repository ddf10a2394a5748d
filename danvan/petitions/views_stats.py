"""The statistics page: a unit's petitions and reception figures over a period, per unit below it.

Any logged-in official may read it for a unit they can see (their units and everything below);
figures are counts only, never a name or a content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import statistics
from .forms import DATE_ATTRS
from .models import PetitionKind

MAX_DAYS = 366 * 10

COLUMNS = [
    ("received_total", _("Received")),
    *[(f"received_{k.value}", k.label) for k in PetitionKind],
    ("accepted", _("Accepted")),
    ("resolved", _("Resolved")),
    ("resolved_on_time", _("On time")),
    ("overdue", _("Overdue")),
    ("mass_cases", _("Mass cases")),
    ("prolonged", _("Prolonged")),
    ("over_level", _("Over-level")),
    ("citizens_received", _("Citizens received")),
    ("reception_days_scheduled", _("Heads' scheduled reception days")),
    ("reception_days_ad_hoc", _("Heads' ad hoc reception days")),
]


class StatsForm(forms.Form):
    unit = forms.IntegerField(label=_("Unit"), widget=forms.Select)
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE_ATTRS))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=DATE_ATTRS))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        own = OrgUnit.objects.visible_to(user).filter(pk__in=scope_of(user).unit_ids).order_by("path")
        if scope_of(user).is_superuser:
            own = OrgUnit.objects.current().filter(parent__isnull=True).order_by("name")
        choices = [(u.pk, u.name) for u in own]
        raw = self.data.get("unit") if self.is_bound else None
        if raw and str(raw).isdigit() and int(raw) not in {c[0] for c in choices}:
            extra = OrgUnit.objects.visible_to(user).filter(pk=int(raw)).first()
            if extra is not None:
                choices.append((extra.pk, extra.name))
        self.fields["unit"].widget.choices = choices

    def clean_unit(self) -> OrgUnit:
        pk = self.cleaned_data["unit"]
        unit = OrgUnit.objects.visible_to(self.user).filter(pk=pk).first()
        if unit is None:
            raise forms.ValidationError(_("Choose a unit you can see."))
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date cannot be before the start date."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_to", _("Choose a period of at most ten years."))
        return data


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"date_from": dt.date(today.year, 1, 1), "date_to": today}
    form = StatsForm(request.GET or None, user=request.user, initial=initial)
    rows: list[dict[str, Any]] = []
    totals: list[int] = []
    unit = None
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        by_child = statistics.stats_by_child(unit, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        rows = [{"unit": u, "own": u.pk == unit.pk, "values": [figures[k] for k, _l in COLUMNS]}
                for u, figures in by_child]
        total = statistics.total(by_child)
        totals = [total[k] for k, _l in COLUMNS]
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "petitions/stats/statistics.html", {
        "form": form, "columns": [label for _k, label in COLUMNS], "rows": rows, "totals": totals, "unit": unit,
    }, status=status)
