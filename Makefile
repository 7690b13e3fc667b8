# Guardian: `make demo` and `make test` work on a fresh machine; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install browser bytecode demo test test-fast lint bench clean contract

# Guardian's own bytecode is written at install too (`bytecode` below says why): every cold
# `guardian` command would otherwise compile ~100 of its modules first.
install: $(STAMP) browser
	$(BIN)/python -m compileall -q bot agents tools knowledge sandbox > /dev/null

# The web chat's browser tests drive Debian's chromium (a browser download is not reachable);
# as root on a machine without it, the install step brings it.
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }

# torch first and pinned: the CPU build is on local disk, an unpinned torch pulls CUDA.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m knowledge.onnx_export  # MiniLM to ONNX once, so no query imports torch
	$(BIN)/python -m knowledge.vector_cache  # the built-in runbooks' vectors: a fresh home indexes them at once
	$(BIN)/guardian route "warm up" > /dev/null  # the router's fitted index, cached: no first turn fits it
	touch $(STAMP)

demo: install
	$(BIN)/guardian demo

# Bytecode written once: with PYTHONDONTWRITEBYTECODE set, every CLI the e2e tests spawn
# would otherwise compile Guardian's own modules again (~0.3 s each).
bytecode: install
	$(BIN)/python -m compileall -q bot agents tools knowledge sandbox > /dev/null

# Two workers, whole files each (module fixtures are built once): on two cores the suite took
# 9.2 min instead of ~15 in one process (docs/BENCHMARKS.md, "Test suite time").
PYTEST_WORKERS ?= 2

test: install lint bytecode
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not e2e"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run_all.py

contract: install
	../shared/tools/contract-check

clean:
	rm -rf $(VENV) .guardian .pytest_cache .mypy_cache .ruff_cache *.egg-info
