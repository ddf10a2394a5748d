"""``danvan petitions rotate-keys``: re-encrypt every whistleblower identity with the newest key.

Run it after putting a new key first in ``DANVAN_IDENTITY_KEYS`` (keeping the old ones); once it
has finished, the old keys can be removed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from danvan.core.commands import VietnameseCommand
from danvan.petitions import crypto
from danvan.petitions.identity import ROTATE_BATCH, rotate_keys


class Command(VietnameseCommand):
    help = "Re-encrypt every filer identity with the newest key of DANVAN_IDENTITY_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=ROTATE_BATCH, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        try:
            count = rotate_keys(batch_size=options["batch_size"])
        except (ImproperlyConfigured, crypto.IdentityCryptoError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            ngettext(
                "%(count)d filer identity re-encrypted with the newest key.",
                "%(count)d filer identities re-encrypted with the newest key.",
                count,
            )
            % {"count": count}
        )
