# `make test` is the one test command (README, .ci/run): it installs what the tests need
# (the dev extras into .venv, Debian's tini) and runs pytest.
VENV ?= .venv
PYTHON ?= python3
PYTEST_ARGS ?=

.PHONY: test install system-deps bench

test: install system-deps
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

system-deps:
	./scripts/system-deps.sh

bench: install
	$(VENV)/bin/python scripts/bench_render.py
