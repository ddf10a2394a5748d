"""What the portal and survey browser tests share: data a citizen can see, axe over many pages, the keyboard.

Keyboard helpers only press keys (Tab, Shift+Tab, Space, arrows, Enter, typing): they read where the focus
is with ``document.activeElement`` but never click or call ``focus()``, so a test built on them proves the
page works without a mouse.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from .support import describe_violations, horizontal_overflow, path_of, run_axe, serious, url

# What the focused element is, in one round trip.
FOCUS_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {tag: 'BODY'};
    return {tag: e.tagName, type: (e.type || '').toLowerCase(), name: e.name || '', id: e.id || '',
            value: e.value || '', href: e.getAttribute('href') || '', checked: !!e.checked,
            inAltcha: !!e.closest('altcha-widget'), likert: !!e.closest('fieldset.likert'),
            postForm: !!(e.form && e.form.method === 'post'),
            ring: (() => { const s = getComputedStyle(e);
                           return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; })(),
            label: (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || '').trim().slice(0, 60)};
}"""


def load_services() -> None:
    """The flush after a transactional test removes the seeded service catalogue: put it back."""
    from danvan.surveys.models import Service

    if not Service.objects.exists():
        import_module("danvan.surveys.migrations.0002_services").add(apps, None)


def sipas_survey(unit: Any, title: str = "Khảo sát SIPAS tại bộ phận một cửa", **kwargs: Any) -> Any:
    """A published SIPAS survey of ``unit`` (open, link access unless ``access="token"``)."""
    from danvan.surveys import services

    load_services()
    survey = services.create_survey(actor=None, org_unit=unit, title=title, template="sipas", **kwargs)
    services.publish(actor=None, survey=survey, expected_version=survey.lock_version)
    survey.refresh_from_db()
    return survey


def desk(unit: Any, code: str = "quay-1", name: str = "Quầy 1 — Tư pháp, hộ tịch") -> Any:
    from danvan.surveys import services

    return services.create_desk(actor=None, org_unit=unit, code=code, name=name)


def portal_data(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """What a unit page shows: a head with a position, a reception session, an open survey, a token survey."""
    from danvan.petitions.models import ReceptionSession

    cache.clear()  # rate-limit counters and used ALTCHA payloads of earlier tests
    make_user("chu_tich_xa", (tree["A1"], "head"), full_name="Lò Văn Thanh", position="Chủ tịch UBND xã")
    ReceptionSession.objects.create(org_unit=tree["A1"], date=timezone.localdate() + dt.timedelta(days=3),
                                    host_name="Lò Văn Thanh", host_title="Chủ tịch UBND xã", by_head=True,
                                    location="Trụ sở UBND xã")
    return {
        "survey": sipas_survey(tree["A1"]),
        "token_survey": sipas_survey(tree["A1"], title="Khảo sát có mã phiếu", access="token"),
        "desk": desk(tree["A1"]),
    }


class Axe:
    """Runs axe-core on each page and keeps its serious and critical violations, keyed by a readable label;
    ``assert_clean`` reports every page at once so one run shows everything to fix."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.found: dict[str, list[dict[str, Any]]] = {}

    def check(self, label: str, *, expect_path: str | None = None, phone: bool = False) -> None:
        if expect_path is not None:
            assert path_of(self.page) == expect_path, f"{label}: expected {expect_path}, got {self.page.url}"
        assert self.page.locator("h1").count() == 1, f"{label}: a page has exactly one h1"
        assert self.page.evaluate("() => document.documentElement.lang") == "vi", f"{label}: lang is not vi"
        if phone:
            assert horizontal_overflow(self.page) == 0, f"{label} scrolls sideways on a phone"
        self.found[label] = serious(run_axe(self.page, self.base))

    def visit(self, label: str, path: str, **kwargs: Any) -> None:
        self.page.goto(url(self.base, path))
        self.check(label, expect_path=path.split("?")[0], **kwargs)

    def assert_clean(self) -> None:
        bad = {label: v for label, v in self.found.items() if v}
        report = "\n".join(f"--- {label}\n{describe_violations(v)}" for label, v in bad.items())
        assert not bad, f"axe-core: serious or critical violations on {len(bad)} page(s):\n{report}"


def focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(FOCUS_JS))


def tab_until(page: Any, predicate: Any, *, limit: int = 80, shift: bool = False) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until ``predicate(focused element info)`` holds; the info of that element."""
    key = "Shift+Tab" if shift else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        info = focused(page)
        if predicate(info):
            return info
        seen.append(f"{info.get('tag')}#{info.get('id')}[{info.get('name')}]")
    raise AssertionError(f"{key} x{limit} never reached the element; focus went through: {' > '.join(seen)}")


def tick_altcha(page: Any) -> None:
    """With the widget's checkbox focused: Space, then wait until the browser has solved the proof-of-work."""
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('altcha-widget').getState() === 'verified'",
                           timeout=30_000)


def wait_altcha_ready(page: Any) -> None:
    page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
    page.wait_for_selector("altcha-widget input[type=checkbox]")
