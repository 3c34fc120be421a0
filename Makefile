# cellrules — the two commands a new machine needs are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench oracle screenshots clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cellrules check rules/
	$(BIN)/cellrules test rules/
	$(BIN)/python -m cellrules.demo

# Type checks (mypy, configured in pyproject.toml), then the whole suite twice: on durable-rules, then on the
# engine-free vectorised path (what users get where durable-rules cannot be installed). The first run also holds
# recalc/ to 90% line coverage.
test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q --cov=cellrules.recalc --cov-report= --cov-fail-under=90
	CELLRULES_ENGINE=vector $(BIN)/python -m pytest -q

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
	rm -rf $(VENV)
