# The two commands of the README: `make demo` (set up, run the default sweep, write the report)
# and `make test` (set up, run the whole test suite). Both create .venv on first use.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     ?= results/default

.PHONY: setup demo test test-fast bench screenshots clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python run.py sweep --scenarios all --posterior sim/data/posterior.csv --sets 20 --seeds 1 --steps 104 --out $(OUT)
	$(BIN)/python run.py report $(OUT)

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The suite runs on every core (pytest-xdist), a test file per worker so each file's fixtures are built once.
test: $(STAMP) chromium
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not slow and not browser"

# Refresh the README's picture on purpose (tests never write tracked files): the browser test, with its
# final screenshot copied to docs/img/browser_view.png.
screenshots: $(STAMP) chromium
	SIM_SCREENSHOT=docs/img/browser_view.png $(BIN)/python -m pytest -q -m browser tests/test_browser.py

bench: $(STAMP)
	$(BIN)/python benchmarks/model_speed.py
	$(BIN)/python benchmarks/sweep_throughput.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/demo_time.py

clean:
	rm -rf $(VENV) results .pytest_cache
