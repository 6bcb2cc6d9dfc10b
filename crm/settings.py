"""Settings for every environment; environments differ in values, never in code paths.

Every value comes from the environment through one django-environ `env`. Production secrets
have no default, and the defaults are the safe production ones: `make run` and `make test`
(crm/devenv.py) pass the relaxed local values explicitly.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "crm",
    "accounts",
    "customers",
    "products",
    "interactions",
    "feedback",
    "insights",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.middleware.SessionIdleTouchMiddleware",
    # Notes in the browser that it is signed in, so that the sign-in page can say why a
    # session ended by itself (idle or lifetime); it reads the session the line above loaded.
    "crm.middleware.SignedInNoteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "crm.middleware.StripBidiControlsMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the login requirement, so that a session past its lifetime is sent to sign in.
    "crm.middleware.AbsoluteSessionLifetimeMiddleware",
    # Django's LoginRequiredMiddleware, answering htmx requests with HX-Redirect.
    "crm.middleware.HtmxAwareLoginRequiredMiddleware",
    "crm.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "accounts.context_processors.role",
                "accounts.context_processors.idle_warning",
            ],
        },
    },
]

# -- Data stores -------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=env("CELERY_BROKER_URL"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "crm",
        # A hung Redis must not hang a web request.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# -- Authentication and sessions ---------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.StaffModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session lives SESSION_IDLE_MINUTES after the user's last request, to within
# SESSION_TOUCH_SECONDS: crm.middleware.SessionIdleTouchMiddleware saves a session that has
# not been saved for that long, instead of saving it on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_TOUCH_SECONDS = 60
# The idle warning (static/js/idle-warning.js) shows this long before the idle timeout would
# sign the user out, or half the idle time when that is shorter (accounts.sessions).
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=120)
# Absolute lifetime: signed out this long after sign-in however active (crm.middleware).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "crm.errors.csrf_failure"

# Login throttling (django-axes): a lock holds one user name *from one address*, so an
# attacker cannot lock a colleague out from elsewhere, and it lifts after the cool-off.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: failures from one address across user names pause that address
# (accounts.signin). Higher than the per-user limit: a branch shares one address behind NAT.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address (django-axes through django-ipware) is REMOTE_ADDR unless told that one
# trusted reverse proxy sets X-Forwarded-For (CLIENT_IP_HEADERS=HTTP_X_FORWARDED_FOR,REMOTE_ADDR
# and PROXY_COUNT=1). The proxy appends the address it saw, so the right-most entry is the
# client's and anything a client wrote to the left of it is ignored; without a proxy the header
# is not read at all, so nobody can claim another address (issue 7 item 6).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT > 1:
    raise ImproperlyConfigured(
        "PROXY_COUNT above 1 is not supported: let the outermost proxy set X-Forwarded-For "
        "and the inner ones pass it on unchanged."
    )
IPWARE_ALGORITHM = "legacy"  # right-most entry, however many a client prepended
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    env.list("CLIENT_IP_HEADERS", default=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"])
    if PROXY_COUNT
    else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

# -- Transport security (behind a TLS-terminating proxy in production) -------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# -- Internationalisation ----------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Chinese amounts grouped by three with commas, as banks print them (crm/formats/zh_Hans).
FORMAT_MODULE_PATH = ["crm.formats"]

# -- Static files ------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Per-user limits on reveals (national ID, mobile) and exports: bulk-exfiltration paths
# (customers.limits; issue 8 item 8).
REVEAL_LIMIT = env.int("REVEAL_LIMIT", default=30)
REVEAL_WINDOW_MINUTES = env.int("REVEAL_WINDOW_MINUTES", default=10)
EXPORT_LIMIT = env.int("EXPORT_LIMIT", default=5)
EXPORT_WINDOW_MINUTES = env.int("EXPORT_WINDOW_MINUTES", default=60)

# The largest customer CSV a page request streams (about 10 s of work at this size).
CUSTOMER_EXPORT_MAX_ROWS = env.int("CUSTOMER_EXPORT_MAX_ROWS", default=100_000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Survey links: valid this many days; submissions per client address per window.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=14)
SURVEY_RATE_LIMIT = env.int("SURVEY_RATE_LIMIT", default=10)
SURVEY_RATE_WINDOW_MINUTES = env.int("SURVEY_RATE_WINDOW_MINUTES", default=60)
# The address staff reach the CRM at, for links in e-mails and survey QR codes.
CRM_BASE_URL = env("CRM_BASE_URL", default="http://127.0.0.1:8000")

# -- E-mail ------------------------------------------------------------------------------

# e.g. smtp+tls://user:password@mail.example.com:587 ; console by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="crm@localhost")

# -- Celery ------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = None  # tasks record their outcome in JobRun, not in Redis
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it ran, and given back if its worker dies mid-run,
# so every task must be idempotent (see STYLE.md §8).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task, or a slow task would be delivered twice.
    "visibility_timeout": 3600,
    "socket_timeout": 5,
    "socket_connect_timeout": 3,
    "max_retries": 2,
}
# Publishing a task from a web request gives up after a few seconds instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Import files between their dry run and their commit are kept this long (crm/csvimport.py).
PENDING_UPLOAD_HOURS = env.int("PENDING_UPLOAD_HOURS", default=24)
# Demo data (crm/seeding.py): each app's seed step, in dependency order; a new app adds its
# line here. seed_demo --reset empties every table of the project's apps but SEED_DEMO_KEEP,
# the reference data that migrations load.
SEED_DEMO_STEPS = [
    "accounts.seed.seed_step",
    "customers.seed.seed_step",
    "products.seed.seed_step",
    "interactions.seed.seed_step",
    "feedback.seed.seed_step",
    "insights.seed.seed_step",
    "dashboards.seed.seed_step",
]
SEED_DEMO_KEEP = [
    "customers.NeedType",
    "products.RiskQuestionnaire",
    "products.RiskQuestion",
    "products.RiskOption",
    "feedback.SlaPolicy",
]
# The transactional outbox (crm/outbox.py): how often beat publishes what writes queued, how
# long dispatched messages (and their de-duplication keys) are kept, and the age of the oldest
# pending message past which /healthz reports "degraded".
OUTBOX_DISPATCH_SECONDS = env.float("OUTBOX_DISPATCH_SECONDS", default=5.0)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)
OUTBOX_STALE_SECONDS = env.int("OUTBOX_STALE_SECONDS", default=300)
# The dashboards' figures (dashboards/services.py): how often beat recomputes them, and how
# many days back the frequent run and the nightly run rewrite the per-day figures (the nightly
# one covers the last 12 months and the 12 before, for "rising or falling" comparisons).
DASHBOARD_REFRESH_SECONDS = env.float("DASHBOARD_REFRESH_SECONDS", default=5 * 60.0)
DASHBOARD_REFRESH_DAYS = env.int("DASHBOARD_REFRESH_DAYS", default=35)
DASHBOARD_FULL_DAYS = env.int("DASHBOARD_FULL_DAYS", default=800)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "crm.tasks.heartbeat_task", "schedule": 60.0},
    "outbox-dispatch": {
        "task": "crm.tasks.outbox_dispatch_task",
        "schedule": OUTBOX_DISPATCH_SECONDS,
        # A run missed while the broker was down is not worth queueing: the next one comes.
        "options": {"expires": OUTBOX_DISPATCH_SECONDS * 2},
    },
    "outbox-tidy": {"task": "crm.tasks.outbox_tidy_task", "schedule": 6 * 3600.0},
    "job-runs-tidy": {"task": "crm.tasks.job_runs_tidy_task", "schedule": 6 * 3600.0},
    "pending-uploads-purge": {
        "task": "crm.tasks.pending_uploads_purge_task",
        "schedule": 3600.0,
    },
    "sla-watch": {"task": "feedback.tasks.sla_watch_task", "schedule": 60.0},
    # The dashboards' precomputed figures: every few minutes what is open now and the recent
    # days, every night every day the dashboards can show (dashboards.services.figures_refresh).
    "dashboard-figures": {
        "task": "dashboards.tasks.figures_refresh_task",
        "schedule": DASHBOARD_REFRESH_SECONDS,
        "options": {"expires": DASHBOARD_REFRESH_SECONDS},
    },
    "dashboard-figures-full": {
        "task": "dashboards.tasks.figures_refresh_task",
        "schedule": crontab(hour=2, minute=15),
        "kwargs": {"days": DASHBOARD_FULL_DAYS},
    },
    # Need-change alerts: every 10 minutes the customers touched since the last scan, every
    # night the whole book (the time-driven rules); both run `manage.py alerts_scan`.
    "alerts-scan-incremental": {
        "task": "insights.tasks.alerts_scan_task",
        "schedule": 10 * 60.0,
        "kwargs": {"full": False},
    },
    "alerts-scan-full": {
        "task": "insights.tasks.alerts_scan_task",
        "schedule": crontab(hour=1, minute=30),
        "kwargs": {"full": True},
    },
    # Service-quality scores: a weekly snapshot (Monday early morning, the week to Sunday).
    "scores-compute": {
        "task": "insights.tasks.scores_compute_task",
        "schedule": crontab(hour=3, minute=0, day_of_week=1),
    },
}
HEARTBEAT_STALE_SECONDS = 300

# -- Logging -----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No query strings in any log line: search terms are personal data (issue 8 item 5).
    "filters": {"no_query": {"()": "crm.logfilters.StripQueryString"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The development server's request lines (`make run`), through the filtered handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
