# zhanyi: `make demo` runs the product, `make test` runs the linters and tests.
# Both set up everything they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
VENDOR := zhanyi/static/vendor
PG_URL ?= postgres://postgres@127.0.0.1:5432/zhanyi

.PHONY: setup demo serve test test-sqlite test-other test-postgres lint browser fonts bench-tools messages clean

setup: $(STAMP) $(VENDOR)/.stamp fonts

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@

$(VENDOR)/.stamp: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp frontend/node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

demo: setup fonts
	ZHANYI_DEBUG=1 $(BIN)/zhanyi demo

serve: setup
	ZHANYI_DEBUG=1 $(BIN)/zhanyi serve

# Headless Chromium for the browser test, from Debian's packages.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser test…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "Could not install chromium; the browser test will be skipped (required when CI=true)."; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "Installing Chinese fonts so the browser tests' screenshots render Chinese…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei fontconfig >/dev/null) \
	  || echo "Could not install Chinese fonts; screenshots will show boxes for Chinese."; }

# A CJK font for the PDFs (the twice-daily report's, the quarantine notices and
# release certificates) and the charts, and Pango for WeasyPrint, from Debian's packages.
fonts:
	@{ fc-list :lang=zh 2>/dev/null | grep -q . && ldconfig -p | grep -q libpangoft2; } || { \
	  echo "Installing Debian's fonts-wqy-microhei and Pango for the PDFs' Chinese text…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) \
	  || echo "Could not install a CJK font: the PDFs and charts will show boxes for Chinese."; }

# The HTTP load tool `zhanyi bench testing` drives the scan API with, from Debian's packages.
bench-tools: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the load benchmarks…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint zhanyi --check --quiet
	$(BIN)/djlint zhanyi --lint --quiet
	ZHANYI_TESTING=1 $(BIN)/mypy
	$(BIN)/lint-imports
	@mkdir -p var
	ZHANYI_TESTING=1 $(BIN)/python scripts/vulture_entry_points.py > var/vulture_entry_points.py
	$(BIN)/vulture
	ZHANYI_TESTING=1 $(BIN)/zhanyi makemigrations --check --dry-run -v0

# The linters and three lanes of tests run side by side, each lane with its own
# data directory: the tests that touch the database on SQLite and on
# PostgreSQL, and the others (the engine, the parsers, processes started as
# production would) once, on SQLite (conftest.py: ZHANYI_TESTS). The slowest
# tests of each lane are listed at its end.
PYTEST := ZHANYI_TESTING=1 $(BIN)/pytest -q --durations=15 --durations-min=5

test: setup browser fonts
	$(MAKE) --no-print-directory -j4 --output-sync=target lint test-sqlite test-other test-postgres

test-sqlite: setup
	@echo "== tests of the database, on SQLite =="
	ZHANYI_TESTS=database ZHANYI_DATA_DIR=var/test-sqlite $(PYTEST) $(PYTEST_ARGS)

test-other: setup
	@echo "== tests without the database: the engine, the parsers, processes =="
	ZHANYI_TESTS=other ZHANYI_DATA_DIR=var/test-other $(PYTEST) $(PYTEST_ARGS)

test-postgres: setup
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
	  echo "== tests of the database, on PostgreSQL =="; \
	  ZHANYI_TESTS=database ZHANYI_DATA_DIR=var/test-postgres \
	    DATABASE_URL="$(PG_URL)" $(PYTEST) -m "not spark" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is required when CI=true but $(PG_URL) is not reachable." >&2; exit 1; \
	else \
	  echo "== PostgreSQL at $(PG_URL) is not reachable: skipping the PostgreSQL lane =="; \
	fi

# Translations: the .po and the compiled .mo are both committed. The project
# catalogue (zhanyi/locale) holds the foundation's apps; an app with its own
# locale/ directory (screening, testing, …) keeps its own catalogue, so work on
# one app never rewrites another's. `make messages APP=testing` does one app,
# `make messages APP=root` the project catalogue.
APP_CATALOGUES := $(patsubst zhanyi/%/locale,%,$(wildcard zhanyi/*/locale))
DJANGO_ADMIN := ZHANYI_TESTING=1 DJANGO_SETTINGS_MODULE=zhanyi.settings $(abspath $(BIN))/django-admin

ROOT_MESSAGES = cd zhanyi && $(DJANGO_ADMIN) makemessages -l zh_Hans --ignore=engine $(foreach a,$(APP_CATALOGUES),--ignore=$(a)) --no-obsolete -v0

messages: setup
ifeq ($(APP),)
	$(ROOT_MESSAGES)
	for app in $(APP_CATALOGUES); do (cd zhanyi/$$app && $(DJANGO_ADMIN) makemessages -l zh_Hans --no-obsolete -v0) || exit 1; done
	cd zhanyi && $(DJANGO_ADMIN) compilemessages -v0
else ifeq ($(APP),root)
	$(ROOT_MESSAGES)
	cd zhanyi/locale/.. && $(DJANGO_ADMIN) compilemessages -v0 --locale zh_Hans --ignore='*/*/locale'
else
	cd zhanyi/$(APP) && $(DJANGO_ADMIN) makemessages -l zh_Hans --no-obsolete -v0 && $(DJANGO_ADMIN) compilemessages -v0
endif

clean:
	rm -rf $(VENV) frontend/node_modules $(VENDOR) var
