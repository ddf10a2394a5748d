"""The locks and numbering every petitions write shares, in one place (no imports of the services).

Numbers (petitions, book entries, notices) run per unit and year: the unit's row is locked while
the next number is chosen, so two writes at the same moment never share one (each table's unique
constraint is the backstop). A case is locked for update so that two officers moving it at once
queue; the second then finds a newer ``lock_version`` and gets ``conflict_message``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

from danvan.core.prepared import Prepared
from danvan.orgs.models import OrgUnit

from .models import Petition


def lock_unit(unit_id: int) -> None:
    """Serialise numbering (and duplicate checks) within one unit until the transaction ends.

    FOR NO KEY UPDATE, not FOR UPDATE: two numberings still queue, but other transactions may go on
    inserting rows that point at the unit (their foreign-key check takes KEY SHARE). With FOR UPDATE,
    a writer holding the audit chain's head and recording an event for this unit waited for us while
    we waited for the head: a deadlock, answered 500 (issue #9 crash test, PostgreSQL).
    """
    if connection.get_autocommit():  # the compiled query no longer asks Django, which would refuse
        raise TransactionManagementError("lock_unit must run inside a transaction.")
    _LOCK_UNIT.rows(unit=unit_id)


# Compiled once per process (inside a transaction, as select_for_update requires): every intake runs it.
_LOCK_UNIT = Prepared(
    lambda unit: OrgUnit.objects.select_for_update(no_key=True).filter(pk=unit).values_list("pk"), unit=int
)


def next_number(rows: QuerySet[Any], field: str = "number") -> int:
    """One more than the highest ``field`` among ``rows`` (1 for the first); call under ``lock_unit``."""
    top = rows.aggregate(m=Max(field))["m"]
    return (top or 0) + 1


def lock_alive_petition(petition: Petition) -> Petition:
    """The case's row, locked; a case deleted meanwhile is a field error, not a crash."""
    fresh = (Petition.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=petition.pk, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"petition": _("This petition no longer exists.")})
    return fresh


def conflict_message() -> str:
    return _("Someone else changed this petition after you opened it. Nothing was saved: "
             "reload the petition and try again.")
