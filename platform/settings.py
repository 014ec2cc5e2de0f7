"""Django settings for Liaison, read from the environment (see README "Configuration")."""
from __future__ import annotations

import importlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}: expected true/false, got {raw!r}")


DEV_SECRET_KEY = "liaison-development-only-secret-key-do-not-use-in-production"

DEBUG = env_bool("DEBUG", True)
# Production mode as configured (DEBUG=false). Kept apart from DEBUG, which test runners
# switch off: the demo guard and similar checks read this one.
LIAISON_PRODUCTION = not DEBUG
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
# Rotation: put the old key here (comma-separated) for a while so sessions and signed
# links made with it stay valid, then drop it (docs/OPERATIONS.md).
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
LIAISON_BASE_HOST = os.environ.get("LIAISON_BASE_HOST", "localhost").strip().lower()
# The province's name, in the admin's and the public pages' titles ("云南省人大代表活动阵地平台").
LIAISON_PROVINCE_NAME = os.environ.get("LIAISON_PROVINCE_NAME", "云南省").strip()
LIAISON_ENVIRONMENT = os.environ.get("LIAISON_ENVIRONMENT", "development" if DEBUG else "production")
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip()
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "").strip()
# Search (docs/SEARCH.md): the cluster has the IK analysis plugin (ik_max_word/ik_smart);
# otherwise the built-in cjk analyzer is used. Indices are <prefix>-<schema>-<timestamp>.
ELASTICSEARCH_IK = env_bool("ELASTICSEARCH_IK", False)
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "liaison-opinions").strip()
# PostgreSQL search backend: totals (and facet counts) are exact up to this many matches;
# a search matching more ranks and counts its newest matches and estimates the rest.
LIAISON_SEARCH_EXACT_TOTAL_UP_TO = int(os.environ.get("LIAISON_SEARCH_EXACT_TOTAL_UP_TO", "500"))
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()


def check_production_settings() -> None:
    """Production (DEBUG off) refuses insecure defaults, naming the setting."""
    if DEBUG:
        return
    problems = []
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY: set a random value of at least 32 characters (the development default is not allowed with DEBUG=false)")
    if not DATABASE_URL:
        problems.append("DATABASE_URL: required with DEBUG=false (the embedded PostgreSQL is for development only)")
    if LIAISON_BASE_HOST in {"localhost", "127.0.0.1", ""}:
        problems.append("LIAISON_BASE_HOST: set the province's public host name (e.g. rd.yn.gov.cn) with DEBUG=false")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode:\n  - " + "\n  - ".join(problems))


check_production_settings()

# Absolute links on prefecture hosts (QR codes, messages): https in production; in
# development http on the port `liaison serve` uses.
LIAISON_PUBLIC_SCHEME = os.environ.get("LIAISON_PUBLIC_SCHEME", "http" if DEBUG else "https")
LIAISON_PUBLIC_PORT = os.environ.get("LIAISON_PUBLIC_PORT", "8000" if DEBUG else "")
# Development without LIAISON_PUBLIC_PORT: links use the port that serves the request
# (tenants/common/urls.py), so `liaison serve 127.0.0.1:8123` gets :8123 QR codes.
LIAISON_PUBLIC_PORT_FROM_REQUEST = DEBUG and "LIAISON_PUBLIC_PORT" not in os.environ

# --- Database -------------------------------------------------------------------------------
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
else:
    from liaison.platform.embedded_pg import DATABASE_NAME, ensure_running

    _embedded = ensure_running()
    _db = {
        "NAME": DATABASE_NAME,
        "USER": _embedded.user,
        "HOST": _embedded.socket_dir,
        "PORT": str(_embedded.port),
        "PASSWORD": "",
        "CONN_MAX_AGE": 0,
    }
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db.setdefault("TEST", {})
DATABASES = {"default": _db}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tenancy ------------------------------------------------------------------------------
TENANT_MODEL = "registry.Prefecture"
TENANT_DOMAIN_MODEL = "registry.Domain"
# New prefectures are cloned from an always-migrated template schema, so provisioning
# time stays flat however many migrations accumulate (see tenants/registry/provisioning.py).
TENANT_BASE_SCHEMA = "tenant_template"
# Set search_path only when the schema changes, not before every query (half the round
# trips of a request were SET search_path).
TENANT_LIMIT_SET_CALLS = True
# `migrate_schemas --executor=multiprocessing` migrates this many prefectures at once.
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("LIAISON_MIGRATION_PROCESSES", "4"))
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "liaison.platform.urls_public"
ROOT_URLCONF = "liaison.platform.urls_tenant"

SHARED_APPS = [
    "django_tenants",
    "liaison.tenants.registry",
    "liaison.tenants.common",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    # django.contrib.admin with Liaison's site: open to administrators by role, not is_staff.
    "liaison.platform.accounts.admin_apps.LiaisonAdminConfig",
    "django.contrib.staticfiles",
    "graphene_django",
    "django_htmx",
    "corsheaders",
    "liaison.platform.accounts",
    "liaison.platform.apiaccess",
    "liaison.platform.province",
    "liaison.platform.roster",
    "liaison.platform.rollups",
    "liaison.search.store",
    # Audit history by PostgreSQL triggers (tenants/common/audit.py): the event tables are
    # in each audited app; pghistory's own context table is not used (context is JSON on
    # each event), so these two live in public only.
    "pgtrigger",
    "pghistory",
    "liaison.platform.audit",
    # OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set (platform/ops/tracing.py).
    "liaison.platform.ops",
    # Login attempts and lockouts: tables in `public` only, so one count covers a user on
    # every host (a prefecture's search_path falls through to public).
    "axes",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "liaison.platform.accounts.admin_apps.LiaisonAdminConfig",
    "liaison.tenants.divisions",
    "liaison.tenants.positions",
    "liaison.tenants.deputies",
    "liaison.tenants.activities",
    "liaison.tenants.notifications",
    "liaison.tenants.opinions",
    "liaison.tenants.ledger",
    "liaison.tenants.stats",
    "liaison.tenants.practice",
    "liaison.tenants.workbench",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # /healthz and /readyz on any Host (probes use the pod IP), then request id + log context.
    "liaison.platform.ops.middleware.HealthCheckMiddleware",
    "liaison.platform.ops.middleware.RequestContextMiddleware",
    # gzip of JSON/CSS/JS answers to cookie-less requests only (BREACH: platform/apiaccess/compression.py)
    "liaison.platform.apiaccess.compression.SafeGZipMiddleware",
    "liaison.platform.tenancy.ProvinceTenantMiddleware",
    "liaison.tenants.common.urls.ServingPortMiddleware",
    # CORS per host: after the tenant is known (its origin list), before anything answers
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # services check objects against the caller (platform/accounts/acting.py)
    "liaison.platform.accounts.acting.ActingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who changed what: the request's user / API key and interface on every audit event.
    "liaison.platform.ops.audit.AuditContextMiddleware",
    # Turns a lockout raised inside authenticate() into the lockout answer (last, per axes).
    "axes.middleware.AxesMiddleware",
]

# --- Login throttling and lockout (django-axes; docs/OPERATIONS.md "Security") -------------
# AxesStandaloneBackend first: every authenticate() call — admin login, the workbench
# login, anything later — is counted and refused while locked, before passwords are checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LIAISON_LOGIN_FAILURE_LIMIT", "5"))
# Locked for this long after the limit (minutes); a success before the limit resets the count.
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LIAISON_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
# What is counted, LIAISON_LOGIN_LOCKOUT_BY: alternatives separated by commas, "+" joins
# parameters. Default: one user name from one client address, so guessing a password is
# stopped while nobody can lock a colleague out from elsewhere. Add ",username" to lock
# an account whatever the address, or ",ip_address" to lock an address for all accounts
# (careful: an office behind one NAT shares an address).
AXES_LOCKOUT_PARAMETERS = [
    [p.strip() for p in alternative.split("+") if p.strip()]
    for alternative in os.environ.get("LIAISON_LOGIN_LOCKOUT_BY", "username+ip_address").split(",") if alternative.strip()
]
AXES_LOCKOUT_CALLABLE = "liaison.platform.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "liaison.platform.accounts.lockout.client_ip"
# The number of proxies in front of gunicorn that append to X-Forwarded-For (the ingress:
# 1). 0 = use the socket address (development, or no proxy).
LIAISON_TRUSTED_PROXY_COUNT = int(os.environ.get("LIAISON_TRUSTED_PROXY_COUNT", "0" if DEBUG else "1"))
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

WSGI_APPLICATION = "liaison.platform.wsgi.application"

# Prefecture hosts are <slug>.<base host>; the province is the base host itself.
ALLOWED_HOSTS = [LIAISON_BASE_HOST, f".{LIAISON_BASE_HOST}"]
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "testserver", ".localhost"]
extra_hosts = os.environ.get("LIAISON_EXTRA_HOSTS", "")
ALLOWED_HOSTS += [h.strip() for h in extra_hosts.split(",") if h.strip()]

# --- Language: Chinese first, English available ------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The English catalogue (msgids are the Chinese text) lives at the repository root,
# locale/en/LC_MESSAGES/django.po and .mo; the image copies it to LIAISON_LOCALE_DIR.
LOCALE_PATHS = [Path(os.environ.get("LIAISON_LOCALE_DIR") or BASE_DIR.parent / "locale")]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LIAISON_STATIC_ROOT", Path.cwd() / "staticfiles"))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js from the installed plotly wheel, served as vendor/plotly/plotly.min.js (no CDN).
    "liaison.platform.rollups.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("LIAISON_MEDIA_ROOT", Path.cwd() / ".liaison" / "media"))
MEDIA_URL = "/media/"

# --- HTTPS, cookies, HSTS (docs/OPERATIONS.md "Security"); on in the chart's production values.
# Cookies are Secure in production mode; HttpOnly for the session (JavaScript never needs it;
# the CSRF cookie stays readable because GraphiQL sends it back as a header).
SESSION_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = env_bool("LIAISON_CSRF_COOKIE_HTTPONLY", False)
SESSION_COOKIE_SAMESITE = os.environ.get("LIAISON_COOKIE_SAMESITE", "Lax").strip().capitalize()
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
if SESSION_COOKIE_SAMESITE not in {"Lax", "Strict", "None"}:
    raise ImproperlyConfigured(f"LIAISON_COOKIE_SAMESITE: expected Lax, Strict or None, got {SESSION_COOKIE_SAMESITE!r}")
SESSION_COOKIE_AGE = int(os.environ.get("LIAISON_SESSION_HOURS", "12")) * 3600


def _province_cookie_domain(base_host: str) -> str | None:
    """One sign-in across the province: the session and CSRF cookies belong to the base host
    and every <slug>.<base host>. Browsers refuse a cookie domain that is a bare top-level
    name (Chromium drops `Domain=.localhost`, checked in tests/citizen/test_single_sign_on.py),
    so a single-label base host such as `localhost` keeps one session per host; use a dotted
    one (`yn.localhost` in development, the real domain in production) for one sign-in."""
    import ipaddress

    if "." not in base_host:
        return None
    try:
        ipaddress.ip_address(base_host)
        return None
    except ValueError:
        return f".{base_host}"


SESSION_COOKIE_DOMAIN = os.environ.get("LIAISON_COOKIE_DOMAIN") or _province_cookie_domain(LIAISON_BASE_HOST)
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN

# The ingress terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("LIAISON_HTTPS_REDIRECT", False)
# Probes reach pods over plain HTTP by IP (HealthCheckMiddleware answers before this anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("LIAISON_HSTS_SECONDS", "0"))
# Prefectures are subdomains of the base host: HSTS covers them all.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LIAISON_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("LIAISON_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- GraphQL -------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "liaison.graphql.schema.schema",
    # Reports unexpected resolver errors to Sentry (graphene turns them into `errors`).
    "MIDDLEWARE": ["liaison.platform.ops.sentry.SentryGraphQLMiddleware"],
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
}

# --- CORS (docs/API.md "Browsers on other origins"): each host has its own list of allowed
# origins (liaison.platform.apiaccess: admin, `liaison prefecture origins`); no global list.
# Only /graphql/ answers other origins; API keys, not cookies, authenticate them.
CORS_URLS_REGEX = r"^/graphql/?$"
# GraphiQL at /graphql/ for browsers (assets served by the project, no CDN); on in DEBUG.
LIAISON_GRAPHIQL = env_bool("LIAISON_GRAPHIQL", DEBUG)
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type")
CORS_EXPOSE_HEADERS = ("Retry-After", "WWW-Authenticate")
CORS_PREFLIGHT_MAX_AGE = 600

# --- Cache (rate limits of the public API, docs/API.md): Redis when configured, else
# per-process memory (fine for one process; use Redis with several workers).
LIAISON_CACHE_URL = (os.environ.get("LIAISON_CACHE_URL") or os.environ.get("LIAISON_REDIS_URL") or "").strip()
if LIAISON_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LIAISON_CACHE_URL,
                          "KEY_PREFIX": "liaison"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "liaison"}}

# --- Celery: real workers with a broker, eager in-process without one --------------------
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Each app keeps its own beat entries in <app>/schedule.py.
BEAT_SCHEDULE_MODULES = [
    "liaison.tenants.activities.schedule",
    "liaison.tenants.notifications.schedule",
    "liaison.tenants.positions.schedule",
    "liaison.tenants.opinions.schedule",
    "liaison.tenants.stats.schedule",
    "liaison.tenants.practice.schedule",
    "liaison.platform.rollups.schedule",
    "liaison.search.schedule",
]
# Touches a heartbeat file on every tick: the beat pod's liveness probe (platform/beat.py).
CELERY_BEAT_SCHEDULER = "liaison.platform.beat.HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_BEAT_SCHEDULE: dict = {}
for _module in BEAT_SCHEDULE_MODULES:
    CELERY_BEAT_SCHEDULE.update(importlib.import_module(_module).BEAT_SCHEDULE)

# --- Notifications outbox (tenants/notifications; docs/DOMAIN.md) ------------------------
# E-mail goes through Django's mail framework: printed in development, SMTP otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"liaison@{LIAISON_BASE_HOST}")
# Channel → backend class; "channel=dotted.path,..." overrides the defaults in
# liaison.tenants.notifications.backends.DEFAULT_BACKENDS (sms/wechat are interfaces).
LIAISON_NOTIFICATION_BACKENDS = dict(
    item.split("=", 1) for item in os.environ.get("LIAISON_NOTIFICATION_BACKENDS", "").split(",") if "=" in item)
# Channels tried, in order, for messages to deputies: the first one the deputy has an address for.
LIAISON_DEPUTY_CHANNELS = [c.strip() for c in os.environ.get("LIAISON_DEPUTY_CHANNELS", "email,console").split(",") if c.strip()]

# --- Metrics (platform/ops/metrics.py): /metrics needs this bearer token when set; without
# it, /metrics is served on the province host only.
LIAISON_METRICS_TOKEN = os.environ.get("LIAISON_METRICS_TOKEN", "").strip()

# --- Logging and errors ------------------------------------------------------------------
from liaison.platform.ops.logging import build_logging_config  # noqa: E402

LOGGING = build_logging_config(debug=DEBUG)

if SENTRY_DSN and "pytest" not in sys.modules:
    from liaison.platform.ops.sentry import init_sentry  # noqa: E402

    init_sentry(dsn=SENTRY_DSN, environment=LIAISON_ENVIRONMENT)
