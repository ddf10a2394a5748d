"""Settings shared by every deployment. Environment variables override; see docs/deployment.md."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .database import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DANVAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


SECRET_KEY = os.environ.get("DANVAN_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DANVAN_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    # First, so that its Vietnamese for third-party apps wins over Django's own wording.
    "danvan.l10n",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "danvan.core",
    "danvan.accounts",
    "danvan.orgs",
    "danvan.api",
    "danvan.legal",
    "danvan.plans",
    "danvan.documents",
    "danvan.petitions",
    "danvan.notifications",
    "danvan.reports",
    "danvan.surveys",
    "danvan.portal",
    "danvan.disclosures",
    "danvan.dialogues",
    "danvan.practices",
    "danvan.oversight",
    "danvan.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "danvan.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "danvan.core.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "danvan.accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "danvan.accounts.middleware.RequireMFAMiddleware",
    "danvan.orgs.middleware.CurrentUnitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "danvan.urls"
WSGI_APPLICATION = "danvan.wsgi.application"
ASGI_APPLICATION = "danvan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "danvan.core.context_processors.navigation",
                "danvan.orgs.context_processors.current_unit",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DANVAN_DATABASE_URL", ""), VAR_DIR / "danvan.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Passwords per OWASP ASVS 5.0 V6.2: length, a blocklist of common passwords, no composition
# rules and no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("DANVAN_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "danvan.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sessions: idle timeout (refreshed on every request) and an absolute lifetime checked by
# SessionLifetimeMiddleware.
SESSION_IDLE_TIMEOUT = env_int("DANVAN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("DANVAN_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-allauth: accounts are created by administrators, never by sign-up.
ACCOUNT_ADAPTER = "danvan.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # Lock-out after repeated failures: per account and per client address.
    "login_failed": os.environ.get("DANVAN_LOGIN_FAILED_LIMIT", "10/m/ip,5/15m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "danvan"
MFA_RECOVERY_CODE_COUNT = 10
# Which roles must use two-factor authentication; empty to require it of nobody.
DANVAN_MFA_REQUIRED_ROLES = [
    r for r in os.environ.get(
        "DANVAN_MFA_REQUIRED_ROLES",
        "admin,head,officer,reception_officer,case_handler,front_supervisor",
    ).split(",") if r
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# DANVAN_LOCALE_DIR lets the catalogue test extract messages into a scratch copy.
LOCALE_PATHS = [Path(os.environ.get("DANVAN_LOCALE_DIR", BASE_DIR / "locale"))]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["danvan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DANVAN_STATIC_ROOT", BASE_DIR / "static_collected"))
# Front-end assets come from the npm registry (package-lock.json) and are served by whitenoise:
# nothing is loaded from outside the server.
STATICFILES_DIRS: list = [BASE_DIR / "static"]
for _prefix, _dist in [
    ("vendor/htmx", "htmx.org/dist"), ("vendor/axe", "axe-core"),
    # ALTCHA: only the "external" widget build, its workers and strings (the whole dist is 4 MB of builds).
    ("vendor/altcha/external", "altcha/dist/external"), ("vendor/altcha/workers", "altcha/dist/workers"),
    ("vendor/altcha/i18n", "altcha/dist/i18n"),
]:
    if (BASE_DIR / "node_modules" / _dist).is_dir():
        STATICFILES_DIRS.append((_prefix, BASE_DIR / "node_modules" / _dist))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# ALTCHA proof-of-work on public forms (danvan/portal/altcha.py). Expected work per form sent is about
# 0.75 x MAX_COUNTER x COST PBKDF2-SHA256 iterations (~1-3 s on a cheap phone with the defaults).
# HMAC_KEY empty: derived from SECRET_KEY. MAX_AGE: seconds a challenge stays valid.
DANVAN_ALTCHA_HMAC_KEY = os.environ.get("DANVAN_ALTCHA_HMAC_KEY", "")
DANVAN_ALTCHA_COST = env_int("DANVAN_ALTCHA_COST", 1000)
DANVAN_ALTCHA_MAX_COUNTER = env_int("DANVAN_ALTCHA_MAX_COUNTER", 2000)
DANVAN_ALTCHA_MAX_AGE = env_int("DANVAN_ALTCHA_MAX_AGE", 600)
MEDIA_ROOT = Path(os.environ.get("DANVAN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"

# The database cache is shared by every process (log-in lock-out counters, rate limits) with no
# extra server; production with Redis switches to django.core.cache.backends.redis.RedisCache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "danvan_cache",
        # The default 300 entries would let a flood evict ALTCHA's "already used" markers (and rate counters).
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
}
if os.environ.get("DANVAN_REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["DANVAN_REDIS_URL"]}
    }

TASKS: dict[str, dict[str, object]] = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds before a failed background task is retried (doubled each time, at most an hour); see danvan.core.tasks.
DANVAN_TASK_RETRY_DELAY = env_int("DANVAN_TASK_RETRY_DELAY", 60)
# Personal-data exports one official may make in 24 hours (danvan.petitions.subject_export).
DANVAN_SUBJECT_EXPORT_DAILY_LIMIT = env_int("DANVAN_SUBJECT_EXPORT_DAILY_LIMIT", 20)

EMAIL_BACKEND = os.environ.get("DANVAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("DANVAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DANVAN_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DANVAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DANVAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DANVAN_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DANVAN_FROM_EMAIL", "danvan@localhost")
# The site's public address (e.g. https://danvan.laichau.gov.vn), for links in e-mails sent by the worker.
DANVAN_SITE_URL = os.environ.get("DANVAN_SITE_URL", "")

# Fernet keys for whistleblowers' identities, newest first (MultiFernet: the first encrypts, all decrypt;
# `danvan petitions rotate-keys` re-encrypts with the first). Comma-separated; kept apart from backups.
DANVAN_IDENTITY_KEYS = [k.strip() for k in os.environ.get("DANVAN_IDENTITY_KEYS", "").split(",") if k.strip()]

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest unit import file accepted (bytes).
DANVAN_IMPORT_MAX_BYTES = env_int("DANVAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Largest plan document accepted for import (bytes).
DANVAN_PLAN_IMPORT_MAX_BYTES = env_int("DANVAN_PLAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Days after which a case still open is flagged "prolonged", per kind (configuration, not law).
DANVAN_PROLONGED_DAYS = {"complaint": 90, "denunciation": 90, "recommendation": 60, "feedback": 60, "mixed": 90}
# Largest petition attachment accepted (bytes).
DANVAN_ATTACHMENT_MAX_BYTES = env_int("DANVAN_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (OWASP ASVS 5.0 V3.4.3): the browser runs and styles only what this server
# sends as files. No inline script, no inline style, no eval: an injected <script>, on*= handler,
# javascript: link or style="" attribute does nothing even if it slipped through escaping.
# data: is allowed for images only: the two-factor set-up page shows its QR code as a data: SVG (allauth),
# and an image cannot run script. connect-src (htmx, the ALTCHA challenge), worker-src (ALTCHA's worker
# file) and font-src fall back to default-src 'self'.
# Templates may not carry inline code (tests/security/test_templates_no_inline.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Browser features the site never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DANVAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
