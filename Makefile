# Harmonia: two commands. `make demo` serves the demo programme; `make test` runs every check.
# `make test-fast` runs the checks and the tests a change usually needs (no browser, no slow).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pip prints a line per package it collects, and in a terminal a bar for each download
# and one for installing them (pip draws no bars into a log or CI).
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check

.PHONY: demo test test-fast checks install install-test lint format messages migrations-check clean

$(BIN)/python:
	@echo "== creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --quiet --upgrade pip==25.3

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "== installing Harmonia and its dependencies (first time: a minute or two)"
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "== installing Harmonia with the test tools"
	$(PIP_INSTALL) -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	@mkdir -p var
	@echo "== migrating the database"
	HARMONIA_MODE=demo $(BIN)/python manage.py migrate --noinput
	@echo "== loading the demo (again: only what is missing, in seconds)"
	HARMONIA_MODE=demo $(BIN)/python manage.py load_demo
	@echo "Serving Harmonia at http://127.0.0.1:$(PORT)/ with a background-task worker (Ctrl-C stops both)"
	HARMONIA_MODE=demo $(BIN)/python manage.py run_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  HARMONIA_MODE=demo $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

checks: install-test
	@mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HARMONIA_MODE=test $(BIN)/python manage.py makemigrations --check --dry-run

# Every test, browser and slow ones included; the 20 slowest are listed at the end.
test: checks
	$(BIN)/python -m pytest --durations=20

# What a change usually needs: every test except the browser and slow ones (under
# three minutes here). `make test` before pushing.
test-fast: checks
	$(BIN)/python -m pytest -m "not browser and not slow" --durations=10

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogues after changing user-facing strings.
messages: install
	cd harmonia && HARMONIA_MODE=test ../$(BIN)/python ../manage.py makemessages -l es --no-obsolete --ignore "evaluation/*"
	cd harmonia && HARMONIA_MODE=test ../$(BIN)/python ../manage.py compilemessages -l es
	$(BIN)/python tools/evaluation_messages.py

clean:
	rm -rf $(VENV) var .pytest_cache
