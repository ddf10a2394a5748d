"""``danvan audit verify``: walk the hash chain and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from danvan.core.audit import verify_chain
from danvan.core.commands import VietnameseCommand

REASONS = {
    "missing": gettext_noop("an event is missing"),
    "link": gettext_noop("the link to the previous event does not match"),
    "content": gettext_noop("the event's content was changed"),
    "truncated": gettext_noop("events at the end of the chain were removed"),
}


class Command(VietnameseCommand):
    help = "Verify the audit log's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(_("Audit chain intact: %(n)d events verified.") % {"n": result.checked}))
            return
        raise CommandError(
            _("Audit chain broken at event #%(seq)s: %(reason)s (%(n)d events before it verified).")
            % {"seq": result.broken_seq, "reason": _(REASONS[result.reason]), "n": result.checked}
        )
