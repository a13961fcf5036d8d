# One task runner for Threadline. Every target creates the virtual environment when it is missing.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
TL := $(VENV)/bin/threadline
export THREADLINE_DATA_DIR ?= $(CURDIR)/data
# The port of `make run`.
PORT ?= 8000
# Optional extras to install; .ci/run adds "spark" when Java is present (the Spark tests skip without it).
EXTRAS ?= dev

.PHONY: run venv test test-postgres lint format bench messages docs clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

venv: $(VENV)/.installed

## Create the venv, migrate, load the synthetic demo and serve on http://127.0.0.1:$(PORT) (make run PORT=8001).
## serve fails with the reason when the port is busy; `exec` hands it make's place, so stopping make (Ctrl-C or
## SIGTERM) stops serve, gunicorn and the task worker.
run: $(VENV)/.installed
	THREADLINE_DEBUG=1 $(TL) migrate
	THREADLINE_DEBUG=1 $(TL) demo --if-empty
	THREADLINE_DEBUG=1 exec $(TL) serve --host 127.0.0.1 --port $(PORT)

## The whole suite on SQLite (unit, property, browser tests)
test: $(VENV)/.installed
	$(PY) -m pytest -q -n 2 --dist loadfile

## The suite against PostgreSQL (THREADLINE_DATABASE_URL must point at a server). The Spark engine tests
## touch no database, so they run once, in `make test`.
test-postgres: $(VENV)/.installed
	THREADLINE_DATABASE_URL=$${THREADLINE_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(PY) -m pytest -q -n 2 --dist loadfile -m "not spark"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports
	THREADLINE_DEBUG=1 $(PY) -m django makemigrations --check --dry-run --settings=threadline.settings

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

## Speed and memory benchmarks; results go into docs/benchmarks.md by hand, with the machine
bench: $(VENV)/.installed
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

## Regenerate the generated docs (a test fails when they are stale): the CLI reference from Typer (docs/cli.md)
## and the access matrix from the role table (docs/permissions.md)
docs: $(VENV)/.installed
	$(PY) scripts/gen_cli_docs.py
	THREADLINE_DEBUG=1 $(PY) scripts/gen_permission_docs.py

## Re-extract and compile the translation catalogues
messages: $(VENV)/.installed
	cd src/threadline && THREADLINE_DEBUG=1 ../../$(PY) -m django makemessages -l fr -l ar -i "engines/*" --settings=threadline.settings
	cd src/threadline && THREADLINE_DEBUG=1 ../../$(PY) -m django compilemessages --settings=threadline.settings

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
