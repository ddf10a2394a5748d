"""The WSGI entry point loads every view before a worker takes its first request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
import danvan.wsgi  # noqa: F401
from django.urls import get_resolver
missing = [m for m in ("danvan.petitions.api", "danvan.api.urls", "danvan.portal.views") if m not in sys.modules]
print("loaded" if not missing and "url_patterns" in vars(get_resolver()) else f"missing {missing}")
"""


def test_importing_the_wsgi_application_loads_the_url_configuration() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "danvan.settings.test"))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "loaded"
