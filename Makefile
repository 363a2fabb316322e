# The two commands a new user needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard ascn/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test setup install messages makemessages migrate seed demo worker lint check lock bench serve-prod clean

run: setup ## set up (once), make the demo accounts and the synthetic demo data, and serve on http://127.0.0.1:$(PORT)
	@DEBUG=1 $(PY) manage.py demo_accounts
	@DEBUG=1 $(PY) manage.py demo_data
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install messages ## set up and run the whole test suite (DATABASE_URL picks the database; JUNIT_XML=<file> writes a JUnit report)
	$(PY) -m pytest -n 2 --dist loadfile $(if $(JUNIT_XML),--junitxml=$(JUNIT_XML))

setup: install messages migrate seed

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11 (or newer).")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

messages: $(MO_FILES) ## compile the translation catalogues

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D django -i $< -o $@

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0

seed: install
	DEBUG=1 $(PY) manage.py seed

demo: install ## create (or reset) the demo accounts and print them
	DEBUG=1 $(PY) manage.py demo_accounts

worker: install ## run background tasks from the database queue (production: TASKS_BACKEND=django_tasks_db.DatabaseBackend)
	$(PY) manage.py db_worker

serve-prod: install ## serve with gunicorn as in production (needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL)
	$(PY) manage.py collectstatic --no-input -v 0
	$(VENV)/bin/gunicorn ascn.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3}

makemessages: install ## refresh the vi and th catalogues from the code and templates (then translate new entries)
	cd ascn && DEBUG=1 ../$(PY) ../manage.py makemessages -l vi -l th --ignore='static/vendor/*'

lint: install
	$(PY) -m ruff check .

check: install ## the checks CI runs besides the tests
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	cd ascn && DEBUG=1 ../$(PY) ../manage.py compilemessages --ignore=.venv

lock: ## re-pin every dependency after changing pyproject.toml
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet -e ".[dev]"
	{ echo "# Exact versions of every package the platform and its tests install (pip install -c constraints.txt)."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^ascn'; } > constraints.txt
	rm -rf .lock-venv

bench: install ## run the benchmarks (see bench/README.md)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
