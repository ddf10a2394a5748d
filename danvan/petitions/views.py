"""The deadline calculator page: officials check a petition's legal deadlines before acting on it.

It only reads (a GET form, nothing saved), so any logged-in official may use it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from danvan.core.forms import add_service_errors

from .deadlines import compute_deadlines
from .forms import DeadlineForm

LABELS = {
    "acceptance_due": _("Acceptance"),
    "forward_due": _("Forwarding (outside competence)"),
    "notification_due": _("Notification of the acceptance"),
    "feedback_due": _("Reply to the citizen"),
    "resolution_due": _("Resolution"),
}


@login_required
def deadline_calculator(request: HttpRequest) -> HttpResponse:
    form = DeadlineForm(request.GET or None)
    rows: list[dict[str, Any]] = []
    result = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        data["extensions"] = data["extensions"] or 0
        try:
            result = compute_deadlines(**data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            rows = [
                {"label": LABELS[key], "date": due, "basis": rule.legal_basis, "note": rule.note}
                for key, due, rule in result.rows()
            ]
    return render(request, "petitions/deadlines.html", {"form": form, "result": result, "rows": rows})
