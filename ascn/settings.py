"""Settings for the ASCN Platform, read from the environment.

Production is the default: with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set or start-up stops
with a message naming them. `make run` sets DEBUG=1 for local development.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set ALLOWED_HOSTS to the comma-separated host names the platform "
        "is served under (e.g. ALLOWED_HOSTS=ascn.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "ascn.core.admin_site.AscnAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI for /api/v1/docs from its own static files (no CDN)
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # The platform's apps, from the bottom layer up (docs/architecture.md): an app imports only from
    # apps listed before it, and `manage.py seed` loads their reference data in this order.
    "ascn.core",
    "ascn.framework",
    "ascn.network",
    "ascn.plans",
    "ascn.finance",
    "ascn.monitoring",
    "ascn.partnerships",
    "ascn.knowledge",
    "ascn.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answer here, before the middleware below
    # Pages and API answers gzipped when the browser accepts it (static files come compressed from WhiteNoise).
    # Django's GZipMiddleware pads each answer with random bytes against BREACH, and CSRF tokens are masked
    # per response. It comes before every middleware that reads or changes the body.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ascn.core.middleware.api_method_not_allowed_as_json",
]

ROOT_URLCONF = "ascn.urls"
WSGI_APPLICATION = "ascn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ascn.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers and one writer work at the same time; IMMEDIATE avoids lock upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation adds tens of milliseconds to every large aggregate (the pipeline's facet counts)
    # and pays off only on long analytical queries; short web requests are faster without it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese")), ("th", _("Thai"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")  # the ASEAN Secretariat's time zone
USE_I18N = True
USE_TZ = True
# Numbers for people go through ascn.core.numbers (the `number`, `amount` and `indicator` filters), which
# groups thousands with each language's separators. Django's vi and th formats name no grouping, so this is
# their fallback; grouping is not switched on for every number (USE_THOUSAND_SEPARATOR), since years, ids
# and page numbers in templates must stay as they are.
NUMBER_GROUPING = 3
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["ascn.core.formats"]  # Vietnamese dates without a leading "Ngày" (see the module)

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# In production (DEBUG off) `collectstatic` names every file after a hash of its content (css/ascn.1a2b3c.css,
# which {% static %} writes into the pages) and stores a gzip and a brotli copy beside each compressible one
# (brotli needs the Brotli package: see pyproject.toml). WhiteNoise serves the brotli or gzip copy that the
# browser's Accept-Encoding asks for, and hashed names with `Cache-Control: max-age=315360000, public, immutable`:
# a new version has a new name, so a browser never asks for the same one twice. Unhashed names (the originals,
# which a script may still build at run time, e.g. Leaflet's marker images) are cached WHITENOISE_MAX_AGE seconds.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 0 if DEBUG else 60  # seconds, for unhashed names only (hashed ones: ten years, immutable)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded files are never served from a public URL: views stream them after a permission check.
MEDIA_URL = "/media/"

# --- Background tasks (Django's Tasks API through the django-tasks backport) ----------------------
# Development and tests run tasks immediately; production sets
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `make worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": ["default"],
    }
}

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ASCN Platform <no-reply@localhost>")
# M&E analytics: DuckDB snapshots of the observations (see docs/monitoring-analysis.md).
MONITORING_ANALYTICS_DIR = os.environ.get("MONITORING_ANALYTICS_DIR", "")  # empty: var/analytics
MONITORING_ANALYTICS_TTL = float(os.environ.get("MONITORING_ANALYTICS_TTL", "10"))  # seconds between staleness checks
MONITORING_ANALYTICS_SYNC_LIMIT = int(os.environ.get("MONITORING_ANALYTICS_SYNC_LIMIT", "500000"))
# The public address of the platform, for links in e-mails (e.g. https://ascn.example.org); empty: relative links.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# --- Security (production defaults; DEBUG relaxes them for local http) ---------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "ninja.pagination.LimitOffsetPagination"

# --- Portal -------------------------------------------------------------------------------------
# Map tiles are optional: with no URL the map draws the shipped ASEAN outline and works offline.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
