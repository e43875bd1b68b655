# fuwu: `make demo` and `make test` bootstrap everything they need on first run.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000
# Both cores (pytest-xdist): the suite runs on SQLite and again on PostgreSQL within `make test`'s budget.
PYTEST_ARGS ?= -n 2
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test setup setup-dev lint typecheck test-sqlite test-postgres serve worker clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null || { echo "needs Python 3.11 ($(PY) not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(STAMP)

# The test tools (pytest, Playwright, PySpark, mypy, ruff…) only for `make test`: `make demo` stays lean.
$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock 2>&1 | { grep -v "is ignored: it is neither" || true; }
	touch $(DEV_STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

var/.locale: $(STAMP) $(shell find src/fuwu -name '*.po')
	mkdir -p var
	$(BIN)/python -m fuwu.core.i18n
	touch var/.locale

setup: $(STAMP) node_modules/.installed var/.locale
	@bash scripts/system-deps.sh runtime

setup-dev: setup $(DEV_STAMP)
	@bash scripts/system-deps.sh dev

demo: setup
ifeq ($(RESET),1)
	rm -f var/fuwu.sqlite3 var/fuwu.sqlite3-wal var/fuwu.sqlite3-shm
endif
	$(BIN)/fuwu migrate --no-input -v0
	$(BIN)/fuwu demo
	bash scripts/demo-serve.sh $(PORT)

lint: setup-dev
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	PYTHONPATH=src $(BIN)/lint-imports --no-cache

typecheck: setup-dev
	$(BIN)/mypy src/fuwu

test-sqlite: setup-dev
	DATABASE_URL= $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: setup-dev
	bash scripts/test-postgres.sh $(PYTEST_ARGS)

test: lint typecheck test-sqlite test-postgres
