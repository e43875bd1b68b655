"""Settings read from the environment; defaults give a working SQLite demo with no server."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url

from fuwu.core.paths import data_dir, node_modules_dir

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _env_bool("DEBUG", False)


def _kept_secret(filename: str, env_name: str) -> str:
    """Read a secret from the environment, else generate it once into DATA_DIR and keep it."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _kept_secret("secret_key", "SECRET_KEY")
# Separate from SECRET_KEY so rotating the session secret never breaks PII lookup or decryption.
FUWU_PII_KEY = _kept_secret("pii_key", "FUWU_PII_KEY")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "treebeard",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "fuwu.core",
    "fuwu.customers",
    "fuwu.floor",
    "fuwu.feedback",
    "fuwu.complaints",
    "fuwu.measures",
    "fuwu.staffing",
    "fuwu.inspections",
    "fuwu.appraisal",
    "fuwu.knowledge",
    "fuwu.training",
    "fuwu.approvals",
    "fuwu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fuwu.core.middleware.LanguageMiddleware",
    "fuwu.core.middleware.NulInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fuwu.core.middleware.IdleTimeoutMiddleware",
    "fuwu.core.middleware.HeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "fuwu.core.middleware.DomainErrorMiddleware",
    "fuwu.core.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fuwu.urls"
WSGI_APPLICATION = "fuwu.wsgi.application"
ASGI_APPLICATION = "fuwu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fuwu.core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'fuwu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing midway with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("FUWU_TEST_DB_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password guessing (#18): django-axes counts failures per account and per client address (either
# reaching the limit locks that account / that address) and tells the user when to retry. Both
# /login/ and /admin/login/ authenticate through the same backends, so both are covered.
AUTHENTICATION_BACKENDS = [
    "fuwu.core.auth.LoginThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("FUWU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("FUWU_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "fuwu.core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "fuwu.core.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Staff sessions end after this many idle minutes (a counter PC left logged in at lunch).
FUWU_IDLE_MINUTES = int(os.environ.get("FUWU_IDLE_MINUTES", "30"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Vendor assets come from node_modules (installed by npm at setup) and are served from there.
STATICFILES_DIRS = [
    ("vendor/htmx", node_modules_dir() / "htmx.org" / "dist"),
    ("vendor/echarts", node_modules_dir() / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FUWU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "sweeps"],
    }
}

# Notification e-mail (core.notifications): printed to the console unless a real backend is configured.
EMAIL_BACKEND = os.environ.get("FUWU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("FUWU_FROM_EMAIL", "fuwu@localhost")
# Where mailed links point (the site as staff reach it).
FUWU_BASE_URL = os.environ.get("FUWU_BASE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
# No script reads the csrftoken cookie: pages carry the token in <body hx-headers> (core/base.html), which
# htmx and floor.js send as X-CSRFToken, so the cookie can be hidden from scripts.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (#18), by django-csp: scripts only from our own static files (htmx and
# ECharts are vendored there; no inline script, no inline handler, no eval), so an injected
# <script> or onerror= does nothing even if some escaping ever failed. Inline style attributes stay
# allowed: ECharts and the templates size elements with them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _env_bool("FUWU_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = _env_bool("FUWU_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = _env_bool("FUWU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("FUWU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# X-Forwarded-Proto says "this came in over HTTPS" only when our own TLS-terminating proxy set it; sent
# straight to the app by a client it is a forgery (the app would treat plain HTTP as secure). So it is
# trusted only when the operator says a proxy is in front. A flag of its own rather than
# FUWU_NUM_PROXIES > 0: counting hops for X-Forwarded-For says nothing about whether that proxy terminates
# TLS and overwrites the client's X-Forwarded-Proto, which is what trusting this header needs.
if _env_bool("FUWU_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "fuwu.core.pii.PiiLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["pii"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUWU_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # it logs every successful login's reset at INFO
        # Django's own config gives runserver's request log a handler and propagate=False; naming the
        # logger here drops that handler, so it gets ours (PII-filtered) back, or its lines vanish.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Floor, feedback and complaint rules that operators tune without a deploy live in the database;
# these are only process-level knobs.
FUWU_CLOCK_START = os.environ.get("FUWU_CLOCK_START")  # ISO datetime: start the clock there
FUWU_CLOCK_SPEED = float(os.environ.get("FUWU_CLOCK_SPEED", "1"))
# Where customers' phones reach this server (the mobile ticket's QR link), e.g. https://fuwu.example.cn;
# empty: the host the kiosk itself uses.
FUWU_PUBLIC_URL = os.environ.get("FUWU_PUBLIC_URL", "")
# API throttles key on the client address; X-Forwarded-For is trusted only through this many proxies of
# ours (0: the socket's address — a client cannot pick its own identity with a forged header).
NINJA_NUM_PROXIES = int(os.environ.get("FUWU_NUM_PROXIES", "0"))
