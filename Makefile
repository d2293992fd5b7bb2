# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
HOME_DIR ?= $(or $(CATALOGUE_HOME),instance)
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test
#: axe-core, pinned in package.json / package-lock.json; the browser tests inject it into Chromium.
AXE     := node_modules/axe-core/axe.min.js

.PHONY: run test test-unit test-slow install bench clean typesense-server

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(STAMP)

## make run: install, load the demo catalogue if there is none (it then says once how to add accounts:
## it makes none), serve on http://127.0.0.1:5000
run: $(STAMP)
	@if [ ! -f "$(HOME_DIR)/catalogue.sqlite3" ]; then $(BIN)/catalogue --home "$(HOME_DIR)" init --demo; fi
	$(BIN)/catalogue --home "$(HOME_DIR)" serve --host 127.0.0.1 --port 5000

## make test: install test needs (Chromium from Debian, axe-core from npm for browser tests) and run every tier
test: $(TSTAMP) chromium $(AXE) lint
	$(BIN)/python -m pytest

test-unit: $(TSTAMP) lint
	$(BIN)/python -m pytest -m "not realdata and not browser and not slow"

## make lint: ruff (errors that are bugs) and the import-layer contracts (pyproject.toml)
.PHONY: lint
lint: $(TSTAMP)
	$(BIN)/ruff check catalogue ingest index tests bench scripts
	$(BIN)/lint-imports
## make typesense-server [NODES=3]: Typesense 0.24.1 on loopback for CATALOGUE_SEARCH=typesense (Ctrl-C stops it)
TS_DATA ?= $(HOME_DIR)/typesense
NODES   ?= 1
typesense-server: $(TSTAMP)
	$(BIN)/python -m index.typesense_server --data-dir "$(TS_DATA)" --port 8108 --nodes $(NODES)

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (the browser tests need axe-core): apt-get install npm"; exit 2; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

.PHONY: chromium
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Chromium is missing: run as root, or: sudo apt-get install chromium chromium-driver fonts-wqy-microhei"; exit 2; \
	  fi; \
	fi

clean:
	rm -rf build dist *.egg-info .pytest_cache test-output node_modules
