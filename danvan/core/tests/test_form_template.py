"""The shared form snippet ties every help text and error to its field for screen readers."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As written on the decision.", max_length=5)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    agree = forms.BooleanField(label="Agree", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def render(form: forms.Form) -> str:
    return render_to_string("_form.html", {"form": form})


def describedby(html: str, field_id: str) -> list[str]:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    assert tag, f"no input #{field_id}"
    m = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    return m.group(1).split() if m else []


def test_help_text_is_linked_and_every_visible_field_is_labelled() -> None:
    html = render(SampleForm())
    assert describedby(html, "id_name") == ["id_name_helptext"]
    assert 'id="id_name_helptext"' in html
    assert '<label for="id_name">' in html and '<label for="id_agree">' in html
    assert 'for="id_token"' not in html  # hidden fields get no label
    assert re.search(r"<fieldset[^>]*>\s*<legend>Kind", html)


def test_errors_are_linked_once_and_marked_invalid() -> None:
    form = SampleForm(data={"name": "too long a name", "kind": "z"})
    assert not form.is_valid()
    html = render(form)
    assert describedby(html, "id_name") == ["id_name_helptext", "id_name_error"]
    assert html.count('id="id_name_error"') == 1
    name_tag = re.search(r'<input[^>]*id="id_name"[^>]*>', html)
    assert name_tag and 'aria-invalid="true"' in name_tag.group(0)
    assert re.search(r'<fieldset[^>]*aria-describedby="id_kind_error"', html)
