"""Harmonia settings, read from the environment.

Every variable is documented in README.md. A missing required value stops
start-up with a message naming it; booleans accept only ``true`` or ``false``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


# production (default), demo (make demo) or test (the pytest suite).
MODE = os.environ.get("HARMONIA_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"HARMONIA_MODE must be production, demo or test, not {MODE!r}.")
DEMO = MODE == "demo"

SECRET_KEY = env_secret("HARMONIA_SECRET_KEY")
if not SECRET_KEY:
    if MODE == "production":
        raise ImproperlyConfigured(
            "HARMONIA_SECRET_KEY is not set. Set it to a long random string "
            "(or HARMONIA_SECRET_KEY_FILE to a file holding one) before starting Harmonia."
        )
    SECRET_KEY = f"insecure-{MODE}-key-never-use-in-production-" + "x" * 20

DEBUG = env_bool("HARMONIA_DEBUG", default=DEMO)
ALLOWED_HOSTS = env_list(
    "HARMONIA_ALLOWED_HOSTS", "" if MODE == "production" else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("HARMONIA_CSRF_TRUSTED_ORIGINS")
# An expired form says so in the reader's language (not Django's technical page).
CSRF_FAILURE_VIEW = "harmonia.accounts.views.csrf_failure"

INSTALLED_APPS = [
    "harmonia.accounts",
    "harmonia.audit",
    "harmonia.programmes",
    "harmonia.children",
    "harmonia.staff",
    "harmonia.instruments",
    "harmonia.ensembles",
    "harmonia.reports",
    "harmonia.demo",
    "harmonia.worker",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "harmonia.accounts.language.PreferredLanguageMiddleware",
    "harmonia.programmes.zones.ZoneMiddleware",
    "harmonia.access.ScopeGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "harmonia.private_pages.NoStoreForSignedInMiddleware",
]

if MODE == "production":  # runserver serves static files in demo and test
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "harmonia.urls"
WSGI_APPLICATION = "harmonia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "harmonia" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "harmonia.navigation.navigation",
            ],
            # Dates read as each language writes them ("6 de septiembre de 2019").
            "builtins": ["harmonia.localdates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'harmonia.sqlite3'}",
        conn_max_age=int(os.environ.get("HARMONIA_DB_CONN_MAX_AGE", "60")),
    )
}
# SQLite (the embedded default) is set up for a web server and a worker writing at
# once: every transaction takes the write lock when it begins (IMMEDIATE), so a reader
# never fails to upgrade with "database is locked"; a writer waits up to
# HARMONIA_SQLITE_TIMEOUT seconds for the lock; WAL lets readers go on while one
# writes. See docs/architecture.md (Storage).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("HARMONIA_SQLITE_TIMEOUT", "20")),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout="
            f"{int(os.environ.get('HARMONIA_SQLITE_TIMEOUT', '20')) * 1000}; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (harmonia/accounts/throttling.py): five failures for one account,
# from any addresses, lock it; thirty from one address lock the address; each further
# lock of an account within a day lasts twice as long (15, 30, 60 minutes… up to a day).
HARMONIA_LOGIN_FAILURE_LIMIT = int(os.environ.get("HARMONIA_LOGIN_FAILURE_LIMIT", "5"))
HARMONIA_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("HARMONIA_LOGIN_ADDRESS_FAILURE_LIMIT", "30")
)
HARMONIA_LOGIN_COOLOFF_MINUTES = int(os.environ.get("HARMONIA_LOGIN_COOLOFF_MINUTES", "15"))
# How many reverse proxies sit in front of Harmonia: the client's address is then
# read from X-Forwarded-For, that many entries from the right. 0: no proxy.
HARMONIA_TRUSTED_PROXY_COUNT = int(os.environ.get("HARMONIA_TRUSTED_PROXY_COUNT", "0"))
if HARMONIA_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("HARMONIA_TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_HANDLER = "harmonia.accounts.throttling.LoginThrottle"
AXES_FAILURE_LIMIT = HARMONIA_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "harmonia.accounts.throttling.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "harmonia.accounts.throttling.normalised_username"
AXES_CLIENT_IP_CALLABLE = "harmonia.accounts.throttling.client_address"
AXES_USE_ATTEMPT_EXPIRATION = True  # each lock expires on its own clock
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the history that makes the delay grow
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "harmonia" / "locale"]
TIME_ZONE = os.environ.get("HARMONIA_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "harmonia" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if MODE == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("HARMONIA_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

# Aggregates shown to funders, the public or another programme hide counts below this.
HARMONIA_SUPPRESSION_THRESHOLD = int(os.environ.get("HARMONIA_SUPPRESSION_THRESHOLD", "5"))
# Export files (returns, grant reports) are deleted this many days after they are made.
HARMONIA_EXPORT_RETENTION_DAYS = int(os.environ.get("HARMONIA_EXPORT_RETENTION_DAYS", "7"))
if HARMONIA_EXPORT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        "HARMONIA_EXPORT_RETENTION_DAYS must be a whole number of days, 1 or more."
    )

# Background tasks: the database queue (run by `manage.py run_worker`), or
# "immediate" to run each task inside the request (the test suite's default).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get(
    "HARMONIA_TASK_BACKEND", "immediate" if MODE == "test" else "database"
)
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"HARMONIA_TASK_BACKEND must be database or immediate, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend]}}

# Email: console in demo and test, SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "HARMONIA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if MODE == "production"
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("HARMONIA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HARMONIA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("HARMONIA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("HARMONIA_EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("HARMONIA_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("HARMONIA_DEFAULT_FROM_EMAIL", "harmonia@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions and cookies: secure by default outside demo and test.
SECURE_COOKIES = env_bool("HARMONIA_SECURE_COOKIES", default=MODE == "production")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12  # a working day
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("HARMONIA_SSL_REDIRECT", default=MODE == "production")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(
    os.environ.get("HARMONIA_HSTS_SECONDS", 31536000 if MODE == "production" else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from our own static
# files, no inline script or style, no plugins, never framed. HTMX is configured by a
# <meta> tag in base.html not to eval or inject styles, so it runs under this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HARMONIA_LOG_LEVEL", "WARNING")},
}
