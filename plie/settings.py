"""Django settings for the PLIE platform.

Values that differ between machines come from the environment, read and validated once in
:mod:`plie.env`; a misconfiguration stops the start-up with every problem listed in French.
"""

import datetime
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from plie.env import ConfigError, read_config

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    CONFIG = read_config(os.environ, BASE_DIR)
except ConfigError as error:
    # ImproperlyConfigured keeps Django's usual behaviour; the message says what to fix.
    raise ImproperlyConfigured(str(error)) from None

PLIE_ENV = CONFIG.environment
DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
SITE_URL = CONFIG.site_url

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
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "axes",
    "csp",
    # Cross-cutting pieces of the project.
    "plie",
    "plie.accounts",
    "plie.territoire",
    "plie.referentiel",
    "plie.notifications",
    "plie.acces",
    # Domain apps, one per step of the PLIE's work.
    "prescriptions",
    "parcours",
    "cellules",
    "sorties",
    "financement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "plie.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plie.sessions.SessionTimeoutMiddleware",
    "plie.sessions.LoginRequiredMiddleware",
    # After the login check: the second step of whoever has a second factor or must use one.
    "django_otp.middleware.OTPMiddleware",
    "plie.accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a request that axes flagged as locked out into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plie.urls"
WSGI_APPLICATION = "plie.wsgi.application"

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
                "plie.context_processors.navigation",
                "plie.sessions.timings",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: login by email, roles and structures live in plie.accounts.
AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend first: a locked (account, IP) pair is refused before any password check.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "plie.accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Second factor (plie.accounts.second_factor): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Plateforme PLIE"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# CNIL délibération 2022-100, case 1: 80 bits estimated from length and classes, predictable parts
# discounted (plie.accounts.passwords); it implies 12 characters at least and refuses digits alone,
# so Django's MinimumLength and Numeric validators would only repeat it.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "plie.accounts.passwords.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Lockout (django-axes, plie.accounts.lockout): 5 failures for one account from one IP lock that
# pair for 15 minutes; password-reset requests and invalid links are counted the same way.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, holding the email
AXES_USERNAME_CALLABLE = "plie.accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "plie.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "plie.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Never kept in clear in AccessAttempt.post_data (axes always masks "password").
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "password1",
    "password2",
    "csrfmiddlewaretoken",
]
# Number of reverse proxies in front of the application (X-Forwarded-For); 0: REMOTE_ADDR.
TRUSTED_PROXIES = CONFIG.trusted_proxies

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["plie.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = CONFIG.static_root
# Outside production, WhiteNoise serves the files straight from the finders, DEBUG or not: the demo
# runs with DEBUG off and needs no collectstatic (production serves the collected, hashed copies).
WHITENOISE_USE_FINDERS = not CONFIG.is_production
if not CONFIG.is_production:
    # WhiteNoise warns when the folder is missing; in development files come from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = CONFIG.media_root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Receipts and generated sheets: outside any served folder, read only through authorised views.
    "prive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": CONFIG.private_root, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CONFIG.is_production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: SMTP when configured, otherwise written to the console (development, demo).
DEFAULT_FROM_EMAIL = CONFIG.email["from"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if CONFIG.email["host"]:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.email["host"]
    EMAIL_PORT = CONFIG.email["port"]
    EMAIL_HOST_USER = CONFIG.email["user"]
    EMAIL_HOST_PASSWORD = CONFIG.email["password"]
    EMAIL_USE_TLS = CONFIG.email["use_tls"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An SMTP server that stops answering fails the send after this many seconds (Django waits forever
# by default): the outbox's batches count on a bounded send (plie/notifications/envoi.py).
EMAIL_TIMEOUT = 10

SMS = CONFIG.sms
# The outbox: a claim older than OUTBOX_CLAIM_TIMEOUT seconds is reconciled with the provider.
OUTBOX_CLAIM_TIMEOUT = CONFIG.outbox["claim_timeout"]
OUTBOX_RETRY_BASE_SECONDS = CONFIG.outbox["retry_base"]
OUTBOX_RETRY_MAX_SECONDS = CONFIG.outbox["retry_max"]
OUTBOX_SWEEP_BATCH = CONFIG.outbox["sweep_batch"]
OUTBOX_SWEEP_CHUNK = CONFIG.outbox["sweep_chunk"]

# Access log (plie.acces): rows older than this are purged every night.
ACCESS_LOG_RETENTION_DAYS = CONFIG.access_log_retention_days

# Celery: Redis in production, kombu's filesystem transport when nothing is configured.
CELERY_BROKER_URL = CONFIG.broker_url
CELERY_BROKER_TRANSPORT_OPTIONS = CONFIG.broker_transport_options
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection after every task unless this is set: a new
# PostgreSQL connection per SMS (half the outbox bench's time on 2 cores). The workers instead
# close what is broken or older than CONN_MAX_AGE after each task, as Django does after each
# request (plie/celery.py, task_postrun).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Security: strict in production (``manage.py check --deploy`` must stay silent).
SESSION_COOKIE_HTTPONLY = True
# Idle and absolute limits of a session, in minutes (plie/sessions.py); the cookie lives no longer.
SESSION_IDLE_TIMEOUT = CONFIG.session_idle_timeout
SESSION_ABSOLUTE_TIMEOUT = CONFIG.session_absolute_timeout
SESSION_COOKIE_AGE = 60 * SESSION_ABSOLUTE_TIMEOUT
# In the page (static/js/session.js): the warning comes this many minutes before the end, and typing
# in a form sends a keep-alive at most this often.
SESSION_WARNING_BEFORE = 5
SESSION_KEEPALIVE_EVERY = 2
CSRF_FAILURE_VIEW = "plie.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict policy: every script and style comes from our own static files (no inline code, no eval;
# htmx is configured accordingly in base.html). Django's debug pages (404/500 with DEBUG) are exempt.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the platform never uses, refused to every origin (plie/headers.py). Passkeys
# (publickey-credentials-*) stay allowed for the second factor.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if CONFIG.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# Behind a TLS proxy: the header it sets, e.g. X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER, empty: none).
if CONFIG.proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = CONFIG.proxy_ssl_header

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each of its steps at INFO (its own stylesheets when imported, then seven per PDF).
        "weasyprint.progress": {"level": "WARNING"},
    },
}
