"""Production: every secret from the environment, HTTPS only, PostgreSQL expected."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int

SECRET_KEY = os.environ["DANVAN_SECRET_KEY"]
# Whistleblowers' identities cannot be stored without a key: fail at start-up rather than at the first denunciation.
if not DANVAN_IDENTITY_KEYS:  # noqa: F405
    raise ImproperlyConfigured("Set DANVAN_IDENTITY_KEYS (one or more Fernet keys, newest first).")
DEBUG = False
SECURE_SSL_REDIRECT = env_bool("DANVAN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DANVAN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DANVAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if os.environ.get("DANVAN_REDIS_URL"):
    # Workers on several machines: `pip install django-tasks-rq==0.12.0` (brings django-rq, rq, redis)
    # and run `danvan rqworker default` on each worker machine.
    INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # noqa: F405
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    RQ_QUEUES = {"default": {"URL": os.environ["DANVAN_REDIS_URL"]}}
