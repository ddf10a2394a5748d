"""Queries compiled once per process answer exactly what the ORM answers, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.accounts import services as accounts
from danvan.accounts.models import ApiToken
from danvan.core.prepared import Prepared
from danvan.orgs.lookup import unit_by_pk, visible_unit
from danvan.orgs.models import OrgUnit
from danvan.petitions.locking import lock_unit

pytestmark = pytest.mark.django_db


def _units(path_from: str, valid_on: dt.date, name: str) -> QuerySet[Any]:
    return (OrgUnit.objects.filter(path__gte=path_from, name=name)
            .exclude(valid_from__gt=valid_on).order_by("path").values_list("pk", "name", "valid_to", "path"))


UNITS = Prepared(_units, path_from=str, valid_on=dt.date, name=str)


def test_rows_are_the_orms_rows_for_every_binding(tree):
    for unit in tree.values():
        for path_from in ("", tree["A"].path, tree["B"].path):
            expected = list(_units(path_from, dt.date(2026, 7, 1), unit.name))
            got = UNITS.rows(path_from=path_from, valid_on=dt.date(2026, 7, 1), name=unit.name)
            assert got == expected
    assert UNITS.rows(path_from="", valid_on=dt.date(2026, 7, 1), name="không có") == []


def test_a_date_slot_is_compared_as_a_date(tree):
    OrgUnit.objects.filter(pk=tree["A1"].pk).update(valid_from=dt.date(2026, 7, 1))
    before = UNITS.rows(path_from="", valid_on=dt.date(2026, 6, 30), name=tree["A1"].name)
    on_the_day = UNITS.rows(path_from="", valid_on=dt.date(2026, 7, 1), name=tree["A1"].name)
    assert before == [] and [r[0] for r in on_the_day] == [tree["A1"].pk]


def test_datetimes_and_booleans_come_back_as_the_orm_converts_them(make_user):
    user = make_user("tokenuser")
    token, _raw = accounts.create_api_token(user=user, name="t")
    later = timezone.now() + dt.timedelta(days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=later)
    q = Prepared(lambda now: ApiToken.objects.usable(now).values_list("expires_at", "user__is_active"), now=dt.datetime)
    assert q.rows(now=timezone.now()) == list(ApiToken.objects.usable().values_list("expires_at", "user__is_active"))
    (expires_at, active), = q.rows(now=timezone.now())
    assert isinstance(expires_at, dt.datetime) and expires_at == later and active is True
    assert q.rows(now=later + dt.timedelta(seconds=1)) == []  # the datetime slot is bound, not the first value


def test_one_query_per_call(tree):
    UNITS.rows(path_from="", valid_on=dt.date(2026, 7, 1), name="x")
    with CaptureQueriesContext(connection) as queries:
        UNITS.rows(path_from="", valid_on=dt.date(2026, 7, 1), name=tree["B1"].name)
    assert len(queries) == 1


def test_a_slot_that_is_not_a_plain_parameter_is_refused(db):
    q = Prepared(lambda name: OrgUnit.objects.filter(name__icontains=name).values_list("pk"), name=str)
    with pytest.raises(ValueError, match="not one"):
        q.rows(name="Bình")


def test_wrong_slots_and_types_are_refused(db):
    with pytest.raises(TypeError):
        UNITS.rows(path_from="", name="x")
    with pytest.raises(TypeError):
        Prepared(lambda when: OrgUnit.objects.filter(valid_from=when).values_list("pk"), when=float).rows(when=1.0)


def test_visible_unit_answers_as_visible_to(tree, make_user):
    officer = make_user("canbo", (tree["A"], "officer"))
    admin = make_user("quantri", is_superuser=True)
    for unit in tree.values():
        expected = OrgUnit.objects.visible_to(officer).filter(pk=unit.pk).exists()
        assert (visible_unit(officer, unit.pk) is not None) is expected
        assert visible_unit(admin, unit.pk) == unit
    assert visible_unit(admin, 10**9) is None
    found = unit_by_pk(tree["A1v"].pk)
    assert found is not None and found.path == tree["A1v"].path


@pytest.mark.django_db(transaction=True)
def test_lock_unit_outside_a_transaction_is_refused(tree):
    with transaction.atomic():
        lock_unit(tree["A1"].pk)  # compiled inside a transaction, as Django requires
    assert transaction.get_autocommit()
    with pytest.raises(TransactionManagementError):
        lock_unit(tree["A1"].pk)
