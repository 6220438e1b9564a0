# The two commands of the README: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, seed the demo clinic, then web + worker + beat in the foreground (Ctrl-C stops all).
run: $(STAMP)
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0
	@$(PY) scripts/run_banner.py
	$(VENV)/bin/honcho -f Procfile.dev start

## make test: every test, on PostgreSQL and Redis when they answer, else on the embedded defaults.
test: $(STAMP)
	@eval "$$($(PY) scripts/services.py)" && \
	  $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && \
	  $(PY) manage.py makemigrations --check --dry-run -v0 --settings=config.settings.test && \
	  $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: $(STAMP)
	@eval "$$($(PY) scripts/services.py)" && $(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
