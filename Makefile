# Harmonia: two commands. `make demo` serves the demo programme; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test install install-test lint format messages migrations-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	mkdir -p var
	HARMONIA_MODE=demo $(BIN)/python manage.py migrate --noinput
	HARMONIA_MODE=demo $(BIN)/python manage.py load_demo
	@echo "Serving Harmonia at http://127.0.0.1:$(PORT)/ with a background-task worker (Ctrl-C stops both)"
	HARMONIA_MODE=demo $(BIN)/python manage.py run_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  HARMONIA_MODE=demo $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-test
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HARMONIA_MODE=test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

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
