"""The period and formula a results page or an export is computed over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
MAX_DAYS = 366 * 10
EARLIEST = dt.date(2000, 1, 1)


class ResultsForm(forms.Form):
    """Dates as dd/mm/yyyy (ISO also accepted, as links and bookmarks carry them); both optional.

    An empty start is the 1st of January of the current year, an empty end is today.
    """

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE_ATTRS),
                                input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_ATTRS),
                              input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    overall = forms.ChoiceField(
        label=_("Overall index"), required=False,
        choices=[("mean", _("Mean of the elements")), ("weighted", _("Weighted by the sections' weights"))],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("date_from") or dt.date(today.year, 1, 1)
        end = data.get("date_to") or today
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        if start < EARLIEST:
            self.add_error("date_from", _("The start date cannot be before 01/01/2000."))
        elif end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most ten years."))
        data["date_from"], data["date_to"] = start, end
        data["overall"] = data.get("overall") or "mean"
        return data

    def query(self) -> str:
        """The period as a query string for links (drill-down, exports), ISO dates."""
        from django.utils.http import urlencode

        d = self.cleaned_data
        return urlencode({"date_from": d["date_from"].isoformat(), "date_to": d["date_to"].isoformat(),
                          "overall": d["overall"]})
