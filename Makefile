# fuwu: `make demo` and `make test` bootstrap everything they need on first run.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test setup lint typecheck test-sqlite test-postgres serve worker clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null || { echo "needs Python 3.11 ($(PY) not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

var/.locale: $(STAMP) $(shell find src/fuwu -name '*.po')
	mkdir -p var
	$(BIN)/python -m fuwu.core.i18n
	touch var/.locale

setup: $(STAMP) node_modules/.installed var/.locale

demo: setup
ifeq ($(RESET),1)
	rm -f var/fuwu.sqlite3 var/fuwu.sqlite3-wal var/fuwu.sqlite3-shm
endif
	$(BIN)/fuwu migrate --no-input -v0
	$(BIN)/fuwu demo
	@echo "open http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	FUWU_SSL_REDIRECT=0 FUWU_SECURE_COOKIES=0 FUWU_HSTS_SECONDS=0 $(BIN)/fuwu serve --port $(PORT)

lint: setup
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench

typecheck: setup
	$(BIN)/mypy src/fuwu

test-sqlite: setup
	DATABASE_URL= $(BIN)/pytest -q -p no:randomly $(PYTEST_ARGS)

test-postgres: setup
	bash scripts/test-postgres.sh $(PYTEST_ARGS)

test: lint typecheck test-sqlite test-postgres
