# cellrules — the two commands a new machine needs are `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WHEELS := build/wheels

.PHONY: demo test quick test-313 bench oracle dist screenshots clean

# The venv, with durable-rules built by packaging/build_engine.py (the published source with its one Python 3.13
# fix, checked by SHA-256). Where it cannot be built (no C compiler) the install goes on without it and says so:
# cellrules then answers through its vectorised path (`cellrules status` says why and how to get the engine).
$(STAMP): pyproject.toml packaging/build_engine.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@if w=$$($(BIN)/python packaging/build_engine.py $(WHEELS)); then \
	  $(BIN)/pip install -q "$$w" && $(BIN)/pip install -q -e ".[test,engine]"; \
	else \
	  echo "cellrules: installing without durable-rules (above: why); the vectorised path answers"; \
	  $(BIN)/pip install -q -e ".[test]"; \
	fi
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cellrules check rules/
	$(BIN)/cellrules test rules/
	$(BIN)/python -m cellrules.demo

# Type checks (mypy, configured in pyproject.toml), then the whole suite twice: on durable-rules, then on the
# engine-free vectorised path (what users get where durable-rules cannot be installed). The second run also
# holds recalc/ and xlsx/ to 90% line coverage, measured on the test files that drive them (line tracing
# triples the time of whatever runs under it; by path: naming a package imports it too early on 3.13).
# Both runs spread the test files over the machine's cores (pytest-xdist; JOBS=1 for one process). Tests of
# minutes' work (a cluster, a browser, LibreOffice) are marked slow and run here too; `make quick` leaves them out.
JOBS ?= auto
PYTEST = $(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile
RECALC_TESTS := $(addprefix tests/test_,audit.py batch_safety.py conformance.py distributed.py excel_functions.py \
	excel_functions_more.py excel_declarations.py reference_arguments.py lambdas.py excel_oracle.py fast_paths.py hostile.py natives.py recalc.py rowscan.py spelling.py spills.py templates.py)
COVERAGE := --cov=src/cellrules/recalc --cov=src/cellrules/xlsx --cov-report= --cov-fail-under=90
test: $(STAMP)
	$(BIN)/python -m mypy
	$(PYTEST)
	CELLRULES_ENGINE=vector $(PYTEST) $(RECALC_TESTS) $(COVERAGE)
	CELLRULES_ENGINE=vector $(PYTEST) $(addprefix --ignore=,$(RECALC_TESTS))

quick: $(STAMP)
	$(PYTEST) -m "not slow"

# The suite again on Python 3.13, with the engine built for it, in its own venv (CI runs both).
PY313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13))
test-313:
	@test -n "$(PY313)" || { echo "test-313: no python3.13 found (set PY313=...)"; exit 1; }
	$(MAKE) test PY=$(PY313) VENV=.venv-3.13

# What a user installs: the cellrules wheel (rules included) and the durable-rules wheels for this machine's
# Python 3.11–3.13 interpreters, into dist/ (pip install --find-links dist "cellrules[engine]").
dist: $(STAMP)
	rm -rf dist && mkdir -p dist
	$(BIN)/pip wheel -q --no-deps -w dist .
	@for p in $(PY) $(PY313); do $$p packaging/build_engine.py dist || true; done
	@ls -1 dist

# Peer engines (formulas, pycel) are installed for the benchmark only.
bench: $(STAMP)
	$(BIN)/pip install -q formulas pycel
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bounded.py
	$(BIN)/python bench/impact.py

# Headless recalc against Excel's own cached answers: per-file agreement, misses and unsupported functions
# (../shared/oracle, or the directories given: make oracle ORACLE=dir).
ORACLE ?= ../shared/oracle tests/oracle
oracle: $(STAMP)
	$(BIN)/python tests/excel_oracle.py $(ORACLE)

# Pictures of the templates (LibreOffice, pdftoppm and a CJK font needed), into docs/screenshots/.
screenshots: $(STAMP)
	bash docs/screenshots.sh

clean:
	rm -rf $(VENV) .venv-3.13 build dist
