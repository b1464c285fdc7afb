# embkit — common tasks.  `make demo` and `make test` work on a fresh clone.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test
SECTION ?= sgns

.PHONY: install demo test test-all lint fuzz bench bench-quick warmup clean-cache clean

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

# The packages embkit_cli and embkit_data live in cli/ and data/ (setup.cfg's package_dir), so setuptools
# makes the editable install an import hook and prints a notice block ("Editable installation ... be careful
# with folders named like your package") on every install; it is a general caution, filtered here.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(VPY) -m pip install -q

$(STAMP): $(VENV)/bin/python setup.cfg pyproject.toml
	$(PIP_INSTALL) -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

DEMO_DIR ?= demo-out
EMBKIT = $(abspath $(VENV))/bin/embkit
DEMO_WORDS ?= war constitution liberty economy slavery

# Trains skip-gram on the bundled State of the Union corpus (1790-2026, about 2M tokens),
# then prints nearest neighbours and the evaluation summary.
demo: $(STAMP)
	mkdir -p $(DEMO_DIR)
	cd $(DEMO_DIR) && $(EMBKIT) train $(CURDIR)/data/corpora/sotu.txt.gz --tokenizer regex --lowercase -o sotu.embkit
	cd $(DEMO_DIR) && $(EMBKIT) neighbors sotu.embkit $(DEMO_WORDS) --topn 8
	cd $(DEMO_DIR) && $(EMBKIT) eval all sotu.embkit

# ruff (pyflakes, pycodestyle, bugbear, import order) and numpydoc Parameters sections vs signatures
lint: $(STAMP)
	$(VENV)/bin/ruff check embkit cli tests evals
	$(VPY) -m pytest -q -p no:cacheprovider tests/test_docstrings.py

test: lint
	$(VPY) -m pytest -q tests

test-all: $(STAMP)
	$(VPY) -m pytest -q tests

# The fuzz suite (tests/fuzz) with fresh random inputs for FUZZ_MINUTES minutes in all (before a release);
# `make test` runs it with a small fixed budget. Prints the inputs tried by each test.
FUZZ_MINUTES ?= 10
fuzz: $(STAMP)
	FUZZ_MINUTES=$(FUZZ_MINUTES) $(VPY) -m pytest -q -p no:cacheprovider tests/fuzz --hypothesis-show-statistics

$(VENV)/.installed-bench: $(STAMP)
	$(PIP_INSTALL) -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(VPY) -m evals.bench --section $(SECTION) $(if $(CORPUS),--corpus $(CORPUS)) $(if $(SYSTEMS),--systems $(SYSTEMS)) --wait-quiet $(or $(WAIT_QUIET),120) --retries $(or $(RETRIES),1) $(if $(REPEAT),--repeat $(REPEAT)) $(if $(MERGE),--merge)

bench-quick: $(VENV)/.installed-bench
	$(VPY) -m evals.bench --section $(SECTION) --quick $(if $(CORPUS),--corpus $(CORPUS)) $(if $(SYSTEMS),--systems $(SYSTEMS)) --wait-quiet $(or $(WAIT_QUIET),30) $(if $(REPEAT),--repeat $(REPEAT)) $(if $(MERGE),--merge)

warmup: $(STAMP)
	$(VENV)/bin/embkit warmup

clean-cache: $(STAMP)
	$(VENV)/bin/embkit cache clear

clean:
	rm -rf $(VENV) build *.egg-info
