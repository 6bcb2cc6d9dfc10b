#!/bin/sh
# mypy with django-stubs, as configured in pyproject.toml ([tool.mypy]). The django-stubs
# plugin imports the settings, which refuse to load without these values; nothing connects to
# them, so placeholders do where they are unset (`make test` and pre-commit run this).
cd "$(dirname "$0")/.." || exit 1
SECRET_KEY="${SECRET_KEY:-mypy-placeholder}" \
DATABASE_URL="${DATABASE_URL:-postgres://localhost/mypy-placeholder}" \
CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://localhost/0}" \
    exec .venv/bin/python -m mypy "$@"
