# danvan — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_SETTINGS := danvan.settings.dev
TEST_SETTINGS := danvan.settings.test
PYTEST_ARGS ?=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e . || $(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: install install-dev run test lint typecheck migrations-check security pytest-sqlite pytest-postgres bench messages clean openapi

install: $(VENV)/.runtime node_modules/.installed

install-dev: $(VENV)/.dev node_modules/.installed

# The first command: install, migrate, load the official list and the demo, start server + worker.
run: install
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan migrate --noinput -v 0
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan createcachetable
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan orgs load-official
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan legal load-core
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan reports load-default-form
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan demo load
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan dashboard refresh
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) BIN=$(BIN) scripts/run-dev

# The second command: every check and the whole suite on SQLite and on a real PostgreSQL.
test: install-dev lint typecheck migrations-check security pytest-sqlite pytest-postgres

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy danvan

# bandit on the code, pip-audit on the pinned dependencies (docs/security.md).
security:
	BIN=$(BIN) scripts/security-audit

migrations-check:
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/danvan makemigrations --check --dry-run

pytest-sqlite:
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/pytest $(PYTEST_ARGS)

pytest-postgres:
	@url=$$(scripts/pg-test-cluster start) && trap 'scripts/pg-test-cluster stop' EXIT && \
	  DANVAN_DATABASE_URL=$$url DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m benchmarks --db $${BENCH_DB:-both} $${BENCH:+--area $$BENCH}

messages: install-dev
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/danvan makemessages -l vi --no-obsolete --no-location \
	  --ignore ".venv/*" --ignore "node_modules/*" --ignore "benchmarks/*" --ignore "tests/*" --ignore "*/tests/*" --ignore "var/*"
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(BIN)/danvan compilemessages -l vi --ignore ".venv/*" --ignore "node_modules/*"

openapi:
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/danvan api openapi -o docs/openapi.json

clean:
	rm -rf $(VENV) node_modules var static_collected
