"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONIA_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(  # noqa: S603 — this interpreter, our manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_stops_with_a_message_naming_it():
    result = manage("check")
    assert result.returncode != 0
    assert "HARMONIA_SECRET_KEY is not set" in result.stderr


def test_a_boolean_must_be_true_or_false():
    result = manage("check", HARMONIA_MODE="demo", HARMONIA_DEBUG="yes")
    assert result.returncode != 0
    assert "HARMONIA_DEBUG must be 'true' or 'false'" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("k" * 20 + "-a-long-random-production-secret-" + "z" * 20)
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        HARMONIA_SECRET_KEY_FILE=str(secret),
        HARMONIA_ALLOWED_HOSTS="harmonia.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_time_zone_defaults_to_london():
    from django.conf import settings

    assert settings.TIME_ZONE == "Europe/London"


def test_an_unknown_task_backend_is_named():
    result = manage("check", HARMONIA_MODE="demo", HARMONIA_TASK_BACKEND="celery")
    assert result.returncode != 0
    assert "HARMONIA_TASK_BACKEND must be database or immediate" in result.stderr
