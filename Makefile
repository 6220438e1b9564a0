# The two commands of the README: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Where `make run` serves. Exported so that honcho (which reads PORT) gives it to the first process, web.
PORT ?= 8000
export PORT

.PHONY: run test lint format bench install install-dev docs messages axe clean

# `make run` needs only what running needs; the test and lint tools come with `make test`.
$(RUN_STAMP): requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(DEV_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

# The Spanish (and any other) message catalogues, compiled whenever a .po changes.
PO_FILES := $(wildcard locale*/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
$(MO_FILES) &: $(PO_FILES) $(RUN_STAMP)
	@$(PY) scripts/compile_messages.py

# axe-core (npm) for the accessibility checks of the browser tests; without npm they are skipped
# (with CI=true they are required, as Chromium is).
AXE := node_modules/axe-core/axe.min.js
axe:
	@if [ ! -f $(AXE) ] || [ package-lock.json -nt $(AXE) ]; then \
	  if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	  else echo "npm not found: the accessibility (axe-core) checks will be skipped"; fi; fi

## make messages: refresh the catalogues after changing wording (then translate what is new).
messages: $(DEV_STAMP)
	$(PY) manage.py makemessages -l es --no-location --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py rulepack_messages

## make run: install, migrate, seed the demo clinic, then web + worker + beat in the foreground (Ctrl-C stops all).
run: $(RUN_STAMP) $(MO_FILES)
	@$(PY) scripts/check_port.py
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0
	@$(PY) scripts/run_banner.py
	@$(VENV)/bin/honcho -f Procfile.dev start

## make test: every test, on PostgreSQL and Redis when they answer, else on the embedded defaults.
test: $(DEV_STAMP) $(MO_FILES) axe
	@eval "$$($(PY) scripts/services.py)" && \
	  $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && \
	  $(PY) manage.py makemigrations --check --dry-run -v0 --settings=config.settings.test && \
	  $(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

## make docs: regenerate docs/answers.md from the questionnaire definitions.
docs: $(RUN_STAMP)
	$(PY) manage.py answers_doc --settings=config.settings.test > docs/answers.md

bench: $(DEV_STAMP)
	@eval "$$($(PY) scripts/services.py)" && $(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
