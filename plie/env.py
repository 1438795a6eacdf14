"""Read and validate the settings that come from the environment.

Every problem is collected and reported at once, in French, so that an operator fixes a
deployment in one go instead of discovering errors one restart at a time (the habit of
healthchecks' ``envbool``/``envint``, with the validation gathered in one place).

With no variable set, the product runs in development mode on embedded defaults: a SQLite
file and a Celery broker on the filesystem, so that ``make demo`` needs nothing but Python.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url

TRUE_VALUES = {"1", "true", "yes", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "off", "non", ""}
ENVIRONMENTS = {"dev", "prod"}
MIN_SECRET_KEY_LENGTH = 50
SMS_BACKENDS = {"console", "file", "brevo", "ovh"}
# The access log is kept 12 months (CNIL's recommendation for access traces), at most 5 years.
ACCESS_LOG_RETENTION_DEFAULT = 365
ACCESS_LOG_RETENTION_MAX = 5 * 366
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


class ConfigError(Exception):
    """Raised with every configuration problem found, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Configuration invalide ({len(problems)} problème(s)) :\n{lines}")


@dataclass
class Config:
    environment: str
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database: dict
    broker_url: str
    broker_transport_options: dict
    site_url: str
    static_root: Path
    media_root: Path
    private_root: Path
    email: dict = field(default_factory=dict)
    sms: dict = field(default_factory=dict)
    outbox: dict = field(default_factory=dict)
    hsts_seconds: int = 0
    access_log_retention_days: int = ACCESS_LOG_RETENTION_DEFAULT
    trusted_proxies: int = 0
    session_idle_timeout: int = 60
    session_absolute_timeout: int = 600
    proxy_ssl_header: tuple[str, str] | None = None

    @property
    def is_production(self) -> bool:
        return self.environment == "prod"


class _Reader:
    def __init__(self, environ):
        self.environ = environ
        self.problems: list[str] = []

    def str(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def bool(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        self.problems.append(f"{name} doit valoir 1/0, true/false ou oui/non (reçu : {raw!r}).")
        return default

    def int(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} doit être un nombre entier (reçu : {raw!r}).")
            return default
        if value < minimum:
            self.problems.append(f"{name} doit être supérieur ou égal à {minimum} (reçu : {value}).")
        return value

    def list(self, name: str) -> list[str]:
        return [item.strip() for item in self.environ.get(name, "").split(",") if item.strip()]


def _dev_secret_key(var_dir: Path) -> str:
    """A development key kept in var/ so that sessions survive a restart of the demo."""
    path = var_dir / "secret_key.txt"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    return key


def read_config(environ, base_dir: Path) -> Config:
    """Build the configuration from ``environ`` or raise :class:`ConfigError`."""
    env = _Reader(environ)
    var_dir = base_dir / "var"

    environment = env.str("PLIE_ENV", "dev").lower()
    if environment not in ENVIRONMENTS:
        env.problems.append(f"PLIE_ENV doit valoir « dev » ou « prod » (reçu : {environment!r}).")
        environment = "dev"
    production = environment == "prod"

    # Off unless asked for (``make demo DEBUG=1``): the demo shows the real error pages and policy.
    debug = env.bool("DEBUG", default=False)
    if production and debug:
        env.problems.append("DEBUG ne peut pas être activé quand PLIE_ENV=prod.")

    secret_key = env.str("SECRET_KEY")
    if not secret_key:
        if production:
            env.problems.append("SECRET_KEY est obligatoire en production.")
        else:
            secret_key = _dev_secret_key(var_dir)
    elif production and (len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 5):
        env.problems.append(
            f"SECRET_KEY doit compter au moins {MIN_SECRET_KEY_LENGTH} caractères variés "
            "(par exemple : python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )

    allowed_hosts = env.list("ALLOWED_HOSTS")
    if not allowed_hosts:
        if production:
            env.problems.append("ALLOWED_HOSTS est obligatoire en production (noms séparés par des virgules).")
        else:
            allowed_hosts = ["localhost", "127.0.0.1", "[::1]", "testserver"]

    csrf_trusted_origins = env.list("CSRF_TRUSTED_ORIGINS")
    for origin in csrf_trusted_origins:
        if urlparse(origin).scheme not in {"http", "https"}:
            env.problems.append(f"CSRF_TRUSTED_ORIGINS : « {origin} » doit commencer par http:// ou https://.")

    database_url = env.str("DATABASE_URL")
    database: dict = {}
    if database_url:
        try:
            database = dj_database_url.parse(database_url, conn_max_age=60, conn_health_checks=True)
        except ValueError as error:
            env.problems.append(f"DATABASE_URL est illisible ({error}).")
        else:
            if production and database.get("ENGINE") != "django.db.backends.postgresql":
                env.problems.append("DATABASE_URL doit désigner une base PostgreSQL en production.")
    elif production:
        env.problems.append("DATABASE_URL est obligatoire en production (postgres://…).")
    if not database:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(var_dir / "plie.sqlite3")}
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker and beat write at once: take the write lock at BEGIN and wait for it, rather
        # than fail with "database is locked" (seen as 500s by a scanner sending parallel requests).
        database.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

    redis_url = env.str("REDIS_URL")
    broker_transport_options: dict = {}
    if redis_url:
        if urlparse(redis_url).scheme not in {"redis", "rediss"}:
            env.problems.append(f"REDIS_URL doit commencer par redis:// ou rediss:// (reçu : {redis_url!r}).")
        broker_url = redis_url
    elif production:
        env.problems.append("REDIS_URL est obligatoire en production (redis://…).")
        broker_url = ""
    else:
        # Embedded default: kombu's filesystem transport, so that the worker and beat really
        # run in the demo without any server.
        queue_dir = var_dir / "celery" / "queue"
        processed_dir = var_dir / "celery" / "processed"
        control_dir = var_dir / "celery" / "control"
        broker_url = "filesystem://"
        broker_transport_options = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed_dir),
            "control_folder": str(control_dir),
            "store_processed": False,
        }

    site_url = env.str("SITE_URL", "http://localhost:8000").rstrip("/")
    if urlparse(site_url).scheme not in {"http", "https"}:
        env.problems.append(f"SITE_URL doit commencer par http:// ou https:// (reçu : {site_url!r}).")
    elif production and not site_url.startswith("https://"):
        env.problems.append("SITE_URL doit être en https:// en production.")

    email_host = env.str("EMAIL_HOST")
    email = {
        "host": email_host,
        "port": env.int("EMAIL_PORT", 587, minimum=1),
        "user": env.str("EMAIL_HOST_USER"),
        "password": env.str("EMAIL_HOST_PASSWORD"),
        "use_tls": env.bool("EMAIL_USE_TLS", default=True),
        "from": env.str("DEFAULT_FROM_EMAIL", "PLIE <ne-pas-repondre@plie.localhost>"),
    }
    if production and not email_host:
        env.problems.append("EMAIL_HOST est obligatoire en production (serveur SMTP).")

    sms_backend = env.str("SMS_BACKEND", "brevo" if production else "console").lower()
    if sms_backend not in SMS_BACKENDS:
        env.problems.append(f"SMS_BACKEND doit valoir {', '.join(sorted(SMS_BACKENDS))} (reçu : {sms_backend!r}).")
    sms = {
        "backend": sms_backend,
        # Brevo and OVHcloud have their public API URL by default; tests point it at a local fake.
        "api_url": env.str("SMS_API_URL"),
        "api_key": env.str("SMS_API_KEY"),  # Brevo
        "ovh_application_key": env.str("SMS_OVH_APPLICATION_KEY"),
        "ovh_application_secret": env.str("SMS_OVH_APPLICATION_SECRET"),
        "ovh_consumer_key": env.str("SMS_OVH_CONSUMER_KEY"),
        "ovh_service": env.str("SMS_OVH_SERVICE"),
        # The shared secret the provider's webhooks carry (delivery statuses, replies).
        "webhook_secret": env.str("SMS_WEBHOOK_SECRET"),
        # Seconds to connect and to read an HTTP provider's answer (an unanswered send is then
        # checked with the provider by tag before any resend).
        "connect_timeout": env.int("SMS_CONNECT_TIMEOUT", 5, minimum=1),
        "read_timeout": env.int("SMS_READ_TIMEOUT", 10, minimum=1),
        # The « file » backend (demo): one JSON line per SMS.
        "file_path": env.str("SMS_FILE_PATH", str(var_dir / "sms.jsonl")),
    }
    if sms_backend == "brevo" and not sms["api_key"]:
        env.problems.append("SMS_API_KEY est obligatoire quand SMS_BACKEND=brevo.")
    if sms_backend == "ovh" and not all(
        sms[k] for k in ("ovh_application_key", "ovh_application_secret", "ovh_consumer_key", "ovh_service")
    ):
        env.problems.append(
            "SMS_OVH_APPLICATION_KEY, SMS_OVH_APPLICATION_SECRET, SMS_OVH_CONSUMER_KEY et SMS_OVH_SERVICE sont "
            "obligatoires quand SMS_BACKEND=ovh."
        )
    if sms_backend in {"brevo", "ovh"} and production and not sms["webhook_secret"]:
        env.problems.append("SMS_WEBHOOK_SECRET est obligatoire en production (webhooks du fournisseur de SMS).")

    # The outbox (plie/notifications/envoi.py): a claim older than this belongs to a dead worker;
    # the retries' backoff; how many due messages one sweep queues, in tasks of how many.
    outbox = {
        "claim_timeout": env.int("OUTBOX_CLAIM_TIMEOUT", 300, minimum=1),
        "retry_base": env.int("OUTBOX_RETRY_BASE_SECONDS", 30, minimum=1),
        "retry_max": env.int("OUTBOX_RETRY_MAX_SECONDS", 3600, minimum=1),
        "sweep_batch": env.int("OUTBOX_SWEEP_BATCH", 5000, minimum=1),
        "sweep_chunk": env.int("OUTBOX_SWEEP_CHUNK", 50, minimum=1),
    }

    hsts_seconds = env.int("SECURE_HSTS_SECONDS", 31_536_000 if production else 0)
    trusted_proxies = env.int("TRUSTED_PROXIES", 0, minimum=0)

    retention = env.int("ACCESS_LOG_RETENTION_DAYS", ACCESS_LOG_RETENTION_DEFAULT, minimum=1)
    if retention > ACCESS_LOG_RETENTION_MAX:
        env.problems.append(
            f"ACCESS_LOG_RETENTION_DAYS doit être inférieur ou égal à {ACCESS_LOG_RETENTION_MAX} jours "
            f"(reçu : {retention})."
        )

    session_idle_timeout = env.int("SESSION_IDLE_TIMEOUT", 60, minimum=1)
    session_absolute_timeout = env.int("SESSION_ABSOLUTE_TIMEOUT", 600, minimum=1)
    if session_absolute_timeout < session_idle_timeout:
        env.problems.append(
            "SESSION_ABSOLUTE_TIMEOUT doit être supérieur ou égal à SESSION_IDLE_TIMEOUT "
            f"(reçu : {session_absolute_timeout} et {session_idle_timeout} minutes)."
        )

    # The header a TLS proxy sets to say the request came in over HTTPS; empty when there is no proxy.
    proxy_header_name = env.str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if production else "")
    proxy_ssl_header = None
    if proxy_header_name:
        if HEADER_NAME.match(proxy_header_name):
            proxy_ssl_header = ("HTTP_" + proxy_header_name.upper().replace("-", "_"), "https")
        else:
            env.problems.append(
                "SECURE_PROXY_SSL_HEADER doit être un nom d'en-tête HTTP, par exemple X-Forwarded-Proto "
                f"(reçu : {proxy_header_name!r}) ; laissez-le vide sans proxy TLS."
            )

    config = Config(
        environment=environment,
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=csrf_trusted_origins,
        database=database,
        broker_url=broker_url,
        broker_transport_options=broker_transport_options,
        site_url=site_url,
        static_root=Path(env.str("STATIC_ROOT") or var_dir / "static"),
        media_root=Path(env.str("MEDIA_ROOT") or var_dir / "media"),
        private_root=Path(env.str("PRIVATE_ROOT") or var_dir / "prive"),
        email=email,
        sms=sms,
        outbox=outbox,
        hsts_seconds=hsts_seconds,
        access_log_retention_days=retention,
        trusted_proxies=trusted_proxies,
        session_idle_timeout=session_idle_timeout,
        session_absolute_timeout=session_absolute_timeout,
        proxy_ssl_header=proxy_ssl_header,
    )
    if env.problems:
        raise ConfigError(env.problems)
    return config
