# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint bench fire reset clean package scan vendor
STAGE ?= dev

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip<26.3'  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

## Start the whole system locally (moto as AWS, no account, no network).
run: $(STAMP)
	$(PY) -m infra.local run

## Lint and run the full test suite (unit, moto integration, local-stack end-to-end).
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --durations=10

lint: $(STAMP)
	$(PY) -m ruff check .

## Run every benchmark under bench/ (each prints one JSON object on its last line).
BENCHES := $(filter-out bench/local_stack.py,$(wildcard bench/*.py))
bench: $(STAMP)
	@set -e; for script in $(BENCHES); do echo "== $$script"; $(PY) $$script; done

## Fire a scheduled function of the running local stack now: make fire JOB=<name>
fire: $(STAMP)
	$(PY) -m infra.local fire $(JOB)

## Build the deployable template of a stage offline: make package STAGE=dev
package: $(STAMP)
	$(PY) -m infra.package --stage $(STAGE)

## Validate the packaged templates (cfn-lint, SAM transform, checkov)
scan: $(STAMP)
	$(PY) -m infra.aws.scan

## Forget all local data (the local stack must be stopped).
reset:
	rm -rf .crm-data

clean: reset
	rm -rf $(VENV) build

## Refresh the vendored browser libraries (Leaflet, Chart.js) from web/package-lock.json.
vendor: $(STAMP)
	npm ci --prefix web --no-audit --no-fund
	$(PY) web/vendor.py
