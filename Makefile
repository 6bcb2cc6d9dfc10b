# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
# With DATABASE_URL / CELERY_BROKER_URL unset, an embedded PostgreSQL and Redis start under var/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVENV := $(PY) -m crm.devenv
PO := locale/zh_Hans/LC_MESSAGES/django.po
MO := $(PO:.po=.mo)

.PHONY: run test lint format migrations messages shell seed clean browsers

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The compiled catalogue is built, not committed (a binary file every branch would conflict on).
$(MO): $(PO) $(STAMP)
	$(PY) -c "import polib; polib.pofile('$(PO)').save_as_mofile('$(MO)')"

## Serve http://127.0.0.1:8000 with demo data, a Celery worker and beat (Ctrl-C stops all).
run: $(STAMP) $(MO)
	$(DEVENV) run

# The static checks: ruff (lint and format), djLint on the templates, django-upgrade for
# Django 5.2 (check mode: it changes nothing here) and mypy with django-stubs. pre-commit runs
# the same tools on the files being committed (.pre-commit-config.yaml).
define LINT
$(PY) -m ruff check .
$(PY) -m ruff format --check .
$(VENV)/bin/djlint templates --lint
sh scripts/django_upgrade_check.sh
sh scripts/mypy.sh
endef

## The static checks alone (make test runs them first).
lint: $(STAMP)
	$(LINT)

## Lint, check migrations, then the whole test suite (browser tests included).
test: $(STAMP) $(MO)
	@sh scripts/test_tools.sh
	$(LINT)
	$(DEVENV) exec -- $(PY) manage.py makemigrations --check --dry-run
	$(DEVENV) exec -- $(PY) -m pytest $(PYTEST_ARGS)

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations: $(STAMP)
	$(DEVENV) exec -- $(PY) manage.py makemigrations

## Refresh the translation catalogues after adding strings, then translate and compile.
messages: $(STAMP)
	$(DEVENV) exec -- $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore .venv --ignore var --ignore staticfiles --ignore tests
	$(DEVENV) exec -- $(PY) manage.py compilemessages --ignore .venv --ignore var

## e.g. make seed CUSTOMERS=1000000
seed: $(STAMP)
	$(DEVENV) exec -- sh -c "$(PY) manage.py migrate --no-input && $(PY) manage.py seed_demo --reset --customers $(or $(CUSTOMERS),3000)"

shell: $(STAMP)
	$(DEVENV) exec -- $(PY) manage.py shell

clean:
	rm -rf var staticfiles
