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
# Without host names every request is refused with 400: say so at start-up instead (and never "*", which
# would let a forged Host header into the links of e-mails).
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("Set DANVAN_ALLOWED_HOSTS to the site's host names (comma-separated, no '*').")
SECURE_SSL_REDIRECT = env_bool("DANVAN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DANVAN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies only over HTTPS, and (OWASP ASVS 5.0 V3.3.1) named with the __Host- prefix, so that the browser
# refuses them unless they are Secure, for the whole site (Path=/) and set by this host alone (no Domain):
# a sibling sub-domain cannot plant a session or CSRF cookie. (The change logs everybody out once.)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "__Host-django_language"
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
