# One target per thing a person does.  A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Everything embedded: Temporal dev server (SQLite under .ringi/), stubs, worker, API on :8000.
run: $(STAMP)
	$(BIN)/ringi dev

## The whole suite (SQLite always; PostgreSQL too when RINGI_TEST_POSTGRES_URL is set), then lint.
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) lint

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.approvals

clean:
	rm -rf $(VENV) .ringi
