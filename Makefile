# Space — the commands the README names. Everything installs into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# The suite spreads over the machine's CPUs (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS)
STAMP  := $(VENV)/.installed
LOCALES := fr es ar

.PHONY: run test test-postgres e2e lint format translations compile-translations install clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) compile-translations

## Serve on http://$(HOST):$(PORT) with SQLite; migrates, and loads demo content on first start.
run: install
	$(FLASK) space init --demo-if-empty
	$(FLASK) run --host $(HOST) --port $(PORT) --debug

## Install what tests need and run the whole suite (browser journeys included when chromium exists).
test: install
	$(BIN)/ruff check .
	$(PYTEST)

## The suite against PostgreSQL (SPACE_TEST_DATABASE_URL, default: the local test database).
test-postgres: install
	SPACE_TEST_DATABASE_URL=$${SPACE_TEST_DATABASE_URL:-postgresql+psycopg://$${PGUSER:-postgres}@127.0.0.1:5432/test} $(PYTEST)

## Only the browser journeys (needs chromium).
e2e: install
	$(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract messages, update the catalogs, compile them.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _n:1,2 -k pgettext:1c,2 --no-location --sort-output -o translations/messages.pot .
	@for lang in $(LOCALES); do \
	  test -f translations/$$lang/LC_MESSAGES/messages.po || \
	    $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$lang; \
	done
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

compile-translations: $(STAMP)
	@$(BIN)/pybabel -q compile -d translations

## Load benchmark with a ceiling in the same run (gunicorn + wrk) on the large demo dataset
## (100,000 posts; POSTS=40000 for fewer), built once into bench/.data/; writes
## bench/REPORT.md. FRESH=1 rebuilds the dataset; BENCH_DATABASE_URL=postgresql+psycopg://…
## adds a run on PostgreSQL (in its schema space_bench).
bench: install
	$(BIN)/python -m bench.run $(if $(FRESH),--fresh) $(if $(POSTS),--posts $(POSTS))

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
