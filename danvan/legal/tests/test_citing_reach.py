"""A document's page lists the plans citing it with the same reach as the plan pages."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.legal import services as legal_services
from danvan.plans import services as plan_services
from danvan.plans.tests.test_services import issue, make_draft

pytestmark = pytest.mark.django_db


def test_commune_sees_the_province_plan_citing_a_document(client: Any, tree: Any, make_user: Any, no_mfa: Any) -> None:
    doc = legal_services.register_document(
        actor=None, doc_type="Chỉ thị", number="33", symbol="CT-TTg", issued_on=None, issuer="Thủ tướng Chính phủ"
    )
    province_plan = make_draft(tree["A"], title="Kế hoạch dân vận tỉnh năm 2025")
    plan_services.set_legal_bases(actor=None, plan=province_plan, documents=[doc])
    issue(province_plan)
    draft = make_draft(tree["A"], title="Bản nháp chưa ban hành")
    plan_services.set_legal_bases(actor=None, plan=draft, documents=[doc])

    client.force_login(make_user("canboxa", (tree["A1"], "officer")))
    html = client.get(f"/legal/{doc.pk}/").content.decode()
    assert "Kế hoạch dân vận tỉnh năm 2025" in html  # an issued plan of the level above
    assert "Bản nháp chưa ban hành" not in html  # the province's drafts are not the commune's business

    client.force_login(make_user("canbokhac", (tree["B1"], "officer")))
    html = client.get(f"/legal/{doc.pk}/").content.decode()
    assert "Kế hoạch dân vận tỉnh năm 2025" not in html  # another province
