"""Settings, driven by environment variables.

- ``ZHANYI_DEBUG`` (default off): development mode. The demo turns it on.
- ``ZHANYI_SECRET_KEY``: required when not in debug mode; a missing or
  well-known key refuses to start.
- ``DATABASE_URL``: the database; default SQLite in ``$ZHANYI_DATA_DIR``.
- ``ZHANYI_DATA_DIR`` (default ``./var``): SQLite file, Parquet, uploads.
- ``ZHANYI_ALLOWED_HOSTS``: comma-separated host names.
- ``REDIS_URL``: when set, the cache (login throttling, computed figures)
  lives in Redis; otherwise in the database (table ``zhanyi_cache``, created
  by ``migrate``).
- ``ZHANYI_FIGURE_CACHE_SECONDS`` (default 30): how long a computed figure is
  shown to every dashboard before it is computed again; 0 turns the cache off.
- ``ZHANYI_REPORT_TIMES`` (default ``12:00,20:00``): the local times of day at
  which the twice-daily report (每日两报) is taken.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ZHANYI_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = env_bool("ZHANYI_DEBUG")
TESTING = env_bool("ZHANYI_TESTING")

# Keys that must never run a production site: Django's placeholder, empty
# strings and the ones people paste from tutorials.
KNOWN_BAD_SECRET_KEYS = {"", "changeme", "change-me", "secret", "django-insecure", "dev"}


def _secret_key() -> str:
    key = env_str("ZHANYI_SECRET_KEY")
    # 32 characters, and not a run of a few (32 zeros passed): as accounts.checks.
    weak = (
        key in KNOWN_BAD_SECRET_KEYS
        or key.startswith("django-insecure")
        or len(key) < 32
        or len(set(key)) < 10
    )
    if not weak:
        return key
    if TESTING:
        # Tests get a throwaway key and leave no file behind.
        return secrets.token_urlsafe(50)
    if not DEBUG:
        raise ImproperlyConfigured(
            "ZHANYI_SECRET_KEY is missing or a well-known default. Set it to a random "
            "string of at least 32 characters, 10 of them different (for example: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development: one random key per data directory, kept so sessions survive restarts.
    path = DATA_DIR / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ZHANYI_ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("ZHANYI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "zhanyi.core",
    "zhanyi.places",
    "zhanyi.accounts",
    "zhanyi.people",
    "zhanyi.handoffs",
    "zhanyi.command",
    "zhanyi.teams",
    "zhanyi.tracing",
    "zhanyi.screening",
    "zhanyi.testing",
    "zhanyi.quarantine",
    "zhanyi.coldchain",
    "zhanyi.zones",
    "zhanyi.livelihood",
    "zhanyi.vaccination",
    "zhanyi.supplies",
    "zhanyi.checkpoints",
    "zhanyi.workforce",
    "zhanyi.clinics",
    "zhanyi.publicity",
    "zhanyi.care",
    "zhanyi.bench",
]

MIDDLEWARE = [
    # First, so that it times everything behind it (zhanyi.core.prometheus).
    "zhanyi.core.prometheus.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zhanyi.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhanyi.core.middleware.LanguageMiddleware",
    "zhanyi.core.middleware.UploadSizeMiddleware",
    "zhanyi.core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session passed its second factor; then who must (zhanyi.accounts.twofactor).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "zhanyi.accounts.twofactor.TwoFactorMiddleware",
    "zhanyi.core.reads.ReadGuardMiddleware",
]

ROOT_URLCONF = "zhanyi.urls"
WSGI_APPLICATION = "zhanyi.wsgi.application"

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
                "zhanyi.accounts.context_processors.navigation",
                "zhanyi.core.context_processors.story_clock",
                "zhanyi.core.drill_mode.context",
            ],
            "builtins": ["zhanyi.core.templatetags.actors"],
        },
    }
]

if TESTING and not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
else:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'zhanyi.sqlite3'}"),
            # Tests' live-server threads must not keep connections open, or the
            # test database cannot be dropped at the end.
            conn_max_age=0 if TESTING else 60,
            # A kept connection is checked before a request reuses it: one cut
            # by the database (a restart, a failover, pg_terminate_backend)
            # is opened again instead of failing the request with a 500.
            conn_health_checks=True,
        )
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        # SQLite creates the file but not its folder: a first start on a new
        # data directory would fail with "unable to open database file".
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web app read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # SQLite has one write lock: wait this long for it (a large import holds it
    # for seconds) before "database is locked"; Django's default is 5 s.
    DATABASES["default"]["OPTIONS"].setdefault(
        "timeout", float(env_str("ZHANYI_SQLITE_BUSY_TIMEOUT_S", "30"))
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:landing"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhanyi.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The one-time links on which new staff set their password (zhanyi.accounts.actions.staff)
# expire after this many hours; the command line prints them on ZHANYI_BASE_URL.
PASSWORD_RESET_TIMEOUT = int(float(env_str("ZHANYI_PASSWORD_LINK_HOURS", "72")) * 3600)
BASE_URL = env_str("ZHANYI_BASE_URL", "http://127.0.0.1:8000")
# Two-factor authentication (TOTP) for the roles that see identity numbers or approve
# (zhanyi.accounts.twofactor): on unless in debug mode (the demo) or tests; a
# production start refuses it off (zhanyi.E004).
TWO_FACTOR_REQUIRED = env_bool("ZHANYI_TWO_FACTOR", not DEBUG and not TESTING)
OTP_TOTP_ISSUER = env_str("ZHANYI_TWO_FACTOR_ISSUER", "zhanyi")
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "zhanyi_cache",
            # Django's default (300) would evict the dashboards' shared figures,
            # one entry per figure and area (some 25 figures for each village,
            # township and county someone has open), long before they expire.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
    if TESTING:
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["zhanyi.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# In development and tests WhiteNoise serves straight from the apps' static
# folders; in production from STATIC_ROOT after `collectstatic` (which `zhanyi
# serve` runs).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
# Source maps (6 MB of the API documentation's) are fetched only by a developer's
# tools: compressing them took most of a production start's collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
]

SESSION_COOKIE_HTTPONLY = True
# A process working in a drill (演练, zhanyi.core.drill_mode): started with the
# drill's own DATABASE_URL and data folder by `zhanyi drill …` or `zhanyi serve
# --drill NAME`. Its cookies have names of their own: a browser sends a host's
# cookies to every port, and signing in to the drill must not sign out of the
# live system.
DRILL = env_str("ZHANYI_DRILL")
if DRILL:
    SESSION_COOKIE_NAME = f"zhanyi_drill_{DRILL}_sessionid"
    CSRF_COOKIE_NAME = f"zhanyi_drill_{DRILL}_csrftoken"
    MIDDLEWARE.append("zhanyi.core.drill_mode.StoppedDrillMiddleware")
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = env_bool("ZHANYI_SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browsers that once reached the site over HTTPS keep to it (ignored over plain
# HTTP, so an intranet without TLS is not locked out); 0 turns it off.
SECURE_HSTS_SECONDS = int(env_str("ZHANYI_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000"))
# Behind a TLS-terminating proxy: the header it sets (e.g. X-Forwarded-Proto) and the
# value meaning HTTPS. Only set it when the proxy always overwrites that header.
if env_str("ZHANYI_PROXY_TLS_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env_str("ZHANYI_PROXY_TLS_HEADER").upper().replace("-", "_"),
        env_str("ZHANYI_PROXY_TLS_VALUE", "https"),
    )
SECURE_SSL_REDIRECT = env_bool("ZHANYI_SSL_REDIRECT")
# A load balancer asks over plain HTTP, behind the TLS it terminates.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Everything from the site itself. Scripts keep 'unsafe-inline' and 'unsafe-eval'
# while templates carry inline handlers and htmx's hx-on (docs/security.md).
CONTENT_SECURITY_POLICY = env_str(
    "ZHANYI_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zhanyi.accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "zhanyi.core.api.BoundedPagination",
    "DEFAULT_THROTTLE_CLASSES": ["zhanyi.core.reads.ReadThrottle"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zhanyi API",
    "DESCRIPTION": "zhanyi (战疫) epidemic response command platform",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tag each operation by its app: /api/v1/<app>/…
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Choice sets whose field names collide across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "LoadKindEnum": "zhanyi.places.models.LoadKind",
        "RegisterKindEnum": "zhanyi.people.models.register.RegisterKind",
        "ScreeningOutcomeEnum": "zhanyi.screening.models.ScreeningTask.Outcome",
        # Hospital care: symptoms and lung imaging compared with before, one choice set.
        "ProgressEnum": "zhanyi.care.models.Progress",
        # Choice sets a request and its answer share (zhanyi.core.api.ActionView).
        "ClinicKindEnum": "zhanyi.clinics.models.ClinicKind",
        "ClinicStaffRoleEnum": "zhanyi.clinics.models.StaffRole",
        "ClinicCodeColourEnum": "zhanyi.clinics.models.CodeColour",
        "TeamKindEnum": "zhanyi.teams.models.TeamKind",
        "TeamMemberRoleEnum": "zhanyi.teams.models.MemberRole",
        "TeamShiftEnum": "zhanyi.teams.models.Shift",
        "ColdHandlingStepEnum": "zhanyi.coldchain.models.HandlingStep",
        "ColdSampleKindEnum": "zhanyi.coldchain.models.SampleKind",
        "ColdBatchStateEnum": "zhanyi.coldchain.models.BatchState",
        "QuarantineSiteKindEnum": "zhanyi.quarantine.models.SiteKind",
        "QuarantineContactKindEnum": "zhanyi.quarantine.models.ContactKind",
        "SupplyHolderKindEnum": "zhanyi.supplies.models.HolderKind",
        "VaccinationSiteKindEnum": "zhanyi.vaccination.models.SiteKind",
    },
}

# Login throttling (issue 14, finding 12): this many failures for one user name from one
# address lock further attempts from it at that name until the window passes.
LOGIN_FAILURE_LIMIT = int(env_str("ZHANYI_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_S = int(env_str("ZHANYI_LOGIN_FAILURE_WINDOW_S", "900"))
# Uploads (issue 14, finding 7): a request body over this many MB is refused with 413;
# a workbook that expands beyond this many MB when opened is refused as unreadable.
UPLOAD_MAX_MB = int(env_str("ZHANYI_UPLOAD_MAX_MB", "100"))
XLSX_MAX_EXPANDED_MB = int(env_str("ZHANYI_XLSX_MAX_EXPANDED_MB", "150"))

# Dates of events (exposures, arrivals) before this are refused as mistyped (issue 14,
# finding 16: a 1900 exposure date was accepted): the epidemic's first known cases.
EARLIEST_EVENT_DATE = dt.date.fromisoformat(env_str("ZHANYI_EARLIEST_EVENT_DATE", "2019-12-01"))

# Reads of personal data per user (issue 14, finding 18; zhanyi.core.reads): this many
# GET requests under these paths in the window, then 429 with Retry-After. 0: no limit.
READ_RATE_LIMIT = int(env_str("ZHANYI_READ_RATE_LIMIT", "300"))
READ_RATE_WINDOW_S = int(env_str("ZHANYI_READ_RATE_WINDOW_S", "60"))
READ_RATE_LIMIT_PATHS = (
    "/people/",
    "/tracing/",
    "/screening/",
    "/testing/",
    "/accounts/audit/",
    "/api/v1/people/",
    "/api/v1/tracing/",
    "/api/v1/screening/",
    "/api/v1/testing/",
    "/api/v1/accounts/audit/",
)
# Attempts from one address at any user names (a shared office address has many users).
LOGIN_ADDRESS_FAILURE_LIMIT = int(env_str("ZHANYI_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))


# How long a computed figure (数出一门) is shared by every dashboard and server
# process before one of them computes it again (zhanyi.core.figure_cache). The
# dashboards poll every 30 s; 0 turns the cache off (each reader computes).
def _figure_cache_seconds() -> int:
    raw = env_str("ZHANYI_FIGURE_CACHE_SECONDS", "30").strip()
    try:
        seconds = int(raw)
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ImproperlyConfigured(
            f"ZHANYI_FIGURE_CACHE_SECONDS must be a whole number of seconds, 0 or more "
            f"(0 turns the figure cache off), not {raw!r}."
        )
    return seconds


FIGURE_CACHE_SECONDS = _figure_cache_seconds()


# When the twice-daily report (每日两报) is taken, local time (zhanyi.command.reports).
def _report_times() -> list[str]:
    times = env_list("ZHANYI_REPORT_TIMES", "12:00,20:00")
    for item in times:
        hours, _sep, minutes = item.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ImproperlyConfigured(
                f"ZHANYI_REPORT_TIMES: times of day like 12:00,20:00, not {item!r}."
            )
    if not times:
        raise ImproperlyConfigured("ZHANYI_REPORT_TIMES names no time of day.")
    return sorted(times, key=lambda t: tuple(int(p) for p in t.split(":")))


REPORT_TIMES = _report_times()

# A background job that no worker has started after this long says so on its
# page instead of "queued" (no worker runs, or all are busy).
JOB_STALLED_AFTER_S = int(env_str("ZHANYI_JOB_STALLED_AFTER_S", "120"))
# The folder operators drop their daily stay files into (location data feeds);
# empty: ``$ZHANYI_DATA_DIR/feeds/incoming``. A sub-folder names the operator.
STAY_FEEDS_DIR = env_str("ZHANYI_STAY_FEEDS_DIR", "")
# Open work due within this many hours is "due soon" on the teams' pages and figures.
ZHANYI_DUE_SOON_HOURS = int(env_str("ZHANYI_DUE_SOON_HOURS", "2"))

# How many reverse proxies in front of the app append to X-Forwarded-For; 0
# means the client address is REMOTE_ADDR (nobody can forge it in the audit log).
TRUSTED_PROXY_COUNT = int(env_str("ZHANYI_TRUSTED_PROXY_COUNT", "0"))

# /metrics (zhanyi.core.prometheus): with a token, a scrape must carry it as a bearer
# token; without one, only requests from this machine may read the metrics.
METRICS_TOKEN = env_str("ZHANYI_METRICS_TOKEN")

# ZHANYI_LOG_FORMAT=json: one JSON object per line (zhanyi.core.logs), for a collector.
LOG_FORMAT = env_str("ZHANYI_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"ZHANYI_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "zhanyi.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("ZHANYI_LOG_LEVEL", "WARNING")},
}
