"""Settings come from the environment, validated at start-up with every problem listed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plie.env import ConfigError, read_config

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
PROD = {
    "PLIE_ENV": "prod",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "plie.example.org",
    "DATABASE_URL": "postgres://plie:secret@db:5432/plie",
    "REDIS_URL": "redis://redis:6379/0",
    "SITE_URL": "https://plie.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "SMS_BACKEND": "console",
}


def problems(environ, tmp_path):
    with pytest.raises(ConfigError) as caught:
        read_config(environ, tmp_path)
    return caught.value.problems


def test_nothing_set_runs_on_embedded_defaults(tmp_path):
    config = read_config({}, tmp_path)
    assert config.environment == "dev"
    # The demo runs like production pages do (real error pages, no debug view); DEBUG=1 for developers.
    assert config.debug is False
    assert read_config({"DEBUG": "1"}, tmp_path).debug is True
    assert (config.session_idle_timeout, config.session_absolute_timeout) == (60, 600)
    assert config.proxy_ssl_header is None
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # A SQLite file named by DATABASE_URL (make bench, make scan) waits for the write lock just the same.
    named = read_config({"DATABASE_URL": f"sqlite:///{tmp_path / 'autre.sqlite3'}"}, tmp_path).database
    assert named["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    assert config.broker_url == "filesystem://"
    assert Path(config.broker_transport_options["data_folder_in"]).is_relative_to(tmp_path)
    # The development key is generated once and kept, so sessions survive a restart.
    assert read_config({}, tmp_path).secret_key == config.secret_key
    assert len(config.secret_key) >= 50


def test_complete_production_configuration(tmp_path):
    config = read_config(PROD, tmp_path)
    assert config.is_production and not config.debug
    assert config.database["ENGINE"] == "django.db.backends.postgresql"
    assert config.database["HOST"] == "db"
    assert config.broker_url == "redis://redis:6379/0"
    assert config.allowed_hosts == ["plie.example.org"]
    assert config.trusted_proxies == 0  # REMOTE_ADDR, unless the proxies in front are declared
    assert read_config({**PROD, "TRUSTED_PROXIES": "1"}, tmp_path).trusted_proxies == 1
    # Behind the TLS proxy of docker-compose.yml's comment: X-Forwarded-Proto by default.
    assert config.proxy_ssl_header == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Scheme", ("HTTP_X_FORWARDED_SCHEME", "https")),
        ("", None),
    ],
)
def test_proxy_ssl_header_comes_from_the_environment(tmp_path, value, expected):
    assert read_config({**PROD, "SECURE_PROXY_SSL_HEADER": value}, tmp_path).proxy_ssl_header == expected


def test_session_limits_come_from_the_environment(tmp_path):
    config = read_config({**PROD, "SESSION_IDLE_TIMEOUT": "30", "SESSION_ABSOLUTE_TIMEOUT": "480"}, tmp_path)
    assert (config.session_idle_timeout, config.session_absolute_timeout) == (30, 480)


def test_production_lists_every_missing_variable_at_once(tmp_path):
    found = problems({"PLIE_ENV": "prod", "SMS_BACKEND": "console"}, tmp_path)
    joined = "\n".join(found)
    for name in ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "SITE_URL"]:
        assert name in joined, f"{name} is not reported"
    assert len(found) == 6


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"PLIE_ENV": "staging"}, "PLIE_ENV doit valoir"),
        ({"DEBUG": "peut-être"}, "DEBUG doit valoir"),
        ({"DEBUG": "1"}, "DEBUG ne peut pas être activé"),
        ({"SECRET_KEY": "court"}, "SECRET_KEY doit compter au moins 50"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY doit compter au moins 50 caractères variés"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "PostgreSQL en production"),
        ({"DATABASE_URL": "pas-une-url"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://redis"}, "REDIS_URL doit commencer par redis://"),
        ({"SITE_URL": "http://plie.example.org"}, "SITE_URL doit être en https://"),
        ({"EMAIL_PORT": "vingt-cinq"}, "EMAIL_PORT doit être un nombre entier"),
        ({"SMS_BACKEND": "pigeon"}, "SMS_BACKEND doit valoir"),
        ({"SMS_BACKEND": "brevo"}, "SMS_API_KEY est obligatoire"),
        ({"SMS_BACKEND": "ovh"}, "SMS_OVH_SERVICE sont obligatoires"),
        ({"CSRF_TRUSTED_ORIGINS": "plie.example.org"}, "CSRF_TRUSTED_ORIGINS"),
        ({"TRUSTED_PROXIES": "un"}, "TRUSTED_PROXIES doit être un nombre entier"),
        ({"TRUSTED_PROXIES": "-1"}, "TRUSTED_PROXIES doit être supérieur ou égal à 0"),
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "SECURE_PROXY_SSL_HEADER doit être un nom"),
        ({"SESSION_IDLE_TIMEOUT": "une heure"}, "SESSION_IDLE_TIMEOUT doit être un nombre entier"),
        ({"SESSION_IDLE_TIMEOUT": "0"}, "SESSION_IDLE_TIMEOUT doit être supérieur ou égal à 1"),
        ({"SESSION_ABSOLUTE_TIMEOUT": "30"}, "SESSION_ABSOLUTE_TIMEOUT doit être supérieur ou égal à SESSION_IDLE"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_each_bad_value_gets_a_french_message(tmp_path, override, expected):
    found = problems({**PROD, **override}, tmp_path)
    assert any(expected in problem for problem in found), found


def test_django_refuses_to_start_with_a_clear_message():
    """The real start-up path: manage.py check with a broken production environment."""
    env = {key: value for key, value in os.environ.items() if key not in PROD and key != "DATABASE_URL"}
    env.update(PLIE_ENV="prod", SECRET_KEY="court", REDIS_URL="redis://localhost:6379/0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Configuration invalide" in result.stderr
    assert "SECRET_KEY doit compter au moins 50" in result.stderr
    assert "ALLOWED_HOSTS est obligatoire" in result.stderr
