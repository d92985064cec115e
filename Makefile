# One target per thing a person does.  A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint bench chaos install clean chromium fuzz

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements-dev.lock -e '.[dev,test]'
	touch $(STAMP)

install: $(STAMP)

## Chromium (and Noto CJK, so pages draw their kanji) for the browser tests: installed with apt when missing and we
## are root with apt-get; otherwise one line says so and the browser tests skip (listed at the end of the run).
## The 原議 PDF needs nothing: ringi ships its font (core/ipaex/).
chromium:
	@if [ -n "$$RINGI_CHROMIUM" ] || command -v chromium chromium-browser google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "chromium: installing Debian's chromium and fonts-noto-cjk for the browser tests (apt-get)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium fonts-noto-cjk; } >/dev/null 2>&1 \
	    || echo "chromium: apt-get install failed: the browser tests will be skipped (listed at the end)"; \
	else echo "chromium: not found (set RINGI_CHROMIUM, or run 'make chromium' as root): the browser tests will be skipped"; fi

## Everything embedded: Temporal dev server (SQLite under .ringi/), stubs, worker, API on :8000.
run: $(STAMP)
	$(BIN)/ringi dev

## The whole suite on $(JOBS) cores (SQLite always; PostgreSQL too when RINGI_TEST_POSTGRES_URL is set), then lint.
## Each xdist worker has its own Temporal dev server, stubs, databases and ports (--dist loadscope keeps a module's
## tests, and so its module fixtures, on one worker).
## Two workers per core: much of the suite waits (on Temporal timers and polls, PostgreSQL, subprocesses, the
## browser), and a waiting worker leaves its core to another.
JOBS ?= $(shell echo $$(( $$(nproc) * 2 )))
PYTEST := $(BIN)/python -m pytest -q -n $(JOBS) --dist loadscope
test: $(STAMP) chromium
	$(PYTEST)
	$(MAKE) lint

## The developer's loop (about 2 minutes): everything but the tests marked slow (real dev server end to end,
## browser, kill/restart, many-example runs, fuzz, the exhaustive matrices).
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Schemathesis over /openapi.json against a whole stack (SQLite), signed in as each of $(FUZZ_ROLES) in turn: at least
## $(FUZZ_CASES) generated cases, zero 5xx and every answer as the document promises; prints the count.
FUZZ_CASES ?= 1200
FUZZ_ROLES ?= staff,manager,records,admin
fuzz: $(STAMP)
	RINGI_FUZZ_CASES=$(FUZZ_CASES) RINGI_FUZZ_ROLES=$(FUZZ_ROLES) RINGI_FUZZ_CONFORMANCE=1 $(BIN)/python -m pytest -p no:xdist -q -s \
	  -k sqlite tests/api/test_fuzz.py

bench: $(STAMP)
	$(BIN)/python -m bench.approvals

## The fault harness (bench/chaos.py): the whole stack with two workers and two API processes, 500 documents of
## every kind driven through the API while >= 200 seeded SIGKILLs hit each process; the checks as a table, then
## an overload phase.  CHAOS_ARGS="--postgres" for PostgreSQL, "--docs 50 --kills 20" for a short run,
## "--seed N" to replay a run.
CHAOS_ARGS ?=
chaos: $(STAMP)
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) .ringi
