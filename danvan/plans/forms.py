"""Forms of the plan pages: they check the shape of input (dates, numbers, lengths); services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgKind, OrgUnit

from .models import (
    AssignmentRole,
    DeadlineKind,
    Measurement,
    PlanKind,
    PlanSection,
    SigningAuthority,
    Task,
    TaskStatus,
)

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
CHOICE_LIMIT = 500
LINE_MAX = 2000


class DayField(forms.DateField):
    """A date typed as officials write it; an impossible day (31/02) is named as such, not "invalid"."""

    default_error_messages = {
        "invalid": _("Enter a real calendar date as dd/mm/yyyy, e.g. 05/06/2026 (31/02 does not exist)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"))
        kwargs.setdefault("help_text", _("dd/mm/yyyy"))
        super().__init__(**kwargs)


class LinesField(forms.CharField):
    """One item per line (purposes, requirements, recipients): the list a paper plan has."""

    widget = forms.Textarea

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One per line."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("rows", 4)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        lines = [" ".join(line.split()) for line in str(text).splitlines()]
        too_long = [line for line in lines if len(line) > LINE_MAX]
        if too_long:
            raise forms.ValidationError(
                _("A line is longer than %(max)d characters; split it.") % {"max": LINE_MAX}
            )
        return [line for line in lines if line]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name + (f" ({obj.code})" if obj.code else "")


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.title[:120]} · {obj.issuer.name} · {obj.year}"


# ---------------------------------------------------------------------------------------------
# New plans


class NewPlanForm(forms.Form):
    issuer = UnitChoiceField(label=_("Issuing unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    year = forms.IntegerField(label=_("Implementation year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices, initial=PlanKind.ANNUAL)

    def __init__(self, *args: Any, issuers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]


class CopyPlanForm(forms.Form):
    source = PlanChoiceField(label=_("Plan to copy"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    year = forms.IntegerField(label=_("Year of the new plan"), min_value=2000, max_value=2100)
    issuer = UnitChoiceField(
        label=_("Issuing unit"), queryset=OrgUnit.objects.none(), required=False,
        help_text=_("Leave empty to keep the issuing unit of the plan copied."),
    )

    def __init__(self, *args: Any, sources: QuerySet, issuers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]


class DerivePlanForm(forms.Form):
    parent_plan = PlanChoiceField(
        label=_("Plan of the level above"), queryset=None, empty_label=None,  # type: ignore[arg-type]
        help_text=_("An issued plan of a unit above yours; its tasks and targets become the starting point."),
    )
    issuer = UnitChoiceField(label=_("Issuing unit"), queryset=OrgUnit.objects.none(), empty_label=None)

    def __init__(self, *args: Any, parents: QuerySet, issuers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_plan"].queryset = parents  # type: ignore[attr-defined]
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]


IMPORT_SUFFIXES = (".txt", ".docx", ".pdf")


class ImportUploadForm(forms.Form):
    issuer = UnitChoiceField(label=_("Issuing unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("Plan document"),
        help_text=_("A .txt, .docx or .pdf file with a text layer."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )

    def __init__(self, *args: Any, issuers: QuerySet, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(IMPORT_SUFFIXES):
            raise forms.ValidationError(_("Unsupported file type: use .txt, .docx or .pdf."))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is too large (%(size).1f MB); the limit is %(limit).1f MB.")
                % {"size": upload.size / 1024 / 1024, "limit": self.max_bytes / 1024 / 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


# ---------------------------------------------------------------------------------------------
# The plan's header


PLAN_FIELDS = (
    "issuing_body", "parent_body", "symbol", "place", "issued_on", "title", "year", "end_year", "kind",
    "preamble", "purposes", "requirements", "recipients", "signer_name", "signer_position", "signer_authority",
    "requires_subordinate_plans", "subordinate_due_on", "subordinate_kinds",
)


class PlanForm(forms.Form):
    issuing_body = forms.CharField(
        label=_("Issuing body as printed"), max_length=255, required=False,
        help_text=_("E.g. ỦY BAN NHÂN DÂN XÃ BÌNH LƯ."),
    )
    parent_body = forms.CharField(label=_("Superior body as printed"), max_length=255, required=False)
    symbol = forms.CharField(label=_("Symbol"), max_length=40, help_text=_("E.g. KH-UBND."))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    issued_on = DayField(label=_("Date of issue"), required=False, help_text=_("dd/mm/yyyy; set when the plan is issued."))
    title = forms.CharField(label=_("Title"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    year = forms.IntegerField(label=_("Implementation year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(
        label=_("Last year"), min_value=2000, max_value=2100, required=False, help_text=_("Multi-year plans only.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    preamble = forms.CharField(label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    purposes = LinesField(label=_("Purposes"))
    requirements = LinesField(label=_("Requirements"))
    recipients = LinesField(label=_("Recipients"))
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=150, required=False)
    signer_authority = forms.ChoiceField(label=_("Signing authority"), choices=SigningAuthority.choices, required=False)
    requires_subordinate_plans = forms.BooleanField(
        label=_("Subordinate units must issue their own plans"), required=False
    )
    subordinate_due_on = DayField(label=_("Subordinate plans due on"), required=False)
    subordinate_kinds = forms.ModelMultipleChoiceField(
        label=_("Kinds of unit that must issue a plan"), queryset=OrgKind.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("requires_subordinate_plans") and not data.get("subordinate_due_on"):
            self.add_error("subordinate_due_on", _("Give the date by which subordinate units must issue their plans."))
        return data

    def changes(self) -> dict[str, Any]:
        out = {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}
        out["signer_authority"] = out.get("signer_authority") or ""
        out["subordinate_kinds"] = list(out.get("subordinate_kinds") or [])
        return out


def plan_initial(plan: Any) -> dict[str, Any]:
    data = {f: getattr(plan, f) for f in PLAN_FIELDS if f != "subordinate_kinds"}
    data["subordinate_kinds"] = [k.pk for k in plan.subordinate_kinds.all()]
    data["expected_version"] = plan.lock_version
    return data


# ---------------------------------------------------------------------------------------------
# Workflow


class IssueForm(forms.Form):
    issued_on = DayField(label=_("Date of issue"))
    number = forms.IntegerField(
        label=_("Number"), min_value=1, max_value=99999, required=False,
        help_text=_("Leave empty to take the next free number of the issuing unit for the year."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------------------------
# Parts of a plan


class SectionForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=10, required=False, help_text=_("E.g. I, II or 1, 2."))
    title = forms.CharField(label=_("Title"), max_length=500)
    parent = forms.ModelChoiceField(
        label=_("Inside section"), queryset=PlanSection.objects.none(), required=False,
        empty_label=_("(top level)"),
    )

    def __init__(self, *args: Any, plan: Any, exclude: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = plan.sections.all()
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = qs  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    text = forms.CharField(label=_("Task"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=PlanSection.objects.none(), required=False, empty_label=_("(no section)")
    )
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none(), required=False)
    due_on = DayField(label=_("Deadline"), required=False)

    def __init__(self, *args: Any, plan: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = plan.sections.all()  # type: ignore[attr-defined]
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("What was done"), max_length=500, required=False,
        help_text=_("Kept as evidence together with the link or file."),
    )
    link = forms.URLField(label=_("Link"), required=False, max_length=200, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("link") or data.get("file")) and not data.get("note"):
            self.add_error("note", _("Describe the evidence you attach."))
        return data


class TargetForm(forms.Form):
    text = forms.CharField(label=_("Target"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    value = forms.DecimalField(label=_("Target value"), max_digits=12, decimal_places=2, required=False)
    unit = forms.CharField(label=_("Unit of measure"), max_length=30, required=False, help_text=_("%, or what is counted."))
    measurement = forms.ChoiceField(label=_("How it is measured"), choices=Measurement.choices)
    indicator_code = forms.CharField(label=_("Indicator code"), max_length=50, required=False)


class TargetValueForm(forms.Form):
    current_value = forms.DecimalField(label=_("Current value"), max_digits=12, decimal_places=2)


class AssignmentForm(forms.Form):
    unit_name = forms.CharField(label=_("Unit as written"), max_length=255)
    unit = UnitChoiceField(
        label=_("Unit in the system"), queryset=OrgUnit.objects.none(), required=False,
        help_text=_("Optional; links the assignment to a unit of the tree."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-operating units"), queryset=OrgUnit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    duties = forms.CharField(label=_("Duties"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = DayField(label=_("Deadline"), required=False)
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False, empty_label=_("(whole plan)"))

    def __init__(self, *args: Any, plan: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]
        self.fields["task"].queryset = plan.tasks.all()  # type: ignore[attr-defined]
        self.fields["task"].label_from_instance = lambda t: t.text[:100]  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    text = forms.CharField(label=_("Description"), max_length=500)
    due_on = DayField(label=_("Due on"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DeadlineKind.choices, initial=DeadlineKind.OTHER)


# ---------------------------------------------------------------------------------------------
# Import review: one field per extracted value, named after where it sits in the parse.


ROLE_CHOICES = [(r.value, r.label) for r in AssignmentRole]
AUTHORITY_CHOICES = [("", _("(none)")), *[(a.value, a.label) for a in SigningAuthority if a.value]]


def _iso_to_date(value: Any) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _keep(initial: bool) -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Keep"), required=False, initial=initial, widget=forms.CheckboxInput(attrs={"data-keep": ""})
    )


class ImportReviewForm(forms.Form):
    """Built from the detailed parse: every extracted value editable, each list item with a keep box."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, detailed: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.detailed = detailed
        f = self.fields
        val = lambda name: (detailed.get(name) or {}).get("value")  # noqa: E731

        f["number"] = forms.CharField(label=_("Number"), max_length=20, required=False, initial=val("number"))
        f["symbol"] = forms.CharField(label=_("Symbol"), max_length=40, required=False, initial=val("symbol"))
        f["issuer_text"] = forms.CharField(
            label=_("Issuing body as printed"), max_length=255, required=False, initial=val("issuer")
        )
        f["place"] = forms.CharField(label=_("Place"), max_length=100, required=False, initial=val("place"))
        f["issued_on"] = DayField(label=_("Date of issue"), required=False, initial=_iso_to_date(val("issued_on")))
        f["title"] = forms.CharField(label=_("Title"), max_length=500, initial=val("title"), widget=forms.Textarea(attrs={"rows": 2}))
        f["year"] = forms.IntegerField(label=_("Implementation year"), min_value=2000, max_value=2100, initial=val("year"))
        for name, label in (("purposes", _("Purposes")), ("requirements", _("Requirements")), ("recipients", _("Recipients"))):
            f[name] = LinesField(label=label, initial=[i["value"] for i in detailed.get(name) or []])
        for i, item in enumerate(detailed.get("references") or []):
            v = item["value"]
            f[f"ref_{i}_keep"] = _keep(True)
            f[f"ref_{i}_type"] = forms.CharField(label=_("Type"), max_length=60, required=False, initial=v.get("type"))
            f[f"ref_{i}_number"] = forms.CharField(label=_("Number"), max_length=30, required=False, initial=v.get("number"))
            f[f"ref_{i}_symbol"] = forms.CharField(label=_("Symbol"), max_length=60, required=False, initial=v.get("symbol"))
            f[f"ref_{i}_date"] = DayField(label=_("Date"), required=False, initial=_iso_to_date(v.get("date")))
            f[f"ref_{i}_issuer"] = forms.CharField(label=_("Issued by"), max_length=255, required=False, initial=v.get("issuer"))
        for i, item in enumerate(detailed.get("targets") or []):
            v = item["value"]
            f[f"target_{i}_keep"] = _keep(True)
            f[f"target_{i}_text"] = forms.CharField(
                label=_("Target"), max_length=5000, required=False, initial=v.get("text"), widget=forms.Textarea(attrs={"rows": 2})
            )
            f[f"target_{i}_value"] = forms.DecimalField(
                label=_("Value"), max_digits=12, decimal_places=2, required=False, initial=v.get("value")
            )
            f[f"target_{i}_unit"] = forms.CharField(label=_("Unit of measure"), max_length=30, required=False, initial=v.get("unit"))
        for i, item in enumerate(detailed.get("sections") or []):
            v = item["value"]
            f[f"section_{i}_keep"] = _keep(True)
            f[f"section_{i}_number"] = forms.CharField(label=_("Number"), max_length=10, required=False, initial=v.get("number"))
            f[f"section_{i}_title"] = forms.CharField(label=_("Title"), max_length=500, required=False, initial=v.get("title"))
            f[f"section_{i}_tasks"] = LinesField(
                label=_("Tasks"), initial=v.get("tasks") or [], help_text=_("One task per line.")
            )
        for i, item in enumerate(detailed.get("assignments") or []):
            v = item["value"]
            f[f"assign_{i}_keep"] = _keep(True)
            f[f"assign_{i}_unit"] = forms.CharField(label=_("Unit"), max_length=255, required=False, initial=v.get("unit"))
            f[f"assign_{i}_role"] = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=v.get("role") or "other")
            f[f"assign_{i}_duties"] = forms.CharField(
                label=_("Duties"), max_length=10000, required=False, initial=v.get("duties"), widget=forms.Textarea(attrs={"rows": 3})
            )
        for i, item in enumerate(detailed.get("deadlines") or []):
            v = item["value"]
            f[f"deadline_{i}_keep"] = _keep(v.get("due") is not None)
            f[f"deadline_{i}_text"] = forms.CharField(label=_("Description"), max_length=500, required=False, initial=v.get("text"))
            f[f"deadline_{i}_due"] = DayField(label=_("Due on"), required=False, initial=_iso_to_date(v.get("due")))
        signer = (detailed.get("signer") or {}).get("value") or {}
        f["signer_name"] = forms.CharField(label=_("Signer"), max_length=150, required=False, initial=signer.get("name"))
        f["signer_position"] = forms.CharField(
            label=_("Signer's position"), max_length=150, required=False, initial=signer.get("position")
        )
        f["signer_authority"] = forms.ChoiceField(
            label=_("Signing authority"), choices=AUTHORITY_CHOICES, required=False, initial=signer.get("authority") or ""
        )

    def count(self, name: str) -> int:
        return len(self.detailed.get(name) or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.count("deadlines")):
            if data.get(f"deadline_{i}_keep") and not data.get(f"deadline_{i}_due") and f"deadline_{i}_due" not in self.errors:
                self.add_error(f"deadline_{i}_due", _("Give the date, or untick this deadline."))
            if data.get(f"deadline_{i}_keep") and not (data.get(f"deadline_{i}_text") or "").strip():
                self.add_error(f"deadline_{i}_text", _("Describe the deadline, or untick it."))
        for i in range(self.count("assignments")):
            if data.get(f"assign_{i}_keep") and not (data.get(f"assign_{i}_unit") or "").strip():
                self.add_error(f"assign_{i}_unit", _("Name the unit, or untick this assignment."))
        for i in range(self.count("targets")):
            if data.get(f"target_{i}_keep") and not (data.get(f"target_{i}_text") or "").strip():
                self.add_error(f"target_{i}_text", _("Write the target, or untick it."))
        return data

    def parsed(self) -> dict[str, Any]:
        """The reviewed values in ``parse_plan``'s public shape, ready for ``create_plan_from_import``."""
        d = self.cleaned_data

        def iso(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        def text(value: Any) -> str | None:
            value = " ".join(str(value or "").split())
            return value or None

        original = self.detailed
        out: dict[str, Any] = {
            "doc_type": (original.get("doc_type") or {}).get("value") or "KH",
            "number": text(d.get("number")),
            "symbol": text(d.get("symbol")),
            "issuer": text(d.get("issuer_text")),
            "place": text(d.get("place")),
            "issued_on": iso(d.get("issued_on")) or _partial_date(original),
            "title": text(d.get("title")),
            "year": d.get("year"),
            "references": [],
            "purposes": d.get("purposes") or [],
            "requirements": d.get("requirements") or [],
            "targets": [],
            "sections": [],
            "assignments": [],
            "deadlines": [],
            "recipients": d.get("recipients") or [],
            "signer": None,
        }
        for i in range(self.count("references")):
            if not d.get(f"ref_{i}_keep"):
                continue
            out["references"].append({
                "type": text(d.get(f"ref_{i}_type")), "number": text(d.get(f"ref_{i}_number")),
                "symbol": text(d.get(f"ref_{i}_symbol")), "date": iso(d.get(f"ref_{i}_date")),
                "issuer": text(d.get(f"ref_{i}_issuer")),
            })
        for i in range(self.count("targets")):
            if d.get(f"target_{i}_keep"):
                value = d.get(f"target_{i}_value")
                if value is not None:
                    value = int(value) if value == value.to_integral_value() else float(value)
                out["targets"].append(
                    {"text": text(d.get(f"target_{i}_text")), "value": value, "unit": text(d.get(f"target_{i}_unit"))}
                )
        for i in range(self.count("sections")):
            if d.get(f"section_{i}_keep"):
                out["sections"].append({
                    "number": text(d.get(f"section_{i}_number")), "title": text(d.get(f"section_{i}_title")) or "",
                    "tasks": d.get(f"section_{i}_tasks") or [],
                })
        for i in range(self.count("assignments")):
            if d.get(f"assign_{i}_keep"):
                out["assignments"].append({
                    "unit": text(d.get(f"assign_{i}_unit")), "role": d.get(f"assign_{i}_role") or "other",
                    "duties": (d.get(f"assign_{i}_duties") or "").strip(),
                })
        for i in range(self.count("deadlines")):
            if d.get(f"deadline_{i}_keep"):
                out["deadlines"].append({"text": text(d.get(f"deadline_{i}_text")), "due": iso(d.get(f"deadline_{i}_due"))})
        if d.get("signer_name") or d.get("signer_position"):
            out["signer"] = {
                "name": text(d.get("signer_name")), "position": text(d.get("signer_position")),
                "authority": d.get("signer_authority") or None,
            }
        return out


def _partial_date(detailed: dict[str, Any]) -> str | None:
    """A date read only as "2024" or "2024-05" is kept as read when the reviewer leaves the field empty."""
    value = (detailed.get("issued_on") or {}).get("value")
    return value if isinstance(value, str) and len(value) < 10 else None



# ---------------------------------------------------------------------------------------------
# Legal bases of a draft, edited by hand


CITATION_MAX = 500


def read_citation(text: str) -> dict[str, Any] | None:
    """Type, number, symbol, date and issuer of a citation as officials write it; None without number and symbol.

    "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ" goes through the plan parser's
    reading of citations (the same as an imported plan's); a bare "33/CT-TTg" whose symbol the
    parser does not know still names a document by its number and symbol.
    """
    from danvan.legal.references import split_reference

    from .parsing.references import find_citations

    for citation in find_citations(text):
        if citation.number and citation.symbol:
            return citation.value()
    number, symbol = split_reference(text)
    if number and symbol and " " not in symbol and any(ch.isalpha() for ch in symbol):
        return {"type": None, "number": number, "symbol": symbol, "date": None, "issuer": None}
    return None


class LegalBasesForm(forms.Form):
    """The current bases (order, remove) and one document to add, typed or chosen from the registry."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    citation = forms.CharField(
        label=_("Add a document by its citation"), required=False, max_length=CITATION_MAX,
        help_text=_("For example “Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ” or just “33/CT-TTg”."),
    )
    document = forms.TypedChoiceField(
        label=_("Or choose a document of the registry"), required=False, coerce=int, empty_value=None,
    )

    def __init__(self, *args: Any, links: list[Any], found: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.links = links
        fields: dict[str, forms.Field] = {"expected_version": self.fields.pop("expected_version")}
        for i, link in enumerate(links):
            name = str(link.document)
            fields[f"order_{link.document_id}"] = forms.IntegerField(
                label=_("Position of %(doc)s") % {"doc": name}, required=False, min_value=1, max_value=999,
                initial=i + 1,
            )
            fields[f"remove_{link.document_id}"] = forms.BooleanField(
                label=_("Remove %(doc)s") % {"doc": name}, required=False,
            )
        fields.update(self.fields)
        self.fields = fields
        self.fields["document"].choices = [("", "—"), *[(d.pk, str(d)) for d in found]]  # type: ignore[attr-defined]

    def clean_citation(self) -> dict[str, Any] | None:
        text = self.cleaned_data["citation"]
        if not text:
            return None
        values = read_citation(text)
        if values is None:
            raise forms.ValidationError(
                _("Could not read a number and symbol in this citation. Write it as in the document, e.g. 33/CT-TTg.")
            )
        from danvan.legal.references import document_key

        key = document_key(values["number"], values["symbol"])
        if any(link.document.key == key for link in self.links):
            raise forms.ValidationError(_("This document is already a legal basis of the plan."))
        return values

    def clean_document(self) -> int | None:
        pk = self.cleaned_data["document"]
        if pk is not None and any(link.document_id == pk for link in self.links):
            raise forms.ValidationError(_("This document is already a legal basis of the plan."))
        return pk

    def kept(self) -> list[Any]:
        """The documents kept, in the order asked (ties keep their former order)."""
        rows = []
        for i, link in enumerate(self.links):
            if self.cleaned_data.get(f"remove_{link.document_id}"):
                continue
            order = self.cleaned_data.get(f"order_{link.document_id}")
            rows.append((i + 1 if order is None else order, i, link.document))
        return [doc for _order, _i, doc in sorted(rows, key=lambda r: (r[0], r[1]))]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.errors or data is None:
            return data
        unchanged = [link.document for link in self.links] == self.kept()
        if unchanged and not data.get("citation") and data.get("document") is None:
            raise forms.ValidationError(_("Type a citation, choose a document, or change the list."))
        return data
