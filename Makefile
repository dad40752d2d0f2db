# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build
	@echo; echo "== Who supported whom?"
	@$(BIN)/kg ask who-supported-whom
	@echo; echo "== Which prisons were targeted, by whom, when?"
	@$(BIN)/kg ask prisons-targeted
	@echo; echo "== What is contested, and why?"
	@$(BIN)/kg ask contested

test: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks

clean:
	rm -rf .kg out
