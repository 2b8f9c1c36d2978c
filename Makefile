# Chengguan 城管 — `make run` and `make test` are all a fresh machine needs (Python ≥ 3.11, Node ≥ 20).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.js web/package.json -type f 2>/dev/null)

.PHONY: run test test-pg test-templates install web lint bench demo clean

# The IoT bridge starts with the server when a broker answers on 127.0.0.1:1883 (or CHENGGUAN_MQTT_URL names one).
MQTT_PROBE := $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 1883), 1)" 2>/dev/null

run: install web  ## install, migrate, load the demo city into an empty database, serve on http://127.0.0.1:8000 (with the live simulator)
	$(BIN)/chengguan migrate
	$(BIN)/chengguan demo --if-empty
	@if [ -z "$$CHENGGUAN_MQTT_URL" ] && $(MQTT_PROBE); then \
	  echo "MQTT broker on 127.0.0.1:1883: the IoT bridge starts with the server"; \
	  export CHENGGUAN_MQTT_URL=mqtt://127.0.0.1:1883; fi; \
	exec $(BIN)/chengguan serve --host $(HOST) --port $(PORT) --simulate

PYTEST_WORKERS ?= -n auto --maxprocesses 4
# The browser journeys and the API fuzzer run after the rest, on two workers of their own (each with its own server,
# browser and database copy): run beside the other tests' workers, a browser starved of CPU times out instead of
# testing anything.
# --durations=10: every run names its slowest tests (the suite's wall time is a target of its own).
PYTEST_PARALLEL := $(PYTEST_WORKERS) -m "not e2e and not serial" --durations=10
PYTEST_SERIAL := -n 2 -m "e2e or serial" --durations=10

test: install web  ## install and run the whole suite (SQLite; PostgreSQL too via CHENGGUAN_TEST_DATABASE_URL)
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_PARALLEL)
	$(BIN)/pytest $(PYTEST_SERIAL)

# Everything but the browser journeys, against PostgreSQL: the journeys drive the web app, whose API calls the rest of
# the suite already runs on both engines (`make test` runs them on the default SQLite; E2E=1 adds them here).
test-pg: install web  ## the whole suite against the local PostgreSQL server
	CHENGGUAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_PARALLEL)
	CHENGGUAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 -m "$(if $(E2E),e2e or serial,serial)"

# The suite copies its databases from templates built once per state of the migrations and the demo (tests/databases.py);
# a run builds what it lacks, one at a time. CI builds both backends' at once first, one per core.
test-templates: install  ## build the test database templates for SQLite and, side by side, for PostgreSQL (PG_TEST_URL)
	$(BIN)/python tests/databases.py & sqlite=$$!; \
	CHENGGUAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python tests/databases.py; pg=$$?; \
	wait $$sqlite && exit $$pg

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

demo: install  ## reload the demo city from scratch
	$(BIN)/chengguan migrate
	$(BIN)/chengguan demo --reset

bench: install
	$(BIN)/python bench/grid_lookup.py
	$(BIN)/python bench/api_login_me.py
	$(BIN)/python bench/recommend_eval.py
	$(BIN)/python bench/law_search.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/intake_http.py
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/dispatch_live.py

clean:
	rm -rf $(VENV) web/node_modules web/dist data
