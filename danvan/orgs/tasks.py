"""Background work of the orgs app, enqueued on commit by services."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_role_granted(membership_id: int) -> bool:
    """Tell a user by e-mail that a role was granted to them. Sends nothing when they have no address."""
    from .models import Membership

    m = Membership.objects.select_related("user", "org_unit").filter(pk=membership_id).first()
    if m is None or not m.user.email or m.revoked_at is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("You have a new role in danvan"),
            message=_("You have been granted the role “%(role)s” for %(unit)s.")
            % {"role": m.get_role_display(), "unit": m.org_unit.name},
            from_email=None,
            recipient_list=[m.user.email],
        )
    return True
