# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

STAGE ?= prod

.PHONY: run test lint unit bench browser screenshots package fuzz stress

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==26.2.1"  # chalice 1.34 requires pip<26.3 (it packages with pip)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: the local stack (embedded AWS, API, form page, mails printed); Ctrl-C stops it
run: $(INSTALLED)
	$(PY) -m devstack

## test: lint, then every test (unit, API, end-to-end, browser)
test: $(INSTALLED) lint browser
	$(PY) -m pytest

## browser: Debian's Chromium for the browser tests (installed when missing and run as root)
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "note: no chromium and not root: the browser tests will be skipped (apt-get install chromium)"

## screenshots: docs/form-filled.png and docs/form-success.png from the local stack
screenshots: $(INSTALLED) browser
	$(PY) -m devstack.screenshots

lint: $(INSTALLED) package
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint dist/sam.json

## package: dist/sam.json and dist/deployment.zip for `aws cloudformation deploy` (STAGE=prod)
# Chalice imports app.py to package it, and app.py refuses to start without its settings;
# in AWS those come from infra/template.json, so packaging lends it placeholders.
package: $(INSTALLED)
	rm -rf dist
	AWS_DEFAULT_REGION=eu-central-1 LINK_SECRET=packaging-placeholder-never-deployed-anywhere \
	  $(VENV)/bin/chalice package --stage $(STAGE) --merge-template infra/template.json dist

unit: $(INSTALLED)
	$(PY) -m pytest tests/unit

## bench: registrations/s at 1, 8, 32 clients, AWS calls per registration, mail latency,
## package size and cold import against the boto3 + pydantic + Chalice floor
bench: $(INSTALLED) package
	$(PY) -m bench.throughput
	$(PY) -m bench.mail_latency
	$(PY) -m bench.cold_start

## fuzz: schemathesis with a fresh seed and many more cases than `make test`
fuzz: $(INSTALLED)
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(PY) -m pytest tests/e2e/test_fuzz.py -p no:cacheprovider

## stress: a fixed request rate of valid, duplicate and hostile posts, then the table audited;
## the seat state machines with fresh seeds and many more steps; a long session of make run
stress: $(INSTALLED)
	$(PY) -m bench.stress
	STATEFUL_RANDOM=1 STATEFUL_EXAMPLES=$${STATEFUL_EXAMPLES:-200} CONCURRENT_ROUNDS=$${CONCURRENT_ROUNDS:-30} \
	  CONCURRENT_SEED=$${CONCURRENT_SEED:-$$(date +%s)} \
	  $(PY) -m pytest -p no:cacheprovider tests/api/test_seat_properties.py tests/e2e/test_concurrent_operations.py
	$(PY) -m bench.long_session $${REGISTRATIONS:-5000}
