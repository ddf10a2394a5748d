"""What the dialogue pages share: the units a user reads or edits, lookups that 404, keyset pages.

A record the user may not read is a 404, exactly like one that does not exist; an action the user
may not take on a record they can read is a 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from danvan.api.pagination import decode_cursor, encode_cursor, is_dated_key
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of, subtree_q

from . import queries
from .models import OPEN_STATUSES, Commitment, Dialogue
from .rules import CHANGE_ROLES

PAGE_SIZE = 50
MAX_PK = 2**63 - 1


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    next: str | None = None


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    """The units a user picks from in a filter: the ones they belong to (roots for a superuser)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return OrgUnit.objects.current().filter(parent__isnull=True).order_by("path")
    return OrgUnit.objects.current().filter(pk__in=scope.unit_ids).order_by("path")


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    """Units where the user may record dialogues: those they edit for, and every unit below them."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().select_related("kind").order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(CHANGE_ROLES)))


def owner_units(host: OrgUnit, user: Any) -> QuerySet[OrgUnit]:
    """Who a promise can be given to (as ``commitments.add_commitment`` allows): the host unit, the units
    right below it, and the units the user edits for. Bounded on purpose: a province's select does not
    list its villages; the API takes any unit under the host.
    """
    scope = scope_of(user)
    q = Q(pk=host.pk) | Q(parent_id=host.pk)
    if scope.is_superuser:
        q |= Q(pk__in=ancestor_ids(host.path))
    else:
        q |= Q(pk__in=sorted({g.unit_id for g in scope.grants if g.role in CHANGE_ROLES}))
    return OrgUnit.objects.current().filter(q).order_by("path")


def pk_or_none(raw: Any) -> int | None:
    raw = str(raw or "")
    if not raw.isdigit() or len(raw) > 19:
        return None
    pk = int(raw)
    return pk if 1 <= pk <= MAX_PK else None


def dialogue_or_404(request: HttpRequest, pk: int) -> Dialogue:
    if not 1 <= pk <= MAX_PK:
        raise Http404
    dialogue = (queries.dialogues_for(request.user).select_related("org_unit__kind", "org_unit__parent__kind", "previous")
                .filter(pk=pk).first())
    if dialogue is None:
        raise Http404
    return dialogue


def commitment_or_404(request: HttpRequest, pk: int) -> Commitment:
    if not 1 <= pk <= MAX_PK:
        raise Http404
    commitment = (queries.commitments_for(request.user)
                  .select_related("dialogue__org_unit", "owner_unit", "reported_at", "created_by")
                  .filter(pk=pk).first())
    if commitment is None:
        raise Http404
    return commitment


def safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return fallback


def download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    return response


def state_q(state: str, today: dt.date) -> Q:
    """The filter of a state of ``queries.state``, or of every commitment not yet done ("open")."""
    if state == "open":
        return Q(status__in=OPEN_STATUSES)
    return queries.state_q(state, today)


def keyset(qs: QuerySet, after: str | None, *, date_field: str, descending: bool, limit: int = PAGE_SIZE) -> Page:
    """One page of ``qs`` ordered by (date_field, pk); a bad cursor starts again from the first page."""
    try:
        key = decode_cursor(after, lambda v: is_dated_key(v, dt.date.fromisoformat))
    except ValidationError:
        key = None
    if key is not None:
        day = dt.date.fromisoformat(key[0])
        if descending:
            qs = qs.filter(Q(**{f"{date_field}__lt": day}) | Q(**{date_field: day, "pk__lt": key[1]}))
        else:
            qs = qs.filter(Q(**{f"{date_field}__gt": day}) | Q(**{date_field: day, "pk__gt": key[1]}))
    order = [f"-{date_field}", "-pk"] if descending else [date_field, "pk"]
    rows = list(qs.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        nxt = encode_cursor([getattr(rows[-1], date_field).isoformat(), rows[-1].pk])
    return Page(rows, nxt)


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()
