# One target per thing a person does.  A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean setup-system

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements-dev.lock -e '.[dev,test]'
	touch $(STAMP)

install: $(STAMP)

## System packages (Debian/Ubuntu, as root), once per machine: the Japanese fonts the 原議 PDF embeds (IPAex,
## TrueType) and that pages show (Noto CJK), and Chromium for the browser tests.  A no-op when they are there.
IPAEX := /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf
NOTO  := /usr/share/fonts/opentype/noto
setup-system:
	@if [ -e $(IPAEX) ] && [ -d $(NOTO) ] && [ -x /usr/bin/chromium ]; then echo "fonts and chromium: installed"; else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipaexfont fonts-noto-cjk chromium; fi

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
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.approvals

clean:
	rm -rf $(VENV) .ringi
