"""``danvan``: the project's own command, a thin wrapper over Django's management commands.

Commands with a group name read naturally: ``danvan orgs load-official`` runs the management
command ``orgs_load_official``; ``danvan audit verify`` runs ``audit_verify``.
"""

from __future__ import annotations

import os
import sys


def _translate(argv: list[str]) -> list[str]:
    if len(argv) >= 3 and not argv[1].startswith("-") and not argv[2].startswith("-"):
        from django.core.management import get_commands

        candidate = f"{argv[1]}_{argv[2]}".replace("-", "_")
        if candidate in get_commands():
            return [argv[0], candidate, *argv[3:]]
    if len(argv) >= 2:
        argv = [argv[0], argv[1].replace("-", "_") if "-" in argv[1] and not argv[1].startswith("-") else argv[1], *argv[2:]]
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings.dev")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    execute_from_command_line(_translate(sys.argv))


if __name__ == "__main__":
    main()
