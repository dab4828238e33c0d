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
# The notebooks run a second time under nbval with XLA limited to an older x86
# instruction set (no FMA, no AVX2), so that a printed number that changes with the
# processor fails here and not on a student's laptop. SSE4_2 where the machine has
# AVX (it then differs from the machine's own), else AVX; off on other architectures.
OLD_ISA ?= $(shell [ "$$(uname -m)" = x86_64 ] && { grep -qw avx /proc/cpuinfo 2>/dev/null && echo SSE4_2 || echo AVX; })

.PHONY: help setup lab test test-unit test-notebooks test-notebooks-old-isa test-browser browser notebooks clean bench slides student html node constraints

help:
	@echo "make lab        open JupyterLab on notebooks/ (sets up .venv first if needed)"
	@echo "make test       run every test: unit tests, doctests, notebooks under nbval (twice: as this CPU and as an older one computes)"
	@echo "make test-notebooks-old-isa  only the notebooks, with XLA limited to an older instruction set (OLD_ISA=SSE4_2 or AVX)"
	@echo "make notebooks  re-execute every notebook in place, top to bottom"
	@echo "make test-browser  run only the browser tests (JupyterLab in headless Chromium)"
	@echo "make slides     set slide metadata in the notebooks, check it, write offline reveal.js decks to build/slides/"
	@echo "make student    write the student edition (no worked solutions) to build/student/"
	@echo "make html       write the static site (index + one page per notebook, offline) to build/site/"
	@echo "make constraints  upgrade .venv, run make test, and on success pin those versions in constraints.txt"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab,test]'
	@touch $(STAMP)

# Setting defaults for JupyterLab (jupyter/overrides.d/: what jupyterlab-deck needs to show
# whole slides), copied where JupyterLab reads them in .venv.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d

$(LAB_OVERRIDES)/%: jupyter/overrides.d/% | $(STAMP)
	@mkdir -p $(@D)
	cp $< $@

setup: $(STAMP) $(patsubst jupyter/overrides.d/%,$(LAB_OVERRIDES)/%,$(wildcard jupyter/overrides.d/*))

# Refresh constraints.txt (the exact versions make lab and make test install): upgrade
# .venv to the newest versions pyproject.toml allows, run every test, and only when
# they pass write those versions down. Commit constraints.txt afterwards.
constraints: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[lab,test]'
	@touch $(STAMP)
	@$(MAKE) --no-print-directory test || { echo "make test failed with the newest versions: constraints.txt is unchanged ('touch constraints.txt; make setup' goes back to it)"; exit 1; }
	$(BIN)/python scripts/freeze_constraints.py constraints.txt
	@touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

test: $(STAMP) browser node
	$(BIN)/python -m pytest
	@$(MAKE) --no-print-directory test-notebooks-old-isa

browser:
	@scripts/ensure_browser.sh

test-browser: $(STAMP) browser node
	$(BIN)/python -m pytest tests/browser

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests cnnlib

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest notebooks

test-notebooks-old-isa: $(STAMP)
ifeq ($(strip $(OLD_ISA)),)
	@echo "not an x86-64 machine: the older-instruction-set pass of the notebooks is skipped"
else
	@echo "nbval again with XLA limited to $(OLD_ISA) (what an older processor prints)"
	XLA_FLAGS="$(strip $(XLA_FLAGS) --xla_cpu_max_isa=$(OLD_ISA))" $(BIN)/python -m pytest notebooks
endif

notebooks: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  $(BIN)/python scripts/execute_notebook.py "$$nb" || exit 1; \
	done
	$(BIN)/python scripts/slides.py annotate $(NOTEBOOKS)

bench: $(STAMP) browser
	$(BIN)/python -m benchmarks.run --json build/bench.json $(BENCH_ARGS)

# JavaScript for the static decks and site (reveal.js, require.js, MathJax, the widgets
# HTML manager), installed from package-lock.json and copied into build/ at build time.
NODE_STAMP := node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI=true but npm is missing: the static decks and site need it (install Node.js with npm)"; exit 1; \
	else \
	  echo "npm not found: static decks/site and their browser tests are skipped (install Node.js with npm to enable them)"; \
	fi

node: $(NODE_STAMP)

slides: $(STAMP) node
	$(BIN)/python scripts/slides.py annotate $(NOTEBOOKS)
	$(BIN)/python scripts/slides.py check $(NOTEBOOKS)
	$(BIN)/python scripts/slides.py export $(NOTEBOOKS) --out build/slides

student: $(STAMP)
	$(BIN)/python scripts/student_edition.py $(NOTEBOOKS) --out build/student

html: $(STAMP) node
	$(BIN)/python scripts/build_site.py $(NOTEBOOKS) --out build/site

clean:
	rm -rf build .pytest_cache
