# Two commands for a newcomer: `make run` (the app with demo data on SQLite) and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_CANDIDATES := python3.12 python3.13 python3.14 python3
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && echo $(p))))
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/disputes
# `make run PORT=8300`: the server, the printed login address and emails' links follow it.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
# `make run SSO=1`: single sign-on too, with a demo OpenID provider (oidc-provider-mock, the
# tests' quick provider) on SSO_PORT as "Demo marketplace". Its client secret is the demo's.
SSO_PORT ?= 9400
DEMO_SSO = $(if $(filter 1,$(SSO)),DEMO_PROVIDER_PORT=$(SSO_PORT) \
  OIDC_ISSUER=http://127.0.0.1:$(SSO_PORT) OIDC_CLIENT_ID=demo-dispute-centre \
  OIDC_CLIENT_SECRET=demo-only-secret OIDC_PROVIDER_NAME='Demo marketplace')
# What `make demo-reset` deletes: the demo's SQLite database and evidence folder (defaults).
DEMO_DB := db.sqlite3
DEMO_EVIDENCE := var/evidence

.PHONY: help run demo-reset demo-reset-check test test-postgres lint format bench messages python-check

help:
	@echo "make run            the app and its worker, demo data on SQLite, http://127.0.0.1:$(PORT) (PORT=...)"
	@echo "make run SSO=1      the same with single sign-on, against a demo OpenID provider on :$(SSO_PORT)"
	@echo "make demo-reset     delete the demo's SQLite database and evidence, and load the demo again"
	@echo "make test           the whole test suite (unit, integration, browser)"
	@echo "make test-postgres  the same suite against PostgreSQL ($(PG_URL))"
	@echo "make lint           ruff check, ruff format --check, and mypy on the typed modules"
	@echo "make bench          load-test the real pages under gunicorn (PostgreSQL), then a 98 MB upload to disk and to S3, then a metrics scrape"

python-check:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python 3.12 or newer is required and none was found (tried: $(PYTHON_CANDIDATES))." >&2; \
	  echo "Install Python 3.12+ (e.g. 'pyenv install 3.12' or your system's python3.12 package)." >&2; \
	  exit 1; fi

$(BIN)/python: | python-check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed-run

# The server and one background worker together (scripts/run-dev.sh); Ctrl-C stops both.
# With SSO=1 the demo provider, installed at the version the tests use, runs beside them.
run: $(VENV)/.installed-run
	@bash scripts/system-deps.sh run
	$(if $(DEMO_SSO),$(BIN)/pip install --quiet "$$(grep '^oidc-provider-mock' requirements-test.txt)")
	$(BIN)/python manage.py migrate --no-input -v 0
	$(DEMO_SSO) SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	$(DEMO_SSO) SITE_URL=$(SITE_URL) ADDRESS=127.0.0.1:$(PORT) PYTHON=$(BIN)/python bash scripts/run-dev.sh

# Starts the demo over: what was done by hand (disputes, evidence) is gone. Only the demo's
# own files are deleted: it refuses to run with another database or evidence storage set.
demo-reset: demo-reset-check $(VENV)/.installed-run
	rm -f $(DEMO_DB) $(DEMO_DB)-journal $(DEMO_DB)-wal $(DEMO_DB)-shm
	rm -rf $(DEMO_EVIDENCE)
	$(BIN)/python manage.py migrate --no-input -v 0
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo

demo-reset-check:
	@if [ -n "$$DATABASE_URL$$EVIDENCE_ROOT$$EVIDENCE_STORAGE_BACKEND" ]; then \
	  echo "error: demo-reset deletes only the demo's $(DEMO_DB) and $(DEMO_EVIDENCE);" \
	    "unset DATABASE_URL, EVIDENCE_ROOT and EVIDENCE_STORAGE_BACKEND to use it." >&2; \
	  exit 1; fi

# The OpenID provider the single sign-on tests start (panva's oidc-provider, on Node),
# installed once Node is there, and again when its lock file changes.
OIDC_PROVIDER := tests/accounts/oidc_provider

$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error

test: $(VENV)/.installed-test
	@bash scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(OIDC_PROVIDER)/node_modules/.package-lock.json
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-test
	@bash scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(OIDC_PROVIDER)/node_modules/.package-lock.json
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# mypy checks the modules listed under [tool.mypy] `files` in pyproject.toml: to check one
# more, annotate it fully and add its path there.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.installed-test
	$(BIN)/python manage.py makemessages -l fr --no-wrap --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

# `make bench SCALE=100`: the data set a hundred times larger (10 million orders).
SCALE ?= 1
bench: $(VENV)/.installed-test
	@bash scripts/system-deps.sh bench
	$(BIN)/python bench/run.py --scale $(SCALE)
	$(BIN)/python bench/upload_s3_bench.py
	$(BIN)/python bench/metrics_bench.py
