# Entry points: `make run` and `make test` (`make test-fast`: no browser). All build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
CLASS_PORT ?= 8080

.PHONY: run test test-fast lint typecheck tests-together unit-fast bench clean serve-class

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changes. (pip's byte-compiling stays on:
# where PYTHONDONTWRITEBYTECODE is set, as on the project's machines, nothing else writes .pyc
# files, and every process would compile each module it imports anew.)
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-installed
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address localhost

# A whole class on one machine: one app process per core behind nginx (deploy/serve_class.py).
serve-class: $(VENV)/.runtime-installed
	$(BIN)/python -m deploy.serve_class --port $(CLASS_PORT)

# Checks that read the source: style, the import contracts (seconds), then the types.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# `make test`: ruff and the import contracts first; then, side by side (make -j2), the type check
# (single-threaded) and one pytest run of everything but the serial browser files on two workers
# (pytest-xdist), a file per worker, in collection order (--no-loadscope-reorder): the
# real-browser files (each drives servers and Chromium of its own, and waits on them) come
# first, the many short unit files fill in behind them, so neither worker waits at a phase's
# end. Last, alone, the browser tests marked serial in tests/conftest.py (a fresh server's first
# page compared with the same page later). Any failing check fails the target.
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@$(MAKE) --no-print-directory -j2 typecheck tests-together
	$(BIN)/python -m pytest -m "browser and serial"

tests-together: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not serial"

# The inner loop: everything but the browser tests and the training-heavy (slow) unit tests,
# the type check beside them as in `make test`.
test-fast: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@$(MAKE) --no-print-directory -j2 typecheck unit-fast

unit-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 --dist worksteal -m "not browser and not slow"

bench: $(VENV)/.dev-installed
	@for module in $(basename $(notdir $(filter-out benchmarks/__init__.py benchmarks/timing.py benchmarks/stats.py benchmarks/st_client.py,$(wildcard benchmarks/*.py)))); do echo "== benchmarks.$$module"; $(BIN)/python -m benchmarks.$$module || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis .import_linter_cache tests/artifacts
