"""Production settings: `check --deploy` is clean, and nothing insecure is a default.

PRODUCTION_ONLY lists the relaxed values that `make test` passes; they are removed here.
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ONLY = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
]


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ONLY}
    env.update(
        SECRET_KEY="x7" * 30 + "-production-like-secret",
        ALLOWED_HOSTS="crm.bank.example",
        DJANGO_SETTINGS_MODULE="crm.settings",
        **extra,
    )
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_stops_startup():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = manage("shell", "-c", code, env=production_env())
    assert result.stdout.strip().splitlines()[-1] == "False True", result.stderr
