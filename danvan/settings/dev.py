"""The embedded defaults of ``make run``: SQLite, the database task worker, mail to the console."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("DANVAN_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DANVAN_SECRET_KEY") or "dev-only-not-secret-" + "x" * 40  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files come from the finders (app and npm folders) in development; whitenoise still wants its root.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A fixed key so that the local database stays readable across restarts; never used in production.
DANVAN_IDENTITY_KEYS = [k.strip() for k in os.environ.get("DANVAN_IDENTITY_KEYS", "").split(",") if k.strip()] or [
    "K_RRPJ_XVwUfdMa4qqruU7GnC7DAKUSJkuwR68oJT5Q=",  # noqa: S105 (not a secret: development only)
]
