# Private LLM Backend — one Makefile for generating, running and testing.
#
#   make               regenerate everything derived from proto/ (spec, typed models, SDKs)
#   make run           start the server on 127.0.0.1:8080 under ENV=local
#   make test          run every test (PostgreSQL/Redis tests skip when no server is found)
#   make check-generated   fail with a diff when a generated file drifts from proto/
#   make lint          ruff + mypy
#   make bench         benchmarks, printed as ratios against a baseline measured in the same run
#                      (needs wrk; BENCH_SECONDS=n per figure, default 4)
#   make fuzz          a longer schemathesis run (EXAMPLES=n, DURATION=seconds, SEED=n to replay one)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SDK_STAMP := $(VENV)/.python-sdk-stamp

.DEFAULT_GOAL := generate
.PHONY: generate venv run test lint check-generated bench fuzz clean

# The venv is rebuilt whenever the pinned dependencies change.
$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) $(SDK_STAMP)

# The Python SDK, pip-installed into the venv whenever `make` regenerates it. Not
# editable: importing from dist/python would leave __pycache__ among generated files.
# Its folders are prerequisites too: a deleted module changes only its folder's mtime.
$(SDK_STAMP): $(STAMP) $(shell find dist/python -not -path '*/__pycache__*')
	$(PY) -m pip install --quiet ./dist/python
	touch $@

# The TypeScript SDK's generator and compiler, installed exactly as
# codegen/typescript/package-lock.json pins them.
NODE_TOOLING := codegen/typescript
NODE_STAMP := $(NODE_TOOLING)/node_modules/.installed-stamp
$(NODE_STAMP): $(NODE_TOOLING)/package.json $(NODE_TOOLING)/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node 20+) is needed to generate the TypeScript SDK" >&2; exit 1; }
	cd $(NODE_TOOLING) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# One driver for both: codegen/generate.py (its STEPS list is what gets generated).
generate: $(STAMP) $(NODE_STAMP)
	$(PY) -m codegen.generate

check-generated: $(STAMP) $(NODE_STAMP)
	$(PY) -m codegen.generate --check

run: $(STAMP)
	ENV=$${ENV:-local} $(PY) -m server serve

test: $(STAMP) $(NODE_STAMP) $(SDK_STAMP) lint check-generated
	$(PY) -m pytest -q

# Benchmarks: figures printed as ratios against a baseline measured in the same run.
bench: $(STAMP)
	$(PY) -m bench.overhead
	$(PY) -m bench.stream_concurrency
	$(PY) -m bench.observability
	$(PY) -m bench.workers
	$(PY) -m bench.admission_overhead

# A longer schemathesis pass against a live server (every check, stateful included),
# drawing new cases each time; SEED=n replays the run that printed "Seed: n";
# DURATION=n (seconds) repeats fuzzing and stateful testing until n seconds are spent
# (longer than one pass, or the budget cuts the coverage phase short).
EXAMPLES ?= 200
SEED ?= random
DURATION ?=
fuzz: $(STAMP)
	SCHEMATHESIS_EXAMPLES=$(EXAMPLES) SCHEMATHESIS_SEED=$(SEED) SCHEMATHESIS_MAX_TIME=$(DURATION) \
	  $(PY) -m pytest -q -s tests/contract/test_schemathesis.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

clean:
	rm -rf $(VENV) build *.egg-info $(NODE_TOOLING)/node_modules
