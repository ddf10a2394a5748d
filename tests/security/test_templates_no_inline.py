"""No template carries inline code: the strict Content-Security-Policy would block it (and it must not be needed).

danvan's CSP (``CONTENT_SECURITY_POLICY`` in danvan/settings/base.py) allows scripts and styles only as files
from the site itself. An inline ``<script>``, an ``on*=`` handler, a ``javascript:`` URL, a ``<style>`` block
or a ``style=""`` attribute in a template would be refused by the browser: the page would silently lose its
behaviour or its look. This scan fails as soon as someone adds one, and names the file and line.

Allowed: ``<script src=...>`` and data blocks (``<script type="application/json">``), which the browser
does not execute.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_TYPES = re.compile(r"""\btype\s*=\s*["']?(application/(ld\+)?json|text/template)""", re.IGNORECASE)
HANDLER = re.compile(r"""<[a-zA-Z][^>]*?\son[a-z]+\s*=""", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""\b(href|src|action|formaction|data|xlink:href)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\sstyle\s*=""", re.IGNORECASE | re.DOTALL)
HX_ON = re.compile(r"""\shx-on[:\-]""", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def template_files() -> list[Path]:
    """Every template of the project: templates/ and each app's templates/ folder."""
    roots = [ROOT / "templates", *sorted((ROOT / "danvan").glob("*/templates"))]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*") if p.is_file() and p.suffix in {".html", ".txt", ".svg", ".xml"})


def problems_in(text: str) -> list[tuple[int, str]]:
    """(line, what) for each construct the CSP forbids in one template's text."""
    # Comments are not sent to the browser; blank them but keep the line numbers.
    text = TEMPLATE_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found: list[tuple[int, str]] = []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for m in SCRIPT_TAG.finditer(text):
        attrs = m.group(1)
        if not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) and not DATA_TYPES.search(attrs):
            found.append((line_of(m.start()), "inline <script> (move it to a file under static/js/)"))
    for pattern, what in [
        (HANDLER, "on*= event-handler attribute (use addEventListener in a static file)"),
        (JS_URL, "javascript: URL"),
        (STYLE_TAG, "<style> block (move it to a file under static/css/)"),
        (STYLE_ATTR, 'style="" attribute (use a class)'),
        (HX_ON, "hx-on attribute (htmx evaluates it as code; allowEval is off)"),
    ]:
        for m in pattern.finditer(text):
            found.append((line_of(m.start()), what))
    return found


def test_every_template_is_free_of_inline_code() -> None:
    files = template_files()
    assert len(files) > 100, "template discovery found too few files"
    bad = []
    for path in files:
        for line, what in problems_in(path.read_text(encoding="utf-8")):
            bad.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not bad, "Inline code the Content-Security-Policy blocks:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<script type="module">import "x"</script>',
        '<button type="button" onclick="window.print()">',
        "<body onload='x()'>",
        '<img src="a.png"\n     onerror="x()">',
        '<a href="javascript:void(0)">',
        "<a href = ' javascript:x()'>",
        "<style>.a{color:red}</style>",
        '<div style="width:10rem">',
        '<form hx-on:submit="x()">',
    ],
)
def test_the_scan_catches_each_kind(snippet: str) -> None:
    assert problems_in("{% load i18n %}\n" + snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="{% static \'js/danvan.js\' %}" defer></script>',
        '<script type="module" src="/static/x.js"></script>',
        '<script type="application/json" id="data">{"a": 1}</script>',
        '<p data-once class="stylish">One question</p>',
        '<a href="/javascript-guide/">guide</a>',
        "{# <script>alert(1)</script> #}",
        "{% comment %}<div style='x'>{% endcomment %}",
        '<link rel="stylesheet" href="/static/css/danvan.css">',
        '<input name="onboarding" data-confirm="Sure?">',
    ],
)
def test_the_scan_allows_files_and_data(snippet: str) -> None:
    assert problems_in(snippet) == [], snippet
