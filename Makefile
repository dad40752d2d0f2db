# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean bench graphviz-check test-tools notebooks docs

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
	@$(MAKE) --no-print-directory graphviz-check
	@echo; echo "== Pictures"
	$(BIN)/kg render support --out out/support.png
	$(BIN)/kg render targeting --out out/targeting.png
	$(BIN)/kg render timeline --out out/timeline.png
	$(BIN)/kg render quantity --quantity escapees --out out/escapees.png
	$(BIN)/kg render support --out out/support.html

test: $(STAMP) test-tools
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/python -m pytest

# Debian packages for the pictures, installed when missing (needs root, as on CI): Graphviz's
# `dot` lays out network pictures (without it they use a networkx layout), headless Chromium
# checks the interactive page (without it that test skips, saying why).
define apt_ensure
	@missing=""; for pair in $(1); do command -v $${pair%%=*} >/dev/null 2>&1 \
	  || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	   $$missing >/dev/null) \
	  || echo "warning: could not install$$missing; pictures fall back, tests skip"; fi
endef

graphviz-check:
	$(call apt_ensure,dot=graphviz)

test-tools:
	$(call apt_ensure,dot=graphviz chromium=chromium)

# JupyterLab on notebooks/ (the `notebooks` extra), with .venv's python as the python3 kernel.
$(VENV)/.notebooks-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3
	touch $@

notebooks: $(VENV)/.notebooks-installed
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/01-tour.ipynb

# The ontology reference, regenerated from ontology/*.ttl: docs/ontology/index.html, classes.png.
docs: $(STAMP) graphviz-check
	$(BIN)/python -m kg.ontodoc docs/ontology

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --max-remote-triples 100k --build-limit 300

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks

clean:
	rm -rf .kg out
