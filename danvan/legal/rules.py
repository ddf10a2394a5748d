"""Who may add to and correct the legal registry.

The registry is national, not scoped to units: anyone who drafts plans somewhere (an editing
role on any unit) cites documents and so may register them. Merging two records rewrites the
citations of every plan in the country, so it is kept for system administrators and provincial
administrators.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

REGISTRY_EDITORS = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
_PROVINCE_ADMIN_ATTR = "_danvan_legal_province_admin"


@rules.predicate
def edits_somewhere(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or any(g.role in REGISTRY_EDITORS for g in scope.grants)


@rules.predicate
def administers_a_province(user: Any) -> bool:
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    if not any(g.role == Role.ADMIN for g in scope.grants):
        return False
    cached = getattr(user, _PROVINCE_ADMIN_ATTR, None)
    if cached is None:
        from danvan.orgs.models import Membership

        cached = Membership.objects.filter(
            user=user, role=Role.ADMIN, revoked_at__isnull=True,
            org_unit__valid_to__isnull=True, org_unit__kind__code="province",
        ).exists()
        setattr(user, _PROVINCE_ADMIN_ATTR, cached)
    return bool(cached)


@rules.predicate
def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


rules.add_perm("legal.view_document", signed_in)
rules.add_perm("legal.add_document", edits_somewhere)
rules.add_perm("legal.change_document", edits_somewhere)
rules.add_perm("legal.merge_documents", administers_a_province)
