# embkit — common tasks.  `make demo` and `make test` work on a fresh clone.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test
SECTION ?= sgns

.PHONY: install demo test test-all bench bench-quick warmup clean-cache clean

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

$(STAMP): $(VENV)/bin/python setup.cfg pyproject.toml
	$(VPY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VPY) -m evals.demo

test: $(STAMP)
	$(VPY) -m pytest -q tests

test-all: $(STAMP)
	$(VPY) -m pytest -q tests

$(VENV)/.installed-bench: $(STAMP)
	$(VPY) -m pip install -q -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(VPY) -m evals.bench --section $(SECTION)

bench-quick: $(VENV)/.installed-bench
	$(VPY) -m evals.bench --section $(SECTION) --quick

warmup: $(STAMP)
	$(VENV)/bin/embkit warmup

clean-cache:
	rm -rf $${EMBKIT_CACHE:-$$HOME/.cache/embkit}

clean:
	rm -rf $(VENV) build *.egg-info
