"""Forms of the report pages: they check the shape of input (numbers, dates, lengths); services check the rules.

The fill grid is built from the form's ``FormSpec`` (one field per indicator, per reason and per
question), so that a value typed as "12a" comes back to the officer exactly as typed with the
reason beside it; the same ``validation.clean_values`` the service uses names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgKind, OrgUnit

from .models import Aggregation, Comparison, PeriodKind, ReportForm, ValueType

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DAY_MONTH_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*$")
CODES_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
# Period kinds whose deadline and cut-off are one day of the year (a monthly or quarterly one is not).
YEARLY_KINDS = (PeriodKind.HALF_YEAR, PeriodKind.NINE_MONTHS, PeriodKind.ANNUAL)
REASON_MAX = 500
COMMENT_MAX = 2000
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class DayField(forms.DateField):
    """A date typed as officials write it; an impossible day (31/02) is named as such."""

    default_error_messages = {
        "invalid": _("Enter a real calendar date as dd/mm/yyyy, e.g. 05/06/2026 (31/02 does not exist)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"))
        kwargs.setdefault("help_text", _("dd/mm/yyyy"))
        super().__init__(**kwargs)


class DayMonthField(forms.CharField):
    """A day of every year typed as dd/mm ("05/06"), kept as the "MM-DD" the regime stores."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "dd/mm", "inputmode": "numeric",
                                                           "autocomplete": "off", "size": 6}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{2}-\d{2}", value):
            month, day = value.split("-")
            return f"{day}/{month}"
        return value

    def to_python(self, value: Any) -> str:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return ""
        m = DAY_MONTH_RE.match(text)
        if m is None:
            raise forms.ValidationError(_("Enter a day and month as dd/mm, e.g. 05/06."))
        day, month = int(m.group(1)), int(m.group(2))
        try:
            dt.date(2024, month, day)  # a leap year: 29/02 is a real day of some years
        except ValueError:
            raise forms.ValidationError(_("This day does not exist: %(text)s.") % {"text": text}) from None
        return f"{month:02d}-{day:02d}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name + (f" ({obj.code})" if obj.code else "")


class CodesField(forms.CharField):
    """Indicator codes separated by "+" or commas: the sides of a cross-indicator rule."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes = [c.strip() for c in re.split(r"[+,\s]+", text) if c.strip()]
        bad = [c for c in codes if not CODES_RE.match(c)]
        if bad:
            raise forms.ValidationError(_("Not an indicator code: %(codes)s.") % {"codes": ", ".join(bad)})
        return codes

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return " + ".join(value)
        return value


class VersionForm(forms.Form):
    """Only the optimistic lock: the buttons that change a report's status without other input."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------------------------
# Report forms and their parts


class NewFormForm(forms.Form):
    owner = UnitChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Lower-case letters, digits, dots, hyphens; e.g. dan-van-xa."),
    )
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, owners: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=10, required=False, help_text=_("E.g. I, II, 1."))
    title = forms.CharField(label=_("Title"), max_length=255)
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, required=False)


def _section_choices(form: ReportForm) -> list[tuple[Any, str]]:
    return [("", "—"), *[(s.pk, str(s)) for s in form.sections.all()]]


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    section = forms.TypedChoiceField(label=_("Section"), required=False, coerce=int, empty_value=None)
    unit = forms.CharField(label=_("Unit of measure"), max_length=50, required=False, help_text=_("E.g. buổi, lượt người, %."))
    value_type = forms.ChoiceField(label=_("Type"), choices=ValueType.choices)
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Aggregation.choices)
    numerator_code = forms.CharField(label=_("Numerator"), max_length=50, required=False,
                                     help_text=_("For a ratio: code of the indicator above the line."))
    denominator_code = forms.CharField(label=_("Denominator"), max_length=50, required=False,
                                       help_text=_("For a ratio: code of the indicator below the line."))
    required = forms.BooleanField(label=_("Required"), required=False)
    min_value = forms.FloatField(label=_("Minimum"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    max_value = forms.FloatField(label=_("Maximum"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    prefill_source = forms.ChoiceField(label=_("Pre-filled from"), required=False)
    help_text = forms.CharField(label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, required=False)

    def __init__(self, *args: Any, form: ReportForm, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = _section_choices(form)  # type: ignore[attr-defined]
        current = (self.initial or {}).get("prefill_source") or ""
        choices = [("", "—"), *sources]
        if current and current not in {k for k, _l in sources}:
            choices.append((current, current))
        self.fields["prefill_source"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("min_value"), data.get("max_value")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("max_value", _("The maximum must not be below the minimum."))
        if data.get("aggregation") == Aggregation.RATIO:
            for name in ("numerator_code", "denominator_code"):
                if not data.get(name):
                    self.add_error(name, _("A ratio needs the codes of both indicators."))
        return data


class QuestionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=50)
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    section = forms.TypedChoiceField(label=_("Section"), required=False, coerce=int, empty_value=None)
    help_text = forms.CharField(label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=_("Required"), required=False)
    max_length = forms.IntegerField(label=_("Maximum length"), min_value=1, max_value=100_000, initial=5000)
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, required=False)

    def __init__(self, *args: Any, form: ReportForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = _section_choices(form)  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    left = CodesField(label=_("Left side"), max_length=500, help_text=_("Indicator codes added together, e.g. resolved."))
    operator = forms.ChoiceField(label=_("Comparison"), choices=Comparison.choices)
    right = CodesField(label=_("Right side"), max_length=500, help_text=_("Indicator codes added together, e.g. received."))
    message = forms.CharField(label=_("Message shown when broken"), max_length=255, required=False)


# ---------------------------------------------------------------------------------------------
# Regimes and periods


class RegimeForm(forms.Form):
    owner = UnitChoiceField(label=_("Consolidating unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=255)
    form = forms.ModelChoiceField(label=_("Report form"), queryset=ReportForm.objects.none(), empty_label=None)
    scope_root = UnitChoiceField(
        label=_("Reporting units under"), queryset=OrgUnit.objects.none(), required=False,
        help_text=_("Leave empty for the consolidating unit itself."),
    )
    reporter_kinds = forms.ModelMultipleChoiceField(
        label=_("Kinds of unit that report"), queryset=OrgKind.objects.all(), widget=forms.CheckboxSelectMultiple,
    )
    period_kinds = forms.MultipleChoiceField(
        label=_("Frequencies"), choices=PeriodKind.choices, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, owners: QuerySet, forms_qs: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["scope_root"].queryset = owners  # type: ignore[attr-defined]
        self.fields["form"].queryset = forms_qs  # type: ignore[attr-defined]
        for kind in YEARLY_KINDS:
            label = PeriodKind(kind).label
            self.fields[f"deadline_{kind}"] = DayMonthField(
                label=_("Deadline of the %(kind)s report") % {"kind": label},
                help_text=_("dd/mm; empty: taken from the plan."),
            )
            self.fields[f"cutoff_{kind}_start"] = DayMonthField(
                label=_("%(kind)s data from") % {"kind": label}, help_text=_("dd/mm; empty: Decree 09/2019."),
            )
            self.fields[f"cutoff_{kind}_end"] = DayMonthField(
                label=_("%(kind)s data until") % {"kind": label}, help_text=_("dd/mm; empty: Decree 09/2019."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in YEARLY_KINDS:
            start, end = data.get(f"cutoff_{kind}_start"), data.get(f"cutoff_{kind}_end")
            if bool(start) != bool(end) and f"cutoff_{kind}_end" not in self.errors:
                self.add_error(f"cutoff_{kind}_end" if start else f"cutoff_{kind}_start",
                               _("Give both the first and the last day of data, or neither."))
        return data

    def deadlines(self) -> dict[str, str]:
        return {k: self.cleaned_data[f"deadline_{k}"] for k in YEARLY_KINDS if self.cleaned_data.get(f"deadline_{k}")}

    def cutoffs(self) -> dict[str, dict[str, str]]:
        out = {}
        for k in YEARLY_KINDS:
            start, end = self.cleaned_data.get(f"cutoff_{k}_start"), self.cleaned_data.get(f"cutoff_{k}_end")
            if start and end:
                out[str(k)] = {"start": start, "end": end}
        return out

    def main_fields(self) -> list[Any]:
        return [self[n] for n in ("owner", "name", "form", "scope_root", "reporter_kinds", "period_kinds")]

    def yearly_rows(self) -> list[dict[str, Any]]:
        """The per-kind fields grouped for the template: one row per yearly kind."""
        return [
            {"label": PeriodKind(k).label, "deadline": self[f"deadline_{k}"],
             "start": self[f"cutoff_{k}_start"], "end": self[f"cutoff_{k}_end"]}
            for k in YEARLY_KINDS
        ]


class OpenPeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    number = forms.IntegerField(
        label=_("Number in the year"), min_value=1, max_value=12, initial=1,
        help_text=_("Month or quarter number; 1 for 6-month, 9-month and annual periods."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = DayField(label=_("Data from"), required=False, help_text=_("dd/mm/yyyy; empty: the default cut-off."))
    ends_on = DayField(label=_("Data until"), required=False, help_text=_("dd/mm/yyyy; empty: the default cut-off."))
    due_on = DayField(label=_("Deadline"), required=False, help_text=_("dd/mm/yyyy; empty: the regime's deadline."))
    label = forms.CharField(label=_("Label"), max_length=150, required=False,
                            help_text=_("Empty: made from the kind and the year."))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(PeriodKind.choices)
        self.fields["kind"].choices = [(k, labels.get(k, k)) for k in kinds]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, data)
        return data


def _check_dates(form: forms.Form, data: dict[str, Any]) -> None:
    starts, ends, due = data.get("starts_on"), data.get("ends_on"), data.get("due_on")
    if starts and ends and ends < starts:
        form.add_error("ends_on", _("The last day of data must not be before the first."))
    if ends and due and due < ends:
        form.add_error("due_on", _("The deadline must not be before the last day of data."))


class PeriodForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=150)
    starts_on = DayField(label=_("Data from"))
    ends_on = DayField(label=_("Data until"))
    due_on = DayField(label=_("Deadline"))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_dates(self, data)
        return data


# ---------------------------------------------------------------------------------------------
# The fill grid


def value_field_name(code: str) -> str:
    return f"v_{code}"


def reason_field_name(code: str) -> str:
    return f"r_{code}"


def answer_field_name(code: str) -> str:
    return f"a_{code}"


def shown_value(value: Any) -> str:
    """A stored figure as it is typed back into the grid: 12 not 12.0, booleans as the choice keys."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


BOOLEAN_CHOICES = (("", "—"), ("1", _("Yes")), ("0", _("No")))


def _value_widget(ind: Any) -> forms.Widget:
    if ind.value_type == ValueType.BOOLEAN:
        return forms.Select(choices=BOOLEAN_CHOICES)
    if ind.value_type == ValueType.TEXT:
        return forms.Textarea(attrs={"rows": 2})
    mode = "numeric" if ind.value_type in (ValueType.COUNT, ValueType.MONEY) else "decimal"
    return forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "class": "num", "size": 12})


class FillForm(forms.Form):
    """One field per indicator (kept as typed), per reason for changing a pre-filled figure, per question."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, spec: Any, prefilled: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.prefilled = prefilled
        for ind in spec.input_indicators:
            self.fields[value_field_name(ind.code)] = forms.CharField(
                label=ind.name, required=False, max_length=2000, strip=True, widget=_value_widget(ind),
            )
            if ind.code in prefilled:
                self.fields[reason_field_name(ind.code)] = forms.CharField(
                    label=_("Reason for the change"), required=False, max_length=REASON_MAX,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                )
        for q in spec.questions:
            self.fields[answer_field_name(q.code)] = forms.CharField(
                label=q.text, required=False, max_length=q.max_length, strip=True,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def clean(self) -> dict[str, Any]:
        from .validation import clean_answers, clean_values

        data = super().clean() or {}
        raw = {ind.code: data[value_field_name(ind.code)] for ind in self.spec.input_indicators
               if data.get(value_field_name(ind.code)) not in (None, "")}
        values, errors = clean_values(self.spec, raw)
        for code, message in errors.items():
            name = value_field_name(code)
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)
        answers_raw = {q.code: data[answer_field_name(q.code)] for q in self.spec.questions
                       if data.get(answer_field_name(q.code))}
        answers, answer_errors = clean_answers(self.spec, answers_raw)
        for code, message in answer_errors.items():
            name = answer_field_name(code)
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)
        self.values = values
        self.answers = answers
        self.reasons = {
            ind.code: data[reason_field_name(ind.code)] for ind in self.spec.input_indicators
            if data.get(reason_field_name(ind.code))
        }
        return data

    def all_values(self) -> dict[str, Any]:
        """Every figure of the grid; an emptied cell is sent as None, which clears it (save_draft merges)."""
        return {ind.code: self.values.get(ind.code) for ind in self.spec.input_indicators}

    def all_answers(self) -> dict[str, Any]:
        return {q.code: self.answers.get(q.code) for q in self.spec.questions}

    def rename(self) -> dict[str, str]:
        """The service names a figure by its code; the form names its field otherwise."""
        names = {ind.code: value_field_name(ind.code) for ind in self.spec.indicators}
        names.update({q.code: answer_field_name(q.code) for q in self.spec.questions})
        return names


def fill_initial(submission: Any, spec: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"expected_version": submission.lock_version}
    for ind in spec.indicators:
        if ind.code in submission.values:
            initial[value_field_name(ind.code)] = shown_value(submission.values[ind.code])
        if ind.code in submission.corrections:
            initial[reason_field_name(ind.code)] = submission.corrections[ind.code]
    for q in spec.questions:
        if q.code in submission.answers:
            initial[answer_field_name(q.code)] = submission.answers[q.code]
    return initial


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled Excel template"), help_text=_("The .xlsx file downloaded from this page, filled in."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the .xlsx file of this report's template."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size).1f MB); the limit is %(limit).1f MB.")
                % {"size": upload.size / 1024 / 1024, "limit": UPLOAD_MAX_BYTES / 1024 / 1024}
            )
        return upload


class ReturnForm(VersionForm):
    comment = forms.CharField(
        label=_("What must be corrected"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=COMMENT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
