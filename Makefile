# Jupyter Book companion to Chapter 3 of "Neural Networks and Deep Learning".
#
#   make book     create .venv if missing, install, render the book into _build/html from the
#                 committed, executed notebooks (no execution: about a minute after the install)
#   make execute  re-execute the chapter notebooks in place, for commit (about 5 minutes on 2 cores)
#   make book EXECUTE=1   both: execute, then render
#   make test     everything CI checks (see "test" below)
#   make lint     ruff, nbqa, actionlint and the notebook checks (make pre-commit: the same as
#                 the git hook, .pre-commit-config.yaml, on every file)
#   make lab      open the notebooks in JupyterLab, in a working copy (work/): the repository's
#                 chapters/ are never rewritten; make lab-reset takes fresh copies (yours are
#                 moved to work/backup-<date>/ first)
#   make clean    remove the build output (make distclean also removes .venv and node_modules)
#
# Notebooks are executed once per `make test`: nbval runs each one top to bottom and checks the
# cells tagged `nbval-check-output`; the book is then rendered from the committed notebooks
# (execution is off in _config.yml), so no notebook runs twice.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_DIR := tests/browser
NPM_STAMP := $(NPM_DIR)/node_modules/.package-lock.json
# the browser test's Chromium (tests/browser/test_pages.py reads CHROMIUM too)
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
EXECUTE ?=

JB_TEST_FLAGS := --all -W -n --keep-going
NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=1200 -p no:cacheprovider
NOTEBOOKS ?= $(sort $(wildcard chapters/*.ipynb))

# make lab's working copy of the notebooks (git-ignored; `make clean` leaves it alone)
LAB_DIR ?= work
# JupyterLab's defaults for this environment (binder/postBuild installs the same file on Binder)
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# make test-binder's fresh environment
BINDER_VENV := _build/binder-venv

.PHONY: book test lab lab-copy lab-reset execute clean distclean install browser-assets \
	browser-deps test-unit test-notebooks test-book test-browser lint test-lab test-binder \
	pre-commit

## Environment ---------------------------------------------------------------------------------

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	@touch $(STAMP)

# saved notebooks keep their widget state (progress bars, explorers): JupyterLab's widget
# manager setting, as a default of this environment's JupyterLab (a learner can still change it)
$(LAB_OVERRIDES): binder/overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp binder/overrides.json $@

install: $(STAMP) $(LAB_OVERRIDES)

# the npm packages the book serves (MathJax, RequireJS, widget manager, Font Awesome)
$(NPM_STAMP): $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is needed for the book's JavaScript" \
		"packages. Install it with:  sudo apt-get install -y npm"; exit 1; }
	cd $(NPM_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	@touch $(NPM_STAMP)

browser-assets: $(NPM_STAMP)

# make test stops here, before any stage, if the browser stage could not run
browser-deps:
	@missing=""; command -v npm >/dev/null || missing="$$missing npm"; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "ERROR: make test needs$$missing (the browser stage). On Debian install with:"; \
		echo "    sudo apt-get install -y$$missing"; \
		echo "On Ubuntu (whose chromium package is a snap): sudo apt-get install -y npm &&" \
			"$(BIN)/python -m playwright install --with-deps chromium, then" \
			"make test CHROMIUM=\$$(ls -d ~/.cache/ms-playwright/chromium-*/chrome-linux*/chrome)"; \
		exit 1; fi

## Readers --------------------------------------------------------------------------------------

book: $(STAMP) $(NPM_STAMP)
	$(if $(EXECUTE),$(MAKE) --no-print-directory execute)
	$(BIN)/jupyter-book build .
	@test -f _build/html/index.html || { echo "ERROR: the build wrote no _build/html/index.html"; exit 1; }
	@echo "The book is in $(CURDIR)/_build/html: open file://$(CURDIR)/_build/html/index.html"

# Lab opens a working copy: autosave and a learner's edits change $(LAB_DIR)/, never the
# committed notebooks. A notebook is copied only when $(LAB_DIR) has none of that name, so a
# learner's edited copy is kept; a note names those the repository changed since.
lab: lab-copy $(LAB_OVERRIDES)
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" $(BIN)/jupyter lab \
		$(if $(filter 0,$(shell id -u)),--allow-root) --ServerApp.root_dir="$(LAB_DIR)" \
		--LabApp.default_url=/lab/tree/chapters

lab-copy:
	@mkdir -p "$(LAB_DIR)/chapters"
	@copied=0; newer=""; \
	for nb in chapters/*.ipynb scorecard.ipynb; do \
		dest="$(LAB_DIR)/$$nb"; \
		if [ ! -e "$$dest" ]; then cp "$$nb" "$$dest" && copied=$$((copied + 1)); \
		elif [ "$$nb" -nt "$$dest" ] && ! cmp -s "$$nb" "$$dest"; then \
			newer="$$newer $$nb"; fi; \
	done; \
	echo "make lab: your copy of the notebooks is in $(abspath $(LAB_DIR))/ ($$copied copied" \
		"now); JupyterLab saves there, the repository's chapters/ stay as committed."; \
	if [ -n "$$newer" ]; then echo "make lab: changed in the repository since your copy:" \
		"$$newer. make lab-reset takes fresh copies (yours go to $(LAB_DIR)/backup-<date>/)."; fi

# fresh copies from the repository; the previous ones are moved aside, not deleted
lab-reset:
	@if [ -d "$(LAB_DIR)/chapters" ] || [ -e "$(LAB_DIR)/scorecard.ipynb" ]; then \
		backup="$(LAB_DIR)/backup-$$(date +%Y%m%d-%H%M%S)"; mkdir -p "$$backup"; \
		for old in "$(LAB_DIR)/chapters" "$(LAB_DIR)/scorecard.ipynb"; do \
			if [ -e "$$old" ]; then mv "$$old" "$$backup/"; fi; done; \
		echo "make lab-reset: your previous copies are in $$backup/"; fi
	@$(MAKE) --no-print-directory lab-copy LAB_DIR="$(LAB_DIR)"

# the chapters, then the scorecard page, which reads the results they recorded
execute: $(STAMP)
	CH3_CHECK=strict $(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)
	$(BIN)/python -m ch3_code.scorecard --page

## Tests ----------------------------------------------------------------------------------------

# Each stage fails the make when it fails; tools/stage prints its time.
# CH3_CHECK=strict: the notebooks' hidden tolerance checks assert (COMMON decision 5)
test: export CH3_CHECK := strict
test: browser-deps $(STAMP) $(NPM_STAMP)
	@start=$$SECONDS; \
	$(MAKE) --no-print-directory test-unit test-binder test-notebooks test-book test-browser \
		test-lab && \
	echo "make test: all stages passed in $$((SECONDS - start)) s"

# 1. unit tests: ch3_code, the plot helpers, the committed notebooks and the book's files, and
#    the lint (tests/test_lint.py). Needs only .venv: no npm, no Chromium, no notebook runs.
test-unit: $(STAMP)
	@tools/stage "unit tests" $(BIN)/python -m pytest -n 2 tests -m "not browser and not lab"

# 1b. Binder's lean environment (binder/requirements.txt, then binder/postBuild's editable
#     ch3_code) in a fresh venv, with pip's usual cache, and chapter 00 executed in it offline
#     (tests/test_binder.py; 2-5 minutes on 2 cores: 136 s measured on a quiet machine)
test-binder: $(STAMP)
	@CH3_BINDER_TEST=required BINDER_VENV="$(BINDER_VENV)" tools/stage "Binder environment" \
		$(BIN)/python -m pytest tests/test_binder.py -p no:cacheprovider -s

# ruff on the .py files and (through nbqa) on the notebooks, actionlint on the workflows, the
# committed notebooks' cheap checks (tools/check_notebooks.py); the rules are in pyproject.toml.
# The unit stage runs the same checks (tests/test_lint.py).
lint: $(STAMP)
	$(BIN)/ruff check ch3_code tests tools benchmarks
	$(BIN)/nbqa ruff chapters
	$(BIN)/actionlint -no-color -shellcheck= -pyflakes= .github/workflows/*.yml
	$(BIN)/python tools/check_notebooks.py

# the checks before each commit (.pre-commit-config.yaml: the lint above) on every tracked file,
# with .venv's tools on PATH; `$(BIN)/pre-commit install` runs them on each `git commit`
pre-commit: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files

# 2. every chapter notebook under nbval (executed once, top to bottom), one at a time so that
#    the log shows each chapter's runtime; all run, and the stage fails if any failed
test-notebooks: $(STAMP)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then \
		echo "=== stage: notebooks (nbval): no notebooks in chapters/, nothing to run"; exit 0; fi; \
	start=$$SECONDS; failed=""; \
	for nb in $(NOTEBOOKS); do \
		CH3_CHECK=strict tools/stage "nbval $$nb" $(BIN)/python -m pytest $(NBVAL_FLAGS) $$nb \
			|| failed="$$failed $$nb"; \
	done; \
	echo "=== stage: notebooks (nbval): $$((SECONDS - start)) s"; \
	if [ -n "$$failed" ]; then echo "FAILED notebooks:$$failed"; exit 1; fi

# 3. the book, as `make book` renders it (no execution), with warnings as errors; must give
#    index.html
test-book: $(STAMP) $(NPM_STAMP)
	@rm -rf _build/html
	@tools/stage "book build" $(BIN)/jupyter-book build $(JB_TEST_FLAGS) .
	@test -f _build/html/index.html || { echo "ERROR: _build/html/index.html missing"; exit 1; }

# 4. every page in headless Chromium, offline (screenshots in _build/screenshots/); two pages at
#    a time, one per core (-n 2: 293 s against 361 s one after another on the 2-core machine)
test-browser: browser-deps $(STAMP) $(NPM_STAMP)
	@CH3_BROWSER_TEST=required tools/stage "browser test" \
		$(BIN)/python -m pytest tests/browser -m browser -p no:cacheprovider -n 2

# 5. a real JupyterLab (own server on 127.0.0.1) driven by headless Chromium: a chapter's
#    training cell, its explorers, the rendered MyST (screenshots in _build/screenshots/lab/)
test-lab: $(STAMP) $(LAB_OVERRIDES)
	@CH3_LAB_TEST=required tools/stage "JupyterLab test" \
		$(BIN)/python -m pytest tests/lab -m lab -p no:cacheprovider

## Cleaning -------------------------------------------------------------------------------------

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(NPM_DIR)/node_modules
