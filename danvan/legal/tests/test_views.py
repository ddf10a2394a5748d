"""The registry pages: who may open what, search, the citing plans a user may see, forms and their errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.legal.models import DocType, LegalDocument
from danvan.legal.services import document_version
from danvan.plans.models import PlanStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mfa")]


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def doc(register):
    return register("33/CT-TTg", issued_on=dt.date(2021, 11, 26), issuer="Thủ tướng Chính phủ",
                    title="Về tiếp tục tăng cường và đổi mới công tác dân vận")


def urls(doc):
    return {
        "list": reverse("legal:list"), "add": reverse("legal:add"), "detail": reverse("legal:detail", args=[doc.pk]),
        "edit": reverse("legal:edit", args=[doc.pk]), "merge": reverse("legal:merge", args=[doc.pk]),
    }


@pytest.mark.parametrize("name", ["list", "add", "detail", "edit", "merge"])
def test_anonymous_is_sent_to_login(client, doc, name):
    r = client.get(urls(doc)[name])
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post(urls(doc)[name], {"doc_type": "directive", "number": "1", "symbol": "CT-TTg"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert LegalDocument.objects.count() == 1


@pytest.mark.parametrize("role", [None, "viewer", "front_supervisor", "case_handler"])
def test_non_editors_read_but_cannot_add_edit_or_merge(client, tree, make_user, doc, role):
    user = make_user("u", (tree["A1"], role)) if role else make_user("u")
    login(client, user)
    u = urls(doc)
    assert client.get(u["list"]).status_code == 200
    page = client.get(u["detail"]).content.decode()
    assert "33/CT-TTg" in page and u["edit"] not in page and u["merge"] not in page
    assert u["add"] not in client.get(u["list"]).content.decode()
    for name in ("add", "edit", "merge"):
        assert client.get(u[name]).status_code == 403
    assert client.post(u["add"], {"doc_type": "directive", "number": "34", "symbol": "CT-TTg"}).status_code == 403
    assert client.post(u["edit"], {"doc_type": "law", "number": "33", "symbol": "CT-TTg"}).status_code == 403
    assert client.post(u["merge"], {"duplicate": "33/CT-TTg", "confirm": "on"}).status_code == 403
    doc.refresh_from_db()
    assert LegalDocument.objects.count() == 1 and doc.doc_type == DocType.DIRECTIVE


@pytest.mark.parametrize("role", ["admin", "head", "officer"])
def test_drafting_roles_of_any_unit_may_add_and_edit_but_not_merge(client, tree, make_user, doc, role):
    login(client, make_user("u", (tree["B1"], role)))
    u = urls(doc)
    page = client.get(u["detail"]).content.decode()
    assert u["edit"] in page and u["merge"] not in page
    assert client.get(u["add"]).status_code == 200 and client.get(u["edit"]).status_code == 200
    assert client.get(u["merge"]).status_code == 403


def test_add_a_document(client, tree, make_user):
    login(client, make_user("cb", (tree["A1"], "officer")))
    r = client.post(reverse("legal:add"), {
        "doc_type": "conclusion", "number": "114-KL/TW", "symbol": "", "issued_on": "14/07/2015",
        "issuer": "Ban Bí thư", "title": "Về nâng cao chất lượng, hiệu quả công tác dân vận", "url": "",
    })
    doc = LegalDocument.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("legal:detail", args=[doc.pk])
    assert (doc.number, doc.symbol, doc.issued_on) == ("114", "KL/TW", dt.date(2015, 7, 14))


def test_adding_a_known_document_completes_it_and_says_so(client, tree, make_user, register):
    existing = register("33/CT-TTg")
    login(client, make_user("cb", (tree["A1"], "officer")))
    r = client.post(reverse("legal:add"), {
        "doc_type": "directive", "number": "33", "symbol": "CT-TTG", "issued_on": "26/11/2021", "issuer": "Thủ tướng Chính phủ",
    }, follow=True)
    assert r.redirect_chain[-1][0] == reverse("legal:detail", args=[existing.pk])
    assert "already in the registry" in r.content.decode() or "đã có" in r.content.decode()
    existing.refresh_from_db()
    assert LegalDocument.objects.count() == 1 and existing.issued_on == dt.date(2021, 11, 26)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "", "symbol": "", "title": ""}, "number"),
        ({"number": "33", "symbol": "X" * 61}, "symbol"),
        ({"number": "33", "symbol": "CT-TTg", "issued_on": "31/02/2021"}, "issued_on"),
        ({"number": "abc", "symbol": "CT-TTg"}, "number"),
        ({"number": "33", "symbol": "CT-TTg", "doc_type": "nonsense"}, "doc_type"),
        ({"number": "33", "symbol": "CT-TTg", "doc_type": ""}, "doc_type"),
        ({"number": "33", "symbol": "CT-TTg", "url": "not a link"}, "url"),
    ],
)
def test_add_bad_input_names_the_field(client, tree, make_user, data, field):
    login(client, make_user("cb", (tree["A1"], "officer")))
    r = client.post(reverse("legal:add"), {"doc_type": "directive"} | data)
    assert r.status_code == 200
    assert field in r.context["form"].errors
    assert f'id="id_{field}_error"' in r.content.decode()
    assert not LegalDocument.objects.exists()


def test_future_date_is_refused_on_the_form(client, tree, make_user):
    login(client, make_user("cb", (tree["A1"], "officer")))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    r = client.post(reverse("legal:add"), {"doc_type": "directive", "number": "1", "symbol": "CT-TTg", "issued_on": tomorrow})
    assert r.status_code == 200 and "issued_on" in r.context["form"].errors
    assert not LegalDocument.objects.exists()


def _edit_data(doc, **changes):
    data = {
        "doc_type": doc.doc_type, "number": doc.number, "symbol": doc.symbol,
        "issued_on": doc.issued_on.strftime("%d/%m/%Y") if doc.issued_on else "", "issuer": doc.issuer,
        "title": doc.title, "url": doc.url, "version": document_version(doc),
    }
    return data | changes


def test_edit_saves(client, tree, make_user, doc):
    login(client, make_user("cb", (tree["A1"], "officer")))
    r = client.post(reverse("legal:edit", args=[doc.pk]), _edit_data(doc, url="https://vanban.chinhphu.vn/33"))
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.url == "https://vanban.chinhphu.vn/33"


def test_edit_to_a_duplicate_reference_is_refused(client, tree, make_user, doc, register):
    other = register("34/CT-TTg")
    login(client, make_user("cb", (tree["A1"], "officer")))
    r = client.post(reverse("legal:edit", args=[other.pk]), _edit_data(other, number="33", symbol="ct-ttg"))
    assert r.status_code == 200 and "number" in r.context["form"].errors
    other.refresh_from_db()
    assert other.number == "34"


def test_stale_edit_shows_both_versions_and_keeps_the_first(client, tree, make_user, doc):
    login(client, make_user("cb", (tree["A1"], "officer")))
    stale = _edit_data(doc, issuer="Chính phủ")
    assert client.post(reverse("legal:edit", args=[doc.pk]), _edit_data(doc, issuer="Thủ tướng")).status_code == 302
    r = client.post(reverse("legal:edit", args=[doc.pk]), stale)
    assert r.status_code == 200 and r.context["current"].issuer == "Thủ tướng"
    assert r.context["form"].non_field_errors()
    doc.refresh_from_db()
    assert doc.issuer == "Thủ tướng"


def test_province_admin_merges(client, tree, make_user, doc, register, cite):
    dup = register("33/CT-TTG", number="", symbol="", title="Chỉ thị 33 (thiếu số hiệu)")
    plan = cite(tree["A1"], dup)
    login(client, make_user("qtv", (tree["A"], "admin")))
    assert client.get(reverse("legal:merge", args=[doc.pk])).status_code == 200
    r = client.post(reverse("legal:merge", args=[doc.pk]), {"duplicate": str(dup.pk), "confirm": "on"})
    assert r.status_code == 302
    assert not LegalDocument.objects.filter(pk=dup.pk).exists() and list(plan.legal_bases.all()) == [doc]


def test_merge_form_errors(client, tree, make_user, doc):
    login(client, make_user("qtv", (tree["A"], "admin")))
    url = reverse("legal:merge", args=[doc.pk])
    r = client.post(url, {"duplicate": "99/CT-TTg", "confirm": "on"})
    assert r.status_code == 200 and "duplicate" in r.context["form"].errors
    r = client.post(url, {"duplicate": "33/ct-ttg", "confirm": "on"})  # itself
    assert r.status_code == 200 and "duplicate" in r.context["form"].errors
    r = client.post(url, {"duplicate": "33/ct-ttg"})
    assert r.status_code == 200 and "confirm" in r.context["form"].errors
    assert LegalDocument.objects.filter(pk=doc.pk).exists()


@pytest.mark.parametrize("query", ["chi thi 33", "Chỉ thị 33/CT-TTg", "ct-ttg", "CHỈ THỊ SỐ 33/CT-TTG", "thu tuong", "dân vận 2021"])
def test_search_ignores_diacritics_and_case(client, tree, make_user, doc, register, query):
    register("25-NQ/TW", doc_type="Nghị quyết", issuer="Ban Chấp hành Trung ương Đảng", title="Về công tác dân vận")
    login(client, make_user("v", (tree["A1"], "viewer")))
    r = client.get(reverse("legal:list"), {"q": query})
    assert [d.pk for d in r.context["documents"]] == [doc.pk]


def test_search_with_no_match_and_type_filter(client, tree, make_user, doc, register):
    law = register("10/2022/QH15", doc_type="Luật", title="Thực hiện dân chủ ở cơ sở", issuer="Quốc hội")
    login(client, make_user("v"))
    assert list(client.get(reverse("legal:list"), {"q": "khong ton tai"}).context["documents"]) == []
    assert [d.pk for d in client.get(reverse("legal:list"), {"type": "law"}).context["documents"]] == [law.pk]
    assert [d.pk for d in client.get(reverse("legal:list"), {"type": "law", "q": "33"}).context["documents"]] == []
    r = client.get(reverse("legal:list"), {"type": "bogus"})
    assert r.status_code == 200 and "type" in r.context["form"].errors


def test_keyset_pages_cover_everything_once(client, make_user, register):
    for i in range(1, 56):
        register(f"{i}/CT-TTg", issued_on=dt.date(2020, 1, 1) + dt.timedelta(days=i % 7) if i % 5 else None)
    login(client, make_user("v"))
    seen: list[int] = []
    r = client.get(reverse("legal:list"))
    seen += [d.pk for d in r.context["documents"]]
    assert len(seen) == 50 and r.context["next_after"]
    r = client.get(reverse("legal:list"), {"after": r.context["next_after"]})
    seen += [d.pk for d in r.context["documents"]]
    assert not r.context["next_after"]
    rows = list(LegalDocument.objects.values_list("pk", "issued_on"))
    dated = sorted((r for r in rows if r[1]), key=lambda r: (r[1], r[0]), reverse=True)
    undated = sorted((r for r in rows if not r[1]), reverse=True)
    assert seen == [pk for pk, _day in dated + undated]  # newest first, undated last, each once
    assert client.get(reverse("legal:list"), {"after": "garbage"}).status_code == 200


def test_citing_plans_are_scoped_and_not_counted(client, tree, make_user, doc, cite):
    mine = cite(tree["A1"], doc, title="Kế hoạch của xã Bình Lư", number=21, status=PlanStatus.ISSUED)
    sibling = cite(tree["A2"], doc, title="Kế hoạch của phường Tân Phong")
    other = cite(tree["B1"], doc, title="Kế hoạch của phường Bắc Kạn")
    cite(tree["A1"], doc, title="Kế hoạch đã xoá", deleted_at=timezone.now())
    cite(tree["A1"], title="Kế hoạch không trích dẫn")
    url = reverse("legal:detail", args=[doc.pk])

    login(client, make_user("xa", (tree["A1"], "officer")))
    r = client.get(url)
    assert [p.pk for p in r.context["plans"]] == [mine.pk]
    page = r.content.decode()
    assert "21/KH-UBND" in page and "Xã Bình Lư" in page and "2025" in page
    for hidden in ("Tân Phong", "Bắc Kạn", "đã xoá", "không trích dẫn"):
        assert hidden not in page
    section = page.split('id="citing-h"')[1].split("</section>")[0]
    assert section.count("<tr>") == 2  # header and the one visible plan: the hidden three are not even counted
    # No count of the hidden plans anywhere in the text (links carry ids, which may contain any digit).
    visible_text = re.sub(r'(href|id|for|aria-[a-z]+)="[^"]*"', "", section)
    assert not any(str(n) in visible_text.replace("2025", "").replace("21/KH", "") for n in (3, 4))

    client.logout()
    login(client, make_user("tinh", (tree["A"], "viewer")))
    assert {p.pk for p in client.get(url).context["plans"]} == {mine.pk, sibling.pk}

    client.logout()
    login(client, make_user("khac", (tree["B"], "head")))
    assert [p.pk for p in client.get(url).context["plans"]] == [other.pk]

    client.logout()
    login(client, make_user("khong"))
    r = client.get(url)
    assert r.status_code == 200 and list(r.context["plans"]) == []


def test_citing_plans_keyset(client, make_user, tree, doc, cite):
    for i in range(52):
        cite(tree["A1"], doc, year=2020 + i % 3)
    login(client, make_user("tinh", (tree["A"], "viewer")))
    url = reverse("legal:detail", args=[doc.pk])
    r = client.get(url)
    first = [p.pk for p in r.context["plans"]]
    r = client.get(url, {"after": r.context["next_after"]})
    second = [p.pk for p in r.context["plans"]]
    assert len(first) == 50 and len(second) == 2 and not set(first) & set(second)


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(client, make_user, tree, register, django_assert_max_num_queries):
    login(client, make_user("cb", (tree["A1"], "officer")))
    for i in range(3):
        register(f"{i + 1}/CT-TTg", issuer="Thủ tướng Chính phủ")
    few = _count(client, reverse("legal:list"), {"q": "ct-ttg"})
    for i in range(3, 60):
        register(f"{i + 1}/CT-TTg", issuer="Thủ tướng Chính phủ")
    many = _count(client, reverse("legal:list"), {"q": "ct-ttg"})
    assert few == many
    with django_assert_max_num_queries(10):
        client.get(reverse("legal:list"), {"q": "chi thi", "type": "directive"})


def test_detail_queries_do_not_grow_with_plans(client, make_user, tree, doc, cite, django_assert_max_num_queries):
    login(client, make_user("tinh", (tree["A"], "admin")))
    url = reverse("legal:detail", args=[doc.pk])
    cite(tree["A1"], doc)
    few = _count(client, url)
    for i in range(30):
        cite(tree["A2" if i % 2 else "A1"], doc, number=i + 1)
    many = _count(client, url)
    assert few == many
    with django_assert_max_num_queries(11):
        client.get(url)


def test_missing_document_is_404(client, make_user):
    login(client, make_user("v"))
    assert client.get(reverse("legal:detail", args=[999999])).status_code == 404
