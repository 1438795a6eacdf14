"""Checks of the deployment files: docker-compose.yml, the Dockerfile and .dockerignore.

Docker does not need to run: the compose file is parsed with PyYAML (anchors and merge keys
resolved) and its ``${VAR:-default}`` interpolations are resolved here, like Compose does.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
# What an operator puts in .env: the variables the compose file requires (``${VAR:?…}``).
OPERATOR_ENV = {
    "SECRET_KEY": "k" * 30 + "-test-only-secret-key-0123456789",
    "POSTGRES_PASSWORD": "pg-pass-from-env",
    "ALLOWED_HOSTS": "plie.example.org",
    "SITE_URL": "https://plie.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "SMS_API_KEY": "xkeysib-test-only",
    "SMS_WEBHOOK_SECRET": "secret-de-test-des-webhooks",
}
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value, env=OPERATOR_ENV):
    """Resolve ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` and ``$$`` like Compose."""

    def replace(match):
        name, op, arg = match.group("name", "op", "arg")
        if name is None:
            return "$"
        current = env.get(name)
        if op in (":-", ":?") and not current or op in ("-", "?") and current is None:
            if op.endswith("?"):
                raise AssertionError(f"${{{name}}} is required by the compose file: {arg}")
            return arg if op.endswith("-") else ""
        return current or ""

    return INTERPOLATION.sub(replace, str(value))


def load_compose():
    assert COMPOSE_FILE.exists(), f"{COMPOSE_FILE} is missing"
    return yaml.safe_load(COMPOSE_FILE.read_text())


def services():
    return load_compose()["services"]


def environment(service):
    """A service's environment as a dict, whether written as a mapping or as a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def command(service):
    """A service's command as one normalised string."""
    cmd = service.get("command") or ""
    return " ".join(cmd if isinstance(cmd, list) else shlex.split(cmd))


def depends_on(service):
    """A service's dependencies as {name: condition}, whether written as a list or a mapping."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def build_context(service):
    build = service.get("build")
    context = build.get("context", ".") if isinstance(build, dict) else build
    return None if context is None else (COMPOSE_FILE.parent / context).resolve()


def named_volumes(service):
    """The named volumes a service mounts, as {volume name: mount path in the container}."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = volume.get("source"), volume.get("target")
            if volume.get("type", "volume") != "volume":
                continue
        else:
            source, _, rest = volume.partition(":")
            target = rest.split(":")[0]
        if source and not source.startswith(("/", ".", "~", "$")):
            mounts[source] = target
    return mounts


def test_all_services_are_defined():
    """The stack has the database, the broker, the web app, the worker and beat."""
    missing = {"postgres", "redis", "web", "worker", "beat"} - set(services())
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def test_compose_file_has_no_obsolete_version_key():
    """The Compose specification has no top-level `version:` key any more."""
    assert "version" not in load_compose(), "remove the obsolete top-level `version:` key"


def test_postgres_and_redis_use_images_with_healthchecks():
    """Postgres and Redis come from official images and report when they are ready."""
    for name, image, probe in (
        ("postgres", "postgres:", "pg_isready"),
        ("redis", "redis:", "ping"),
    ):
        service = services()[name]
        assert str(service.get("image", "")).startswith(image), f"{name} must use an {image} image"
        test = service.get("healthcheck", {}).get("test")
        assert test and probe in " ".join(test if isinstance(test, list) else [test]), (
            f"{name} needs a healthcheck running {probe!r}"
        )


def test_app_services_share_one_build_of_the_repository():
    """Web, worker and beat are built from the repository root, where the Dockerfile is."""
    for name in APP_SERVICES:
        assert build_context(services()[name]) == ROOT, f"{name} must be built from {ROOT}"
    images = {services()[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1, f"web, worker and beat must run the same image, got {images}"


def test_dockerfile_installs_weasyprint_libraries_and_runs_as_non_root():
    """The image has Pango and HarfBuzz's subsetter for WeasyPrint, and drops root."""
    dockerfile = ROOT / "Dockerfile"
    assert dockerfile.exists(), "the Dockerfile must be at the root of the build context"
    text = dockerfile.read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert re.search(rf"\s{re.escape(package)}\s", text), f"Dockerfile must install {package}"
    assert "--no-install-recommends" in text, "apt-get install must skip recommended packages"
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root USER"


def test_dockerfile_installs_dependencies_before_copying_the_code():
    """pyproject.toml is copied and installed before the code, so code edits keep the cache."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    first_copy = next(line for line in lines if line.startswith("COPY"))
    assert "pyproject.toml" in first_copy and "README.md" in first_copy, (
        "the first COPY must bring pyproject.toml and README.md (needed by `pip install .`)"
    )
    assert (
        lines.index(first_copy)
        < next(i for i, line in enumerate(lines) if line.startswith("RUN pip install"))
        < next(i for i, line in enumerate(lines) if line.startswith("COPY . "))
    ), "`pip install` must come between copying pyproject.toml and copying the rest"


def test_dockerignore_keeps_local_state_out_of_the_image():
    """The virtualenv, git history, local data and .env never reach the build context."""
    patterns = (ROOT / ".dockerignore").read_text().split()
    for pattern in (".venv", ".git", ".env", "var"):
        assert pattern in patterns, f".dockerignore must exclude {pattern}"
    for needed in ("pyproject.toml", "README.md", "manage.py", "plie", "static"):
        assert needed not in patterns, f".dockerignore must not exclude {needed}"


def test_app_services_share_the_production_environment():
    """Web, worker and beat get the same environment, with what prod settings require."""
    envs = {name: environment(services()[name]) for name in APP_SERVICES}
    assert envs["web"] == envs["worker"] == envs["beat"], (
        "web, worker and beat must share one environment (use the x-app-env anchor)"
    )
    env = envs["web"]
    assert env.get("PLIE_ENV") == "prod", "the stack must run with PLIE_ENV=prod"
    required = (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "SITE_URL",
        "EMAIL_HOST",
    )
    missing = [name for name in required if not env.get(name)]
    assert not missing, f"variables required by the production settings are missing: {missing}"
    assert str(env["SECRET_KEY"]).startswith("${SECRET_KEY:?"), (
        "SECRET_KEY must come from the operator's environment (${SECRET_KEY:?…}), not the file"
    )


def test_database_url_matches_the_postgres_service():
    """DATABASE_URL points at the postgres service with its user, password and database."""
    url = urlsplit(interpolate(environment(services()["web"])["DATABASE_URL"]))
    postgres = {key: interpolate(value) for key, value in environment(services()["postgres"]).items()}
    assert url.scheme in ("postgres", "postgresql"), f"DATABASE_URL scheme is {url.scheme!r}"
    assert url.hostname == "postgres", f"DATABASE_URL host is {url.hostname!r}, not 'postgres'"
    assert unquote(url.username or "") == postgres.get("POSTGRES_USER"), "user differs"
    assert unquote(url.password or "") == postgres.get("POSTGRES_PASSWORD"), "password differs"
    assert url.path.lstrip("/") == postgres.get("POSTGRES_DB"), "database name differs"


def test_redis_url_points_at_the_redis_service():
    """The Celery broker is the redis service of the stack."""
    url = urlsplit(interpolate(environment(services()["web"])["REDIS_URL"]))
    assert url.scheme in ("redis", "rediss"), f"REDIS_URL scheme is {url.scheme!r}"
    assert url.hostname == "redis", f"REDIS_URL host is {url.hostname!r}, not 'redis'"


def test_production_settings_accept_the_stack_environment():
    """Once .env gives the required values, the settings' own validation accepts the env."""
    from plie.env import read_config

    env = {key: interpolate(value) for key, value in environment(services()["web"]).items()}
    config = read_config(env, ROOT)  # raises ConfigError listing every problem
    assert config.is_production, "the stack must run the production settings"
    assert config.database["ENGINE"] == "django.db.backends.postgresql"
    assert config.broker_url.startswith("redis://"), f"Celery broker: {config.broker_url!r}"


def test_dependencies_exist_and_app_waits_for_healthy_backends():
    """Every depends_on target exists; the app starts on a healthy, migrated database."""
    all_services = services()
    for name, service in all_services.items():
        unknown = set(depends_on(service)) - set(all_services)
        assert not unknown, f"{name} depends on unknown services: {sorted(unknown)}"
    for name in APP_SERVICES:
        deps = depends_on(all_services[name])
        for backend in ("postgres", "redis"):
            assert deps.get(backend) == "service_healthy", f"{name} must wait for {backend} healthy"
        assert deps.get("migrate") == "service_completed_successfully", (
            f"{name} must start only once the migrate job has succeeded"
        )


def test_migrate_job_runs_the_migrations_once():
    """The one-shot migrate service applies migrations and is not restarted."""
    migrate = services()["migrate"]
    assert command(migrate) == "python manage.py migrate --noinput", command(migrate)
    assert str(migrate.get("restart", "no")) == "no", "the migrate job must not be restarted"
    assert environment(migrate) == environment(services()["web"]), "migrate needs web's env"


def test_named_volumes_are_declared_and_media_is_shared():
    """Named volumes are declared at top level; web and worker share the media volume."""
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        undeclared = set(named_volumes(service)) - declared
        assert not undeclared, f"{name} uses undeclared volumes: {sorted(undeclared)}"
    media_root = environment(compose["services"]["web"]).get("MEDIA_ROOT", "/app/var/media")

    def media_volume(name):
        mounts = named_volumes(compose["services"][name])
        return next((volume for volume, target in mounts.items() if target == media_root), None)

    assert media_volume("web"), f"web must mount a named volume on {media_root}"
    assert media_volume("web") == media_volume("worker"), f"worker must share web's {media_root}"


def test_services_run_the_expected_commands():
    """Web runs gunicorn on plie.wsgi; worker and beat run Celery on the plie app."""
    web, worker, beat = (command(services()[name]) for name in APP_SERVICES)
    assert web.startswith("gunicorn plie.wsgi:application"), f"web command: {web!r}"
    assert "0.0.0.0:8000" in web, f"gunicorn must bind 0.0.0.0:8000: {web!r}"
    assert worker.startswith("celery -A plie worker"), f"worker command: {worker!r}"
    assert beat.startswith("celery -A plie beat"), f"beat command: {beat!r}"


def test_web_publishes_port_8000_and_checks_healthz():
    """The web app is reachable on port 8000 and its healthcheck asks /healthz/."""
    web = services()["web"]
    targets = {
        str(port.get("target")) if isinstance(port, dict) else str(port).split(":")[-1].split("/")[0]
        for port in web.get("ports") or []
    }
    assert "8000" in targets, f"web must publish container port 8000, got {web.get('ports')}"
    test = web.get("healthcheck", {}).get("test") or []
    probe = " ".join(test if isinstance(test, list) else [test])
    assert "127.0.0.1:8000/healthz/" in probe, "web healthcheck must request /healthz/"


def test_worker_healthcheck_pings_celery():
    """The worker reports unhealthy when it stops answering Celery's ping."""
    test = services()["worker"].get("healthcheck", {}).get("test") or []
    probe = " ".join(test if isinstance(test, list) else [test])
    assert "celery -A plie inspect ping" in probe, f"worker healthcheck: {probe!r}"
