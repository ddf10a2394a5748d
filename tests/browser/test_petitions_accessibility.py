"""axe-core over the petitions pages (issue #5): no serious or critical violation, one h1, Vietnamese.

The officer walks the work list, intake, a case, a step's form, reception (schedule, book, a new
entry), mediation and statistics; a citizen without an account walks the public pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.petitions import services
from danvan.petitions.models import PetitionField

from .support import assert_lang_vi, login
from .test_accessibility import Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case(tree: dict[str, Any]) -> Any:
    return services.receive_petition(
        actor=None, org_unit=tree["A1"], received_on=timezone.localdate() - dt.timedelta(days=2),
        channel="direct", kind="complaint", summary="Khiếu nại về bồi thường đất ở bản Thẳm",
        filer_name="Nguyễn Văn Bình", filer_address="Bản Thẳm", field=PetitionField.objects.first(),
    )


def test_officer_pages(watch: Any, base: str, people: dict[str, Any], tree: dict[str, Any]) -> None:
    case = _case(tree)
    login(watch.page, base, "canbo", totp_secret=people["officer_secret"])
    audit = Audit(watch.page, base)
    audit.visit("petitions work list", "/petitions/")
    assert_lang_vi(watch.page)
    assert "Khiếu nại về bồi thường đất" in watch.page.content()
    audit.visit("petition intake", "/petitions/new/")
    audit.visit("petition case", f"/petitions/{case.pk}/")
    audit.visit("petition step: classify", f"/petitions/{case.pk}/act/classify/")
    audit.visit("reception schedule", "/petitions/reception/")
    audit.visit("reception book", "/petitions/reception/book/")
    audit.visit("reception book: new entry", "/petitions/reception/book/new/")
    audit.visit("mediation list", "/petitions/mediation/")
    audit.visit("mediation: new", "/petitions/mediation/new/")
    audit.visit("petition statistics", "/petitions/statistics/")
    audit.assert_clean()


def test_public_pages(watch: Any, base: str, tree: dict[str, Any]) -> None:
    audit = Audit(watch.page, base)
    audit.visit("public: reception schedules", "/public/petitions/")
    assert_lang_vi(watch.page)
    for label, path in [("public: file online", "submit/"), ("public: track", "track/"),
                        ("public: results", "results/")]:
        audit.visit(label, "/public/petitions/" + path)
    audit.assert_clean()
