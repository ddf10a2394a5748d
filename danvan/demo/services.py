"""Loading the demonstration data through the same services an administrator would use.

``load_demo`` is idempotent: whatever already exists (a unit under the same parent with the same
name and kind, a user with the same user name, an active role, an authenticator) is left exactly
as it is, so a second run changes nothing and says so. It needs the official list first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.accounts import services as account_services
from danvan.accounts.middleware import has_mfa, mfa_required_for
from danvan.core import audit
from danvan.orgs import services as org_services
from danvan.orgs.models import Membership, OrgKind, OrgUnit, UnitSuccession
from danvan.orgs.roles import Role

from . import data
from .grassroots import load_demo_grassroots
from .mediation import load_demo_mediation
from .petitions import load_demo_petitions
from .plans import load_demo_plans
from .practices import load_demo_practices
from .reports import load_demo_reports
from .surveys import load_demo_surveys


class OfficialListMissing(Exception):
    """The demo hangs off official units; ``danvan orgs load-official`` must run first."""


@dataclass
class DemoLogin:
    username: str
    full_name: str
    roles: list[str]
    has_totp: bool


@dataclass
class DemoResult:
    units: int = 0
    closed_units: int = 0
    users: int = 0
    roles: int = 0
    authenticators: int = 0
    plans: int = 0
    report_periods: int = 0
    petitions: int = 0
    mediations: int = 0
    surveys: int = 0
    grassroots: int = 0
    practices: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.units or self.closed_units or self.users or self.roles or self.authenticators or self.plans
            or self.report_periods or self.petitions or self.mediations or self.surveys or self.grassroots
            or self.practices
        )


def ensure_allowed(*, force: bool = False) -> None:
    """The demo's public password and secret must never reach a real deployment by accident."""
    if not settings.DEBUG and not force:
        raise PermissionDenied(
            _("This is not a development deployment (DEBUG is off): the demo refuses to run. Use --force to insist.")
        )


class _Loader:
    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.result = DemoResult()
        self.kinds = {k.code: k for k in OrgKind.objects.all()}

    def unit(self, *, parent: OrgUnit, kind: str, name: str, division_type: str = "") -> OrgUnit:
        existing = OrgUnit.objects.filter(parent=parent, kind=self.kinds[kind], name=name).order_by("pk").first()
        if existing is not None:
            return existing
        self.result.units += 1
        return org_services.create_unit(
            actor=self.actor, kind=self.kinds[kind], name=name, parent=parent, division_type=division_type
        )

    def close(self, unit: OrgUnit, successors: list[OrgUnit]) -> None:
        linked = set(
            UnitSuccession.objects.filter(predecessor=unit).values_list("successor_id", flat=True)
        )
        if unit.valid_to == data.DISTRICT_LAST_DAY and linked >= {s.pk for s in successors}:
            return
        self.result.closed_units += 1
        org_services.close_unit(
            actor=self.actor, unit=unit, last_day=data.DISTRICT_LAST_DAY, successors=successors,
            note=_("Demonstration data: reorganisation of 1 July 2025."),
        )

    def user(self, spec: data.UserSpec) -> Any:
        User = get_user_model()
        existing = User.objects.filter(username=spec.username).first()
        if existing is not None:
            return existing
        self.result.users += 1
        return account_services.create_user(
            actor=self.actor, username=spec.username, password=data.DEMO_PASSWORD,
            email=f"{spec.username}@{data.EMAIL_DOMAIN}", full_name=spec.full_name, position=spec.position,
            is_superuser=spec.superuser,
        )

    def grant(self, user: Any, unit: OrgUnit, role: str) -> None:
        if Membership.objects.active().filter(user=user, org_unit=unit, role=role).exists():
            return
        self.result.roles += 1
        org_services.grant_role(actor=self.actor, user=user, unit=unit, role=role)

    def totp(self, user: Any) -> None:
        if not mfa_required_for(user) or has_mfa(user):
            return
        self.result.authenticators += 1
        account_services.add_totp_authenticator(actor=self.actor, user=user, secret=data.DEMO_TOTP_SECRET)


@transaction.atomic
def load_demo(*, actor: Any = None, force: bool = False) -> DemoResult:
    """Create what is missing of the demo; see ``danvan.demo.data`` for what and why."""
    ensure_allowed(force=force)
    province = OrgUnit.objects.filter(code=data.PROVINCE_CODE, kind__code="province", valid_to__isnull=True).first()
    communes = {
        key: OrgUnit.objects.filter(code=code, kind__code="commune", valid_to__isnull=True).first()
        for key, code in data.COMMUNES.items()
    }
    if province is None or any(c is None for c in communes.values()):
        raise OfficialListMissing(
            _("The official list of provinces and communes is not loaded. Run “danvan orgs load-official” first.")
        )
    loader = _Loader(actor)
    units: dict[str, OrgUnit] = {"province": province, **{k: c for k, c in communes.items() if c is not None}}

    for unit_spec in data.PROVINCE_UNITS:
        units[unit_spec.key] = loader.unit(
            parent=province, kind=unit_spec.kind, name=unit_spec.name, division_type=unit_spec.division_type
        )
    for key, villages in data.VILLAGES.items():
        for name, division in villages:
            loader.unit(parent=units[key], kind="village", name=name, division_type=division)
    for key, name in data.COMMUNE_FRONTS.items():
        loader.unit(parent=units[key], kind="front", name=name)

    district_spec = data.FORMER_DISTRICT
    district = loader.unit(
        parent=province, kind=district_spec.kind, name=district_spec.name, division_type=district_spec.division_type
    )
    for name, division, successor_key in data.FORMER_COMMUNES:
        former = loader.unit(parent=district, kind="commune", name=name, division_type=division)
        loader.close(former, [units[successor_key]])
    loader.close(district, sorted({units[k] for _n, _d, k in data.FORMER_COMMUNES}, key=lambda u: u.code))

    for spec in data.USERS:
        user = loader.user(spec)
        for unit_key, role in spec.grants:
            loader.grant(user, units[unit_key], role)
        loader.totp(user)
        loader.result.logins.append(_describe(user, spec, units))

    loader.result.plans = load_demo_plans(actor=actor)
    loader.result.report_periods = load_demo_reports(actor=actor)
    loader.result.petitions = load_demo_petitions(actor=actor)
    loader.result.mediations = load_demo_mediation(actor=actor)
    loader.result.surveys = load_demo_surveys(actor=actor)
    loader.result.grassroots = load_demo_grassroots(actor=actor)
    loader.result.practices = load_demo_practices(actor=actor)

    result = loader.result
    if result.changed:
        audit.record(
            "demo.load", actor=actor, org_unit=province,
            summary={
                "units": result.units, "closed_units": result.closed_units, "users": result.users,
                "roles": result.roles, "authenticators": result.authenticators, "plans": result.plans,
                "report_periods": result.report_periods, "petitions": result.petitions,
                "mediations": result.mediations, "surveys": result.surveys, "grassroots": result.grassroots,
                "practices": result.practices,
            },
        )
    return result


def _describe(user: Any, spec: data.UserSpec, units: dict[str, OrgUnit]) -> DemoLogin:
    roles = [f"{Role(role).label} — {units[key].name}" for key, role in spec.grants]
    if user.is_superuser:
        roles.insert(0, str(_("System administrator")))
    return DemoLogin(username=user.get_username(), full_name=str(user), roles=roles, has_totp=has_mfa(user))


def current_code(username: str, *, force: bool = False) -> tuple[str, int]:
    """The code the user's authenticator shows now and the seconds it stays valid, for demos and testers."""
    from danvan.accounts import totp

    ensure_allowed(force=force)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LookupError(_("There is no user “%(username)s”.") % {"username": username})
    secret = totp.secret_of(user)
    if secret is None:
        raise LookupError(
            _("The user “%(username)s” has no authenticator (two-factor is not set up).") % {"username": username}
        )
    return totp.code_at(secret), totp.seconds_left()
