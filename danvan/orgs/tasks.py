"""Background work of the orgs app, enqueued on commit by services."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from danvan.core.tasks import retrying_task


@retrying_task()
def notify_role_granted(membership_id: int) -> bool:
    """Tell a user by e-mail that a role was granted to them. Sends nothing when they have no address.

    Sent once, however many times the task runs (a retry, two workers): the inbox notice keyed by
    the membership is written in the same transaction as the mail is handed over, and its unique
    (user, key) makes a second run wait for the first and then find it done. A refused mail rolls
    the notice back, so the retry sends it.
    """
    from danvan.notifications.services import notify

    from .models import Membership

    m = Membership.objects.select_related("user", "org_unit").filter(pk=membership_id).first()
    if m is None or not m.user.email or m.revoked_at is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        subject = _("You have a new role in danvan")
        message = _("You have been granted the role “%(role)s” for %(unit)s.") % {
            "role": m.get_role_display(), "unit": m.org_unit.name}
        if not notify([m.user], title=subject, body=message, key=f"orgs.role_granted:{m.pk}"):
            return False  # already told (an earlier run or another worker)
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[m.user.email])
    return True
