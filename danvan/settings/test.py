"""Test settings: the database comes from DANVAN_DATABASE_URL (SQLite unless the run names PostgreSQL)."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR
from .database import database_from_url

SECRET_KEY = "test-only-not-secret-" + "y" * 40  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": database_from_url(
        os.environ.get("DANVAN_DATABASE_URL", ""), BASE_DIR / "var" / "test.sqlite3"
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = {"login_failed": "5/15m/key"}

WHITENOISE_USE_FINDERS = True
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A fixed key so that the local database stays readable across restarts; never used in production.
DANVAN_IDENTITY_KEYS = [k.strip() for k in os.environ.get("DANVAN_IDENTITY_KEYS", "").split(",") if k.strip()] or [
    "QelMNZ5PGbsYrxEdOUcvnNBAmM75GKGG0R3F_LWnl3E=",  # noqa: S105 (not a secret: tests only)
]

# ALTCHA stays real in tests (no bypass), only cheap: a few milliseconds to solve.
DANVAN_ALTCHA_COST = 10
DANVAN_ALTCHA_MAX_COUNTER = 40
