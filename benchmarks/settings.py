"""Settings for ``python -m benchmarks``: production-like (DEBUG off) against the bench database only.

The database never is the dev or the test one: it comes from ``DANVAN_BENCH_DATABASE_URL``, which
the runner sets to ``benchmarks/.data/<area>.sqlite3`` or to the ``danvan_bench`` PostgreSQL
database. Static files are plain so that no manifest has to be collected first.
"""

import os
import warnings

from danvan.settings.base import *  # noqa: F403
from danvan.settings.base import BASE_DIR
from danvan.settings.database import database_from_url

SECRET_KEY = "bench-only-not-secret-" + "z" * 40  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": database_from_url(
        os.environ.get("DANVAN_BENCH_DATABASE_URL", ""), BASE_DIR / "benchmarks" / ".data" / "bench.sqlite3"
    )
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The cache is not under test; keep log-in and rate-limit counters in memory. The portal area is the
# exception: its pages are served from the production cache (the database's), shared by gunicorn's
# workers and filled by ``danvan portal warm`` as cron would.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("DANVAN_BENCH_CACHE") == "db":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "danvan_cache",
                          "OPTIONS": {"MAX_ENTRIES": 200_000}}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Test client logins hash a password only when one is set; force_login needs none. Keep it cheap anyway.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
# Static files are not collected for the bench; whitenoise's warning about it is noise here.
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
