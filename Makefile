# Two commands do everything on a fresh machine:
#   make lab   set up (first time only) and open JupyterLab on notebooks/
#   make test  set up (first time only) and run every test
# Both create .venv when it is missing and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: help setup lab test test-unit test-notebooks test-browser browser notebooks clean

help:
	@echo "make lab        open JupyterLab on notebooks/ (sets up .venv first if needed)"
	@echo "make test       run every test: unit tests, doctests, notebooks under nbval"
	@echo "make notebooks  re-execute every notebook in place, top to bottom"
	@echo "make test-browser  run only the browser tests (JupyterLab in headless Chromium)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

test: $(STAMP) browser
	$(BIN)/python -m pytest

browser:
	@scripts/ensure_browser.sh

test-browser: $(STAMP) browser
	$(BIN)/python -m pytest tests/browser

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests cnnlib

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest notebooks

notebooks: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  $(BIN)/python scripts/execute_notebook.py "$$nb" || exit 1; \
	done

clean:
	rm -rf build .pytest_cache
