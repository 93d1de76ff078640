# Leercultuur: `make run` (install, demo data, serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?= -n 2 -q

.PHONY: install install-test run seed test lint format migrations-check messages bench audit

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Tasks run in-process here (no worker in development), so the demo's closed round gets its
# PDF reports rendered while it is seeded.
seed: install
	mkdir -p data
	TASKS_BACKEND=immediate $(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata questionnaire interventions
	TASKS_BACKEND=immediate $(PY) manage.py seed_demo

run: seed
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# Regenerate the catalogues (needs GNU gettext); the compiled .mo files are committed so the
# app itself never needs gettext.
messages: install
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=bench --ignore=staticfiles
	$(VENV)/bin/pip install --quiet polib
	$(PY) scripts/po_fill.py
	$(PY) manage.py compilemessages --ignore=.venv

test: install-test migrations-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) bench/run.py

# Known vulnerabilities in the pinned requirements; says so loudly when the advisory databases
# cannot be reached (AUDIT_STRICT=1 turns that into a failure).
audit: install-test
	$(PY) scripts/audit.py
