# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint unit bench

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: the local stack (embedded AWS, API, form page, mails printed); Ctrl-C stops it
run: $(INSTALLED)
	$(PY) -m devstack

## test: lint, then every test (unit, API, end-to-end)
test: $(INSTALLED) lint
	$(PY) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: $(INSTALLED)
	$(PY) -m pytest tests/unit

## bench: registrations/s through the local stack at 1, 8, 32 clients; AWS calls per registration
bench: $(INSTALLED)
	$(PY) -m bench.throughput
	$(PY) -m bench.mail_latency
